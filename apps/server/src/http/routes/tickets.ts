import { z } from 'zod';
import {
  CreateMessageInput,
  CreateTicketInput,
  EventOut,
  ListTicketsQuery,
  MessageOut,
  TicketCountsOut,
  TicketOut,
  UpdateTicketInput,
  ListMessagesQuery,
  MergeTicketInput,
  MergeTicketOut,
  pageOf,
  pageQuery,
  UPLOAD_MAX_BYTES,
  UploadFileInput,
  UploadOut,
} from '@guichet/contracts';
import { uploadTicketFile, addMessage, countTicketViews, createTicket, getTicket, listMessagesWithEmail, listTicketEvents, listTickets, mergeTicket, updateTicket } from '@guichet/core';
import { presentEvent, presentMessage, presentTicket } from '../presenters.ts';
import type { Router } from '../route.ts';
import { presentMessageEmail } from './email.ts';

const TicketParams = z.object({
  id: z.string().regex(/^(\d{1,15}|[0-9a-fA-F-]{36})$/, 'a ticket number or id'),
});

export function ticketRoutes(route: Router): void {
  route({
    method: 'GET',
    url: '/tickets',
    tag: 'Tickets',
    summary: 'List and search tickets (filters, text query, cursor pagination)',
    query: ListTicketsQuery,
    response: pageOf(TicketOut),
    handler: async ({ deps, ctx, query }) => {
      const page = await listTickets(deps, ctx, query);
      return { items: page.items.map((i) => presentTicket(i.ticket, i.access, i.sla)), nextCursor: page.nextCursor };
    },
  });
  route({
    method: 'GET',
    url: '/tickets/counts',
    tag: 'Tickets',
    summary: 'How many tickets each inbox view holds for me (mine, unassigned, my teams, all open, updated in 24 h)',
    response: TicketCountsOut,
    handler: async ({ deps, ctx }) => countTicketViews(deps, ctx),
  });
  route({
    method: 'POST',
    url: '/tickets',
    tag: 'Tickets',
    summary: 'Create a ticket with its first message',
    body: CreateTicketInput,
    response: TicketOut,
    handler: async ({ deps, ctx, body }) => {
      const { ticket, access } = await createTicket(deps, ctx, body);
      return presentTicket(ticket, access);
    },
  });
  route({
    method: 'GET',
    url: '/tickets/{id}',
    tag: 'Tickets',
    summary: 'Read a ticket by number or id',
    params: TicketParams,
    response: TicketOut,
    handler: async ({ deps, ctx, params }) => {
      const read = await getTicket(deps, ctx, params.id);
      return presentTicket(read.ticket, read.access, 'sla' in read ? read.sla : undefined);
    },
  });
  route({
    method: 'PATCH',
    url: '/tickets/{id}',
    tag: 'Tickets',
    summary: 'Change a ticket (status, priority, assignee, team, tags, custom fields…); send `version` to detect concurrent edits',
    params: TicketParams,
    body: UpdateTicketInput,
    response: TicketOut,
    handler: async ({ deps, ctx, params, body }) => {
      const { ticket, access } = await updateTicket(deps, ctx, params.id, body);
      return presentTicket(ticket, access);
    },
  });
  route({
    method: 'POST',
    url: '/tickets/{id}/merge',
    tag: 'Tickets',
    summary: 'Merge this ticket into another (`into`: number or id): its messages move there, it is closed with `mergedIntoId`',
    params: TicketParams,
    body: MergeTicketInput,
    response: MergeTicketOut,
    handler: async ({ deps, ctx, params, body }) => {
      const r = await mergeTicket(deps, ctx, params.id, body);
      return { source: presentTicket(r.source, r.access.source), target: presentTicket(r.target, r.access.target), movedMessages: r.movedMessages };
    },
  });
  route({
    method: 'GET',
    url: '/tickets/{id}/messages',
    tag: 'Tickets',
    summary: 'The conversation, oldest first (internal notes for staff only)',
    params: TicketParams,
    query: ListMessagesQuery,
    response: pageOf(MessageOut),
    handler: async ({ deps, ctx, params, query }) => {
      const page = await listMessagesWithEmail(deps, ctx, params.id, query);
      return {
        items: page.items.map((m) => ({ ...presentMessage(m), ...(m.email ? { email: presentMessageEmail(m.email) } : {}) })),
        nextCursor: page.nextCursor,
      };
    },
  });
  route({
    method: 'POST',
    url: '/tickets/{id}/messages',
    tag: 'Tickets',
    summary: 'Add a public reply or an internal note',
    params: TicketParams,
    body: CreateMessageInput,
    response: MessageOut,
    handler: async ({ deps, ctx, params, body }) => {
      const m = await addMessage(deps, ctx, params.id, body);
      return presentMessage({ ...m, author: ctx.actor.userId ? { id: ctx.actor.userId, name: ctx.actor.name ?? '', email: null } : null });
    },
  });
  route({
    method: 'POST',
    url: '/tickets/{id}/uploads',
    tag: 'Tickets',
    summary: `Upload a file for a reply or a note (staff): base64, up to ${UPLOAD_MAX_BYTES / 1048576} MB; the answer's sha256 goes in the message's attachments`,
    params: TicketParams,
    body: UploadFileInput,
    response: UploadOut,
    // The file's base64 plus the JSON around it, whatever the server's general limit.
    bodyLimit: Math.ceil(UPLOAD_MAX_BYTES / 3) * 4 + 64 * 1024,
    handler: async ({ deps, ctx, params, body }) => uploadTicketFile(deps, ctx, params.id, body),
  });
  route({
    method: 'GET',
    url: '/tickets/{id}/events',
    tag: 'Tickets',
    summary: 'The ticket history: every change, who made it and when (staff only)',
    params: TicketParams,
    query: pageQuery,
    response: pageOf(EventOut),
    handler: async ({ deps, ctx, params, query }) => {
      const page = await listTicketEvents(deps, ctx, params.id, query);
      return { items: page.items.map(presentEvent), nextCursor: page.nextCursor };
    },
  });
}
