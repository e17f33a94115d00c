/**
 * Macros: reply templates with placeholders and optional ticket changes. Every staff member keeps
 * their own; admins manage the shared ones everyone uses. A personal macro of someone else
 * answers 404; a shared one may be read by all and changed by admins only.
 */
import type { CreateMacroInput, MacroActions, UpdateMacroInput, UpdateTicketInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import type { Actor, Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordEvent } from '../shared/record.ts';
import { can } from '../identity/permissions.ts';
import { checkAssignee } from '../tickets/assignment.ts';
import { loadReadableTicket, type TicketRef } from '../tickets/access.ts';
import { updateTicket } from '../tickets/update-ticket.ts';
import type { Macro } from './types.ts';
import { chooseMacroBody, hasStrayBraces, macroLanguageOf, placeholderValues, renderPlaceholders, unknownPlaceholders } from './render.ts';

/** Enough for a personal style guide; a runaway script cannot fill the picker. */
export const MAX_MACROS_PER_USER = 500;

export function macroAccess(actor: Actor, m: Macro): { read: boolean; update: boolean } {
  const own = !!actor.userId && m.ownerId === actor.userId;
  return { read: m.shared || own, update: m.shared ? actor.role === 'admin' : own };
}

function staffOnly(actor: Actor): string {
  if (!can(actor, 'tickets:read_all') || !actor.userId) throw new AppError('FORBIDDEN', `Your role (${actor.role}) has no macros.`);
  return actor.userId;
}

function shareAllowed(actor: Actor, shared: boolean | undefined): void {
  if (shared && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins share macros with the workspace.');
}

/** Unknown placeholders and broken braces are refused when a macro is saved, with the names at fault. */
export function macroBodyIssues(bodies: { bodyEn?: string | null | undefined; bodyFr?: string | null | undefined }): Array<{ path: string[]; message: string }> {
  const issues: Array<{ path: string[]; message: string }> = [];
  for (const key of ['bodyEn', 'bodyFr'] as const) {
    const body = bodies[key];
    if (!body) continue;
    const unknown = unknownPlaceholders(body);
    if (unknown.length) issues.push({ path: [key], message: `unknown placeholder${unknown.length > 1 ? 's' : ''}: ${unknown.map((u) => `{{${u}}}`).join(', ')}` });
    else if (hasStrayBraces(body)) issues.push({ path: [key], message: 'unbalanced braces: a placeholder is written {{name}}' });
  }
  return issues;
}

async function checkMacro(tx: Repositories, ctx: Ctx, m: { bodyEn: string | null; bodyFr: string | null; actions: MacroActions }): Promise<void> {
  const issues = macroBodyIssues(m);
  if (!m.bodyEn?.trim() && !m.bodyFr?.trim()) issues.push({ path: ['bodyEn'], message: 'a macro needs an English or a French body' });
  if (issues.length) throw new AppError('VALIDATION_FAILED', issues.map((i) => `${i.path[0]}: ${i.message}`).join('; '), { issues });
  const a = m.actions;
  if (a.teamId && !(await tx.teams.findById(ctx.workspaceId, a.teamId))) throw new AppError('TEAM_NOT_FOUND', "The macro's team does not exist.");
  if (a.assigneeId) await checkAssignee(tx, ctx.workspaceId, a.assigneeId, a.teamId ?? null);
}

async function loadReadable(repos: Repositories, ctx: Ctx, id: string): Promise<{ macro: Macro; update: boolean }> {
  const m = await repos.macros.findById(ctx.workspaceId, id);
  const access = m ? macroAccess(ctx.actor, m) : null;
  if (!m || !access!.read) throw new AppError('MACRO_NOT_FOUND', 'Macro not found.');
  return { macro: m, update: access!.update };
}

async function loadForUpdate(repos: Repositories, ctx: Ctx, id: string): Promise<Macro> {
  const { macro, update } = await loadReadable(repos, ctx, id);
  if (!update) throw new AppError('FORBIDDEN', macro.shared ? 'Only an admin changes a shared macro.' : 'Only its owner changes this macro.');
  return macro;
}

export async function listMacros(deps: Deps, ctx: Ctx, q: { q?: string | undefined; scope: 'all' | 'mine' | 'shared' }): Promise<Macro[]> {
  const userId = staffOnly(ctx.actor);
  return deps.store.macros.listVisible(ctx.workspaceId, userId, { scope: q.scope, ...(q.q ? { text: q.q } : {}) });
}

export async function getMacro(deps: Deps, ctx: Ctx, id: string): Promise<Macro> {
  staffOnly(ctx.actor);
  return (await loadReadable(deps.store, ctx, id)).macro;
}

export async function createMacro(deps: Deps, ctx: Ctx, input: CreateMacroInput): Promise<Macro> {
  const userId = staffOnly(ctx.actor);
  shareAllowed(ctx.actor, input.shared);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    await checkMacro(tx, ctx, input);
    if ((await tx.macros.countOwned(ctx.workspaceId, userId)) >= MAX_MACROS_PER_USER) {
      throw new AppError('VALIDATION_FAILED', `You have ${MAX_MACROS_PER_USER} macros already; delete one first.`);
    }
    const m = await tx.macros.insert({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      ownerId: userId,
      shared: input.shared,
      title: input.title,
      bodyEn: input.bodyEn?.trim() ? input.bodyEn : null,
      bodyFr: input.bodyFr?.trim() ? input.bodyFr : null,
      actions: input.actions,
      usageCount: 0,
      createdAt: now,
      updatedAt: now,
    });
    await recordEvent(tx, ctx, now, 'macro', m.id, 'macro.created', { title: m.title, shared: m.shared, actions: m.actions });
    return m;
  });
}

export async function updateMacro(deps: Deps, ctx: Ctx, id: string, input: UpdateMacroInput): Promise<Macro> {
  staffOnly(ctx.actor);
  shareAllowed(ctx.actor, input.shared);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const current = await loadForUpdate(tx, ctx, id);
    const blank = (b: string | null | undefined) => (b === undefined ? undefined : b?.trim() ? b : null);
    const patch = {
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.bodyEn !== undefined ? { bodyEn: blank(input.bodyEn)! } : {}),
      ...(input.bodyFr !== undefined ? { bodyFr: blank(input.bodyFr)! } : {}),
      ...(input.actions !== undefined ? { actions: input.actions } : {}),
      ...(input.shared !== undefined ? { shared: input.shared } : {}),
    };
    await checkMacro(tx, ctx, { ...current, ...patch });
    const m = await tx.macros.update(ctx.workspaceId, current.id, { ...patch, updatedAt: now });
    await recordEvent(tx, ctx, now, 'macro', m.id, 'macro.updated', { ...patch });
    return m;
  });
}

export async function deleteMacro(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  staffOnly(ctx.actor);
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const current = await loadForUpdate(tx, ctx, id);
    await tx.macros.delete(ctx.workspaceId, current.id);
    await recordEvent(tx, ctx, now, 'macro', current.id, 'macro.deleted', { title: current.title });
  });
}

/**
 * A macro's text for one ticket, rendered on the server: in the language asked for, else the
 * ticket's (the customer's), else the requester's, falling back to the body the macro has.
 */
export async function previewMacro(deps: Deps, ctx: Ctx, ref: TicketRef, macroId: string, input: { language?: 'en' | 'fr' | undefined }) {
  staffOnly(ctx.actor);
  const { ticket } = await loadReadableTicket(deps, ctx, ref);
  const { macro } = await loadReadable(deps.store, ctx, macroId);
  const [requester, organization, agent, workspace] = await Promise.all([
    deps.store.users.findById(ctx.workspaceId, ticket.requesterId),
    ticket.organizationId ? deps.store.organizations.findById(ctx.workspaceId, ticket.organizationId) : null,
    ctx.actor.userId ? deps.store.users.findById(ctx.workspaceId, ctx.actor.userId) : null,
    deps.store.workspaces.findById(ctx.workspaceId),
  ]);
  const wanted = input.language ?? macroLanguageOf(ticket.language) ?? macroLanguageOf(requester?.locale) ?? 'en';
  const { language, body } = chooseMacroBody(macro, wanted);
  const values = placeholderValues({
    customer: requester ? { name: requester.name, email: requester.email } : { name: ticket.requester.name, email: ticket.requester.email },
    organization,
    ticket,
    agent: agent ? { name: agent.name, email: agent.email } : null,
    workspace,
  });
  return { macroId: macro.id, language, body: renderPlaceholders(body, values), actions: macro.actions };
}

/** The ticket changes a macro's actions make, as a ticket update. */
export function macroTicketChanges(a: MacroActions): Partial<UpdateTicketInput> {
  return {
    ...(a.status !== undefined ? { status: a.status } : {}),
    ...(a.priority !== undefined ? { priority: a.priority } : {}),
    ...(a.addTags !== undefined ? { addTags: a.addTags } : {}),
    ...(a.teamId !== undefined ? { teamId: a.teamId } : {}),
    ...(a.assigneeId !== undefined ? { assigneeId: a.assigneeId } : {}),
  };
}

/**
 * Use a macro on a ticket: apply its actions (as a ticket update by the caller, with the usual
 * permission checks and history) and count the use. The web app calls it once the reply it
 * inserted the macro into is sent.
 */
export async function applyMacro(deps: Deps, ctx: Ctx, ref: TicketRef, macroId: string): Promise<{ macroId: string; usageCount: number; applied: MacroActions }> {
  staffOnly(ctx.actor);
  const { ticket } = await loadReadableTicket(deps, ctx, ref);
  const { macro } = await loadReadable(deps.store, ctx, macroId);
  const changes = macroTicketChanges(macro.actions);
  if (Object.keys(changes).length) await updateTicket(deps, ctx, ticket.id, changes as UpdateTicketInput);
  const now = deps.clock.now();
  const usageCount = await deps.store.transaction(async (tx) => {
    const n = await tx.macros.incrementUsage(ctx.workspaceId, macro.id);
    await recordEvent(tx, ctx, now, 'macro', macro.id, 'macro.used', { ticketId: ticket.id, changes });
    return n;
  });
  return { macroId: macro.id, usageCount, applied: macro.actions };
}
