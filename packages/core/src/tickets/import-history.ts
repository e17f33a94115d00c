/**
 * Importing past tickets as they ended (from another helpdesk, or the demo's history): each
 * ticket arrives with its final status, team and assignee, its dates and its whole conversation,
 * written in bulk (two statements for any number of tickets) rather than replayed through
 * createTicket, addMessage and updateTicket one step at a time. Each gets its creation event,
 * marked `imported`; no SLA clocks, triggers, routing or notifications run, since all of that
 * happened in the past. Numbers follow the order given, so give tickets oldest first.
 */
import type { Channel } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { authorize } from '../identity/permissions.ts';
import { ticketCreatedEvent } from './create-ticket.ts';
import { normalizeTags } from './rules.ts';
import type { Message, Ticket } from './types.ts';

export interface ImportedMessage {
  authorId: string;
  visibility: 'public' | 'internal';
  channel: Channel;
  body: string;
  createdAt: Date;
}

/** A ticket as it ended: `updatedAt` its last change, solved and closed dates for those states. */
export type ImportedTicket = Pick<
  Ticket,
  'subject' | 'status' | 'priority' | 'channel' | 'language' | 'requesterId' | 'organizationId' | 'assigneeId' | 'teamId' | 'tags' | 'customFields' | 'createdAt' | 'updatedAt' | 'solvedAt' | 'closedAt'
> & {
  /** The first is the request; the others follow in time order. */
  messages: ImportedMessage[];
};

/** Import tickets (oldest first) for an admin; answers them numbered. */
export async function importTicketHistory(deps: Deps, ctx: Ctx, tickets: ImportedTicket[]): Promise<Ticket[]> {
  authorize(ctx.actor, 'workspace:manage');
  if (!tickets.length) return [];
  const rows = tickets.map((t, i) => {
    const [first, ...later] = t.messages;
    const where = `ticket ${i + 1} ("${t.subject.slice(0, 40)}")`;
    if (!first) throw new AppError('VALIDATION_FAILED', `${where} has no message.`);
    if (later.some((m, j) => m.createdAt < t.messages[j]!.createdAt) || t.updatedAt < t.createdAt || first.createdAt.getTime() !== t.createdAt.getTime()) {
      throw new AppError('VALIDATION_FAILED', `${where}: its request opens it, and its messages and last change follow in time order.`);
    }
    if ((t.status === 'solved' || t.status === 'closed') !== !!t.solvedAt || (t.status === 'closed') !== !!t.closedAt) {
      throw new AppError('VALIDATION_FAILED', `${where}: solved and closed dates must match its status.`);
    }
    const { messages: _, ...fields } = t;
    const ticket: Omit<Ticket, 'number' | 'version'> = { ...fields, id: deps.ids.uuid(), workspaceId: ctx.workspaceId, tags: normalizeTags(t.tags), categoryId: null };
    const message = (m: ImportedMessage): Omit<Message, 'attachments'> => ({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      ticketId: ticket.id,
      authorId: m.authorId,
      visibility: m.visibility,
      channel: m.channel,
      bodyText: m.body,
      bodyHtml: null,
      createdAt: m.createdAt,
    });
    const opening = message(first);
    return {
      ticket,
      message: opening,
      attachments: [] as [],
      event: ticketCreatedEvent(ctx, ticket, opening.id, t.createdAt, { imported: true }),
      later: later.map(message),
    };
  });
  return deps.store.transaction((tx) => tx.tickets.importMany(rows));
}
