import type { CreateMessageInput, TicketStatus } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { decodeCursor, toPage } from '../shared/cursor.ts';
import { recordEvent } from '../shared/record.ts';
import { loadReadableTicket, type TicketRef } from './access.ts';
import { checkStatusChange, diffTicket, statusTimestamps, validateCustomFields } from './rules.ts';
import type { Message, TicketPatch } from './types.ts';
import { queueReplyEmail } from '../email/outbound.ts';
import { slaOnTicketChanged } from '../sla/track.ts';
import { runTriggers } from '../triggers/run.ts';
import { checkMentions, notifyMentions } from './mention-notes.ts';
import { resolveMessageAttachments } from './uploads.ts';
import { messageHtml } from './message-body.ts';
import { notifyCustomerReply } from '../notifications/notify.ts';

/**
 * Add a public reply or an internal note. A customer's reply reopens a pending or solved ticket;
 * a staff reply may set the status in the same step ("send and set pending").
 */
export async function addMessage(deps: Deps, ctx: Ctx, ref: TicketRef, input: CreateMessageInput): Promise<Message> {
  const actor = ctx.actor;
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const { ticket: seen, access } = await loadReadableTicket(deps, ctx, ref, tx);
    const ticket = await tx.tickets.lock(ctx.workspaceId, seen.id);
    if (!ticket) throw new AppError('TICKET_NOT_FOUND', `Ticket ${ref} not found.`);
    if (ticket.status === 'closed') {
      throw new AppError('INVALID_STATUS_TRANSITION', 'This ticket is closed; open a follow-up ticket instead.');
    }
    if (input.visibility === 'internal' ? !access.addNote : !access.reply) {
      throw new AppError(
        'FORBIDDEN',
        input.visibility === 'internal'
          ? `Your role (${actor.role}) cannot add internal notes.`
          : `Your role (${actor.role}) cannot reply publicly; add an internal note instead.`,
      );
    }
    if (input.status !== undefined && !access.update) {
      throw new AppError('FORBIDDEN', `Your role (${actor.role}) cannot change the ticket's status.`);
    }
    if (actor.role === 'customer' && input.status !== undefined) {
      throw new AppError('FORBIDDEN', 'Customers cannot set the status with a reply.');
    }
    const bodyHtml = messageHtml(deps, input);
    const mentioned = input.visibility === 'internal' ? await checkMentions(tx, ctx, input.body) : [];
    const attachments = input.attachments.length ? await resolveMessageAttachments(tx, ctx, input.attachments) : [];

    const message = await tx.messages.insert(
      {
        id: deps.ids.uuid(),
        workspaceId: ctx.workspaceId,
        ticketId: ticket.id,
        authorId: actor.userId,
        visibility: input.visibility,
        channel: input.channel ?? (actor.role === 'customer' ? 'portal' : 'web'),
        bodyText: input.body,
        bodyHtml,
        createdAt: now,
      },
      attachments.map((a) => ({ ...a, id: deps.ids.uuid() })),
    );

    let next: TicketStatus = ticket.status;
    if (input.status) next = input.status;
    else if (input.visibility === 'public' && actor.role === 'customer' && (ticket.status === 'pending' || ticket.status === 'solved')) next = 'open';
    else if (input.visibility === 'public' && actor.role !== 'customer' && ticket.status === 'new') next = 'open';
    const patch: TicketPatch = {};
    if (next !== ticket.status) {
      checkStatusChange(ticket.status, next);
      patch.status = next;
      Object.assign(patch, statusTimestamps(ticket, next, now));
      if (next === 'solved' || next === 'closed') {
        const defs = await tx.customFields.list(ctx.workspaceId);
        validateCustomFields(defs, {}, { requireAll: true, current: ticket.customFields });
      }
    }
    const updated = await tx.tickets.update(ctx.workspaceId, ticket.id, patch, now);
    await recordEvent(tx, ctx, now, 'ticket', ticket.id, 'message.added', {
      messageId: message.id,
      visibility: message.visibility,
      channel: message.channel,
      attachments: message.attachments.length,
    });
    const changes = diffTicket(ticket, patch);
    if (Object.keys(changes).length) await recordEvent(tx, ctx, now, 'ticket', ticket.id, 'ticket.updated', { changes });
    await slaOnTicketChanged(tx, ctx, ticket, updated, { visibility: message.visibility, byStaff: actor.role !== 'customer' }, now);
    const m = { body: message.bodyText, visibility: message.visibility, byStaff: actor.role !== 'customer', channel: message.channel };
    await runTriggers(deps, tx, ctx, { event: 'message.added', ticket: updated, before: ticket, message: m }, now);
    // A staff member's public reply goes out by email with it (outbox row and send job, same transaction).
    await queueReplyEmail(deps, tx, ctx, ticket, message);
    if (mentioned.length) await notifyMentions(deps, tx, ctx, updated, message, mentioned, now);
    if (actor.role === 'customer' && message.visibility === 'public') {
      await notifyCustomerReply(deps, tx, updated, { id: message.id, body: message.bodyText, authorId: actor.userId, authorName: actor.name }, now);
    }
    return message;
  });
}

export async function listMessages(deps: Deps, ctx: Ctx, ref: TicketRef, q: { limit: number; cursor?: string | undefined }) {
  const { ticket, access } = await loadReadableTicket(deps, ctx, ref);
  const rows = await deps.store.messages.listForTicket(ctx.workspaceId, ticket.id, {
    includeInternal: access.viewInternal,
    limit: q.limit + 1,
    ...(q.cursor ? { after: decodeCursor(q.cursor, 'created_at', 'asc') } : {}),
  });
  return toPage(rows, q.limit, (m) => ({ sort: 'created_at', order: 'asc', value: m.createdAt.toISOString(), id: m.id }));
}
