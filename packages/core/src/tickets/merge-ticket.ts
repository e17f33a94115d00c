import type { MergeTicketInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordEvent } from '../shared/record.ts';
import { can } from '../identity/permissions.ts';
import { findTicketByRef, loadReadableTicket, type TicketRef } from './access.ts';
import { ticketAccess, type TicketAccess } from './policy.ts';
import { diffTicket, normalizeTags, statusTimestamps } from './rules.ts';
import type { Ticket, TicketPatch, TicketView } from './types.ts';
import { slaOnTicketChanged } from '../sla/track.ts';
import { drainJob } from '../routing/route-ticket.ts';
import { runTriggers } from '../triggers/run.ts';

/** How many merges deep a pointer is followed (a chain is at most as long as the merges made on it). */
const MAX_HOPS = 20;

/**
 * Follow `mergedIntoId` to the ticket that holds the conversation now (a merged ticket's mail,
 * links and merges go there). Returns the ticket itself when it was never merged.
 */
export async function followMerges<T extends Pick<Ticket, 'id' | 'mergedIntoId'>>(
  load: (id: string) => Promise<T | null>,
  ticket: T,
): Promise<T> {
  let t = ticket;
  for (let hop = 0; t.mergedIntoId && hop < MAX_HOPS; hop++) {
    const next = await load(t.mergedIntoId);
    if (!next) break;
    t = next;
  }
  return t;
}

function mergeNote(language: string, from: number, into: number, moved: number, side: 'source' | 'target'): string {
  if (language.startsWith('fr')) {
    const what = `Ticket #${from} fusionné dans #${into}`;
    return side === 'source' ? `${what} : sa conversation (${moved} message(s)) continue sur #${into}.` : `${what} : ${moved} message(s) de #${from} ajouté(s) à cette conversation.`;
  }
  const what = `Merged #${from} into #${into}`;
  return side === 'source' ? `${what}: its conversation (${moved} message(s)) continues on #${into}.` : `${what}: ${moved} message(s) from #${from} added to this conversation.`;
}

/**
 * Merge a ticket into another (Help Scout style): its messages MOVE to the target with their
 * authors, dates, attachments and email headers (one conversation, no copies to drift apart, and
 * replies threaded on their Message-IDs land on the target without more ado); the target takes
 * its followers, CCs and tags; the source is closed and points at the target (`mergedIntoId`),
 * with an internal note on both and a `ticket.merged` event on both. One transaction.
 */
export async function mergeTicket(
  deps: Deps,
  ctx: Ctx,
  ref: TicketRef,
  input: MergeTicketInput,
): Promise<{ source: TicketView; target: TicketView; access: { source: TicketAccess; target: TicketAccess }; movedMessages: number }> {
  const now = deps.clock.now();
  const actor = ctx.actor;
  return deps.store.transaction(async (tx) => {
    const { ticket: seen } = await loadReadableTicket(deps, ctx, ref, tx);
    if (!can(actor, 'tickets:update')) throw new AppError('FORBIDDEN', `Your role (${actor.role}) cannot merge tickets.`);
    if (seen.mergedIntoId) {
      throw new AppError('TICKET_ALREADY_MERGED', `Ticket #${seen.number} was already merged into another ticket.`, { mergedIntoId: seen.mergedIntoId });
    }
    const named = await findTicketByRef(tx, ctx.workspaceId, input.into);
    if (!named) throw new AppError('TICKET_NOT_FOUND', `Ticket ${input.into} not found.`);
    const goal = await followMerges((id) => tx.tickets.findById(ctx.workspaceId, id), named);
    if (goal.id === seen.id) throw new AppError('MERGE_INTO_SELF', 'A ticket cannot be merged into itself.', { ticketId: seen.id });

    // Both rows locked in id order, so two opposite merges at once wait for each other instead of deadlocking.
    const locked = new Map<string, Ticket>();
    for (const id of [seen.id, goal.id].sort()) {
      const t = await tx.tickets.lock(ctx.workspaceId, id);
      if (!t) throw new AppError('TICKET_NOT_FOUND', `Ticket ${id} not found.`);
      locked.set(id, t);
    }
    const source = locked.get(seen.id)!;
    const target = locked.get(goal.id)!;
    if (source.mergedIntoId) throw new AppError('TICKET_ALREADY_MERGED', `Ticket #${source.number} was already merged into another ticket.`, { mergedIntoId: source.mergedIntoId });
    if (target.mergedIntoId) throw new AppError('TICKET_ALREADY_MERGED', `Ticket #${target.number} was just merged into another ticket; try again.`, { mergedIntoId: target.mergedIntoId });
    if (source.status === 'closed') throw new AppError('INVALID_STATUS_TRANSITION', `Ticket #${source.number} is closed; closed tickets are not merged.`);
    if (target.status === 'closed') throw new AppError('MERGE_TARGET_CLOSED', `Ticket #${target.number} is closed and cannot take another conversation.`, { targetId: target.id });
    if (source.requesterId !== target.requesterId && !input.allowDifferentRequesters) {
      throw new AppError('MERGE_DIFFERENT_REQUESTERS', `Tickets #${source.number} and #${target.number} have different requesters; confirm with allowDifferentRequesters.`, {
        sourceRequesterId: source.requesterId,
        targetRequesterId: target.requesterId,
      });
    }

    const movedMessages = await tx.messages.moveToTicket(ctx.workspaceId, source.id, target.id);
    await takeOverPeople(tx, ctx.workspaceId, source, target, now);

    const workspace = await tx.workspaces.findById(ctx.workspaceId);
    const lang = target.language ?? workspace?.defaultLanguage ?? 'en';
    for (const [t, side] of [[target, 'target'], [source, 'source']] as const) {
      const note = await tx.messages.insert(
        {
          id: deps.ids.uuid(),
          workspaceId: ctx.workspaceId,
          ticketId: t.id,
          authorId: actor.userId,
          visibility: 'internal',
          channel: 'web',
          bodyText: mergeNote(lang, source.number, target.number, movedMessages, side),
          bodyHtml: null,
          createdAt: now,
        },
        [],
      );
      await recordEvent(tx, ctx, now, 'ticket', t.id, 'message.added', { messageId: note.id, visibility: 'internal', channel: 'web', attachments: 0 });
    }

    const targetPatch: TicketPatch = {};
    const tags = normalizeTags([...target.tags, ...source.tags]).slice(0, 50);
    if (tags.length !== target.tags.length) targetPatch.tags = tags;
    const updatedTarget = await tx.tickets.update(ctx.workspaceId, target.id, targetPatch, now);
    const sourcePatch: TicketPatch = { status: 'closed', ...statusTimestamps(source, 'closed', now), mergedIntoId: target.id };
    const updatedSource = await tx.tickets.update(ctx.workspaceId, source.id, sourcePatch, now);

    const merged = { sourceId: source.id, sourceNumber: source.number, targetId: target.id, targetNumber: target.number, movedMessages };
    await recordEvent(tx, ctx, now, 'ticket', source.id, 'ticket.merged', { ...merged, side: 'source' });
    await recordEvent(tx, ctx, now, 'ticket', target.id, 'ticket.merged', { ...merged, side: 'target' });
    for (const [before, patch] of [[source, sourcePatch], [target, targetPatch]] as const) {
      const changes = diffTicket(before, patch);
      if (Object.keys(changes).length) await recordEvent(tx, ctx, now, 'ticket', before.id, 'ticket.updated', { changes });
    }
    await slaOnTicketChanged(tx, ctx, source, updatedSource, null, now);
    await slaOnTicketChanged(tx, ctx, target, updatedTarget, null, now);
    // Both tickets changed: triggers run on each and outgoing webhooks hear of each (`ticket.updated`,
    // the source now closed with mergedIntoId), as for any other change, in the same transaction.
    await runTriggers(deps, tx, ctx, { event: 'ticket.updated', ticket: updatedSource, before: source }, now);
    await runTriggers(deps, tx, ctx, { event: 'ticket.updated', ticket: updatedTarget, before: target }, now);
    // The source's seat is free: queued tickets of the team are given out now.
    if (source.assigneeId) await tx.jobs.enqueue(drainJob(ctx.workspaceId, now), now);

    const views = new Map((await tx.tickets.findByIds(ctx.workspaceId, [source.id, target.id])).map((v) => [v.id, v]));
    const sourceView = views.get(source.id)!;
    const targetView = views.get(target.id)!;
    return {
      source: sourceView,
      target: targetView,
      access: { source: ticketAccess(actor, sourceView), target: ticketAccess(actor, targetView) },
      movedMessages,
    };
  });
}

/** The target's followers and CCs gain the source's (and its requester, when another person). */
async function takeOverPeople(tx: Repositories, workspaceId: string, source: Ticket, target: Ticket, now: Date): Promise<void> {
  const cc = new Set(await tx.followers.list(workspaceId, source.id));
  if (source.requesterId !== target.requesterId) cc.add(source.requesterId);
  const already = new Set(await tx.followers.list(workspaceId, target.id));
  const add = [...cc].filter((id) => !already.has(id) && id !== target.requesterId);
  if (add.length) await tx.followers.add(workspaceId, target.id, add, now);
  for (const f of await tx.staffFollowers.list(workspaceId, source.id)) await tx.staffFollowers.follow(workspaceId, target.id, f.id, now);
}
