import type { UpdateTicketInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordEvent } from '../shared/record.ts';
import { loadReadableTicket, type TicketRef } from './access.ts';
import { checkAssignee } from './assignment.ts';
import { drainJob } from '../routing/route-ticket.ts';
import { ticketAccess, type TicketAccess } from './policy.ts';
import { checkStatusChange, diffTicket, normalizeTags, statusTimestamps, validateCustomFields } from './rules.ts';
import type { TicketPatch, TicketView } from './types.ts';
import { slaOnTicketChanged } from '../sla/track.ts';
import { runTriggers } from '../triggers/run.ts';
import { notifyAssigned } from '../notifications/notify.ts';
import { checkTicketCategory } from './categories.ts';

export async function updateTicket(
  deps: Deps,
  ctx: Ctx,
  ref: TicketRef,
  input: UpdateTicketInput,
): Promise<{ ticket: TicketView; access: TicketAccess }> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const { ticket: seen, access } = await loadReadableTicket(deps, ctx, ref, tx);
    const current = await tx.tickets.lock(ctx.workspaceId, seen.id);
    if (!current) throw new AppError('TICKET_NOT_FOUND', `Ticket ${ref} not found.`);

    if (ctx.actor.role === 'customer') {
      // A customer may only mark their own request solved ("this is resolved, thanks").
      const keys = Object.keys(input).filter((k) => k !== 'version');
      if (!access.update || keys.length !== 1 || input.status !== 'solved') {
        throw new AppError('FORBIDDEN', 'Customers can only mark their own tickets as solved.');
      }
    } else if (current.status === 'closed') {
      throw new AppError('INVALID_STATUS_TRANSITION', 'This ticket is closed; open a follow-up ticket instead.');
    } else if (!access.update) {
      throw new AppError('FORBIDDEN', `Your role (${ctx.actor.role}) cannot change tickets.`);
    }
    if (input.version !== undefined && input.version !== current.version) {
      throw new AppError('VERSION_CONFLICT', 'Someone else changed this ticket since you loaded it; reload and try again.', {
        expectedVersion: input.version,
        currentVersion: current.version,
      });
    }

    const patch: TicketPatch = {};
    if (input.subject !== undefined) patch.subject = input.subject;
    if (input.priority !== undefined) patch.priority = input.priority;
    if (input.language !== undefined) patch.language = input.language;
    if (input.status !== undefined) {
      checkStatusChange(current.status, input.status);
      patch.status = input.status;
      Object.assign(patch, statusTimestamps(current, input.status, now));
    }
    if (input.teamId !== undefined && input.teamId !== current.teamId) {
      if (input.teamId && !(await tx.teams.findById(ctx.workspaceId, input.teamId))) {
        throw new AppError('TEAM_NOT_FOUND', 'The team does not exist.');
      }
      patch.teamId = input.teamId;
    }
    const teamId = patch.teamId !== undefined ? patch.teamId : current.teamId;
    if (input.assigneeId !== undefined && input.assigneeId !== current.assigneeId) {
      if (input.assigneeId) await checkAssignee(tx, ctx.workspaceId, input.assigneeId, teamId);
      patch.assigneeId = input.assigneeId;
      if (input.assigneeId && current.status === 'new' && input.status === undefined) patch.status = 'open';
    } else if (patch.teamId && current.assigneeId && input.assigneeId === undefined) {
      // Moving to a team the assignee is not part of hands the ticket to that team's queue.
      const teams = await tx.users.teamIdsOf(ctx.workspaceId, [current.assigneeId]);
      if (!teams.some((t) => t.teamId === patch.teamId)) patch.assigneeId = null;
    }
    if (input.requesterId !== undefined && input.requesterId !== current.requesterId) {
      const requester = await tx.users.findById(ctx.workspaceId, input.requesterId);
      if (!requester) throw new AppError('CUSTOMER_NOT_FOUND', 'The requester does not exist.');
      patch.requesterId = requester.id;
      patch.organizationId = requester.organizationId;
    }
    if (input.categoryId !== undefined && input.categoryId !== current.categoryId) {
      if (input.categoryId) await checkTicketCategory(tx, ctx, input.categoryId);
      patch.categoryId = input.categoryId;
    }
    if (input.tags !== undefined || input.addTags !== undefined || input.removeTags !== undefined) {
      let tags = input.tags !== undefined ? normalizeTags(input.tags) : current.tags;
      if (input.addTags) tags = normalizeTags([...tags, ...input.addTags]);
      if (input.removeTags) {
        const drop = new Set(normalizeTags(input.removeTags));
        tags = tags.filter((t) => !drop.has(t));
      }
      if (tags.length > 50) throw new AppError('VALIDATION_FAILED', 'A ticket holds at most 50 tags.', { issues: [{ path: ['tags'], message: 'too many tags' }] });
      patch.tags = tags;
    }
    const solving = patch.status === 'solved' || patch.status === 'closed';
    if (input.customFields !== undefined || solving) {
      const defs = await tx.customFields.list(ctx.workspaceId);
      patch.customFields = validateCustomFields(defs, input.customFields ?? {}, {
        requireAll: solving && ctx.actor.role !== 'customer',
        current: current.customFields,
      });
    }

    const changes = diffTicket(current, patch);
    if (Object.keys(changes).length === 0) {
      return { ticket: seen, access };
    }
    const changed: TicketPatch = Object.fromEntries(Object.keys(changes).map((k) => [k, patch[k as keyof TicketPatch]]));
    const updated = await tx.tickets.update(ctx.workspaceId, current.id, changed, now);
    await recordEvent(tx, ctx, now, 'ticket', current.id, 'ticket.updated', { changes });
    await slaOnTicketChanged(tx, ctx, current, updated, null, now);
    const final = await runTriggers(deps, tx, ctx, { event: 'ticket.updated', ticket: updated, before: current }, now);
    await notifyAssigned(deps, tx, current, updated, { id: ctx.actor.userId, name: ctx.actor.name }, now);
    // A seat freed (solved, closed, handed over, by the change or by a trigger): queued tickets of
    // the team are given out now.
    if (current.assigneeId && (final.assigneeId !== current.assigneeId || final.status === 'solved' || final.status === 'closed')) {
      await tx.jobs.enqueue(drainJob(ctx.workspaceId, now), now);
    }
    const view: TicketView = { ...final, requester: seen.requester };
    if (patch.requesterId) {
      const r = await tx.users.findById(ctx.workspaceId, patch.requesterId);
      if (r) view.requester = { id: r.id, name: r.name, email: r.email };
    }
    return { ticket: view, access: ticketAccess(ctx.actor, view, false) };
  });
}
