/**
 * Time-based automations: rules evaluated on a schedule over open tickets (hours since created,
 * since the last update, since the customer's last reply, in the current status, before an SLA
 * deadline; status; and any trigger condition), with the triggers' actions.
 *
 * At most once per ticket and matching period: a period is named by the moments its hours count
 * from (the ticket's last update or its creation, the customer's last reply, the entry into the
 * status, the SLA deadline), and a run claims (automation, ticket, period)
 * with a unique row in the transaction that acts. Two processes running the same automation at
 * once both try the claim; the second waits for the first to commit, then skips. A ticket the
 * automation changed was updated, so a new period starts from that change.
 */
import type { CreateAutomationInput, UpdateAutomationInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import { systemActor, type Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit } from '../shared/record.ts';
import { authorize } from '../identity/permissions.ts';
import { reorderRules } from '../shared/order.ts';
import type { Ticket } from '../tickets/types.ts';
import type { TicketStatus } from '@guichet/contracts';
import { triggerMatches, type TriggerAction, type TriggerCondition } from '../triggers/evaluate.ts';
import { fire, triggerContext } from '../triggers/run.ts';

export const AUTOMATIONS_JOB = 'automations.run';

export interface AutomationConditions {
  statuses: TicketStatus[];
  hoursSinceCreated?: number | undefined;
  hoursSinceUpdated?: number | undefined;
  hoursSinceCustomerReply?: number | undefined;
  hoursInStatus?: number | undefined;
  hoursBeforeSlaDeadline?: number | undefined;
  /** Trigger conditions (priority, tags, requester, time of day…), all of which must hold. */
  all: TriggerCondition[];
}

export interface Automation {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  position: number;
  enabled: boolean;
  conditions: AutomationConditions;
  actions: TriggerAction[];
  createdAt: Date;
  updatedAt: Date;
}

export interface AutomationRepository {
  insert(a: Automation): Promise<Automation>;
  findById(workspaceId: string, id: string): Promise<Automation | null>;
  update(workspaceId: string, id: string, patch: Partial<Automation>): Promise<Automation>;
  delete(workspaceId: string, id: string): Promise<void>;
  list(workspaceId: string, opts?: { enabledOnly?: boolean }): Promise<Automation[]>;
  /** Workspaces with at least one enabled automation. */
  workspacesWithEnabled(): Promise<string[]>;
  /** Open tickets in these statuses created and last updated at or before the given moments (index on status, updated_at). */
  candidates(workspaceId: string, q: { statuses: TicketStatus[]; createdBefore: Date | null; updatedBefore: Date | null; afterId: string | null; limit: number }): Promise<Ticket[]>;
  /** Claim one firing; false when this automation already fired for this ticket in this period. */
  claim(workspaceId: string, automationId: string, ticketId: string, periodKey: string, at: Date): Promise<boolean>;
  /** When the requester last wrote publicly on the ticket, and when it entered its current status (null: never / since creation). */
  timeline(workspaceId: string, ticketId: string, requesterId: string): Promise<{ lastCustomerMessageAt: Date | null; statusChangedAt: Date | null }>;
  /** How many times it fired, and on how many tickets (for follow-up rates). */
  stats(workspaceId: string, automationId: string): Promise<{ firings: number; tickets: number }>;
}

const HOUR = 3_600_000;

/** What the ticket-level conditions need beyond the ticket row (read only when a condition uses it). */
export interface TicketTimes {
  /** The requester's last public message; the ticket's creation when none. */
  lastCustomerReplyAt: Date;
  /** When the ticket entered its current status. */
  statusSince: Date;
  /** The earliest deadline of a running SLA target, null when none runs. */
  slaDeadline: { kind: string; at: Date } | null;
}

const needsTimes = (c: AutomationConditions) => c.hoursSinceCustomerReply !== undefined || c.hoursInStatus !== undefined || c.hoursBeforeSlaDeadline !== undefined;

/** Whether a ticket is due for an automation at `now`, and the period its firing belongs to. */
export function periodOf(a: Automation, t: Pick<Ticket, 'status' | 'createdAt' | 'updatedAt'>, now: Date, times?: TicketTimes): string | null {
  const c = a.conditions;
  if (!c.statuses.includes(t.status)) return null;
  const since = (at: Date, hours: number | undefined) => hours === undefined || now.getTime() - at.getTime() >= hours * HOUR;
  if (!since(t.createdAt, c.hoursSinceCreated) || !since(t.updatedAt, c.hoursSinceUpdated)) return null;
  const base = c.hoursSinceUpdated !== undefined ? `updated:${t.updatedAt.toISOString()}` : `created:${t.createdAt.toISOString()}`;
  if (!needsTimes(c)) return base;
  if (!times) throw new Error('periodOf: this automation needs the ticket\'s times');
  const parts = [base];
  if (c.hoursSinceCustomerReply !== undefined) {
    if (!since(times.lastCustomerReplyAt, c.hoursSinceCustomerReply)) return null;
    parts.push(`customer:${times.lastCustomerReplyAt.toISOString()}`);
  }
  if (c.hoursInStatus !== undefined) {
    if (!since(times.statusSince, c.hoursInStatus)) return null;
    parts.push(`status:${t.status}:${times.statusSince.toISOString()}`);
  }
  if (c.hoursBeforeSlaDeadline !== undefined) {
    const d = times.slaDeadline;
    if (!d || d.at.getTime() - now.getTime() > c.hoursBeforeSlaDeadline * HOUR) return null;
    parts.push(`sla:${d.kind}:${d.at.toISOString()}`);
  }
  return parts.join('|');
}

async function timesOf(tx: Repositories, t: Ticket): Promise<TicketTimes> {
  const [tl, sla] = await Promise.all([tx.automations.timeline(t.workspaceId, t.id, t.requesterId), tx.ticketSla.find(t.workspaceId, t.id)]);
  let slaDeadline: TicketTimes['slaDeadline'] = null;
  for (const [kind, clock] of Object.entries(sla?.state.clocks ?? {})) {
    if (!clock?.deadline || clock.fulfilledAt) continue;
    const at = new Date(clock.deadline);
    if (!slaDeadline || at < slaDeadline.at) slaDeadline = { kind, at };
  }
  return { lastCustomerReplyAt: tl.lastCustomerMessageAt ?? t.createdAt, statusSince: tl.statusChangedAt ?? t.createdAt, slaDeadline };
}

/** Run every enabled automation of every workspace once. Safe to run twice and from several processes. */
export async function runAutomations(deps: Deps): Promise<{ fired: number; skipped: number }> {
  const out = { fired: 0, skipped: 0 };
  for (const ws of await deps.store.automations.workspacesWithEnabled()) {
    for (const a of await deps.store.automations.list(ws, { enabledOnly: true })) {
      const r = await runAutomation(deps, a);
      out.fired += r.fired;
      out.skipped += r.skipped;
    }
  }
  return out;
}

export async function runAutomation(deps: Deps, a: Automation): Promise<{ fired: number; skipped: number }> {
  const now = deps.clock.now();
  const ctx: Ctx = { workspaceId: a.workspaceId, actor: systemActor, requestId: AUTOMATIONS_JOB };
  const c = a.conditions;
  const out = { fired: 0, skipped: 0 };
  let afterId: string | null = null;
  for (;;) {
    const page = await deps.store.automations.candidates(a.workspaceId, {
      statuses: c.statuses,
      createdBefore: c.hoursSinceCreated !== undefined ? new Date(now.getTime() - c.hoursSinceCreated * HOUR) : null,
      updatedBefore: c.hoursSinceUpdated !== undefined ? new Date(now.getTime() - c.hoursSinceUpdated * HOUR) : null,
      afterId,
      limit: 200,
    });
    for (const candidate of page) {
      const fired = await deps.store.transaction(async (tx) => {
        const ticket = await tx.tickets.lock(a.workspaceId, candidate.id);
        const period = ticket && periodOf(a, ticket, now, ticket && needsTimes(c) ? await timesOf(tx, ticket) : undefined);
        if (!ticket || !period || !(await matches(tx, a, ticket, now))) return false;
        if (!(await tx.automations.claim(a.workspaceId, a.id, ticket.id, period, now))) return false;
        await fire(deps, tx, ctx, a, ticket, 'automation', now);
        return true;
      });
      if (fired) out.fired++;
      else out.skipped++;
    }
    if (page.length < 200) return out;
    afterId = page[page.length - 1]!.id;
  }
}

async function matches(tx: Repositories, a: Automation, ticket: Ticket, now: Date): Promise<boolean> {
  if (!a.conditions.all.length) return true;
  const base = await triggerContext(tx, { event: 'ticket.updated', ticket, before: null }, now, a.conditions.all);
  return triggerMatches({ events: ['ticket.updated'], conditions: { all: a.conditions.all, any: [] } } as never, { ...base, event: 'ticket.updated' });
}

/** Ask for a run every ten minutes, whichever process asks first. */
export async function scheduleAutomations(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  const slot = Math.floor(now.getTime() / 600_000);
  await deps.store.jobs.enqueue({ type: AUTOMATIONS_JOB, payload: {}, workspaceId: null, dedupeKey: String(slot), maxAttempts: 3 }, now);
}

// ---- admin ----

export async function listAutomations(deps: Deps, ctx: Ctx): Promise<Array<Automation & { stats: { firings: number; tickets: number } }>> {
  authorize(ctx.actor, 'triggers:read');
  const list = await deps.store.automations.list(ctx.workspaceId);
  return Promise.all(list.map(async (a) => ({ ...a, stats: await deps.store.automations.stats(ctx.workspaceId, a.id) })));
}

export async function getAutomation(deps: Deps, ctx: Ctx, id: string): Promise<Automation & { stats: { firings: number; tickets: number } }> {
  authorize(ctx.actor, 'triggers:read');
  const a = await deps.store.automations.findById(ctx.workspaceId, id);
  if (!a) throw new AppError('AUTOMATION_NOT_FOUND', 'Automation not found.');
  return { ...a, stats: await deps.store.automations.stats(ctx.workspaceId, id) };
}

function checkTimed(c: AutomationConditions): void {
  if (c.hoursSinceCreated === undefined && c.hoursSinceUpdated === undefined && !needsTimes(c)) {
    throw new AppError('VALIDATION_FAILED', 'An automation needs a time condition: hoursSinceCreated, hoursSinceUpdated, hoursSinceCustomerReply, hoursInStatus or hoursBeforeSlaDeadline.', {
      issues: [{ in: 'body', path: ['conditions'], message: 'a time condition is required' }],
    });
  }
}

export async function createAutomation(deps: Deps, ctx: Ctx, input: CreateAutomationInput): Promise<Automation> {
  authorize(ctx.actor, 'triggers:manage');
  checkTimed(input.conditions as AutomationConditions);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const existing = await tx.automations.list(ctx.workspaceId);
    const a = await tx.automations.insert({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      name: input.name,
      description: input.description,
      position: input.position ?? Math.max(-1, ...existing.map((x) => x.position)) + 1,
      enabled: input.enabled,
      conditions: input.conditions as AutomationConditions,
      actions: input.actions as TriggerAction[],
      createdAt: now,
      updatedAt: now,
    });
    await recordAudit(tx, ctx, now, 'automation.created', { type: 'automation', id: a.id }, { name: a.name });
    return a;
  });
}

export async function updateAutomation(deps: Deps, ctx: Ctx, id: string, input: UpdateAutomationInput): Promise<Automation> {
  authorize(ctx.actor, 'triggers:manage');
  if (input.conditions) checkTimed(input.conditions as AutomationConditions);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    if (!(await tx.automations.findById(ctx.workspaceId, id))) throw new AppError('AUTOMATION_NOT_FOUND', 'Automation not found.');
    const a = await tx.automations.update(ctx.workspaceId, id, { ...(input as Partial<Automation>), updatedAt: now });
    await recordAudit(tx, ctx, now, 'automation.updated', { type: 'automation', id }, { fields: Object.keys(input) });
    return a;
  });
}

/** Put the automations in a new order (every id once), in one transaction. */
export async function reorderAutomations(deps: Deps, ctx: Ctx, ids: string[]): Promise<Automation[]> {
  authorize(ctx.actor, 'triggers:manage');
  return reorderRules(deps, ctx, ids, { store: (tx) => tx.automations, audit: 'automation.reordered' });
}

export async function deleteAutomation(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'triggers:manage');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const a = await tx.automations.findById(ctx.workspaceId, id);
    if (!a) throw new AppError('AUTOMATION_NOT_FOUND', 'Automation not found.');
    await tx.automations.delete(ctx.workspaceId, id);
    await recordAudit(tx, ctx, now, 'automation.deleted', { type: 'automation', id }, { name: a.name });
  });
}
