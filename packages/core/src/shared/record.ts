import type { NewEvent, Repositories } from '../store.ts';
import type { Ctx } from './context.ts';

/** Append one event about a record, attributed to the acting user or the system. */
export async function recordEvent(
  tx: Repositories,
  ctx: Ctx,
  at: Date,
  subjectType: NewEvent['subjectType'],
  subjectId: string,
  type: string,
  data: Record<string, unknown>,
): Promise<void> {
  await tx.events.append({
    workspaceId: ctx.workspaceId,
    subjectType,
    subjectId,
    actor: { type: ctx.actor.type, id: ctx.actor.userId },
    type,
    data,
    requestId: ctx.requestId,
    createdAt: at,
  });
}

/** Append one entry to the audit log of admin actions. */
export async function recordAudit(
  tx: Repositories,
  ctx: Ctx,
  at: Date,
  action: string,
  target: { type: string; id: string } | null,
  data: Record<string, unknown>,
): Promise<void> {
  await tx.audit.append({
    workspaceId: ctx.workspaceId,
    actor: { type: ctx.actor.type, id: ctx.actor.userId },
    action,
    targetType: target?.type ?? null,
    targetId: target?.id ?? null,
    data,
    ip: ctx.ip ?? null,
    requestId: ctx.requestId,
    createdAt: at,
  });
}
