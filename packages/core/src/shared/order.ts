/**
 * A new order for admin-ordered rules (SLA policies, triggers, automations), written at once:
 * the admin sends every rule's id in the order wanted; positions become 0, 1, 2… in one
 * transaction, so a failure changes nothing and one change is one recompute, not one per rule.
 */
import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import type { Ctx } from './context.ts';
import { AppError } from './errors.ts';
import { recordAudit } from './record.ts';

interface OrderedRule {
  id: string;
  position: number;
  updatedAt: Date;
}

interface OrderedStore<T extends OrderedRule> {
  list(workspaceId: string): Promise<T[]>;
  update(workspaceId: string, id: string, patch: Partial<T>): Promise<T>;
}

/** Which rules move where; the ids must be exactly the workspace's rules, each once. */
export function newPositions(current: Array<{ id: string; position: number }>, ids: string[]): Array<{ id: string; position: number }> {
  const known = new Map(current.map((r) => [r.id, r.position]));
  const problem =
    new Set(ids).size !== ids.length ? 'an id is given twice'
    : ids.some((id) => !known.has(id)) ? 'an id is not one of this workspace\'s rules'
    : ids.length !== current.length ? 'every rule must be given (the list may have changed since it was read)'
    : null;
  if (problem) throw new AppError('VALIDATION_FAILED', `Invalid order: ${problem}.`, { issues: [{ in: 'body', path: ['ids'], message: problem }] });
  return ids.flatMap((id, position) => (known.get(id) === position ? [] : [{ id, position }]));
}

export async function reorderRules<T extends OrderedRule>(
  deps: Deps,
  ctx: Ctx,
  ids: string[],
  opts: { store(tx: Repositories): OrderedStore<T>; audit: string; changed?(tx: Repositories, now: Date): Promise<void> },
): Promise<T[]> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const repo = opts.store(tx);
    const moves = newPositions(await repo.list(ctx.workspaceId), ids);
    if (moves.length === 0) return repo.list(ctx.workspaceId);
    for (const m of moves) await repo.update(ctx.workspaceId, m.id, { position: m.position, updatedAt: now } as Partial<T>);
    await recordAudit(tx, ctx, now, opts.audit, null, { ids });
    await opts.changed?.(tx, now);
    return repo.list(ctx.workspaceId);
  });
}
