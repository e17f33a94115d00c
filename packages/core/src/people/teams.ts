import type { CreateTeamInput, SetTeamMembersInput, UpdateTeamInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { decodeCursor, toPage } from '../shared/cursor.ts';
import { recordAudit, recordEvent } from '../shared/record.ts';
import { authorize } from '../identity/permissions.ts';
import type { Team, TeamMember } from './types.ts';

export interface TeamView {
  team: Team;
  members: TeamMember[];
}

async function load(deps: Deps, ctx: Ctx, id: string): Promise<TeamView> {
  const team = await deps.store.teams.findById(ctx.workspaceId, id);
  if (!team) throw new AppError('TEAM_NOT_FOUND', 'Team not found.');
  return { team, members: await deps.store.teams.membersOf(ctx.workspaceId, [id]) };
}

export async function createTeam(deps: Deps, ctx: Ctx, input: CreateTeamInput): Promise<TeamView> {
  authorize(ctx.actor, 'teams:manage');
  const now = deps.clock.now();
  const team = await deps.store.transaction(async (tx) => {
    const t = await tx.teams.insert({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      name: input.name,
      description: input.description ?? null,
      createdAt: now,
      updatedAt: now,
    });
    await recordEvent(tx, ctx, now, 'team', t.id, 'team.created', { name: t.name });
    await recordAudit(tx, ctx, now, 'team.created', { type: 'team', id: t.id }, { name: t.name });
    return t;
  });
  return { team, members: [] };
}

export async function getTeam(deps: Deps, ctx: Ctx, id: string): Promise<TeamView> {
  authorize(ctx.actor, 'teams:read');
  return load(deps, ctx, id);
}

export async function updateTeam(deps: Deps, ctx: Ctx, id: string, input: UpdateTeamInput): Promise<TeamView> {
  authorize(ctx.actor, 'teams:manage');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const before = await tx.teams.findById(ctx.workspaceId, id);
    if (!before) throw new AppError('TEAM_NOT_FOUND', 'Team not found.');
    await tx.teams.update(ctx.workspaceId, id, { ...input, updatedAt: now });
    await recordEvent(tx, ctx, now, 'team', id, 'team.updated', { from: { name: before.name, description: before.description }, to: input });
    await recordAudit(tx, ctx, now, 'team.updated', { type: 'team', id }, { ...input });
  });
  return load(deps, ctx, id);
}

export async function deleteTeam(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'teams:manage');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const team = await tx.teams.findById(ctx.workspaceId, id);
    if (!team) throw new AppError('TEAM_NOT_FOUND', 'Team not found.');
    // Tickets of the team go back to no team (the foreign key does it); the event keeps the name.
    await tx.teams.delete(ctx.workspaceId, id);
    await recordEvent(tx, ctx, now, 'team', id, 'team.deleted', { name: team.name });
    await recordAudit(tx, ctx, now, 'team.deleted', { type: 'team', id }, { name: team.name });
  });
}

export async function listTeams(deps: Deps, ctx: Ctx, q: { limit: number; cursor?: string | undefined }) {
  authorize(ctx.actor, 'teams:read');
  const rows = await deps.store.teams.list(ctx.workspaceId, {
    limit: q.limit + 1,
    ...(q.cursor ? { after: decodeCursor(q.cursor, 'name', 'asc') } : {}),
  });
  const page = toPage(rows, q.limit, (t) => ({ sort: 'name', order: 'asc', value: t.name, id: t.id }));
  const members = page.items.length ? await deps.store.teams.membersOf(ctx.workspaceId, page.items.map((t) => t.id)) : [];
  return {
    items: page.items.map((team) => ({ team, members: members.filter((m) => m.teamId === team.id) })),
    nextCursor: page.nextCursor,
  };
}

export async function setTeamMembers(deps: Deps, ctx: Ctx, id: string, input: SetTeamMembersInput): Promise<TeamView> {
  authorize(ctx.actor, 'teams:manage');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    if (!(await tx.teams.findById(ctx.workspaceId, id))) throw new AppError('TEAM_NOT_FOUND', 'Team not found.');
    const ids = [...new Set(input.members.map((m) => m.userId))];
    if (ids.length !== input.members.length) {
      throw new AppError('VALIDATION_FAILED', 'Each member may appear once.', { issues: [{ path: ['members'], message: 'duplicate member' }] });
    }
    for (const userId of ids) {
      const u = await tx.users.findById(ctx.workspaceId, userId);
      if (!u || u.role === 'customer') throw new AppError('USER_NOT_FOUND', `User ${userId} not found.`, { userId });
    }
    const before = await tx.teams.membersOf(ctx.workspaceId, [id]);
    await tx.teams.setMembers(ctx.workspaceId, id, input.members);
    const data = { from: before.map(({ userId, isLead }) => ({ userId, isLead })), to: input.members };
    await recordEvent(tx, ctx, now, 'team', id, 'team.members_set', data);
    await recordAudit(tx, ctx, now, 'team.members_set', { type: 'team', id }, data);
  });
  return load(deps, ctx, id);
}
