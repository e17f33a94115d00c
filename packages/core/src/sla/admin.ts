/**
 * Admin use-cases for business calendars and SLA policies. Staff read them; admins change them.
 * A change that moves deadlines (a calendar's hours, a policy's targets or order) asks for a
 * recompute of the open tickets' clocks, in the same transaction (job `sla.recompute`).
 */
import type {
  CreateBusinessCalendarInput,
  CreateSlaPolicyInput,
  ImportHolidaysInput,
  UpdateBusinessCalendarInput,
  UpdateSlaPolicyInput,
} from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit } from '../shared/record.ts';
import { authorize } from '../identity/permissions.ts';
import { reorderRules } from '../shared/order.ts';
import { calendarProblems, type Holiday } from './calendar.ts';
import { importIcal } from './ical.ts';
import { isValidTimeZone } from './zones.ts';
import type { BusinessCalendarRecord, SlaPolicy } from './types.ts';

export const SLA_RECOMPUTE_JOB = 'sla.recompute';

function checkCalendar(c: Pick<BusinessCalendarRecord, 'timeZone' | 'weekly' | 'holidays' | 'specialDays'>): void {
  const problems = calendarProblems(c, isValidTimeZone);
  if (problems.length) {
    throw new AppError('VALIDATION_FAILED', `Invalid calendar: ${problems[0]![0]}: ${problems[0]![1]}`, {
      issues: problems.map(([path, message]) => ({ in: 'body', path: path.split('.'), message })),
    });
  }
}

async function checkTeam(tx: Repositories, ws: string, teamId: string | null | undefined): Promise<void> {
  if (teamId && !(await tx.teams.findById(ws, teamId))) throw new AppError('TEAM_NOT_FOUND', 'The team does not exist.');
}

export async function queueSlaRecompute(tx: Repositories, ctx: Ctx, now: Date, reason: string): Promise<void> {
  await tx.jobs.enqueue({ type: SLA_RECOMPUTE_JOB, payload: { workspaceId: ctx.workspaceId, reason }, workspaceId: ctx.workspaceId, maxAttempts: 5 }, now);
}

export async function listBusinessCalendars(deps: Deps, ctx: Ctx): Promise<BusinessCalendarRecord[]> {
  authorize(ctx.actor, 'sla:read');
  return deps.store.businessCalendars.list(ctx.workspaceId);
}

export async function getBusinessCalendar(deps: Deps, ctx: Ctx, id: string): Promise<BusinessCalendarRecord> {
  authorize(ctx.actor, 'sla:read');
  const c = await deps.store.businessCalendars.findById(ctx.workspaceId, id);
  if (!c) throw new AppError('CALENDAR_NOT_FOUND', 'Business calendar not found.');
  return c;
}

export async function createBusinessCalendar(deps: Deps, ctx: Ctx, input: CreateBusinessCalendarInput): Promise<BusinessCalendarRecord> {
  authorize(ctx.actor, 'sla:manage');
  const now = deps.clock.now();
  const rec: BusinessCalendarRecord = {
    id: deps.ids.uuid(),
    workspaceId: ctx.workspaceId,
    name: input.name,
    teamId: input.teamId,
    isDefault: false,
    timeZone: input.timeZone,
    weekly: input.weekly,
    holidays: input.holidays,
    specialDays: input.specialDays,
    createdAt: now,
    updatedAt: now,
  };
  checkCalendar(rec);
  return deps.store.transaction(async (tx) => {
    await checkTeam(tx, ctx.workspaceId, input.teamId);
    let c = await tx.businessCalendars.insert(rec);
    if (input.isDefault) {
      await tx.businessCalendars.setDefault(ctx.workspaceId, c.id);
      c = { ...c, isDefault: true };
    }
    await recordAudit(tx, ctx, now, 'business_calendar.created', { type: 'business_calendar', id: c.id }, { name: c.name, teamId: c.teamId, isDefault: c.isDefault });
    // A new team or default calendar changes which hours open tickets run on.
    if (c.teamId || c.isDefault) await queueSlaRecompute(tx, ctx, now, 'calendar created');
    return c;
  });
}

export async function updateBusinessCalendar(deps: Deps, ctx: Ctx, id: string, input: UpdateBusinessCalendarInput): Promise<BusinessCalendarRecord> {
  authorize(ctx.actor, 'sla:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const before = await tx.businessCalendars.findById(ctx.workspaceId, id);
    if (!before) throw new AppError('CALENDAR_NOT_FOUND', 'Business calendar not found.');
    const { isDefault, ...rest } = input;
    const next = { ...before, ...rest };
    checkCalendar(next);
    if (rest.teamId !== undefined) await checkTeam(tx, ctx.workspaceId, rest.teamId);
    let c = await tx.businessCalendars.update(ctx.workspaceId, id, { ...rest, updatedAt: now });
    if (isDefault !== undefined && isDefault !== before.isDefault) {
      await tx.businessCalendars.setDefault(ctx.workspaceId, isDefault ? id : null);
      c = { ...c, isDefault };
    }
    await recordAudit(tx, ctx, now, 'business_calendar.updated', { type: 'business_calendar', id }, { fields: Object.keys(input) });
    await queueSlaRecompute(tx, ctx, now, 'calendar changed');
    return c;
  });
}

export async function deleteBusinessCalendar(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'sla:manage');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const c = await tx.businessCalendars.findById(ctx.workspaceId, id);
    if (!c) throw new AppError('CALENDAR_NOT_FOUND', 'Business calendar not found.');
    const users = (await tx.slaPolicies.list(ctx.workspaceId)).filter((p) => p.calendarId === id);
    if (users.length) {
      throw new AppError('CALENDAR_IN_USE', `SLA policies use this calendar: ${users.map((p) => p.name).join(', ')}. Change them first.`, { policyIds: users.map((p) => p.id) });
    }
    await tx.businessCalendars.delete(ctx.workspaceId, id);
    await recordAudit(tx, ctx, now, 'business_calendar.deleted', { type: 'business_calendar', id }, { name: c.name });
    await queueSlaRecompute(tx, ctx, now, 'calendar deleted');
  });
}

/** Add (or replace) a calendar's holidays from an iCalendar file; what could not be read is listed. */
export async function importHolidays(deps: Deps, ctx: Ctx, id: string, input: ImportHolidaysInput) {
  authorize(ctx.actor, 'sla:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const before = await tx.businessCalendars.findById(ctx.workspaceId, id);
    if (!before) throw new AppError('CALENDAR_NOT_FOUND', 'Business calendar not found.');
    const read = importIcal(input.ical, before.timeZone);
    if (read.holidays.length === 0 && read.skipped.some((s) => s.summary === '')) {
      throw new AppError('VALIDATION_FAILED', read.skipped[0]!.reason, { issues: [{ in: 'body', path: ['ical'], message: read.skipped[0]!.reason }] });
    }
    const key = (h: Holiday) => JSON.stringify([h.date, h.name, h.yearly, h.closed ?? null]);
    const base = input.mode === 'replace' ? [] : before.holidays;
    const seen = new Set(base.map(key));
    const added = read.holidays.filter((h) => !seen.has(key(h)) && seen.add(key(h)));
    const holidays = [...base, ...added];
    if (holidays.length > 2000) throw new AppError('VALIDATION_FAILED', 'A calendar holds at most 2000 holidays.', { issues: [{ in: 'body', path: ['ical'], message: 'too many holidays' }] });
    const c = await tx.businessCalendars.update(ctx.workspaceId, id, { holidays, updatedAt: now });
    await recordAudit(tx, ctx, now, 'business_calendar.holidays_imported', { type: 'business_calendar', id }, { added: added.length, skipped: read.skipped.length, mode: input.mode });
    await queueSlaRecompute(tx, ctx, now, 'holidays imported');
    return { calendar: c, added: added.length, skipped: read.skipped };
  });
}

export async function listSlaPolicies(deps: Deps, ctx: Ctx): Promise<SlaPolicy[]> {
  authorize(ctx.actor, 'sla:read');
  return deps.store.slaPolicies.list(ctx.workspaceId);
}

export async function getSlaPolicy(deps: Deps, ctx: Ctx, id: string): Promise<SlaPolicy> {
  authorize(ctx.actor, 'sla:read');
  const p = await deps.store.slaPolicies.findById(ctx.workspaceId, id);
  if (!p) throw new AppError('SLA_POLICY_NOT_FOUND', 'SLA policy not found.');
  return p;
}

async function checkPolicyRefs(tx: Repositories, ws: string, p: Partial<Pick<SlaPolicy, 'calendarId' | 'conditions'>>): Promise<void> {
  if (p.calendarId && !(await tx.businessCalendars.findById(ws, p.calendarId))) throw new AppError('CALENDAR_NOT_FOUND', 'The business calendar does not exist.');
  for (const teamId of p.conditions?.teamIds ?? []) await checkTeam(tx, ws, teamId);
}

export async function createSlaPolicy(deps: Deps, ctx: Ctx, input: CreateSlaPolicyInput): Promise<SlaPolicy> {
  authorize(ctx.actor, 'sla:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    await checkPolicyRefs(tx, ctx.workspaceId, input);
    const existing = await tx.slaPolicies.list(ctx.workspaceId);
    const p = await tx.slaPolicies.insert({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      name: input.name,
      description: input.description,
      position: input.position ?? Math.max(-1, ...existing.map((x) => x.position)) + 1,
      enabled: input.enabled,
      conditions: input.conditions,
      calendarId: input.calendarId,
      targets: input.targets,
      pauseStatuses: input.pauseStatuses,
      warnings: input.warnings,
      createdAt: now,
      updatedAt: now,
    });
    await recordAudit(tx, ctx, now, 'sla_policy.created', { type: 'sla_policy', id: p.id }, { name: p.name, position: p.position });
    await queueSlaRecompute(tx, ctx, now, 'policy created');
    return p;
  });
}

export async function updateSlaPolicy(deps: Deps, ctx: Ctx, id: string, input: UpdateSlaPolicyInput): Promise<SlaPolicy> {
  authorize(ctx.actor, 'sla:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    if (!(await tx.slaPolicies.findById(ctx.workspaceId, id))) throw new AppError('SLA_POLICY_NOT_FOUND', 'SLA policy not found.');
    await checkPolicyRefs(tx, ctx.workspaceId, input);
    const p = await tx.slaPolicies.update(ctx.workspaceId, id, { ...input, updatedAt: now });
    await recordAudit(tx, ctx, now, 'sla_policy.updated', { type: 'sla_policy', id }, { fields: Object.keys(input) });
    await queueSlaRecompute(tx, ctx, now, 'policy changed');
    return p;
  });
}

/** Put the policies in a new order (every id once); open tickets' clocks are recomputed once. */
export async function reorderSlaPolicies(deps: Deps, ctx: Ctx, ids: string[]): Promise<SlaPolicy[]> {
  authorize(ctx.actor, 'sla:manage');
  return reorderRules(deps, ctx, ids, {
    store: (tx) => tx.slaPolicies,
    audit: 'sla_policy.reordered',
    changed: (tx, now) => queueSlaRecompute(tx, ctx, now, 'policies reordered'),
  });
}

export async function deleteSlaPolicy(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'sla:manage');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const p = await tx.slaPolicies.findById(ctx.workspaceId, id);
    if (!p) throw new AppError('SLA_POLICY_NOT_FOUND', 'SLA policy not found.');
    await tx.slaPolicies.delete(ctx.workspaceId, id);
    await recordAudit(tx, ctx, now, 'sla_policy.deleted', { type: 'sla_policy', id }, { name: p.name });
    await queueSlaRecompute(tx, ctx, now, 'policy deleted');
  });
}
