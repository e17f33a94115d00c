/**
 * Saved inbox views: a named ticket query. Every staff member keeps their own; admins (support
 * leads) may share one with the whole workspace. A personal view of someone else answers 404.
 */
import type { CreateSavedViewInput, UpdateSavedViewInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { SavedView } from '../store.ts';
import type { Actor, Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordEvent } from '../shared/record.ts';
import { can } from '../identity/permissions.ts';

/** Enough for anyone; a runaway script cannot fill the sidebar. */
export const MAX_SAVED_VIEWS_PER_USER = 100;

export function savedViewAccess(actor: Actor, v: SavedView): { read: boolean; update: boolean } {
  const own = v.ownerId === actor.userId;
  return { read: own || v.shared, update: own || (v.shared && actor.role === 'admin') };
}

function staffOnly(actor: Actor): string {
  if (!can(actor, 'tickets:read_all') || !actor.userId) throw new AppError('FORBIDDEN', `Your role (${actor.role}) has no inbox views.`);
  return actor.userId;
}

function shareAllowed(actor: Actor, shared: boolean | undefined): void {
  if (shared && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins share views with the workspace.');
}

async function loadForUpdate(deps: Deps, ctx: Ctx, id: string): Promise<SavedView> {
  const v = await deps.store.savedViews.findById(ctx.workspaceId, id);
  const access = v ? savedViewAccess(ctx.actor, v) : null;
  if (!v || !access!.read) throw new AppError('SAVED_VIEW_NOT_FOUND', 'Saved view not found.');
  if (!access!.update) throw new AppError('FORBIDDEN', 'Only an admin changes a shared view.');
  return v;
}

export async function listSavedViews(deps: Deps, ctx: Ctx): Promise<SavedView[]> {
  const userId = staffOnly(ctx.actor);
  return deps.store.savedViews.listVisible(ctx.workspaceId, userId);
}

export async function createSavedView(deps: Deps, ctx: Ctx, input: CreateSavedViewInput): Promise<SavedView> {
  const userId = staffOnly(ctx.actor);
  shareAllowed(ctx.actor, input.shared);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    if ((await tx.savedViews.countOwned(ctx.workspaceId, userId)) >= MAX_SAVED_VIEWS_PER_USER) {
      throw new AppError('VALIDATION_FAILED', `You have ${MAX_SAVED_VIEWS_PER_USER} saved views already; delete one first.`);
    }
    const v = await tx.savedViews.insert({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      ownerId: userId,
      name: input.name,
      query: input.query,
      shared: input.shared,
      createdAt: now,
      updatedAt: now,
    });
    await recordEvent(tx, ctx, now, 'saved_view', v.id, 'saved_view.created', { name: v.name, shared: v.shared, query: v.query });
    return v;
  });
}

export async function updateSavedView(deps: Deps, ctx: Ctx, id: string, input: UpdateSavedViewInput): Promise<SavedView> {
  staffOnly(ctx.actor);
  shareAllowed(ctx.actor, input.shared);
  const current = await loadForUpdate(deps, ctx, id);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const v = await tx.savedViews.update(ctx.workspaceId, current.id, { ...input, updatedAt: now });
    await recordEvent(tx, ctx, now, 'saved_view', v.id, 'saved_view.updated', { ...input });
    return v;
  });
}

export async function deleteSavedView(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  staffOnly(ctx.actor);
  const current = await loadForUpdate(deps, ctx, id);
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    await tx.savedViews.delete(ctx.workspaceId, current.id);
    await recordEvent(tx, ctx, now, 'saved_view', current.id, 'saved_view.deleted', { name: current.name });
  });
}
