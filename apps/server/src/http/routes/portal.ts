import { z } from 'zod';
import {
  CreateTicketCategoryInput,
  DeflectionReportOut,
  DeflectionReportQuery,
  ListTicketCategoriesQuery,
  TicketCategoryOut,
  UpdateTicketCategoryInput,
  uuid,
} from '@guichet/contracts';
import { createTicketCategory, deflectionReport, deleteTicketCategory, listTicketCategories, updateTicketCategory, type TicketCategory } from '@guichet/core';
import type { Router } from '../route.ts';

const IdParams = z.object({ id: uuid });

function presentTicketCategory(c: TicketCategory): TicketCategoryOut {
  return {
    id: c.id,
    key: c.key,
    names: { en: c.names.en ?? null, fr: c.names.fr ?? null },
    position: c.position,
    active: c.active,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** The customer portal's API side: the request categories the admin maintains, and the deflection report. */
export function portalRoutes(route: Router): void {
  const tag = 'Portal';
  route({
    method: 'GET', url: '/ticket-categories', tag, summary: 'Request categories in order: the active ones (everyone signed in); admins may ask for retired ones too',
    query: ListTicketCategoriesQuery, response: z.object({ items: z.array(TicketCategoryOut) }),
    handler: async ({ deps, ctx, query }) => ({ items: (await listTicketCategories(deps, ctx, query)).map(presentTicketCategory) }),
  });
  route({
    method: 'POST', url: '/ticket-categories', tag, summary: 'Add a request category, named in French and English (admins)',
    body: CreateTicketCategoryInput, response: TicketCategoryOut,
    handler: async ({ deps, ctx, body }) => presentTicketCategory(await createTicketCategory(deps, ctx, body)),
  });
  route({
    method: 'PATCH', url: '/ticket-categories/{id}', tag, summary: 'Rename, reorder, re-key or retire a request category (admins)',
    params: IdParams, body: UpdateTicketCategoryInput, response: TicketCategoryOut,
    handler: async ({ deps, ctx, params, body }) => presentTicketCategory(await updateTicketCategory(deps, ctx, params.id, body)),
  });
  route({
    method: 'DELETE', url: '/ticket-categories/{id}', tag, summary: 'Delete a request category; its tickets keep no category (admins; retiring keeps them labelled)',
    params: IdParams,
    handler: async ({ deps, ctx, params }) => {
      await deleteTicketCategory(deps, ctx, params.id);
      return undefined;
    },
  });
  route({
    method: 'GET', url: '/knowledge/deflection-report', tag, summary: 'Portal suggestions over a period: shown, clicked, "solved it", requests sent anyway, per article (knowledge managers)',
    query: DeflectionReportQuery, response: DeflectionReportOut,
    handler: async ({ deps, ctx, query }) => {
      const r = await deflectionReport(deps, ctx, query);
      return { ...r, from: r.from.toISOString(), to: r.to.toISOString() };
    },
  });
}
