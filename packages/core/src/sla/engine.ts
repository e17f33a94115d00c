/**
 * The SLA clocks of one ticket, as pure functions: which policy applies, how each target's clock
 * starts, pauses, resumes and ends, when it is due, and which events say so.
 *
 * - first response: from creation to the first public reply by staff;
 * - next response: from a customer's public message (once the first response is given) to the
 *   next public staff reply;
 * - periodic update: from each public staff reply to the next one;
 * - resolution: from creation to solved (reopening resumes it with the time already used).
 * Solving ends every clock. In a pause status (pending, on hold…) every running clock stops and
 * starts again when the ticket leaves it (a customer's reply reopens a pending ticket).
 * A policy change (a priority change that selects another policy, or an admin's edit) keeps the
 * time each clock already used, measured as it was, and computes the deadlines from then on
 * with the new targets and calendar: finished clocks and recorded events are never rewritten.
 */
import type { SlaState, TicketStatus } from '@guichet/contracts';
import type { Ticket } from '../tickets/types.ts';
import { ALWAYS_OPEN, type Clockwork } from './calendar.ts';
import { SLA_TARGETS, type SlaClock, type SlaConditions, type SlaPolicy, type SlaSummary, type SlaTargetKind, type TicketSlaState } from './types.ts';

export type SlaTicketFacts = Pick<Ticket, 'status' | 'priority' | 'channel' | 'teamId' | 'organizationId' | 'tags' | 'customFields'>;

export const DEFAULT_PAUSE_STATUSES: TicketStatus[] = ['pending', 'on_hold'];
const DONE: TicketStatus[] = ['solved', 'closed'];

export function matchesConditions(c: SlaConditions, t: SlaTicketFacts): boolean {
  if (c.priorities?.length && !c.priorities.includes(t.priority)) return false;
  if (c.channels?.length && !c.channels.includes(t.channel)) return false;
  if (c.teamIds?.length && !c.teamIds.includes(t.teamId)) return false;
  if (c.organizationIds?.length && !c.organizationIds.includes(t.organizationId)) return false;
  if (c.tagsAny?.length && !c.tagsAny.some((tag) => t.tags.includes(tag))) return false;
  if (c.tagsNone?.length && c.tagsNone.some((tag) => t.tags.includes(tag))) return false;
  for (const f of c.customFields ?? []) {
    const v = t.customFields[f.key];
    const values = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
    if (!values.some((x) => f.values.includes(x as string | number | boolean))) return false;
  }
  return true;
}

/** The first enabled policy, in order, whose conditions the ticket meets. */
export function choosePolicy(policies: SlaPolicy[], t: SlaTicketFacts): SlaPolicy | null {
  return [...policies].filter((p) => p.enabled).sort((a, b) => a.position - b.position || a.createdAt.getTime() - b.createdAt.getTime()).find((p) => matchesConditions(p.conditions, t)) ?? null;
}

/** What the clocks are measured with: the policy in force and its business calendar. */
export interface SlaEnv {
  policy: SlaPolicy | null;
  calendarId: string | null;
  calendar: Clockwork | null;
}

export interface SlaEventOut {
  type: string;
  data: Record<string, unknown>;
}

export interface SlaMessage {
  visibility: 'public' | 'internal';
  /** Written by staff (agent, admin) rather than by the customer. */
  byStaff: boolean;
}

const iso = (d: Date) => d.toISOString();
const ms = (s: string) => Date.parse(s);

/** The clockwork a clock is measured with under `env`: its calendar's business hours, or round the clock. */
export function measureOf(env: SlaEnv, clock: Pick<SlaClock, 'businessHours'>): Clockwork {
  return clock.businessHours ? (env.calendar ?? ALWAYS_OPEN) : ALWAYS_OPEN;
}

function pauseStatuses(env: SlaEnv): TicketStatus[] {
  return env.policy?.pauseStatuses ?? DEFAULT_PAUSE_STATUSES;
}

function newClock(kind: SlaTargetKind, at: Date): SlaClock {
  return { kind, startedAt: iso(at), elapsedMs: 0, since: iso(at), targetMinutes: null, businessHours: true, deadline: null, breachedAt: null, fulfilledAt: null, warned: [] };
}

/** Time a clock has used by `now`, measured as under `env`. */
export function usedMs(clock: SlaClock, env: SlaEnv, now: Date): number {
  if (!clock.since) return clock.elapsedMs;
  return clock.elapsedMs + Math.max(0, measureOf(env, clock).businessMsBetween(new Date(clock.since), now));
}

export interface SlaStep {
  state: TicketSlaState;
  events: SlaEventOut[];
}

/** The clocks of a new ticket. */
export function startSla(env: SlaEnv, ticket: SlaTicketFacts, message: SlaMessage | null, now: Date): SlaStep {
  const state: TicketSlaState = { policyId: env.policy?.id ?? null, calendarId: env.calendarId, paused: false, clocks: {} };
  const events: SlaEventOut[] = [];
  if (env.policy) events.push({ type: 'sla.policy_applied', data: { policyId: env.policy.id, policyName: env.policy.name, previousPolicyId: null } });
  state.clocks.first_response = newClock('first_response', now);
  state.clocks.resolution = newClock('resolution', now);
  // A ticket opened by staff with a public message to the customer has had its first response.
  if (message?.visibility === 'public' && message.byStaff) {
    fulfil(state.clocks.first_response, now, events);
    state.clocks.periodic_update = newClock('periodic_update', now);
  }
  if (DONE.includes(ticket.status)) for (const c of open(state)) fulfil(c, now, events);
  state.paused = pauseStatuses(env).includes(ticket.status);
  if (state.paused) events.push({ type: 'sla.paused', data: { status: ticket.status } });
  schedule(state, env, now);
  return { state, events };
}

/**
 * The clocks after a change of the ticket (its fields, its status, a new message), measured up
 * to `now` under `before` and from `now` on under `after`.
 */
export function advanceSla(
  prev: TicketSlaState,
  before: SlaEnv,
  after: SlaEnv,
  change: { previousStatus: TicketStatus; ticket: SlaTicketFacts; message: SlaMessage | null },
  now: Date,
): SlaStep {
  const state: TicketSlaState = structuredClone(prev);
  const events: SlaEventOut[] = [];
  // 1. Time used so far, as measured until now; deadlines that passed are breaches.
  settle(state, before, now, events);

  // 2. The policy in force from now on.
  if ((after.policy?.id ?? null) !== state.policyId) {
    events.push({
      type: 'sla.policy_applied',
      data: { policyId: after.policy?.id ?? null, policyName: after.policy?.name ?? null, previousPolicyId: state.policyId },
    });
    state.policyId = after.policy?.id ?? null;
  }
  state.calendarId = after.calendarId;

  // 3. What the message and the status change mean for each clock.
  const m = change.message;
  const to = change.ticket.status;
  const from = change.previousStatus;
  if (m?.visibility === 'public' && m.byStaff) {
    const first = state.clocks.first_response;
    if (first && !first.fulfilledAt) fulfil(first, now, events);
    const next = state.clocks.next_response;
    if (next && !next.fulfilledAt) fulfil(next, now, events);
    const update = state.clocks.periodic_update;
    if (update && !update.fulfilledAt) fulfil(update, now, events);
    if (!DONE.includes(to)) state.clocks.periodic_update = newClock('periodic_update', now);
  } else if (m?.visibility === 'public' && !m.byStaff) {
    const first = state.clocks.first_response;
    const next = state.clocks.next_response;
    if ((!first || first.fulfilledAt) && (!next || next.fulfilledAt)) {
      state.clocks.next_response = newClock('next_response', now);
      events.push({ type: 'sla.target_started', data: { target: 'next_response', at: iso(now) } });
    }
  }
  if (DONE.includes(to) && !DONE.includes(from)) {
    for (const c of open(state)) fulfil(c, now, events);
  } else if (!DONE.includes(to) && DONE.includes(from)) {
    const r = state.clocks.resolution;
    if (r?.fulfilledAt) {
      r.fulfilledAt = null;
      r.since = iso(now);
      events.push({ type: 'sla.target_resumed', data: { target: 'resolution', reason: 'reopened' } });
    }
  }
  const paused = pauseStatuses(after).includes(to);
  if (paused !== state.paused) {
    events.push({ type: paused ? 'sla.paused' : 'sla.resumed', data: { status: to } });
    state.paused = paused;
  }

  // 4. Deadlines from now on.
  schedule(state, after, now);
  return { state, events };
}

/** Clocks not finished. */
function open(state: TicketSlaState): SlaClock[] {
  return SLA_TARGETS.map((k) => state.clocks[k]).filter((c): c is SlaClock => !!c && !c.fulfilledAt);
}

/** Fold the running time into `elapsedMs` and record deadlines that have passed. */
export function settle(state: TicketSlaState, env: SlaEnv, now: Date, events: SlaEventOut[]): void {
  for (const c of open(state)) {
    if (c.since) {
      c.elapsedMs = usedMs(c, env, now);
      c.since = iso(now);
    }
    if (c.deadline && !c.breachedAt && ms(c.deadline) < now.getTime()) {
      c.breachedAt = c.deadline;
      events.push({ type: 'sla.target_breached', data: { target: c.kind, deadline: c.deadline, targetMinutes: c.targetMinutes } });
    }
  }
}

function fulfil(c: SlaClock, now: Date, events: SlaEventOut[]): void {
  c.fulfilledAt = iso(now);
  c.since = null;
  const deadline = c.deadline;
  c.deadline = null;
  if (c.targetMinutes === null) return;
  events.push({
    type: 'sla.target_fulfilled',
    data: { target: c.kind, at: iso(now), deadline, met: !c.breachedAt, usedMinutes: Math.round(c.elapsedMs / 60_000) },
  });
}

/** Targets, running state and deadlines of the open clocks under `env`, from `now`. */
function schedule(state: TicketSlaState, env: SlaEnv, now: Date): void {
  for (const c of open(state)) {
    const target = env.policy?.targets[c.kind];
    c.targetMinutes = target?.minutes ?? null;
    c.businessHours = target ? target.businessHours : true;
    c.since = state.paused ? null : iso(now);
    c.deadline = null;
    if (c.since && c.targetMinutes !== null) {
      const at = measureOf(env, c).addBusinessMs(now, c.targetMinutes * 60_000 - c.elapsedMs);
      c.deadline = at ? iso(at) : null;
    }
  }
}

/** When a warning of the policy falls due for a running clock, or null. */
export function warningAt(c: SlaClock, env: SlaEnv, index: number): Date | null {
  const w = env.policy?.warnings[index];
  if (!w || !c.deadline || !c.since || c.targetMinutes === null) return null;
  const m = measureOf(env, c);
  if ('minutesBefore' in w) return m.addBusinessMs(new Date(c.deadline), -w.minutesBefore * 60_000);
  return m.addBusinessMs(new Date(c.since), w.share * c.targetMinutes * 60_000 - c.elapsedMs);
}

/** The next moment the scheduler must look at the ticket: a warning not sent yet, or a deadline not recorded as breached. */
export function nextDueOf(state: TicketSlaState, env: SlaEnv): Date | null {
  let next: number | null = null;
  const consider = (d: Date | string | null) => {
    if (d === null) return;
    const t = typeof d === 'string' ? ms(d) : d.getTime();
    if (next === null || t < next) next = t;
  };
  for (const c of open(state)) {
    if (!c.deadline || c.breachedAt) continue;
    consider(c.deadline);
    (env.policy?.warnings ?? []).forEach((_w, i) => {
      if (!c.warned.includes(i)) consider(warningAt(c, env, i));
    });
  }
  return next === null ? null : new Date(next);
}

export interface SlaClockView {
  target: SlaTargetKind;
  status: 'running' | 'paused' | 'met' | 'breached';
  startedAt: string;
  targetMinutes: number | null;
  businessHours: boolean;
  deadline: string | null;
  /** Time left before the deadline, measured as the target is (negative: overdue by). */
  timeLeftMs: number | null;
  usedMs: number;
  breachedAt: string | null;
  fulfilledAt: string | null;
  /** The earliest warning moment while it runs (null: no warning, paused or finished). */
  warningAt: string | null;
  /** Time left is going down at `now`: running, and in business hours when counted in them. */
  countingNow: boolean;
}

/** What a ticket shows about its SLA at `now`. */
export function viewSla(state: TicketSlaState, env: SlaEnv, now: Date): SlaClockView[] {
  return SLA_TARGETS.map((k) => state.clocks[k])
    .filter((c): c is SlaClock => !!c)
    .map((c) => {
      const used = c.fulfilledAt ? c.elapsedMs : usedMs(c, env, now);
      const late = !!c.breachedAt || (!!c.deadline && ms(c.deadline) < now.getTime());
      const status = c.fulfilledAt ? (c.breachedAt ? 'breached' : 'met') : late ? 'breached' : c.since ? 'running' : 'paused';
      return {
        target: c.kind,
        status,
        startedAt: c.startedAt,
        targetMinutes: c.targetMinutes,
        businessHours: c.businessHours,
        deadline: c.deadline,
        timeLeftMs: c.fulfilledAt || c.targetMinutes === null ? null : c.targetMinutes * 60_000 - used,
        usedMs: used,
        breachedAt: c.breachedAt ?? (late && !c.fulfilledAt ? c.deadline : null),
        fulfilledAt: c.fulfilledAt,
        warningAt: c.since && c.deadline ? (clockWarningAt(c, env)?.toISOString() ?? null) : null,
        countingNow: !c.fulfilledAt && !!c.since && measureOf(env, c).isOpenAt(now),
      };
    });
}

/** The earliest warning moment of a running clock (recorded or not), or null. */
export function clockWarningAt(c: SlaClock, env: SlaEnv): Date | null {
  let first: Date | null = null;
  (env.policy?.warnings ?? []).forEach((_w, i) => {
    const at = warningAt(c, env, i);
    if (at && (!first || at < first)) first = at;
  });
  return first;
}

/** The summary stored beside the clocks (see `SlaSummary`). */
export function summarizeSla(state: TicketSlaState, env: SlaEnv): SlaSummary {
  let due: number | null = null;
  let warn: number | null = null;
  let targeted = false;
  for (const c of open(state)) {
    if (c.targetMinutes === null) continue;
    targeted = true;
    const d = c.breachedAt ?? c.deadline;
    if (d !== null && (due === null || ms(d) < due)) due = ms(d);
    if (c.breachedAt || !c.deadline) continue;
    const w = clockWarningAt(c, env);
    if (w && (warn === null || w.getTime() < warn)) warn = w.getTime();
  }
  return { dueAt: due === null ? null : new Date(due), warnAt: warn === null ? null : new Date(warn), paused: state.paused && targeted };
}

/**
 * A ticket's SLA state at `now`, the worst of its targets: breached (a deadline passed), warning
 * (a warning moment passed), ok (running), paused, or none (no policy, or every target finished).
 * The tickets repository applies the same rules in SQL (`slaStateCondition`).
 */
export function slaStateAt(s: SlaSummary | null, now: Date): SlaState {
  if (!s) return 'none';
  if (s.dueAt) {
    if (s.dueAt.getTime() <= now.getTime()) return 'breached';
    return s.warnAt && s.warnAt.getTime() <= now.getTime() ? 'warning' : 'ok';
  }
  return s.paused ? 'paused' : 'none';
}
