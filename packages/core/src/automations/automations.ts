/**
 * Time-based automations: rules evaluated on a schedule over open tickets (hours since created,
 * since the last update, status, and any trigger condition), with the triggers' actions.
 *
 * At most once per ticket and matching period: a period is named by the moment its hours count
 * from (the ticket's last update, or its creation), and a run claims (automation, ticket, period)
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
import type { Ticket } from '../tickets/types.ts';
import type { TicketStatus } from '@guichet/contracts';
import { triggerMatches, type TriggerAction, type TriggerCondition } from '../triggers/evaluate.ts';
import { fire, triggerContext } from '../triggers/run.ts';

export const AUTOMATIONS_JOB = 'automations.run';

export interface AutomationConditions {
  statuses: TicketStatus[];
  hoursSinceCreated?: number | undefined;
  hoursSinceUpdated?: number | undefined;
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
  /** How many times it fired, and on how many tickets (for follow-up rates). */
  stats(workspaceId: string, automationId: string): Promise<{ firings: number; tickets: number }>;
}

const HOUR = 3_600_000;

/** Whether a ticket is due for an automation at `now`, and the period its firing belongs to. */
export function periodOf(a: Automation, t: Pick<Ticket, 'status' | 'createdAt' | 'updatedAt'>, now: Date): string | null {
  const c = a.conditions;
  if (!c.statuses.includes(t.status)) return null;
  if (c.hoursSinceCreated !== undefined && now.getTime() - t.createdAt.getTime() < c.hoursSinceCreated * HOUR) return null;
  if (c.hoursSinceUpdated !== undefined && now.getTime() - t.updatedAt.getTime() < c.hoursSinceUpdated * HOUR) return null;
  return c.hoursSinceUpdated !== undefined ? `updated:${t.updatedAt.toISOString()}` : `created:${t.createdAt.toISOString()}`;
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
        const period = ticket && periodOf(a, ticket, now);
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
  const usesTime = a.conditions.all.some((x) => x.field.startsWith('time.'));
  const base = await triggerContext(tx, { event: 'ticket.updated', ticket, before: null }, now, usesTime);
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

function checkTimed(c: { hoursSinceCreated?: number | undefined; hoursSinceUpdated?: number | undefined }): void {
  if (c.hoursSinceCreated === undefined && c.hoursSinceUpdated === undefined) {
    throw new AppError('VALIDATION_FAILED', 'An automation needs hoursSinceCreated or hoursSinceUpdated.', { issues: [{ in: 'body', path: ['conditions'], message: 'a time condition is required' }] });
  }
}

export async function createAutomation(deps: Deps, ctx: Ctx, input: CreateAutomationInput): Promise<Automation> {
  authorize(ctx.actor, 'triggers:manage');
  checkTimed(input.conditions);
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
  if (input.conditions) checkTimed(input.conditions);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    if (!(await tx.automations.findById(ctx.workspaceId, id))) throw new AppError('AUTOMATION_NOT_FOUND', 'Automation not found.');
    const a = await tx.automations.update(ctx.workspaceId, id, { ...(input as Partial<Automation>), updatedAt: now });
    await recordAudit(tx, ctx, now, 'automation.updated', { type: 'automation', id }, { fields: Object.keys(input) });
    return a;
  });
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
