import type { UpdateWorkspaceInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import { systemActor, type Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit, recordEvent } from '../shared/record.ts';
import { authorize } from '../identity/permissions.ts';
import { changesOf } from '../people/customers.ts';
import type { User, Workspace } from '../people/types.ts';

export interface BootstrapInput {
  slug: string;
  name: string;
  mailDomain?: string | null;
  defaultLanguage?: 'en' | 'fr';
  admin: { email: string; name: string; password: string };
}

/**
 * Create a workspace with its first admin. Used by first start, by tests and later by sign-up;
 * the admin's password is hashed here and never stored or logged in clear.
 */
export async function bootstrapWorkspace(deps: Deps, input: BootstrapInput): Promise<{ workspace: Workspace; admin: User }> {
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(input.slug)) {
    throw new AppError('VALIDATION_FAILED', 'A workspace slug is 2 to 63 lowercase letters, digits or dashes.', {
      issues: [{ path: ['slug'], message: 'invalid slug' }],
    });
  }
  const now = deps.clock.now();
  const passwordHash = await deps.passwords.hash(input.admin.password);
  return deps.store.transaction(async (tx) => {
    if (await tx.workspaces.findBySlug(input.slug)) throw new AppError('NAME_TAKEN', `The workspace "${input.slug}" already exists.`);
    const workspace = await tx.workspaces.insert({
      id: deps.ids.uuid(),
      slug: input.slug,
      name: input.name,
      mailDomain: input.mailDomain ?? null,
      defaultLanguage: input.defaultLanguage ?? 'en',
      createdAt: now,
      updatedAt: now,
    });
    const admin = await tx.users.insert({
      id: deps.ids.uuid(),
      workspaceId: workspace.id,
      role: 'admin',
      email: input.admin.email.toLowerCase(),
      name: input.admin.name,
      passwordHash,
      status: 'active',
      locale: input.defaultLanguage ?? 'en',
      timeZone: 'UTC',
      languages: [],
      organizationId: null,
      phone: null,
      notes: null,
      capacity: null,
      createdAt: now,
      updatedAt: now,
      lastLoginAt: null,
    });
    const ctx: Ctx = { workspaceId: workspace.id, actor: systemActor, requestId: 'bootstrap' };
    await recordEvent(tx, ctx, now, 'workspace', workspace.id, 'workspace.created', { slug: workspace.slug, name: workspace.name });
    await recordAudit(tx, ctx, now, 'workspace.created', { type: 'workspace', id: workspace.id }, { slug: workspace.slug, adminEmail: admin.email });
    return { workspace, admin };
  });
}

export async function getWorkspace(deps: Deps, ctx: Ctx): Promise<Workspace> {
  const ws = await deps.store.workspaces.findById(ctx.workspaceId);
  if (!ws) throw new AppError('NOT_FOUND', 'Workspace not found.');
  return ws;
}

export async function updateWorkspace(deps: Deps, ctx: Ctx, input: UpdateWorkspaceInput): Promise<Workspace> {
  authorize(ctx.actor, 'workspace:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const before = await tx.workspaces.findById(ctx.workspaceId);
    if (!before) throw new AppError('NOT_FOUND', 'Workspace not found.');
    const ws = await tx.workspaces.update(ctx.workspaceId, { ...input, updatedAt: now });
    const changes = changesOf(before, input);
    await recordEvent(tx, ctx, now, 'workspace', ctx.workspaceId, 'workspace.updated', changes);
    await recordAudit(tx, ctx, now, 'workspace.updated', { type: 'workspace', id: ctx.workspaceId }, changes);
    return ws;
  });
}

export async function listAuditLog(
  deps: Deps,
  ctx: Ctx,
  q: { limit: number; cursor?: string | undefined; action?: string | undefined; actorId?: string | undefined },
) {
  authorize(ctx.actor, 'audit:read');
  const beforeId = q.cursor ? Number(q.cursor) : undefined;
  if (q.cursor && (!Number.isSafeInteger(beforeId) || beforeId! < 1)) {
    throw new AppError('INVALID_CURSOR', 'The cursor is not one this server issued.');
  }
  const rows = await deps.store.audit.list(
    ctx.workspaceId,
    { ...(q.action ? { action: q.action } : {}), ...(q.actorId ? { actorId: q.actorId } : {}) },
    { limit: q.limit + 1, ...(beforeId ? { beforeId } : {}) },
  );
  const items = rows.slice(0, q.limit);
  return { items, nextCursor: rows.length > q.limit ? String(items[items.length - 1]!.id) : null };
}
