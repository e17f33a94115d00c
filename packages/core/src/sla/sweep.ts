/**
 * The SLA scheduler: finds the tickets whose next warning or deadline has come (an indexed
 * `next_due_at` column, so the cost follows what is due, not the number of tickets), records
 * each warning and breach once, and tells the people who must act.
 *
 * Exactly once: the due rows are locked (FOR UPDATE SKIP LOCKED) in the transaction that writes
 * the events, the notifications and the new state (warning index and breach moment remembered in
 * the clock), so two processes sweeping together share the rows, and a crash rolls back to a row
 * that is still due. Notifications also carry a unique dedupe key.
 *
 * Quiet hours: a notification is delivered when the ticket's calendar is open; at night or on a
 * holiday it waits for the next opening (the in-app one shows from then, the email is sent then).
 */
import type { Deps } from '../deps.ts';
import type { NewEvent, Repositories } from '../store.ts';
import { systemActor, type Ctx } from '../shared/context.ts';
import type { User } from '../people/types.ts';
import type { Ticket } from '../tickets/types.ts';
import type { Notification } from '../notifications/types.ts';
import { notificationSender, queueNotificationMails, type NotificationMail, type NotificationSender } from '../notifications/notify.ts';
import { settle, warningAt, type SlaEnv, type SlaEventOut } from './engine.ts';
import { calendarFor, compileCalendar, slaEventRecords, slaRow } from './track.ts';
import { currentRuleSet, ruleSetListens, runTriggers, type RuleSet, type TriggerFiring } from '../triggers/run.ts';
import { requesterFacts, runTriggersBatch, type RuleLookups } from '../triggers/batch.ts';
import type { Organization } from '../people/types.ts';
import type { BusinessCalendarRecord, SlaClock, SlaPolicy, SlaTargetKind, TicketSlaRow } from './types.ts';

export const SLA_SWEEP_JOB = 'sla.sweep';
const BATCH = 200;

export interface SweepResult {
  tickets: number;
  warnings: number;
  breaches: number;
  notifications: number;
}

/**
 * What a sweep reads once per workspace rather than once per ticket: the policies, calendars,
 * triggers and webhooks, the admins, the team leads and the mail sender. A sweep is one moment;
 * a change made while it runs is seen by the next one (a minute later at most).
 */
class SweepCache {
  private readonly policies = new Map<string, SlaPolicy[]>();
  private readonly policyById = new Map<string, SlaPolicy | null>();
  private readonly calendars = new Map<string, BusinessCalendarRecord | null>();
  private readonly rules = new Map<string, RuleSet>();
  private readonly admins = new Map<string, User[]>();
  private readonly leads = new Map<string, User[]>();
  private readonly senders = new Map<string, NotificationSender | null>();

  async enabledPolicies(tx: Repositories, ws: string): Promise<SlaPolicy[]> {
    let list = this.policies.get(ws);
    if (!list) this.policies.set(ws, (list = await tx.slaPolicies.list(ws, { enabledOnly: true })));
    return list;
  }

  /** A stored state's policy: enabled, else read by id (it may have been disabled or deleted since). */
  async policy(tx: Repositories, ws: string, id: string | null): Promise<SlaPolicy | null> {
    if (!id) return null;
    const hit = (await this.enabledPolicies(tx, ws)).find((p) => p.id === id);
    if (hit) return hit;
    if (!this.policyById.has(id)) this.policyById.set(id, await tx.slaPolicies.findById(ws, id));
    return this.policyById.get(id) ?? null;
  }

  async loadCalendars(tx: Repositories, ws: string, ids: Array<string | null>): Promise<void> {
    const missing = [...new Set(ids.filter((id): id is string => !!id && !this.calendars.has(id)))];
    if (!missing.length) return;
    const found = new Map((await tx.businessCalendars.findByIds(ws, missing)).map((c) => [c.id, c]));
    for (const id of missing) this.calendars.set(id, found.get(id) ?? null);
  }

  calendar(id: string | null): BusinessCalendarRecord | null {
    return id ? (this.calendars.get(id) ?? null) : null;
  }

  async ruleSet(tx: Repositories, ws: string): Promise<RuleSet> {
    let r = this.rules.get(ws);
    if (!r) this.rules.set(ws, (r = await currentRuleSet(tx, ws)));
    return r;
  }

  async adminsOf(tx: Repositories, ws: string): Promise<User[]> {
    let list = this.admins.get(ws);
    if (!list) this.admins.set(ws, (list = (await tx.users.list(ws, { roles: ['admin'] }, { limit: 20 })).filter((u) => u.status === 'active')));
    return list;
  }

  async leadsOf(tx: Repositories, ws: string, teamIds: string[]): Promise<(teamId: string) => User[]> {
    const missing = [...new Set(teamIds)].filter((id) => !this.leads.has(`${ws}:${id}`));
    if (missing.length) {
      const members = (await tx.teams.membersOf(ws, missing)).filter((m) => m.isLead);
      const users = new Map((await tx.users.findByIds(ws, [...new Set(members.map((m) => m.userId))])).map((u) => [u.id, u]));
      for (const id of missing) {
        const active = members.filter((m) => m.teamId === id).map((m) => users.get(m.userId)).filter((u): u is User => !!u && u.status === 'active');
        this.leads.set(`${ws}:${id}`, active);
      }
    }
    return (teamId) => this.leads.get(`${ws}:${teamId}`) ?? [];
  }

  private readonly users = new Map<string, User | null>();
  private readonly orgs = new Map<string, Organization | null>();
  private readonly calendarsFor = new Map<string, BusinessCalendarRecord | null>();

  /** What batch triggers read, from this cache (people and organizations too, for this sweep). */
  lookups(tx: Repositories, ws: string): RuleLookups {
    const users = async (ids: string[]) => {
      const missing = [...new Set(ids)].filter((id) => !this.users.has(`${ws}:${id}`));
      if (missing.length) {
        const found = new Map((await tx.users.findByIds(ws, missing)).map((u) => [u.id, u]));
        for (const id of missing) this.users.set(`${ws}:${id}`, found.get(id) ?? null);
      }
      return new Map(ids.map((id) => [id, this.users.get(`${ws}:${id}`)!]).filter((e): e is [string, User] => !!e[1]));
    };
    const organization = async (id: string) => {
      if (!this.orgs.has(`${ws}:${id}`)) this.orgs.set(`${ws}:${id}`, await tx.organizations.findById(ws, id));
      return this.orgs.get(`${ws}:${id}`) ?? null;
    };
    const calendarForTeam = async (policy: SlaPolicy | null, teamId: string | null) => {
      const key = `${ws}:${policy?.calendarId ?? ''}:${teamId ?? ''}`;
      if (!this.calendarsFor.has(key)) this.calendarsFor.set(key, await calendarFor(tx, ws, policy, teamId));
      return this.calendarsFor.get(key) ?? null;
    };
    return {
      context: async (t, need) => {
        const org = need.organization && t.organizationId ? await organization(t.organizationId) : null;
        const rec = need.time ? await calendarForTeam(null, t.teamId) : null;
        return { requester: need.requester ? requesterFacts((await users([t.requesterId])).get(t.requesterId)) : null, organization: org ? { name: org.name } : null, calendar: rec ? compileCalendar(rec) : null };
      },
      users,
      prefetchUsers: users,
      calendarFor: calendarForTeam,
      calendarById: async (id) => {
        await this.loadCalendars(tx, ws, [id]);
        return this.calendar(id);
      },
      enabledPolicies: () => this.enabledPolicies(tx, ws),
      policy: (id) => this.policy(tx, ws, id),
      admins: () => this.adminsOf(tx, ws),
      leads: async (teamId) => (await this.leadsOf(tx, ws, [teamId]))(teamId),
    };
  }

  async sender(tx: Repositories, ws: string): Promise<NotificationSender | null> {
    if (!this.senders.has(ws)) this.senders.set(ws, await notificationSender(tx, ws));
    return this.senders.get(ws) ?? null;
  }
}

export interface SweepOptions {
  maxBatches?: number;
  /** Run the SLA triggers firing by firing (`runTriggers`), the reference the batch path is tested against. */
  perTicketTriggers?: boolean;
}

/** One sweep: every due row, in batches, until none is left due at the sweep's start. */
export async function sweepSla(deps: Deps, opts: SweepOptions = {}): Promise<SweepResult> {
  const out: SweepResult = { tickets: 0, warnings: 0, breaches: 0, notifications: 0 };
  const now = deps.clock.now();
  const cache = new SweepCache();
  for (let i = 0; i < (opts.maxBatches ?? 1000); i++) {
    const n = await deps.store.transaction(async (tx) => {
      const rows = await tx.ticketSla.claimDue(now, BATCH);
      const byWorkspace = new Map<string, TicketSlaRow[]>();
      for (const row of rows) byWorkspace.set(row.workspaceId, [...(byWorkspace.get(row.workspaceId) ?? []), row]);
      for (const [ws, list] of byWorkspace) await sweepWorkspace(deps, tx, ws, list, now, out, cache, opts);
      return rows.length;
    });
    out.tickets += n;
    if (n < BATCH) break;
  }
  return out;
}

/** A warning or breach that someone must hear of. */
interface Due {
  ticket: Ticket;
  env: SlaEnv;
  kind: 'warning' | 'breach';
  clock: SlaClock;
  index: number;
}

/**
 * The due rows of one workspace: the clocks are moved in memory, then everything is written in a
 * handful of statements (states, events, notifications, their emails); only triggers and webhooks
 * listening to SLA events run ticket by ticket, and only when there are some.
 */
async function sweepWorkspace(deps: Deps, tx: Repositories, ws: string, rows: TicketSlaRow[], now: Date, out: SweepResult, cache: SweepCache, opts: SweepOptions): Promise<void> {
  const ctx: Ctx = { workspaceId: ws, actor: systemActor, requestId: SLA_SWEEP_JOB };
  const tickets = new Map((await tx.tickets.findByIds(ws, rows.map((r) => r.ticketId))).map((t) => [t.id, t]));
  await cache.loadCalendars(tx, ws, rows.map((r) => r.state.calendarId));
  const states: TicketSlaRow[] = [];
  const events: NewEvent[] = [];
  const due: Due[] = [];
  const firings: Array<{ ticket: Ticket; kind: 'warning' | 'breach'; target: SlaTargetKind }> = [];

  for (const row of rows) {
    const state = structuredClone(row.state);
    const rec = cache.calendar(state.calendarId);
    const env: SlaEnv = { policy: await cache.policy(tx, ws, state.policyId), calendarId: rec?.id ?? null, calendar: rec ? compileCalendar(rec) : null };
    const happened: SlaEventOut[] = [];
    const notices: Array<{ kind: 'warning' | 'breach'; clock: SlaClock; index: number }> = [];

    // Warnings first (their moment is before the deadline), then breaches.
    for (const c of Object.values(state.clocks)) {
      if (!c || c.fulfilledAt || c.breachedAt || !c.deadline || !c.since) continue;
      if (Date.parse(c.deadline) < now.getTime()) continue; // past due: the breach says it all
      (env.policy?.warnings ?? []).forEach((w, i) => {
        if (c.warned.includes(i)) return;
        const at = warningAt(c, env, i);
        if (!at || at.getTime() > now.getTime()) return;
        c.warned.push(i);
        happened.push({ type: 'sla.warning', data: { target: c.kind, deadline: c.deadline, warning: w, at: at.toISOString() } });
        notices.push({ kind: 'warning', clock: c, index: i });
        out.warnings++;
      });
    }
    const before = happened.length;
    settle(state, env, now, happened);
    for (const e of happened.slice(before)) {
      const c = state.clocks[e.data.target as SlaTargetKind];
      if (c) notices.push({ kind: 'breach', clock: c, index: 0 });
      out.breaches++;
    }
    states.push(slaRow(ws, row.ticketId, state, env, now));
    events.push(...slaEventRecords(ctx, row.ticketId, happened, now));
    const ticket = tickets.get(row.ticketId);
    if (!ticket || ticket.status === 'closed') continue;
    // One notice per clock and kind: a clock whose two warnings both came due says it once.
    const seen = new Set<string>();
    for (const d of notices.reverse()) {
      const key = `${d.kind}:${d.clock.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      due.push({ ticket, env, ...d });
      firings.push({ ticket, kind: d.kind, target: d.clock.kind });
    }
  }

  await tx.ticketSla.upsertMany(states);
  await tx.events.appendMany(events);
  out.notifications += await notifyDue(deps, tx, ws, due, now, cache);

  // Triggers and webhooks on SLA events (escalate, tag, notify…), once per clock and kind like
  // the notices, each seeing the ticket as the previous firing left it; run for the whole batch.
  const rules = await cache.ruleSet(tx, ws);
  if (!ruleSetListens(rules, 'sla.warning') && !ruleSetListens(rules, 'sla.breached')) return;
  const slaRows = new Map(states.map((r) => [r.ticketId, r]));
  const list: TriggerFiring[] = firings.map((f) => ({ event: f.kind === 'warning' ? 'sla.warning' : 'sla.breached', ticket: f.ticket, before: null, sla: { target: f.target } }));
  if (!opts.perTicketTriggers) {
    await runTriggersBatch(deps, tx, ctx, list, now, rules, cache.lookups(tx, ws), slaRows);
    return;
  }
  const current = new Map<string, Ticket>();
  for (const f of list) current.set(f.ticket.id, await runTriggers(deps, tx, ctx, { ...f, ticket: current.get(f.ticket.id) ?? f.ticket }, now, rules));
}

/** Who must act on a ticket: its assignee, else its team's leads, else the workspace's admins. */
async function recipientsOf(tx: Repositories, ws: string, due: Due[], cache: SweepCache): Promise<(t: Ticket) => User[]> {
  const assignees = new Map((await tx.users.findByIds(ws, [...new Set(due.map((d) => d.ticket.assigneeId).filter((id): id is string => !!id))])).map((u) => [u.id, u]));
  const leads = await cache.leadsOf(tx, ws, due.map((d) => d.ticket.teamId).filter((id): id is string => !!id));
  const needAdmins = due.some((d) => {
    const a = d.ticket.assigneeId ? assignees.get(d.ticket.assigneeId) : undefined;
    return !(a && a.status === 'active') && !(d.ticket.teamId && leads(d.ticket.teamId).length);
  });
  const admins = needAdmins ? await cache.adminsOf(tx, ws) : [];
  return (t) => {
    const a = t.assigneeId ? assignees.get(t.assigneeId) : undefined;
    if (a && a.status === 'active') return [a];
    const l = t.teamId ? leads(t.teamId) : [];
    return l.length ? l : admins;
  };
}

/** The in-app notices (once each, by dedupe key) and, for those who want them, their emails; not before the calendar opens. */
async function notifyDue(deps: Deps, tx: Repositories, ws: string, due: Due[], now: Date, cache: SweepCache): Promise<number> {
  if (!due.length) return 0;
  const recipients = await recipientsOf(tx, ws, due, cache);
  const rows: Array<{ n: Notification; user: User; lang: 'en' | 'fr'; d: Due; deliverAt: Date }> = [];
  for (const d of due) {
    // Quiet hours: not before the calendar opens (a calendar that never opens again: now).
    const deliverAt = d.env.calendar && !d.env.calendar.isOpenAt(now) ? (d.env.calendar.nextOpen(now) ?? now) : now;
    const timeZone = (d.env.calendar as { timeZone?: string } | null)?.timeZone ?? 'UTC';
    for (const user of recipients(d.ticket)) {
      const lang = user.locale === 'fr' ? 'fr' : 'en';
      const text = slaNoticeText(d.kind, lang, { number: d.ticket.number, subject: d.ticket.subject, target: d.clock.kind, deadline: d.clock.breachedAt ?? d.clock.deadline!, timeZone });
      rows.push({
        user,
        lang,
        d,
        deliverAt,
        n: {
          id: deps.ids.uuid(),
          workspaceId: ws,
          userId: user.id,
          ticketId: d.ticket.id,
          kind: d.kind === 'warning' ? 'sla.warning' : 'sla.breached',
          title: text.title,
          body: text.body,
          data: { ticketNumber: d.ticket.number, target: d.clock.kind, deadline: d.clock.deadline ?? d.clock.breachedAt },
          dedupeKey: `sla:${d.ticket.id}:${d.clock.kind}:${d.clock.startedAt}:${d.kind}:${d.index}`,
          createdAt: deliverAt,
          readAt: null,
        },
      });
    }
  }
  const written = await tx.notifications.insertMany(rows.map((r) => r.n));
  // SLA notices are always emailed (the promise is the team's, not a matter of taste); the
  // per-user email preference covers mentions, assignments and replies.
  const mails: NotificationMail[] = rows
    .filter((r) => written.has(r.n.id) && r.user.email)
    .map((r) => ({ ticket: r.d.ticket, to: r.user.email!, subject: r.n.title, text: `${r.n.body}\n`, lang: r.lang, now, runAt: r.deliverAt }));
  const sender = mails.length ? await cache.sender(tx, ws) : null;
  if (sender) await queueNotificationMails(deps, tx, sender, mails);
  return written.size;
}

const LABELS: Record<'en' | 'fr', Record<SlaTargetKind, string>> = {
  en: { first_response: 'first response', next_response: 'next response', periodic_update: 'update', resolution: 'resolution' },
  fr: { first_response: 'première réponse', next_response: 'prochaine réponse', periodic_update: 'point d’étape', resolution: 'résolution' },
};

/** Formatters are costly to build (a fraction of a millisecond each): one per language and zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatWhen(at: string, timeZone: string, lang: 'en' | 'fr'): string {
  const key = `${lang}:${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
    if (formatters.size > 500) formatters.clear();
    formatters.set(key, f);
  }
  return f.format(new Date(at));
}

export function slaNoticeText(kind: 'warning' | 'breach', lang: 'en' | 'fr', t: { number: number; subject: string; target: SlaTargetKind; deadline: string; timeZone: string }) {
  const what = LABELS[lang][t.target];
  const when = formatWhen(t.deadline, t.timeZone, lang);
  if (lang === 'fr') {
    return kind === 'warning'
      ? { title: `Échéance proche : ${what} du ticket #${t.number}`, body: `La ${what} du ticket #${t.number} « ${t.subject} » est due ${when}.` }
      : { title: `SLA dépassé : ${what} du ticket #${t.number}`, body: `La ${what} du ticket #${t.number} « ${t.subject} » était due ${when}.` };
  }
  return kind === 'warning'
    ? { title: `Due soon: ${what} on ticket #${t.number}`, body: `The ${what} on ticket #${t.number} "${t.subject}" is due ${when}.` }
    : { title: `SLA breached: ${what} on ticket #${t.number}`, body: `The ${what} on ticket #${t.number} "${t.subject}" was due ${when}.` };
}

/** Ask for a sweep each minute, whichever process asks first (the dedupe key is the minute). */
export async function scheduleSlaSweep(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  await deps.store.jobs.enqueue({ type: SLA_SWEEP_JOB, payload: {}, workspaceId: null, dedupeKey: now.toISOString().slice(0, 16), maxAttempts: 3 }, now);
}
