import type { CreateOrganizationInput, UpdateOrganizationInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { decodeCursor, toPage } from '../shared/cursor.ts';
import { recordEvent } from '../shared/record.ts';
import { authorize } from '../identity/permissions.ts';
import { changesOf } from './customers.ts';
import type { Organization } from './types.ts';

export async function createOrganization(deps: Deps, ctx: Ctx, input: CreateOrganizationInput): Promise<Organization> {
  authorize(ctx.actor, 'organizations:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const org = await tx.organizations.insert({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      name: input.name,
      domains: [...new Set(input.domains)],
      notes: input.notes ?? null,
      sharedTickets: input.sharedTickets,
      createdAt: now,
      updatedAt: now,
    });
    await recordEvent(tx, ctx, now, 'organization', org.id, 'organization.created', { name: org.name, domains: org.domains });
    return org;
  });
}

export async function getOrganization(deps: Deps, ctx: Ctx, id: string): Promise<Organization> {
  authorize(ctx.actor, 'organizations:read');
  const org = await deps.store.organizations.findById(ctx.workspaceId, id);
  if (!org) throw new AppError('ORGANIZATION_NOT_FOUND', 'Organization not found.');
  return org;
}

export async function updateOrganization(deps: Deps, ctx: Ctx, id: string, input: UpdateOrganizationInput): Promise<Organization> {
  authorize(ctx.actor, 'organizations:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const before = await tx.organizations.findById(ctx.workspaceId, id);
    if (!before) throw new AppError('ORGANIZATION_NOT_FOUND', 'Organization not found.');
    const patch = { ...input, ...(input.domains ? { domains: [...new Set(input.domains)] } : {}) };
    const org = await tx.organizations.update(ctx.workspaceId, id, { ...patch, updatedAt: now });
    await recordEvent(tx, ctx, now, 'organization', id, 'organization.updated', changesOf(before, patch));
    return org;
  });
}

export async function listOrganizations(deps: Deps, ctx: Ctx, q: { limit: number; cursor?: string | undefined; q?: string | undefined }) {
  authorize(ctx.actor, 'organizations:read');
  const rows = await deps.store.organizations.list(ctx.workspaceId, q.q ? { text: q.q } : {}, {
    limit: q.limit + 1,
    ...(q.cursor ? { after: decodeCursor(q.cursor, 'name', 'asc') } : {}),
  });
  return toPage(rows, q.limit, (o) => ({ sort: 'name', order: 'asc', value: o.name, id: o.id }));
}
