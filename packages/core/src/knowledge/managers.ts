import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit, recordEvent } from '../shared/record.ts';
import { authorize } from '../identity/permissions.ts';

/**
 * Knowledge managers: staff (agents or light agents) who may publish, review and curate, named
 * by an admin. A capability on top of the role, kept in its own table, so the role model stays
 * as it is; admins always have it.
 */
export async function setKnowledgeManager(deps: Deps, ctx: Ctx, userId: string, on: boolean): Promise<void> {
  authorize(ctx.actor, 'users:manage');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const u = await tx.users.findById(ctx.workspaceId, userId);
    if (!u || u.role === 'customer') throw new AppError('USER_NOT_FOUND', 'User not found.');
    const was = await tx.knowledge.isManager(ctx.workspaceId, userId);
    if (was === on) return;
    await tx.knowledge.setManager(ctx.workspaceId, userId, on, now);
    const type = on ? 'user.knowledge_manager_granted' : 'user.knowledge_manager_revoked';
    await recordEvent(tx, ctx, now, 'user', userId, type, {});
    await recordAudit(tx, ctx, now, type, { type: 'user', id: userId }, { email: u.email });
  });
}

export async function listKnowledgeManagers(deps: Deps, ctx: Ctx) {
  authorize(ctx.actor, 'users:read');
  const rows = await deps.store.knowledge.listManagers(ctx.workspaceId);
  const out = [];
  for (const r of rows) {
    const u = await deps.store.users.findById(ctx.workspaceId, r.userId);
    if (u) out.push({ user: u, since: r.since });
  }
  return out;
}
