import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { authorize } from '../identity/permissions.ts';
import { loadReadableTicket, type TicketRef } from '../tickets/access.ts';
import type { SlaState } from '@guichet/contracts';
import { slaStateAt, summarizeSla, viewSla, type SlaClockView } from './engine.ts';
import { storedEnv } from './track.ts';
import type { BusinessCalendarRecord, SlaPolicy } from './types.ts';

export interface TicketSlaView {
  ticketId: string;
  policy: SlaPolicy | null;
  calendar: BusinessCalendarRecord | null;
  paused: boolean;
  state: SlaState;
  dueAt: Date | null;
  nextDueAt: Date | null;
  /** The moment this view was computed. */
  asOf: Date;
  targets: SlaClockView[];
}

/** A ticket's SLA now: the policy in force, each target's deadline, time left and outcome (staff only). */
export async function getTicketSla(deps: Deps, ctx: Ctx, ref: TicketRef): Promise<TicketSlaView> {
  authorize(ctx.actor, 'sla:read');
  const { ticket } = await loadReadableTicket(deps, ctx, ref);
  const row = await deps.store.ticketSla.find(ctx.workspaceId, ticket.id);
  const now = deps.clock.now();
  if (!row) return { ticketId: ticket.id, policy: null, calendar: null, paused: false, state: 'none', dueAt: null, nextDueAt: null, asOf: now, targets: [] };
  const env = await storedEnv(deps.store, ctx.workspaceId, row.state, []);
  const calendar = row.state.calendarId ? await deps.store.businessCalendars.findById(ctx.workspaceId, row.state.calendarId) : null;
  // Computed from the clocks as they are now: the same as the stored summary the inbox reads.
  const summary = summarizeSla(row.state, env);
  return {
    ticketId: ticket.id,
    policy: env.policy,
    calendar,
    paused: row.state.paused,
    state: slaStateAt(summary, now),
    dueAt: summary.dueAt,
    nextDueAt: row.nextDueAt,
    asOf: now,
    targets: viewSla(row.state, env, now),
  };
}
