import type { CreateTriggerInput, UpdateTriggerInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit } from '../shared/record.ts';
import { authorize } from '../identity/permissions.ts';
import { reorderRules } from '../shared/order.ts';
import { diffTicket } from '../tickets/rules.ts';
import { checkedPatch, triggerContext } from './run.ts';
import { triggerMatches, type Trigger, type TriggerAction, type TriggerEvent } from './evaluate.ts';

export async function listTriggers(deps: Deps, ctx: Ctx): Promise<Trigger[]> {
  authorize(ctx.actor, 'triggers:read');
  return deps.store.triggers.list(ctx.workspaceId);
}

export async function getTrigger(deps: Deps, ctx: Ctx, id: string): Promise<Trigger> {
  authorize(ctx.actor, 'triggers:read');
  const t = await deps.store.triggers.findById(ctx.workspaceId, id);
  if (!t) throw new AppError('TRIGGER_NOT_FOUND', 'Trigger not found.');
  return t;
}

/** Teams and agents named by actions must exist in this workspace. */
async function checkActions(tx: Repositories, ws: string, actions: TriggerAction[]): Promise<void> {
  for (const a of actions) {
    if (a.type === 'set_team' && a.teamId && !(await tx.teams.findById(ws, a.teamId))) throw new AppError('TEAM_NOT_FOUND', 'A trigger action names a team that does not exist.');
    if (a.type === 'assign' && a.userId) {
      const u = await tx.users.findById(ws, a.userId);
      if (!u || u.role === 'customer' || u.role === 'light_agent') throw new AppError('USER_NOT_FOUND', 'A trigger action assigns to someone who is not an agent here.');
    }
  }
}

export async function createTrigger(deps: Deps, ctx: Ctx, input: CreateTriggerInput): Promise<Trigger> {
  authorize(ctx.actor, 'triggers:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    await checkActions(tx, ctx.workspaceId, input.actions as TriggerAction[]);
    const existing = await tx.triggers.list(ctx.workspaceId);
    const t = await tx.triggers.insert({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      name: input.name,
      description: input.description,
      position: input.position ?? Math.max(-1, ...existing.map((x) => x.position)) + 1,
      enabled: input.enabled,
      events: input.events,
      conditions: input.conditions,
      actions: input.actions as TriggerAction[],
      stop: input.stop,
      createdAt: now,
      updatedAt: now,
    });
    await recordAudit(tx, ctx, now, 'trigger.created', { type: 'trigger', id: t.id }, { name: t.name, enabled: t.enabled });
    return t;
  });
}

export async function updateTrigger(deps: Deps, ctx: Ctx, id: string, input: UpdateTriggerInput): Promise<Trigger> {
  authorize(ctx.actor, 'triggers:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    if (!(await tx.triggers.findById(ctx.workspaceId, id))) throw new AppError('TRIGGER_NOT_FOUND', 'Trigger not found.');
    if (input.actions) await checkActions(tx, ctx.workspaceId, input.actions as TriggerAction[]);
    const t = await tx.triggers.update(ctx.workspaceId, id, { ...(input as Partial<Trigger>), updatedAt: now });
    await recordAudit(tx, ctx, now, 'trigger.updated', { type: 'trigger', id }, { fields: Object.keys(input) });
    return t;
  });
}

/** Put the triggers in a new order (every id once), in one transaction. */
export async function reorderTriggers(deps: Deps, ctx: Ctx, ids: string[]): Promise<Trigger[]> {
  authorize(ctx.actor, 'triggers:manage');
  return reorderRules(deps, ctx, ids, { store: (tx) => tx.triggers, audit: 'trigger.reordered' });
}

export async function deleteTrigger(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'triggers:manage');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const t = await tx.triggers.findById(ctx.workspaceId, id);
    if (!t) throw new AppError('TRIGGER_NOT_FOUND', 'Trigger not found.');
    await tx.triggers.delete(ctx.workspaceId, id);
    await recordAudit(tx, ctx, now, 'trigger.deleted', { type: 'trigger', id }, { name: t.name });
  });
}

export interface DryRunItem {
  ticketId: string;
  number: number;
  subject: string;
  changes: Record<string, { from: unknown; to: unknown }>;
  notes: number;
  notifications: string[];
  error: { code: string; message: string } | null;
}

/**
 * What a trigger (saved or not) would do to the most recently updated open tickets, as if the
 * event happened to each now: the matching tickets with the field changes, notes and
 * notifications it would make, or why it could not. Nothing is written.
 */
export async function dryRunTrigger(
  deps: Deps,
  ctx: Ctx,
  input: { id?: string; trigger?: CreateTriggerInput | undefined; event?: TriggerEvent | undefined; limit: number },
): Promise<{ tried: number; matched: number; items: DryRunItem[] }> {
  authorize(ctx.actor, 'triggers:manage');
  let trigger: Trigger;
  if (input.id) trigger = await getTrigger(deps, ctx, input.id);
  else if (input.trigger) {
    const now = deps.clock.now();
    trigger = { ...input.trigger, id: '00000000-0000-0000-0000-000000000000', workspaceId: ctx.workspaceId, position: 0, actions: input.trigger.actions as TriggerAction[], createdAt: now, updatedAt: now };
  } else throw new AppError('VALIDATION_FAILED', 'Give a trigger to try, or try a saved one.', { issues: [{ in: 'body', path: ['trigger'], message: 'required' }] });
  const event = input.event ?? trigger.events[0]!;
  const now = deps.clock.now();
  const tickets = await deps.store.tickets.list(
    ctx.workspaceId,
    { includeInternal: true, statuses: ['new', 'open', 'pending', 'on_hold', 'solved'] },
    { sort: 'updated_at', order: 'desc' },
    { limit: input.limit },
  );
  const items: DryRunItem[] = [];
  const conditions = [...trigger.conditions.all, ...trigger.conditions.any];
  for (const ticket of tickets) {
    const base = await triggerContext(deps.store, { event, ticket, before: null }, now, conditions);
    if (!triggerMatches({ ...trigger, events: [event] }, { ...base, event })) continue;
    const item: DryRunItem = { ticketId: ticket.id, number: ticket.number, subject: ticket.subject, changes: {}, notes: 0, notifications: [], error: null };
    try {
      const patch = await checkedPatch(deps.store, ticket, trigger.actions, now);
      item.changes = diffTicket(ticket, patch) as DryRunItem['changes'];
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      item.error = { code: e.code, message: e.message };
    }
    item.notes = trigger.actions.filter((a) => a.type === 'add_note').length;
    item.notifications = trigger.actions.flatMap((a) => (a.type === 'notify' ? [a.to] : []));
    items.push(item);
  }
  return { tried: tickets.length, matched: items.length, items };
}
