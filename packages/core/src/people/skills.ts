import type { CreateSkillInput, UpdateSkillInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { decodeCursor, toPage } from '../shared/cursor.ts';
import { recordAudit, recordEvent } from '../shared/record.ts';
import { authorize } from '../identity/permissions.ts';
import type { Skill } from './types.ts';

export async function createSkill(deps: Deps, ctx: Ctx, input: CreateSkillInput): Promise<Skill> {
  authorize(ctx.actor, 'skills:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const s = await tx.skills.insert({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      name: input.name,
      description: input.description ?? null,
      createdAt: now,
      updatedAt: now,
    });
    await recordEvent(tx, ctx, now, 'skill', s.id, 'skill.created', { name: s.name });
    await recordAudit(tx, ctx, now, 'skill.created', { type: 'skill', id: s.id }, { name: s.name });
    return s;
  });
}

export async function getSkill(deps: Deps, ctx: Ctx, id: string): Promise<Skill> {
  authorize(ctx.actor, 'skills:read');
  const s = await deps.store.skills.findById(ctx.workspaceId, id);
  if (!s) throw new AppError('SKILL_NOT_FOUND', 'Skill not found.');
  return s;
}

export async function updateSkill(deps: Deps, ctx: Ctx, id: string, input: UpdateSkillInput): Promise<Skill> {
  authorize(ctx.actor, 'skills:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const before = await tx.skills.findById(ctx.workspaceId, id);
    if (!before) throw new AppError('SKILL_NOT_FOUND', 'Skill not found.');
    const s = await tx.skills.update(ctx.workspaceId, id, { ...input, updatedAt: now });
    await recordEvent(tx, ctx, now, 'skill', id, 'skill.updated', { from: { name: before.name }, to: input });
    await recordAudit(tx, ctx, now, 'skill.updated', { type: 'skill', id }, { ...input });
    return s;
  });
}

export async function deleteSkill(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'skills:manage');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const s = await tx.skills.findById(ctx.workspaceId, id);
    if (!s) throw new AppError('SKILL_NOT_FOUND', 'Skill not found.');
    await tx.skills.delete(ctx.workspaceId, id);
    await recordEvent(tx, ctx, now, 'skill', id, 'skill.deleted', { name: s.name });
    await recordAudit(tx, ctx, now, 'skill.deleted', { type: 'skill', id }, { name: s.name });
  });
}

export async function listSkills(deps: Deps, ctx: Ctx, q: { limit: number; cursor?: string | undefined }) {
  authorize(ctx.actor, 'skills:read');
  const rows = await deps.store.skills.list(ctx.workspaceId, {
    limit: q.limit + 1,
    ...(q.cursor ? { after: decodeCursor(q.cursor, 'name', 'asc') } : {}),
  });
  return toPage(rows, q.limit, (s) => ({ sort: 'name', order: 'asc', value: s.name, id: s.id }));
}
