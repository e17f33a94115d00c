/**
 * The SLA hook of the ticket lifecycle: called by ticket creation, ticket updates and new
 * messages (API and email), inside their transaction, after the ticket row is written. It picks
 * the policy, moves the clocks and records what happened as ticket events.
 */
import type { NewEvent, Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { configPart, readConfigVersion, type ConfigVersion } from '../shared/config-cache.ts';
import type { Ticket } from '../tickets/types.ts';
import { BusinessCalendar } from './calendar.ts';
import { advanceSla, choosePolicy, nextDueOf, startSla, summarizeSla, type SlaEnv, type SlaEventOut, type SlaMessage, type SlaStep } from './engine.ts';
import type { BusinessCalendarRecord, SlaPolicy, TicketSlaRow, TicketSlaState } from './types.ts';

/** Compiled calendars, reused while their record is unchanged (a calendar's arithmetic caches its days). */
const compiled = new Map<string, { updatedAt: number; cal: BusinessCalendar }>();

export function compileCalendar(rec: BusinessCalendarRecord): BusinessCalendar {
  const hit = compiled.get(rec.id);
  if (hit && hit.updatedAt === rec.updatedAt.getTime()) return hit.cal;
  const cal = new BusinessCalendar(rec);
  if (compiled.size > 1000) compiled.clear();
  compiled.set(rec.id, { updatedAt: rec.updatedAt.getTime(), cal });
  return cal;
}

/** The compiled calendar of a record known by id and last change, when it was compiled already. */
export function compiledCalendar(id: string, updatedAt: Date): BusinessCalendar | null {
  const hit = compiled.get(id);
  return hit && hit.updatedAt === updatedAt.getTime() ? hit.cal : null;
}

/** The workspace's enabled SLA policies in order: kept under the configuration version when one is given. */
export function enabledPolicies(repos: Repositories, workspaceId: string, cfg?: ConfigVersion | null): Promise<SlaPolicy[]> {
  const load = () => repos.slaPolicies.list(workspaceId, { enabledOnly: true });
  return cfg ? configPart(cfg, 'sla.policies', load) : load();
}

/** Every calendar of the workspace, kept under the configuration version. */
function calendarsUnder(repos: Repositories, cfg: ConfigVersion): Promise<BusinessCalendarRecord[]> {
  return configPart(cfg, 'sla.calendars', () => repos.businessCalendars.list(cfg.workspaceId));
}

async function calendarById(repos: Repositories, workspaceId: string, id: string, cfg?: ConfigVersion | null): Promise<BusinessCalendarRecord | null> {
  if (!cfg) return repos.businessCalendars.findById(workspaceId, id);
  return (await calendarsUnder(repos, cfg)).find((c) => c.id === id) ?? null;
}

/** The calendar a ticket's clocks use under `policy`: the policy's, else the team's, else the workspace default. */
export async function calendarFor(repos: Repositories, workspaceId: string, policy: SlaPolicy | null, teamId: string | null, cfg?: ConfigVersion | null): Promise<BusinessCalendarRecord | null> {
  if (policy?.calendarId) {
    const c = await calendarById(repos, workspaceId, policy.calendarId, cfg);
    if (c) return c;
  }
  if (cfg) {
    const all = await calendarsUnder(repos, cfg);
    return (teamId ? all.find((c) => c.teamId === teamId) : undefined) ?? all.find((c) => c.isDefault) ?? null;
  }
  const { team, workspace } = await repos.businessCalendars.forTicket(workspaceId, teamId);
  return team ?? workspace;
}

export async function envFor(repos: Repositories, workspaceId: string, policy: SlaPolicy | null, teamId: string | null, cfg?: ConfigVersion | null): Promise<SlaEnv> {
  const rec = await calendarFor(repos, workspaceId, policy, teamId, cfg);
  return { policy, calendarId: rec?.id ?? null, calendar: rec ? compileCalendar(rec) : null };
}

/** The environment a stored state was computed under (its policy may have changed or gone since). */
export async function storedEnv(repos: Repositories, workspaceId: string, state: TicketSlaState, policies: SlaPolicy[], cfg?: ConfigVersion | null): Promise<SlaEnv> {
  const policy = policies.find((p) => p.id === state.policyId) ?? (state.policyId ? await repos.slaPolicies.findById(workspaceId, state.policyId) : null);
  const rec = state.calendarId ? await calendarById(repos, workspaceId, state.calendarId, cfg) : null;
  return { policy, calendarId: rec?.id ?? null, calendar: rec ? compileCalendar(rec) : null };
}

/** The stored row of a ticket's clocks under `env`: the state, when to look again, the list's summary. */
export function slaRow(workspaceId: string, ticketId: string, state: TicketSlaState, env: SlaEnv, now: Date): TicketSlaRow {
  return { workspaceId, ticketId, state, nextDueAt: nextDueOf(state, env), summary: summarizeSla(state, env), updatedAt: now };
}

async function write(tx: Repositories, ctx: Ctx, ticketId: string, step: SlaStep, env: SlaEnv, now: Date): Promise<void> {
  await tx.ticketSla.upsert(slaRow(ctx.workspaceId, ticketId, step.state, env, now));
  await recordSlaEvents(tx, ctx, ticketId, step.events, now);
}

/** SLA events are the system's doing, whoever made the change that caused them. */
export function slaEventRecords(ctx: Ctx, ticketId: string, events: SlaEventOut[], now: Date): NewEvent[] {
  return events.map((e) => ({
    workspaceId: ctx.workspaceId,
    subjectType: 'ticket',
    subjectId: ticketId,
    actor: { type: 'system', id: null },
    type: e.type,
    data: e.data,
    requestId: ctx.requestId,
    createdAt: now,
  }));
}

export async function recordSlaEvents(tx: Repositories, ctx: Ctx, ticketId: string, events: SlaEventOut[], now: Date): Promise<void> {
  await tx.events.appendMany(slaEventRecords(ctx, ticketId, events, now));
}

/** A new ticket: start its clocks when the workspace has SLA policies. */
export async function slaOnTicketCreated(
  tx: Repositories,
  ctx: Ctx,
  ticket: Ticket | Omit<Ticket, 'number' | 'version'>,
  message: SlaMessage | null,
  now: Date,
  cfg?: ConfigVersion,
): Promise<void> {
  const policies = await enabledPolicies(tx, ctx.workspaceId, cfg);
  if (!policies.length) return;
  const env = await envFor(tx, ctx.workspaceId, choosePolicy(policies, ticket), ticket.teamId, cfg);
  await write(tx, ctx, ticket.id, startSla(env, ticket, message, now), env, now);
}

/**
 * A changed ticket (`before` → `after`), with the message that came with the change if any.
 * Tickets created while the workspace had no policy have no clocks and are left alone.
 */
export async function slaOnTicketChanged(tx: Repositories, ctx: Ctx, before: Ticket, after: Ticket, message: SlaMessage | null, now: Date): Promise<void> {
  const row = await tx.ticketSla.find(ctx.workspaceId, after.id, { lock: true });
  if (!row) return;
  await advanceRow(tx, ctx, row, after, before.status, message, now, undefined, await readConfigVersion(tx, ctx.workspaceId));
}

/** Move a ticket's stored clocks to `now` for `ticket` as it is now. */
export async function advanceRow(
  tx: Repositories,
  ctx: Ctx,
  row: TicketSlaRow,
  ticket: Ticket,
  previousStatus: Ticket['status'],
  message: SlaMessage | null,
  now: Date,
  policies?: SlaPolicy[],
  cfg?: ConfigVersion,
): Promise<TicketSlaState> {
  const list = policies ?? (await enabledPolicies(tx, ctx.workspaceId, cfg));
  const before = await storedEnv(tx, ctx.workspaceId, row.state, list, cfg);
  const after = await envFor(tx, ctx.workspaceId, choosePolicy(list, ticket), ticket.teamId, cfg);
  const step = advanceSla(row.state, before, after, { previousStatus, ticket, message }, now);
  await write(tx, ctx, ticket.id, step, after, now);
  return step.state;
}
