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
import type { Repositories } from '../store.ts';
import { systemActor, type Ctx } from '../shared/context.ts';
import type { User } from '../people/types.ts';
import type { Ticket } from '../tickets/types.ts';
import { notificationSender, queueNotificationMail, type NotificationSender } from '../notifications/notify.ts';
import { settle, warningAt, type SlaEnv, type SlaEventOut } from './engine.ts';
import { recordSlaEvents, slaRow, storedEnv } from './track.ts';
import { runTriggers } from '../triggers/run.ts';
import type { SlaClock, SlaPolicy, SlaTargetKind, TicketSlaRow } from './types.ts';

export const SLA_SWEEP_JOB = 'sla.sweep';
const BATCH = 200;

export interface SweepResult {
  tickets: number;
  warnings: number;
  breaches: number;
  notifications: number;
}

/** One sweep: every due row, in batches, until none is left due at the sweep's start. */
export async function sweepSla(deps: Deps, opts: { maxBatches?: number } = {}): Promise<SweepResult> {
  const out: SweepResult = { tickets: 0, warnings: 0, breaches: 0, notifications: 0 };
  const now = deps.clock.now();
  for (let i = 0; i < (opts.maxBatches ?? 1000); i++) {
    const n = await deps.store.transaction(async (tx) => {
      const rows = await tx.ticketSla.claimDue(now, BATCH);
      const policies = new Map<string, SlaPolicy[]>();
      for (const row of rows) {
        let list = policies.get(row.workspaceId);
        if (!list) policies.set(row.workspaceId, (list = await tx.slaPolicies.list(row.workspaceId, { enabledOnly: true })));
        await sweepRow(deps, tx, row, list, now, out);
      }
      return rows.length;
    });
    out.tickets += n;
    if (n < BATCH) break;
  }
  return out;
}

async function sweepRow(deps: Deps, tx: Repositories, row: TicketSlaRow, policies: SlaPolicy[], now: Date, out: SweepResult): Promise<void> {
  const ctx: Ctx = { workspaceId: row.workspaceId, actor: systemActor, requestId: SLA_SWEEP_JOB };
  const ticket = await tx.tickets.findById(row.workspaceId, row.ticketId);
  const state = structuredClone(row.state);
  const env = await storedEnv(tx, row.workspaceId, state, policies);
  const events: SlaEventOut[] = [];
  const due: Array<{ kind: 'warning' | 'breach'; clock: SlaClock; index: number }> = [];

  // Warnings first (their moment is before the deadline), then breaches.
  for (const c of Object.values(state.clocks)) {
    if (!c || c.fulfilledAt || c.breachedAt || !c.deadline || !c.since) continue;
    if (Date.parse(c.deadline) < now.getTime()) continue; // past due: the breach says it all
    (env.policy?.warnings ?? []).forEach((w, i) => {
      if (c.warned.includes(i)) return;
      const at = warningAt(c, env, i);
      if (!at || at.getTime() > now.getTime()) return;
      c.warned.push(i);
      events.push({ type: 'sla.warning', data: { target: c.kind, deadline: c.deadline, warning: w, at: at.toISOString() } });
      due.push({ kind: 'warning', clock: c, index: i });
      out.warnings++;
    });
  }
  const before = events.length;
  settle(state, env, now, events);
  for (const e of events.slice(before)) {
    const c = state.clocks[e.data.target as SlaTargetKind];
    if (c) due.push({ kind: 'breach', clock: c, index: 0 });
    out.breaches++;
  }
  await tx.ticketSla.upsert(slaRow(row.workspaceId, row.ticketId, state, env, now));
  await recordSlaEvents(tx, ctx, row.ticketId, events, now);
  if (ticket && ticket.status !== 'closed') {
    // One notice per clock and kind: a clock whose two warnings both came due says it once.
    const seen = new Set<string>();
    for (const d of due.reverse()) {
      const key = `${d.kind}:${d.clock.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.notifications += await notify(deps, tx, ticket, env, d.kind, d.clock, d.index, now);
    }
    // Triggers on SLA events (escalate, tag, notify…), once per clock and kind like the notices.
    let current: Ticket = ticket;
    for (const key of seen) {
      const [kind, target] = key.split(':') as ['warning' | 'breach', SlaTargetKind];
      current = await runTriggers(deps, tx, ctx, { event: kind === 'warning' ? 'sla.warning' : 'sla.breached', ticket: current, before: null, sla: { target } }, now);
    }
  }
}

/** Who must act on a ticket: its assignee, else its team's leads, else the workspace's admins. */
async function recipients(tx: Repositories, ticket: Ticket): Promise<User[]> {
  const ws = ticket.workspaceId;
  if (ticket.assigneeId) {
    const u = await tx.users.findById(ws, ticket.assigneeId);
    if (u && u.status === 'active') return [u];
  }
  if (ticket.teamId) {
    const leads = (await tx.teams.membersOf(ws, [ticket.teamId])).filter((m) => m.isLead);
    const users = (await Promise.all(leads.map((m) => tx.users.findById(ws, m.userId)))).filter((u): u is User => !!u && u.status === 'active');
    if (users.length) return users;
  }
  return tx.users.list(ws, { roles: ['admin'] }, { limit: 20 }).then((us) => us.filter((u) => u.status === 'active'));
}

const LABELS: Record<'en' | 'fr', Record<SlaTargetKind, string>> = {
  en: { first_response: 'first response', next_response: 'next response', periodic_update: 'update', resolution: 'resolution' },
  fr: { first_response: 'première réponse', next_response: 'prochaine réponse', periodic_update: 'point d’étape', resolution: 'résolution' },
};

function formatWhen(at: string, timeZone: string, lang: 'en' | 'fr'): string {
  return new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(at));
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

async function notify(deps: Deps, tx: Repositories, ticket: Ticket, env: SlaEnv, kind: 'warning' | 'breach', clock: SlaClock, index: number, now: Date): Promise<number> {
  const ws = ticket.workspaceId;
  // Quiet hours: not before the calendar opens (a calendar that never opens again: now).
  const deliverAt = env.calendar && !env.calendar.isOpenAt(now) ? (env.calendar.nextOpen(now) ?? now) : now;
  const timeZone = (env.calendar as { timeZone?: string } | null)?.timeZone ?? 'UTC';
  const people = await recipients(tx, ticket);
  let sender: NotificationSender | null | undefined;
  let sent = 0;
  for (const u of people) {
    const lang = u.locale === 'fr' ? 'fr' : 'en';
    const text = slaNoticeText(kind, lang, { number: ticket.number, subject: ticket.subject, target: clock.kind, deadline: clock.breachedAt ?? clock.deadline!, timeZone });
    const dedupeKey = `sla:${ticket.id}:${clock.kind}:${clock.startedAt}:${kind}:${index}`;
    const inserted = await tx.notifications.insert({
      id: deps.ids.uuid(),
      workspaceId: ws,
      userId: u.id,
      ticketId: ticket.id,
      kind: kind === 'warning' ? 'sla.warning' : 'sla.breached',
      title: text.title,
      body: text.body,
      data: { ticketNumber: ticket.number, target: clock.kind, deadline: clock.deadline ?? clock.breachedAt },
      dedupeKey,
      createdAt: deliverAt,
      readAt: null,
    });
    if (!inserted) continue;
    sent++;
    if (!u.email) continue;
    if (sender === undefined) sender = await notificationSender(tx, ws);
    if (!sender) continue;
    await queueNotificationMail(deps, tx, sender, { ticket, to: u.email, subject: text.title, text: `${text.body}\n`, lang, now, runAt: deliverAt });
  }
  return sent;
}

/** Ask for a sweep each minute, whichever process asks first (the dedupe key is the minute). */
export async function scheduleSlaSweep(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  await deps.store.jobs.enqueue({ type: SLA_SWEEP_JOB, payload: {}, workspaceId: null, dedupeKey: now.toISOString().slice(0, 16), maxAttempts: 3 }, now);
}
