import type { CreateUserInput, SetUserSkillsInput, StaffRole, UpdateUserInput, UserStatus } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { PageRequest } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { decodeCursor, toPage } from '../shared/cursor.ts';
import { recordAudit, recordEvent } from '../shared/record.ts';
import { authorize } from '../identity/permissions.ts';
import { changesOf } from './customers.ts';
import type { User, UserSkill } from './types.ts';

export interface StaffView {
  user: User;
  skills: UserSkill[];
  teamIds: string[];
}

async function withDetails(deps: Deps, workspaceId: string, users: User[]): Promise<StaffView[]> {
  const ids = users.map((u) => u.id);
  const [skills, teams] = ids.length
    ? await Promise.all([deps.store.users.skillsOf(workspaceId, ids), deps.store.users.teamIdsOf(workspaceId, ids)])
    : [[], []];
  return users.map((user) => ({
    user,
    skills: skills.filter((s) => s.userId === user.id),
    teamIds: teams.filter((t) => t.userId === user.id).map((t) => t.teamId),
  }));
}

export async function createUser(deps: Deps, ctx: Ctx, input: CreateUserInput): Promise<StaffView> {
  authorize(ctx.actor, 'users:manage');
  const now = deps.clock.now();
  const passwordHash = input.password ? await deps.passwords.hash(input.password) : null;
  const user = await deps.store.transaction(async (tx) => {
    const existing = await tx.users.findByEmail(ctx.workspaceId, input.email);
    if (existing) throw new AppError('EMAIL_TAKEN', `Someone in this workspace already uses ${input.email}.`);
    const created = await tx.users.insert({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      role: input.role,
      email: input.email,
      name: input.name,
      passwordHash,
      status: 'active',
      locale: input.locale,
      timeZone: input.timeZone,
      languages: input.languages,
      organizationId: null,
      phone: null,
      notes: null,
      capacity: input.capacity,
      createdAt: now,
      updatedAt: now,
      lastLoginAt: null,
    });
    await recordEvent(tx, ctx, now, 'user', created.id, 'user.created', { email: created.email, role: created.role });
    await recordAudit(tx, ctx, now, 'user.created', { type: 'user', id: created.id }, { email: created.email, role: created.role });
    return created;
  });
  return { user, skills: [], teamIds: [] };
}

async function findStaff(deps: Deps, ctx: Ctx, id: string): Promise<User> {
  const user = await deps.store.users.findById(ctx.workspaceId, id);
  if (!user || user.role === 'customer') throw new AppError('USER_NOT_FOUND', 'User not found.');
  return user;
}

export async function getUser(deps: Deps, ctx: Ctx, id: string): Promise<StaffView> {
  // Everyone may read their own profile; the directory is for staff.
  if (id !== ctx.actor.userId) authorize(ctx.actor, 'users:read');
  const user = await findStaff(deps, ctx, id);
  return (await withDetails(deps, ctx.workspaceId, [user]))[0]!;
}

export async function updateUser(deps: Deps, ctx: Ctx, id: string, input: UpdateUserInput): Promise<StaffView> {
  const self = id === ctx.actor.userId;
  const adminOnly = (['role', 'status', 'capacity', 'email'] as const).filter((k) => input[k] !== undefined);
  if (!self || adminOnly.length) authorize(ctx.actor, 'users:manage');
  if (self && input.password !== undefined) {
    // An admin may set a colleague's password; one's own takes the current one (POST /auth/password).
    throw new AppError('FORBIDDEN', 'Change your own password with POST /auth/password, which asks for the current one.');
  }
  const now = deps.clock.now();
  const { password, ...rest } = input;
  const passwordHash = password ? await deps.passwords.hash(password) : undefined;
  const user = await deps.store.transaction(async (tx) => {
    const before = await tx.users.findById(ctx.workspaceId, id);
    if (!before || before.role === 'customer') throw new AppError('USER_NOT_FOUND', 'User not found.');
    if (rest.email && rest.email !== before.email && (await tx.users.findByEmail(ctx.workspaceId, rest.email))) {
      throw new AppError('EMAIL_TAKEN', `Someone in this workspace already uses ${rest.email}.`);
    }
    const losesAdmin =
      before.role === 'admin' && ((rest.role && rest.role !== 'admin') || rest.status === 'suspended');
    if (losesAdmin && (await tx.users.countByRole(ctx.workspaceId, 'admin', 'active')) <= 1) {
      throw new AppError('LAST_ADMIN', 'This is the last active admin of the workspace; make someone else admin first.');
    }
    const updated = await tx.users.update(ctx.workspaceId, id, {
      ...rest,
      ...(passwordHash ? { passwordHash } : {}),
      updatedAt: now,
    });
    const changes = changesOf(before, input);
    await recordEvent(tx, ctx, now, 'user', id, 'user.updated', changes);
    if (!self || adminOnly.length || password) await recordAudit(tx, ctx, now, 'user.updated', { type: 'user', id }, changes);
    if (rest.status === 'suspended' || password) {
      // A suspended account or a new password ends every other open session and token.
      await tx.sessions.deleteForUser(ctx.workspaceId, id);
      if (rest.status === 'suspended') await tx.apiTokens.revokeForUser(ctx.workspaceId, id, now);
    }
    return updated;
  });
  return (await withDetails(deps, ctx.workspaceId, [user]))[0]!;
}

export async function listUsers(
  deps: Deps,
  ctx: Ctx,
  q: { limit: number; cursor?: string | undefined; role?: StaffRole | undefined; q?: string | undefined; teamId?: string | undefined; status?: UserStatus | undefined },
) {
  authorize(ctx.actor, 'users:read');
  const page: PageRequest = { limit: q.limit + 1 };
  if (q.cursor) page.after = decodeCursor(q.cursor, 'created_at', 'desc');
  const rows = await deps.store.users.list(
    ctx.workspaceId,
    {
      roles: q.role ? [q.role] : ['admin', 'agent', 'light_agent'],
      ...(q.q ? { text: q.q } : {}),
      ...(q.teamId ? { teamId: q.teamId } : {}),
      ...(q.status ? { status: q.status } : {}),
    },
    page,
  );
  const p = toPage(rows, q.limit, (u) => ({ sort: 'created_at', order: 'desc', value: u.createdAt.toISOString(), id: u.id }));
  return { items: await withDetails(deps, ctx.workspaceId, p.items), nextCursor: p.nextCursor };
}

export async function setUserSkills(deps: Deps, ctx: Ctx, id: string, input: SetUserSkillsInput): Promise<StaffView> {
  authorize(ctx.actor, 'skills:manage');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const user = await tx.users.findById(ctx.workspaceId, id);
    if (!user || user.role === 'customer') throw new AppError('USER_NOT_FOUND', 'User not found.');
    const ids = [...new Set(input.skills.map((s) => s.skillId))];
    if (ids.length !== input.skills.length) {
      throw new AppError('VALIDATION_FAILED', 'Each skill may appear once.', { issues: [{ path: ['skills'], message: 'duplicate skill' }] });
    }
    const found = await tx.skills.findByIds(ctx.workspaceId, ids);
    const missing = ids.filter((sid) => !found.some((f) => f.id === sid));
    if (missing.length) throw new AppError('SKILL_NOT_FOUND', `Unknown skill: ${missing.join(', ')}`, { missing });
    const before = await tx.users.skillsOf(ctx.workspaceId, [id]);
    await tx.users.setSkills(ctx.workspaceId, id, input.skills);
    const data = {
      from: before.map((s) => ({ skillId: s.skillId, proficiency: s.proficiency })),
      to: input.skills,
    };
    await recordEvent(tx, ctx, now, 'user', id, 'user.skills_set', data);
    await recordAudit(tx, ctx, now, 'user.skills_set', { type: 'user', id }, data);
  });
  return getUser(deps, ctx, id);
}
