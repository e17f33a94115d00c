/**
 * Request categories: the list the admin maintains for the portal's form (and the API), in
 * French and English, ordered, retired with `active` rather than deleted when tickets use them.
 * Everyone signed in may list the active ones; admins see and manage them all.
 */
import type { CreateTicketCategoryInput, UpdateTicketCategoryInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordEvent } from '../shared/record.ts';
import { authorize, can } from '../identity/permissions.ts';
import type { TicketCategory } from './category-types.ts';

const names = (n: { en?: string | undefined; fr?: string | undefined }): TicketCategory['names'] => ({
  ...(n.en ? { en: n.en } : {}),
  ...(n.fr ? { fr: n.fr } : {}),
});

export async function listTicketCategories(deps: Deps, ctx: Ctx, q: { includeInactive?: boolean | undefined } = {}): Promise<TicketCategory[]> {
  const includeInactive = !!q.includeInactive && can(ctx.actor, 'ticket_categories:manage');
  return deps.store.ticketCategories.list(ctx.workspaceId, { includeInactive });
}

export async function createTicketCategory(deps: Deps, ctx: Ctx, input: CreateTicketCategoryInput): Promise<TicketCategory> {
  authorize(ctx.actor, 'ticket_categories:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const c = await tx.ticketCategories.insert({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      key: input.key,
      names: names(input.names),
      position: input.position,
      active: input.active,
      createdAt: now,
      updatedAt: now,
    });
    await recordEvent(tx, ctx, now, 'ticket_category', c.id, 'ticket_category.created', { key: c.key, names: c.names, active: c.active });
    return c;
  });
}

export async function updateTicketCategory(deps: Deps, ctx: Ctx, id: string, input: UpdateTicketCategoryInput): Promise<TicketCategory> {
  authorize(ctx.actor, 'ticket_categories:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const before = await tx.ticketCategories.findById(ctx.workspaceId, id);
    if (!before) throw new AppError('TICKET_CATEGORY_NOT_FOUND', 'Request category not found.');
    const c = await tx.ticketCategories.update(ctx.workspaceId, id, {
      ...(input.key !== undefined ? { key: input.key } : {}),
      ...(input.names !== undefined ? { names: names(input.names) } : {}),
      ...(input.position !== undefined ? { position: input.position } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      updatedAt: now,
    });
    await recordEvent(tx, ctx, now, 'ticket_category', id, 'ticket_category.updated', {
      from: { key: before.key, names: before.names, position: before.position, active: before.active },
      to: input,
    });
    return c;
  });
}

/** Delete a category; its tickets keep no category (retiring it with `active: false` keeps them labelled). */
export async function deleteTicketCategory(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'ticket_categories:manage');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const c = await tx.ticketCategories.findById(ctx.workspaceId, id);
    if (!c) throw new AppError('TICKET_CATEGORY_NOT_FOUND', 'Request category not found.');
    await tx.ticketCategories.delete(ctx.workspaceId, id);
    await recordEvent(tx, ctx, now, 'ticket_category', id, 'ticket_category.deleted', { key: c.key, names: c.names });
  });
}

/**
 * The category a ticket may be given: it must exist in the workspace; customers may only pick an
 * active one (staff may keep a retired one on an old ticket).
 */
export async function checkTicketCategory(repos: Repositories, ctx: Ctx, id: string): Promise<TicketCategory> {
  const c = await repos.ticketCategories.findById(ctx.workspaceId, id);
  if (!c || (!c.active && ctx.actor.role === 'customer')) {
    throw new AppError('TICKET_CATEGORY_NOT_FOUND', 'The request category does not exist.', { issues: [{ path: ['categoryId'], message: 'unknown category' }] });
  }
  return c;
}

/** A category's name in a language, falling back to the other one. */
export function categoryName(c: Pick<TicketCategory, 'names' | 'key'>, lang: 'fr' | 'en'): string {
  return c.names[lang] ?? c.names.en ?? c.names.fr ?? c.key;
}
