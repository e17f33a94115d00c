/**
 * Triggers for many firings at once (the SLA sweep): the same runs as `runTriggers` firing after
 * firing — same order, `stop`, each trigger seeing the ticket as the ones before it left it,
 * `trigger.failed` for a change that is not allowed, the same history — but evaluated in memory
 * with the facts read once for the batch, and the writes (ticket updates, events, SLA clocks,
 * notes, notifications, webhook deliveries) kept in order and sent as a few multi-row statements.
 *
 * A trigger that replies or assigns (an outgoing email, an assignment notice: paths with reads of
 * their own) runs through `fire` after what is buffered is written; its ticket then stays on that
 * path for the rest of the batch, since its clocks were moved in the database.
 */
import type { Deps } from '../deps.ts';
import type { NewEvent, Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import type { User } from '../people/types.ts';
import type { Message, Ticket, TicketPatch } from '../tickets/types.ts';
import type { Notification } from '../notifications/types.ts';
import type { NewJob } from '../jobs/types.ts';
import { diffTicket } from '../tickets/rules.ts';
import { advanceSla, choosePolicy, type SlaEnv } from '../sla/engine.ts';
import { calendarFor, compileCalendar, slaEventRecords, slaRow } from '../sla/track.ts';
import type { BusinessCalendarRecord, SlaPolicy, TicketSlaRow } from '../sla/types.ts';
import { ticketPayload, webhookDeliveries, type WebhookDelivery } from '../webhooks/webhooks.ts';
import { factsOf, triggerMatches, type EventFacts, type Trigger, type TriggerContext } from './evaluate.ts';
import { calendarOf, checkedPatch, contextFrom, eventsOf, factsNeeded, fire, ruleEvent, ruleNote, ruleNotification, type RuleSet, type TriggerFiring } from './run.ts';

/** What the batch reads, each fact once (the caller caches them across batches as it sees fit). */
export interface RuleLookups {
  /** The facts conditions name for `ticket` (only those `need` says; the compiled calendar of its team). */
  context(ticket: Ticket, need: ReturnType<typeof factsNeeded>): Promise<{ requester: TriggerContext['requester']; organization: TriggerContext['organization']; calendar: unknown }>;
  /** Those of `ids` that exist (read together). */
  users(ids: string[]): Promise<Map<string, User>>;
  /** Read these people ahead, in one statement, for a batch (requesters, assignees). */
  prefetchUsers?(ids: string[]): Promise<unknown>;
  /** The calendar a ticket's clocks use under `policy` (`calendarFor`). */
  calendarFor(policy: SlaPolicy | null, teamId: string | null): Promise<BusinessCalendarRecord | null>;
  calendarById(id: string | null): Promise<BusinessCalendarRecord | null>;
  enabledPolicies(): Promise<SlaPolicy[]>;
  /** A stored state's policy: enabled, else by id. */
  policy(id: string | null): Promise<SlaPolicy | null>;
  /** The active admins (the first 20), and a team's active leads. */
  admins(): Promise<User[]>;
  leads(teamId: string): Promise<User[]>;
}

/** The writes of the batch, in the order the per-firing path would make them. */
class Writes {
  tickets = new Map<string, { patch: TicketPatch; bumps: number }>();
  events: NewEvent[] = [];
  notes: Array<Omit<Message, 'attachments'>> = [];
  notifications: Notification[] = [];
  deliveries: WebhookDelivery[] = [];
  jobs: NewJob[] = [];
  sla = new Map<string, TicketSlaRow>();

  async flush(tx: Repositories, ws: string, now: Date): Promise<void> {
    if (this.tickets.size) await tx.tickets.updateMany(ws, [...this.tickets].map(([id, x]) => ({ id, ...x })), now);
    if (this.notes.length) await tx.messages.insertMany(this.notes);
    if (this.sla.size) await tx.ticketSla.upsertMany([...this.sla.values()]);
    if (this.events.length) await tx.events.appendMany(this.events);
    if (this.notifications.length) await tx.notifications.insertMany(this.notifications);
    if (this.deliveries.length) await tx.webhooks.insertDeliveries(this.deliveries);
    if (this.jobs.length) await tx.jobs.enqueueMany(this.jobs, now);
    this.tickets = new Map();
    this.events = [];
    this.notes = [];
    this.notifications = [];
    this.deliveries = [];
    this.jobs = [];
    this.sla = new Map();
  }
}

/** Actions whose writes go through paths of their own (`fire`): a reply's email, an assignment's notice. */
const direct = (t: Trigger) => t.actions.some((a) => a.type === 'reply' || a.type === 'assign');

/**
 * Run the triggers and webhooks of `firings` in order, as `runTriggers` would one after the other
 * (a firing's ticket is taken as the firings before it on the same ticket left it). `slaRows` are
 * the tickets' clocks as stored now. Answers each ticket as the triggers left it.
 */
export async function runTriggersBatch(
  deps: Deps,
  tx: Repositories,
  ctx: Ctx,
  firings: TriggerFiring[],
  now: Date,
  rules: RuleSet,
  look: RuleLookups,
  slaRows: Map<string, TicketSlaRow>,
): Promise<Map<string, Ticket>> {
  const ws = ctx.workspaceId;
  const writes = new Writes();
  const current = new Map<string, Ticket>();
  const directTickets = new Set<string>();
  const listeningTo = (f: TriggerFiring) => {
    const events = eventsOf(f.event);
    return rules.triggers.filter((t) => t.events.some((e) => events.includes(e)));
  };
  // The requesters (and assignees, for notices) of the whole batch, in one read when looked at.
  if (look.prefetchUsers) {
    const all = firings.flatMap((f) => listeningTo(f));
    const needs = factsNeeded(all.flatMap((t) => [...t.conditions.all, ...t.conditions.any]));
    const notifiesAssignee = all.some((t) => t.actions.some((a) => a.type === 'notify' && a.to === 'assignee'));
    const userIds = firings.flatMap((f) => [...(needs.requester ? [f.ticket.requesterId] : []), ...(notifiesAssignee && f.ticket.assigneeId ? [f.ticket.assigneeId] : [])]);
    if (userIds.length) await look.prefetchUsers(userIds);
  }

  for (const firing of firings) {
    const f: TriggerFiring = { ...firing, ticket: current.get(firing.ticket.id) ?? firing.ticket };
    const listening = eventsOf(f.event);
    const triggers = listeningTo(f);
    let ticket = f.ticket;
    if (triggers.length) {
      const facts = await look.context(ticket, factsNeeded(triggers.flatMap((t) => [...t.conditions.all, ...t.conditions.any])));
      const base = contextFrom(f, facts.requester, facts.organization, facts.calendar, now);
      // The facts of the ticket as it is, made once for every trigger until one changes it.
      let factsFor = { ticket, byEvent: new Map<string, { c: TriggerContext; facts: Record<string, unknown> }>() };
      const matches = (trigger: Trigger, event: TriggerContext['event']) => {
        if (factsFor.ticket !== ticket) factsFor = { ticket, byEvent: new Map() };
        let hit = factsFor.byEvent.get(event);
        if (!hit) {
          const c = { ...base, event, ticket };
          factsFor.byEvent.set(event, (hit = { c, facts: factsOf(c) }));
        }
        return triggerMatches(trigger, hit.c, hit.facts);
      };
      for (const trigger of triggers) {
        if (!listening.some((event) => matches(trigger, event))) continue;
        if (directTickets.has(ticket.id) || direct(trigger)) {
          await writes.flush(tx, ws, now);
          directTickets.add(ticket.id);
          ticket = await fire(deps, tx, ctx, trigger, ticket, f.event, now);
        } else ticket = await fireBuffered(deps, tx, ctx, writes, look, slaRows, trigger, ticket, f.event, now);
        if (trigger.stop) break;
      }
    }
    current.set(ticket.id, ticket);
    if (!rules.webhooks.some((w) => w.events.includes(f.event))) continue;
    for (const { delivery, job } of webhookDeliveries(deps, ws, f.event, { ticket: ticketPayload(ticket), ...(f.sla ? { sla: f.sla } : {}) }, now, rules.webhooks)) {
      writes.deliveries.push(delivery);
      writes.jobs.push(job);
    }
  }
  await writes.flush(tx, ws, now);
  return current;
}

/** `fire`, with its writes kept in `writes`. */
async function fireBuffered(
  deps: Deps,
  tx: Repositories,
  ctx: Ctx,
  writes: Writes,
  look: RuleLookups,
  slaRows: Map<string, TicketSlaRow>,
  trigger: Trigger,
  ticket: Ticket,
  event: string,
  now: Date,
): Promise<Ticket> {
  let patch: TicketPatch;
  try {
    // Its reads (a team, custom fields) are of rows the batch does not write.
    patch = await checkedPatch(tx, ticket, trigger.actions, now);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    writes.events.push(ruleEvent(ctx, trigger, ticket.id, 'trigger.failed', { event, code: e.code, message: e.message }, now));
    return ticket;
  }
  const fired = ruleEvent(ctx, trigger, ticket.id, 'trigger.fired', { event }, now);
  let current = ticket;
  const changes = diffTicket(ticket, patch);
  if (!Object.keys(changes).length) writes.events.push(fired);
  else {
    const changed: TicketPatch = Object.fromEntries(Object.keys(changes).map((k) => [k, patch[k as keyof TicketPatch]]));
    current = { ...ticket, ...structuredClone(changed), updatedAt: now, version: ticket.version + 1 };
    const w = writes.tickets.get(ticket.id) ?? { patch: {}, bumps: 0 };
    writes.tickets.set(ticket.id, { patch: { ...w.patch, ...changed }, bumps: w.bumps + 1 });
    writes.events.push(fired, ruleEvent(ctx, trigger, ticket.id, 'ticket.updated', { changes }, now));
    await advanceClocks(tx, ctx, writes, look, slaRows, ticket, current, now);
  }
  for (const [i, a] of trigger.actions.entries()) {
    if (a.type === 'add_note') {
      const note = ruleNote(deps, ctx, trigger, ticket.id, a.body, now);
      writes.notes.push(note.message);
      writes.events.push(note.event);
    } else if (a.type === 'notify') {
      for (const u of await notifyTargets(look, current, a.to)) writes.notifications.push(ruleNotification(deps, trigger, current, a, i, u.id, now));
    }
  }
  return current;
}

/** `slaOnTicketChanged` in memory: the clocks as last written (or as stored) moved for the changed ticket. */
async function advanceClocks(tx: Repositories, ctx: Ctx, writes: Writes, look: RuleLookups, slaRows: Map<string, TicketSlaRow>, before: Ticket, after: Ticket, now: Date): Promise<void> {
  let row = writes.sla.get(after.id) ?? slaRows.get(after.id);
  if (!row) {
    const stored = await tx.ticketSla.find(ctx.workspaceId, after.id, { lock: true });
    if (!stored) return;
    slaRows.set(after.id, (row = stored));
  }
  const list = await look.enabledPolicies();
  const was = await look.calendarById(row.state.calendarId);
  const beforeEnv: SlaEnv = { policy: await look.policy(row.state.policyId), calendarId: was?.id ?? null, calendar: was ? compileCalendar(was) : null };
  const policy = choosePolicy(list, after);
  const rec = await look.calendarFor(policy, after.teamId);
  const afterEnv: SlaEnv = { policy, calendarId: rec?.id ?? null, calendar: rec ? compileCalendar(rec) : null };
  const step = advanceSla(structuredClone(row.state), beforeEnv, afterEnv, { previousStatus: before.status, ticket: after, message: null }, now);
  writes.sla.set(after.id, slaRow(ctx.workspaceId, after.id, step.state, afterEnv, now));
  writes.events.push(...slaEventRecords(ctx, after.id, step.events, now));
}

/** `notifyTargets` from the batch's lookups. */
async function notifyTargets(look: RuleLookups, t: Ticket, to: 'assignee' | 'team_leads' | 'admins'): Promise<User[]> {
  if (to === 'assignee') {
    const u = t.assigneeId ? (await look.users([t.assigneeId])).get(t.assigneeId) : undefined;
    return u && u.status === 'active' ? [u] : [];
  }
  if (to === 'team_leads') return t.teamId ? look.leads(t.teamId) : [];
  return look.admins();
}

/** A person's facts as conditions see them. */
export const requesterFacts = (u: User | null | undefined): TriggerContext['requester'] => (u ? { email: u.email, organizationId: u.organizationId, name: u.name } : null);

/** Lookups for one ticket event, read from `tx` once each; the context comes with `facts` (read with the rules' fingerprint). */
export function eventLookups(tx: Repositories, ws: string, facts: EventFacts): RuleLookups {
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    if (!memo.has(key)) memo.set(key, read());
    return memo.get(key) as Promise<T>;
  };
  const enabledPolicies = () => once('policies', () => tx.slaPolicies.list(ws, { enabledOnly: true }));
  return {
    context: async (_t, need) => ({ requester: facts.requester, organization: facts.organization, calendar: need.time ? await calendarOf(tx, ws, facts.calendar) : null }),
    users: async (ids) => new Map((await tx.users.findByIds(ws, [...new Set(ids)])).map((u) => [u.id, u])),
    calendarFor: (policy, teamId) => once(`for:${policy?.calendarId ?? ''}:${teamId ?? ''}`, () => calendarFor(tx, ws, policy, teamId)),
    calendarById: async (id) => (id ? once(`cal:${id}`, () => tx.businessCalendars.findById(ws, id)) : null),
    enabledPolicies,
    policy: async (id) => (id ? ((await enabledPolicies()).find((p) => p.id === id) ?? (await once(`policy:${id}`, () => tx.slaPolicies.findById(ws, id)))) : null),
    admins: () => once('admins', async () => (await tx.users.list(ws, { roles: ['admin'] }, { limit: 20 })).filter((u) => u.status === 'active')),
    leads: (teamId) =>
      once(`leads:${teamId}`, async () => {
        const leads = (await tx.teams.membersOf(ws, [teamId])).filter((m) => m.isLead);
        const users = new Map((await tx.users.findByIds(ws, leads.map((m) => m.userId))).map((u) => [u.id, u]));
        return leads.map((m) => users.get(m.userId)).filter((u): u is User => !!u && u.status === 'active');
      }),
  };
}
