import type { Deps } from '../deps.ts';
import { systemActor, type Ctx } from '../shared/context.ts';
import { advanceRow } from './track.ts';

const BATCH = 200;

/**
 * After a calendar or policy change: every open ticket of the workspace takes the policy and
 * calendar that now apply, keeping the time its clocks already used (nothing before now is
 * rewritten). Batches of rows, each in its own transaction with the rows locked; safe to run twice.
 */
export async function recomputeSla(deps: Deps, workspaceId: string, requestId = 'sla.recompute'): Promise<number> {
  const ctx: Ctx = { workspaceId, actor: systemActor, requestId };
  let after: string | null = null;
  let done = 0;
  for (;;) {
    const page = await deps.store.ticketSla.listForRecompute(workspaceId, after, BATCH);
    if (!page.length) return done;
    after = page[page.length - 1]!.ticketId;
    const now = deps.clock.now();
    await deps.store.transaction(async (tx) => {
      const policies = await tx.slaPolicies.list(workspaceId, { enabledOnly: true });
      for (const stale of page) {
        const row = await tx.ticketSla.find(workspaceId, stale.ticketId, { lock: true });
        const ticket = row && (await tx.tickets.findById(workspaceId, row.ticketId));
        if (!row || !ticket) continue;
        await advanceRow(tx, ctx, row, ticket, ticket.status, null, now, policies);
        done++;
      }
    });
    if (page.length < BATCH) return done;
  }
}
