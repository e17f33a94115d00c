import { z } from 'zod';
import {
  ApplyMacroOut,
  CreateMacroInput,
  ListMacrosQuery,
  MacroOut,
  MacroPreviewOut,
  NotificationCountOut,
  PreviewMacroInput,
  TicketFollowOut,
  UpdateMacroInput,
  uuid,
} from '@guichet/contracts';
import * as core from '@guichet/core';
import { presentMacro } from '../presenters.ts';
import type { Router } from '../route.ts';

const IdParams = z.object({ id: uuid });
const TicketParams = z.object({ id: z.string().regex(/^(\d{1,15}|[0-9a-fA-F-]{36})$/, 'a ticket number or id') });
const TicketMacroParams = TicketParams.extend({ macroId: uuid });
const NoBody = z.object({}).strict();

/** Macros, following tickets, and the notification bell. */
export function collabRoutes(route: Router): void {
  route({
    method: 'GET', url: '/macros', tag: 'Macros', summary: 'My macros and the shared ones, most used first; `q` searches titles and bodies (staff)',
    query: ListMacrosQuery, response: z.object({ items: z.array(MacroOut) }),
    handler: async ({ deps, ctx, query }) => ({ items: (await core.listMacros(deps, ctx, query)).map((m) => presentMacro(m, ctx.actor)) }),
  });
  route({
    method: 'POST', url: '/macros', tag: 'Macros', summary: 'Write a macro: EN/FR bodies with {{placeholders}}, optional actions; shared by admins only',
    body: CreateMacroInput, response: MacroOut,
    handler: async ({ deps, ctx, body }) => presentMacro(await core.createMacro(deps, ctx, body), ctx.actor),
  });
  route({
    method: 'GET', url: '/macros/{id}', tag: 'Macros', summary: 'Read a macro (one of mine or a shared one)',
    params: IdParams, response: MacroOut,
    handler: async ({ deps, ctx, params }) => presentMacro(await core.getMacro(deps, ctx, params.id), ctx.actor),
  });
  route({
    method: 'PATCH', url: '/macros/{id}', tag: 'Macros', summary: 'Change a macro (its owner; an admin for a shared one)',
    params: IdParams, body: UpdateMacroInput, response: MacroOut,
    handler: async ({ deps, ctx, params, body }) => presentMacro(await core.updateMacro(deps, ctx, params.id, body), ctx.actor),
  });
  route({
    method: 'DELETE', url: '/macros/{id}', tag: 'Macros', summary: 'Delete a macro (its owner; an admin for a shared one)',
    params: IdParams,
    handler: async ({ deps, ctx, params }) => void (await core.deleteMacro(deps, ctx, params.id)),
  });
  route({
    method: 'POST', url: '/tickets/{id}/macros/{macroId}/preview', tag: 'Macros', summary: "A macro's text rendered for this ticket, in the customer's language (nothing is changed)",
    params: TicketMacroParams, body: PreviewMacroInput, response: MacroPreviewOut, status: 200,
    handler: async ({ deps, ctx, params, body }) => core.previewMacro(deps, ctx, params.id, params.macroId, body),
  });
  route({
    method: 'POST', url: '/tickets/{id}/macros/{macroId}/apply', tag: 'Macros', summary: "Use a macro on this ticket: apply its actions and count the use (the web app calls it when the reply is sent)",
    params: TicketMacroParams, body: NoBody, response: ApplyMacroOut, status: 200,
    handler: async ({ deps, ctx, params }) => core.applyMacro(deps, ctx, params.id, params.macroId),
  });

  route({
    method: 'GET', url: '/tickets/{id}/follow', tag: 'Tickets', summary: 'Whether I follow this ticket, and who does (staff)',
    params: TicketParams, response: TicketFollowOut,
    handler: async ({ deps, ctx, params }) => core.getTicketFollow(deps, ctx, params.id),
  });
  route({
    method: 'PUT', url: '/tickets/{id}/follow', tag: 'Tickets', summary: "Follow a ticket: be notified of the customer's replies (staff)",
    params: TicketParams, body: NoBody, response: TicketFollowOut,
    handler: async ({ deps, ctx, params }) => core.setTicketFollow(deps, ctx, params.id, true),
  });
  route({
    method: 'DELETE', url: '/tickets/{id}/follow', tag: 'Tickets', summary: 'Stop following a ticket (staff)',
    params: TicketParams,
    handler: async ({ deps, ctx, params }) => void (await core.setTicketFollow(deps, ctx, params.id, false)),
  });

  route({
    method: 'GET', url: '/notifications/count', tag: 'Notifications', summary: 'How many of my notifications are unread (the bell)',
    response: NotificationCountOut,
    handler: async ({ deps, ctx }) => ({ unread: await core.countMyUnreadNotifications(deps, ctx) }),
  });
  route({
    method: 'POST', url: '/notifications/all/read', tag: 'Notifications', summary: 'Mark all my notifications read',
    body: NoBody, response: z.object({ updated: z.number().int() }), status: 200,
    handler: async ({ deps, ctx }) => ({ updated: await core.markAllNotificationsRead(deps, ctx) }),
  });
}
