/** Routing settings, rules, team modes, availability, explanations and the triage queue. */
import type { CreateRoutingRuleInput, TriageDecisionInput, UpdateAvailabilityInput, UpdateRoutingSettingsInput, UpdateTeamRoutingInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit, recordEvent } from '../shared/record.ts';
import { authorize } from '../identity/permissions.ts';
import { checkAssignee } from '../tickets/assignment.ts';
import { reassignJob, routingSettingsOf, routeTicket } from './route-ticket.ts';
import { trainJob } from './train.ts';
import type { AgentAvailability, RoutingRule, RoutingSettings, TeamRouting, TicketRouting } from './types.ts';

export async function getRoutingSettings(deps: Deps, ctx: Ctx): Promise<RoutingSettings> {
  authorize(ctx.actor, 'workspace:manage');
  return routingSettingsOf(ctx.workspaceId, await deps.store.routing.settings(ctx.workspaceId));
}

export async function updateRoutingSettings(deps: Deps, ctx: Ctx, input: UpdateRoutingSettingsInput): Promise<RoutingSettings> {
  authorize(ctx.actor, 'workspace:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const before = routingSettingsOf(ctx.workspaceId, await tx.routing.settings(ctx.workspaceId));
    const saved = await tx.routing.saveSettings({ ...before, ...input, workspaceId: ctx.workspaceId, updatedAt: now });
    await recordAudit(tx, ctx, now, 'routing.settings.updated', { type: 'workspace', id: ctx.workspaceId }, { ...input });
    return saved;
  });
}

export async function requestTraining(deps: Deps, ctx: Ctx): Promise<number | null> {
  authorize(ctx.actor, 'workspace:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    // One queued run per workspace and minute, however often the button is pressed.
    const id = await tx.jobs.enqueue(trainJob(ctx.workspaceId, `train:${ctx.workspaceId}:${now.toISOString().slice(0, 16)}`), now);
    await recordAudit(tx, ctx, now, 'routing.model.train_requested', { type: 'workspace', id: ctx.workspaceId }, { jobId: id });
    return id;
  });
}

export async function listRoutingModels(deps: Deps, ctx: Ctx, limit: number) {
  authorize(ctx.actor, 'workspace:manage');
  return deps.store.routing.listModels(ctx.workspaceId, limit);
}

export async function listRoutingRules(deps: Deps, ctx: Ctx): Promise<RoutingRule[]> {
  authorize(ctx.actor, 'workspace:manage');
  return deps.store.routing.rules(ctx.workspaceId);
}

export async function createRoutingRule(deps: Deps, ctx: Ctx, input: CreateRoutingRuleInput): Promise<RoutingRule> {
  authorize(ctx.actor, 'workspace:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    if (!(await tx.teams.findById(ctx.workspaceId, input.teamId))) throw new AppError('TEAM_NOT_FOUND', 'The team of this rule does not exist.');
    const r = await tx.routing.insertRule({ id: deps.ids.uuid(), workspaceId: ctx.workspaceId, ...input, createdAt: now, updatedAt: now });
    await recordAudit(tx, ctx, now, 'routing.rule.created', { type: 'routing_rule', id: r.id }, { ...input });
    return r;
  });
}

export async function deleteRoutingRule(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'workspace:manage');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const r = await tx.routing.findRule(ctx.workspaceId, id);
    if (!r) throw new AppError('ROUTING_RULE_NOT_FOUND', 'Routing rule not found.');
    await tx.routing.deleteRule(ctx.workspaceId, id);
    await recordAudit(tx, ctx, now, 'routing.rule.deleted', { type: 'routing_rule', id }, { name: r.name });
  });
}

export async function getTeamRouting(deps: Deps, ctx: Ctx, teamId: string): Promise<TeamRouting> {
  authorize(ctx.actor, 'teams:read');
  if (!(await deps.store.teams.findById(ctx.workspaceId, teamId))) throw new AppError('TEAM_NOT_FOUND', 'Team not found.');
  return (await deps.store.routing.teamRouting(ctx.workspaceId, teamId)) ?? defaultTeamRouting(ctx.workspaceId, teamId, new Date(0));
}

export async function updateTeamRouting(deps: Deps, ctx: Ctx, teamId: string, input: UpdateTeamRoutingInput): Promise<TeamRouting> {
  authorize(ctx.actor, 'teams:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    if (!(await tx.teams.findById(ctx.workspaceId, teamId))) throw new AppError('TEAM_NOT_FOUND', 'Team not found.');
    if (input.skillId && !(await tx.skills.findById(ctx.workspaceId, input.skillId))) throw new AppError('SKILL_NOT_FOUND', 'Skill not found.');
    if (input.overflowTeamId) {
      if (input.overflowTeamId === teamId) throw new AppError('VALIDATION_FAILED', 'A team cannot overflow to itself.', { issues: [{ path: ['overflowTeamId'], message: 'same team' }] });
      if (!(await tx.teams.findById(ctx.workspaceId, input.overflowTeamId))) throw new AppError('TEAM_NOT_FOUND', 'The overflow team does not exist.');
    }
    const before = (await tx.routing.teamRouting(ctx.workspaceId, teamId)) ?? defaultTeamRouting(ctx.workspaceId, teamId, now);
    const saved = await tx.routing.saveTeamRouting({ ...before, ...input, updatedAt: now });
    await recordEvent(tx, ctx, now, 'team', teamId, 'team.routing_updated', { from: { mode: before.mode, skillId: before.skillId }, to: input });
    await recordAudit(tx, ctx, now, 'team.routing_updated', { type: 'team', id: teamId }, { ...input });
    return saved;
  });
}

export function defaultTeamRouting(workspaceId: string, teamId: string, at: Date): TeamRouting {
  return { teamId, workspaceId, mode: 'skills', skillId: null, reassignWhenAway: true, overflowTeamId: null, overflowAfterMinutes: null, updatedAt: at };
}

async function staffUser(deps: Deps, ctx: Ctx, userId: string) {
  const u = await deps.store.users.findById(ctx.workspaceId, userId);
  if (!u || u.role === 'customer') throw new AppError('USER_NOT_FOUND', 'User not found.');
  return u;
}

export async function getAvailability(deps: Deps, ctx: Ctx, userId: string): Promise<AgentAvailability> {
  authorize(ctx.actor, 'users:read');
  await staffUser(deps, ctx, userId);
  return (await deps.store.routing.availability(ctx.workspaceId, userId)) ?? { userId, workspaceId: ctx.workspaceId, status: 'online', outOfOfficeUntil: null, workingHours: null, lastAssignedAt: null, updatedAt: new Date(0) };
}

/** An agent sets their own availability; admins anyone's. */
export async function updateAvailability(deps: Deps, ctx: Ctx, userId: string, input: UpdateAvailabilityInput): Promise<AgentAvailability> {
  if (ctx.actor.role === 'customer') throw new AppError('FORBIDDEN', 'Customers have no availability.');
  // Someone of another workspace is not found, before any question of rights.
  await staffUser(deps, ctx, userId);
  if (ctx.actor.userId !== userId) authorize(ctx.actor, 'users:manage');
  const now = deps.clock.now();
  const before = await getAvailability(deps, ctx, userId);
  return deps.store.transaction(async (tx) => {
    const saved = await tx.routing.saveAvailability({
      ...before,
      ...(input.status ? { status: input.status } : {}),
      ...('outOfOfficeUntil' in input ? { outOfOfficeUntil: input.outOfOfficeUntil ? new Date(input.outOfOfficeUntil) : null } : {}),
      ...('workingHours' in input ? { workingHours: input.workingHours ?? null } : {}),
      updatedAt: now,
    });
    await recordEvent(tx, ctx, now, 'user', userId, 'user.availability_changed', { status: saved.status, outOfOfficeUntil: saved.outOfOfficeUntil?.toISOString() ?? null });
    const away = saved.status === 'offline' || (saved.outOfOfficeUntil !== null && saved.outOfOfficeUntil > now);
    if (away) await tx.jobs.enqueue(reassignJob(ctx.workspaceId, userId, now), now);
    return saved;
  });
}

/** The routing decision of a ticket (staff only: customers do not see how tickets are dispatched). */
export async function getTicketRouting(deps: Deps, ctx: Ctx, ticketId: string): Promise<TicketRouting> {
  if (ctx.actor.role === 'customer') throw new AppError('TICKET_NOT_FOUND', 'Ticket not found.');
  authorize(ctx.actor, 'tickets:read_all');
  const ticket = await deps.store.tickets.findById(ctx.workspaceId, ticketId);
  if (!ticket) throw new AppError('TICKET_NOT_FOUND', 'Ticket not found.');
  const r = await deps.store.routing.findTicketRouting(ctx.workspaceId, ticketId);
  if (!r) throw new AppError('NOT_FOUND', 'This ticket has not been routed yet.');
  return r;
}

export async function listTriageQueue(deps: Deps, ctx: Ctx, limit: number): Promise<TicketRouting[]> {
  authorize(ctx.actor, 'tickets:read_all');
  return deps.store.routing.triageQueue(ctx.workspaceId, limit);
}

/**
 * A person decides the team (and optionally the agent) of a ticket. The ticket's team is what the
 * next training learns from, so the decision becomes training data once the ticket is resolved.
 */
export async function decideTriage(deps: Deps, ctx: Ctx, ticketId: string, input: TriageDecisionInput): Promise<TicketRouting> {
  authorize(ctx.actor, 'tickets:update');
  const ws = ctx.workspaceId;
  const now = deps.clock.now();
  const decided = await deps.store.transaction(async (tx) => {
    const ticket = await tx.tickets.lock(ws, ticketId);
    if (!ticket) throw new AppError('TICKET_NOT_FOUND', 'Ticket not found.');
    const team = await tx.teams.findById(ws, input.teamId);
    if (!team) throw new AppError('TEAM_NOT_FOUND', 'Team not found.');
    if (input.assigneeId) await checkAssignee(tx, ws, input.assigneeId, team.id);
    const before = await tx.routing.findTicketRouting(ws, ticketId);
    const patch = {
      teamId: team.id,
      ...(input.assigneeId ? { assigneeId: input.assigneeId, ...(ticket.status === 'new' ? { status: 'open' as const } : {}) } : {}),
    };
    await tx.tickets.update(ws, ticketId, patch, now);
    const who = ctx.actor.name ?? '';
    const r: TicketRouting = {
      ticketId,
      workspaceId: ws,
      state: input.assigneeId ? 'assigned' : 'triaged',
      teamId: team.id,
      teamSource: 'triage',
      confidence: before?.confidence ?? null,
      predictions: before?.predictions ?? {},
      assigneeId: input.assigneeId ?? null,
      firstAssigneeId: input.assigneeId ?? null,
      ruleId: null,
      modelVersion: before?.modelVersion ?? null,
      explanationEn: `Team ${team.name} (chosen at triage by ${who}).`,
      explanationFr: `Équipe ${team.name} (choisie au tri par ${who}).`,
      queuedAt: null,
      decidedAt: now,
    };
    await tx.routing.saveTicketRouting(r);
    await recordEvent(tx, ctx, now, 'ticket', ticketId, 'ticket.triaged', { teamId: team.id, assigneeId: input.assigneeId ?? null, predicted: before?.predictions ?? {} });
    return { r, assign: !input.assigneeId };
  });
  if (!decided.assign) return decided.r;
  // No agent given: the team's mode picks one (the decision is kept as 'triaged' source).
  const settings = routingSettingsOf(ws, await deps.store.routing.settings(ws));
  if (!settings.autoAssign) return decided.r;
  await deps.store.routing.saveTicketRouting({ ...decided.r, state: 'queued', queuedAt: now });
  return (await routeTicket(deps, { workspaceId: ws, ticketId })) ?? decided.r;
}
