/**
 * Running triggers inside the transaction of the event that fires them. Every change a trigger
 * makes is written with the rule as the actor (events `actor.type = 'rule'`, `actor.id` the
 * trigger) and names the trigger in its data, so the ticket history says which rule did what.
 * Changes made by triggers do not fire triggers again (no loops); a trigger whose change is not
 * allowed (an assignee outside the team, a closed ticket) records `trigger.failed` and changes
 * nothing, without failing the request that fired it.
 */
import type { Deps } from '../deps.ts';
import type { NewEvent, Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import type { User } from '../people/types.ts';
import type { Message, Ticket, TicketPatch } from '../tickets/types.ts';
import type { Notification } from '../notifications/types.ts';
import { eventLookups, runTriggersBatch } from './batch.ts';
import { checkAssignee } from '../tickets/assignment.ts';
import { checkStatusChange, diffTicket, statusTimestamps, validateCustomFields } from '../tickets/rules.ts';
import { slaOnTicketChanged, envFor, compileCalendar, compiledCalendar } from '../sla/track.ts';
import { configPart } from '../shared/config-cache.ts';
import { localTimeOf } from '../sla/zones.ts';
import { notifyAssigned } from '../notifications/notify.ts';
import { queueReplyEmail } from '../email/outbound.ts';
import { emitWebhooks, ticketPayload, type Webhook } from '../webhooks/webhooks.ts';
import { patchOf, triggerMatches, type EventFacts, type Trigger, type TriggerAction, type TriggerCondition, type TriggerContext, type TriggerEvent } from './evaluate.ts';

export interface TriggerFiring {
  event: TriggerEvent;
  ticket: Ticket;
  before: Ticket | null;
  message?: TriggerContext['message'];
  sla?: TriggerContext['sla'];
}

/** The events a trigger may listen to that this firing counts as (a message also updates its ticket). */
export function eventsOf(event: TriggerEvent): TriggerEvent[] {
  return event === 'message.added' ? ['message.added', 'ticket.updated'] : [event];
}

/**
 * Build what `conditions` look at: the requester, the organization and the calendar are read only
 * when some condition names a fact of theirs (the other facts come with the firing).
 */
export async function triggerContext(tx: Repositories, f: TriggerFiring, now: Date, conditions: TriggerCondition[]): Promise<Omit<TriggerContext, 'event'>> {
  const ws = f.ticket.workspaceId;
  const needs = factsNeeded(conditions);
  const requester = needs.requester ? await tx.users.findById(ws, f.ticket.requesterId) : null;
  const org = needs.organization && f.ticket.organizationId ? await tx.organizations.findById(ws, f.ticket.organizationId) : null;
  const calendar = needs.time ? (await envFor(tx, ws, null, f.ticket.teamId)).calendar : null;
  return contextFrom(f, requester, org, calendar, now);
}

/** A calendar named by id and last change: compiled already, or read. */
export async function calendarOf(tx: Repositories, workspaceId: string, c: EventFacts['calendar']): Promise<unknown> {
  if (!c) return null;
  const hit = compiledCalendar(c.id, c.updatedAt);
  if (hit) return hit;
  const rec = await tx.businessCalendars.findById(workspaceId, c.id);
  return rec ? compileCalendar(rec) : null;
}

/** Which facts read from elsewhere `conditions` name. */
export function factsNeeded(conditions: TriggerCondition[]): { requester: boolean; organization: boolean; time: boolean } {
  const looksAt = (prefix: string) => conditions.some((c) => c.field.startsWith(prefix));
  return { requester: looksAt('requester.'), organization: looksAt('organization.'), time: looksAt('time.') };
}

/** The context of a firing from the facts read for it. */
export function contextFrom(f: TriggerFiring, requester: TriggerContext['requester'], org: { name: string } | null, calendar: unknown, now: Date): Omit<TriggerContext, 'event'> {
  let time: TriggerContext['time'] = null;
  if (calendar && typeof calendar === 'object' && 'timeZone' in calendar) {
    const cal = calendar as { timeZone: string; isOpenAt(d: Date): boolean };
    const local = localTimeOf(cal.timeZone, now.getTime());
    time = { businessHours: cal.isOpenAt(now), weekday: (((local.day + 4) % 7) + 7) % 7, hour: Math.floor(local.minute / 60) };
  }
  return {
    ticket: f.ticket,
    before: f.before,
    requester: requester ? { email: requester.email, organizationId: requester.organizationId, name: requester.name } : null,
    organization: org ? { name: org.name } : null,
    message: f.message ?? null,
    sla: f.sla ?? null,
    time,
  };
}

/** The enabled triggers and webhooks of a workspace, read once for many firings (the SLA sweep). */
export interface RuleSet {
  triggers: Trigger[];
  webhooks: Webhook[];
}

async function loadRuleSet(tx: Repositories, workspaceId: string): Promise<RuleSet> {
  return { triggers: await tx.triggers.list(workspaceId, { enabledOnly: true }), webhooks: await tx.webhooks.list(workspaceId, { enabledOnly: true }) };
}

/**
 * The enabled triggers and webhooks, kept under the workspace's configuration version (any change
 * to a trigger or webhook renews it, in any process): an event reads the version with the facts
 * its conditions may name, one statement, instead of every trigger and webhook.
 */
export async function currentRuleSet(tx: Repositories, workspaceId: string): Promise<RuleSet> {
  return ruleSetUnder(tx, workspaceId, await tx.triggers.rulesFingerprint(workspaceId));
}

/** The rule set under `fingerprint` (the configuration version just read). */
export function ruleSetUnder(tx: Repositories, workspaceId: string, fingerprint: string): Promise<RuleSet> {
  return configPart({ workspaceId, version: fingerprint }, 'rules', () => loadRuleSet(tx, workspaceId));
}

/** Whether anything listens to `event`: when nothing does, a firing has nothing to do. */
export function ruleSetListens(rules: RuleSet, event: TriggerEvent): boolean {
  const listening = eventsOf(event);
  return rules.triggers.some((t) => t.events.some((e) => listening.includes(e))) || rules.webhooks.some((w) => w.events.includes(event));
}

/** Run the workspace's enabled triggers for one event, in order; answers the ticket as they left it. */
export async function runTriggers(deps: Deps, tx: Repositories, ctx: Ctx, f: TriggerFiring, now: Date, rules?: RuleSet): Promise<Ticket> {
  if (!rules) {
    // The fingerprint comes with the facts conditions may name (one read), and the writes of
    // every trigger that fires go together at the end (`runTriggersBatch` with this one firing).
    const facts = await tx.triggers.eventFacts(ctx.workspaceId, { requesterId: f.ticket.requesterId, organizationId: f.ticket.organizationId, teamId: f.ticket.teamId });
    const set = await ruleSetUnder(tx, ctx.workspaceId, facts.fingerprint);
    if (!ruleSetListens(set, f.event)) return f.ticket;
    return (await runTriggersBatch(deps, tx, ctx, [f], now, set, eventLookups(tx, ctx.workspaceId, facts), new Map())).get(f.ticket.id)!;
  }
  // A rule set given: firing by firing, each trigger's writes as it fires (the reference path).
  const listening = eventsOf(f.event);
  const set = rules;
  const triggers = set.triggers.filter((t) => t.events.some((e) => listening.includes(e)));
  let ticket = f.ticket;
  if (triggers.length) {
    const base = await triggerContext(tx, f, now, triggers.flatMap((t) => [...t.conditions.all, ...t.conditions.any]));
    for (const trigger of triggers) {
      const matched = listening.some((event) => triggerMatches(trigger, { ...base, event, ticket }));
      if (!matched) continue;
      ticket = await fire(deps, tx, ctx, trigger, ticket, f.event, now);
      if (trigger.stop) break;
    }
  }
  // Outgoing webhooks see the ticket as the triggers left it.
  await emitWebhooks(deps, tx, ctx.workspaceId, f.event, { ticket: ticketPayload(ticket), ...(f.sla ? { sla: f.sla } : {}) }, now, set.webhooks);
  return ticket;
}

export function ruleEvent(ctx: Ctx, trigger: Rule, ticketId: string, type: string, data: Record<string, unknown>, now: Date): NewEvent {
  return {
    workspaceId: ctx.workspaceId,
    subjectType: 'ticket',
    subjectId: ticketId,
    actor: { type: 'rule', id: trigger.id },
    type,
    data: { ...data, rule: { id: trigger.id, name: trigger.name } },
    requestId: ctx.requestId,
    createdAt: now,
  };
}

/** Check a planned patch and complete it with what a status change implies; throws AppError when it is not allowed. */
export async function checkedPatch(tx: Repositories, ticket: Ticket, actions: TriggerAction[], now: Date): Promise<TicketPatch> {
  const patch = patchOf(actions, ticket);
  if (ticket.status === 'closed' && Object.keys(patch).length) throw new AppError('INVALID_STATUS_TRANSITION', 'The ticket is closed.');
  if (patch.status !== undefined) {
    checkStatusChange(ticket.status, patch.status);
    Object.assign(patch, statusTimestamps(ticket, patch.status, now));
  }
  if (patch.teamId && !(await tx.teams.findById(ticket.workspaceId, patch.teamId))) throw new AppError('TEAM_NOT_FOUND', 'The team does not exist.');
  const teamId = patch.teamId !== undefined ? patch.teamId : ticket.teamId;
  if (patch.assigneeId) {
    await checkAssignee(tx, ticket.workspaceId, patch.assigneeId, teamId);
    if (ticket.status === 'new' && patch.status === undefined) patch.status = 'open';
  }
  if (patch.customFields) {
    const defs = await tx.customFields.list(ticket.workspaceId);
    const given = Object.fromEntries(actions.filter((a) => a.type === 'set_custom_field').map((a) => [a.key, a.value]));
    patch.customFields = validateCustomFields(defs, given, { requireAll: false, current: ticket.customFields });
  }
  return patch;
}

/** What fires: a trigger, or a time-based automation (same actions, same history). */
export type Rule = Pick<Trigger, 'id' | 'name' | 'actions'>;

export async function fire(deps: Deps, tx: Repositories, ctx: Ctx, trigger: Rule, ticket: Ticket, event: string, now: Date): Promise<Ticket> {
  let patch: TicketPatch;
  try {
    patch = await checkedPatch(tx, ticket, trigger.actions, now);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    await tx.events.append(ruleEvent(ctx, trigger, ticket.id, 'trigger.failed', { event, code: e.code, message: e.message }, now));
    return ticket;
  }
  const fired = ruleEvent(ctx, trigger, ticket.id, 'trigger.fired', { event }, now);
  let current = ticket;
  const changes = diffTicket(ticket, patch);
  if (!Object.keys(changes).length) await tx.events.append(fired);
  else {
    const changed: TicketPatch = Object.fromEntries(Object.keys(changes).map((k) => [k, patch[k as keyof TicketPatch]]));
    current = await tx.tickets.update(ctx.workspaceId, ticket.id, changed, now);
    await tx.events.appendMany([fired, ruleEvent(ctx, trigger, ticket.id, 'ticket.updated', { changes }, now)]);
    await slaOnTicketChanged(tx, ctx, ticket, current, null, now);
    await notifyAssigned(deps, tx, ticket, current, { id: null, name: trigger.name }, now);
  }
  for (const [i, a] of trigger.actions.entries()) {
    if (a.type === 'add_note') {
      const note = ruleNote(deps, ctx, trigger, ticket.id, a.body, now);
      await tx.messages.insert(note.message, []);
      await tx.events.append(note.event);
    } else if (a.type === 'reply') {
      const m = await tx.messages.insert(
        { id: deps.ids.uuid(), workspaceId: ctx.workspaceId, ticketId: ticket.id, authorId: null, visibility: 'public', channel: 'web', bodyText: fill(a.body, current), bodyHtml: null, createdAt: now },
        [],
      );
      await tx.events.append(ruleEvent(ctx, trigger, ticket.id, 'message.added', { messageId: m.id, visibility: 'public', channel: 'web', attachments: 0 }, now));
      // The rule answers in the workspace's name, by email as an agent's reply would go.
      const asWorkspace: Ctx = { ...ctx, actor: { type: 'user', userId: null, role: 'admin', name: null, organizationId: null, via: 'system' } };
      await queueReplyEmail(deps, tx, asWorkspace, current, m);
    } else if (a.type === 'notify') {
      for (const u of await notifyTargets(tx, current, a.to)) await tx.notifications.insert(ruleNotification(deps, trigger, current, a, i, u.id, now));
    }
  }
  return current;
}

/** A rule's internal note and its event. */
export function ruleNote(deps: Deps, ctx: Ctx, trigger: Rule, ticketId: string, body: string, now: Date): { message: Omit<Message, 'attachments'>; event: NewEvent } {
  const message = { id: deps.ids.uuid(), workspaceId: ctx.workspaceId, ticketId, authorId: null, visibility: 'internal' as const, channel: 'api' as const, bodyText: body, bodyHtml: null, createdAt: now };
  return { message, event: ruleEvent(ctx, trigger, ticketId, 'message.added', { messageId: message.id, visibility: 'internal', channel: 'api', attachments: 0 }, now) };
}

/** A rule's notice to one person, about the ticket as it is after the rule's changes (`i`: the action's index). */
export function ruleNotification(deps: Deps, trigger: Rule, ticket: Ticket, a: { title: string; body: string }, i: number, userId: string, now: Date): Notification {
  return {
    id: deps.ids.uuid(),
    workspaceId: ticket.workspaceId,
    userId,
    ticketId: ticket.id,
    kind: 'trigger',
    title: fill(a.title, ticket),
    body: fill(a.body, ticket),
    data: { ticketNumber: ticket.number, triggerId: trigger.id },
    dedupeKey: `trigger:${trigger.id}:${ticket.id}:${now.toISOString()}:${i}`,
    createdAt: now,
    readAt: null,
  };
}

/** {{ticket.number}}, {{ticket.subject}}, {{ticket.status}}, {{ticket.priority}} in texts. */
export function fill(text: string, t: Ticket): string {
  return text.replace(/\{\{\s*ticket\.(number|subject|status|priority)\s*\}\}/g, (_m, k: 'number' | 'subject' | 'status' | 'priority') => String(t[k]));
}

export async function notifyTargets(tx: Repositories, t: Ticket, to: 'assignee' | 'team_leads' | 'admins'): Promise<User[]> {
  const ws = t.workspaceId;
  const active = (us: Array<User | null>) => us.filter((u): u is User => !!u && u.status === 'active');
  if (to === 'assignee') return t.assigneeId ? active([await tx.users.findById(ws, t.assigneeId)]) : [];
  if (to === 'team_leads') {
    if (!t.teamId) return [];
    const leads = (await tx.teams.membersOf(ws, [t.teamId])).filter((m) => m.isLead);
    return active(await Promise.all(leads.map((m) => tx.users.findById(ws, m.userId))));
  }
  return active(await tx.users.list(ws, { roles: ['admin'] }, { limit: 20 }));
}
