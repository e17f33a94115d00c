import { z } from 'zod';
import { CreateSavedViewInput, SavedViewOut, UpdateSavedViewInput, uuid } from '@guichet/contracts';
import { createSavedView, deleteSavedView, listSavedViews, updateSavedView } from '@guichet/core';
import { presentSavedView } from '../presenters.ts';
import type { Router } from '../route.ts';

const IdParams = z.object({ id: uuid });

export function savedViewRoutes(route: Router): void {
  route({
    method: 'GET', url: '/views', tag: 'Saved views', summary: 'My saved inbox views and the shared ones (staff)',
    response: z.object({ items: z.array(SavedViewOut) }),
    handler: async ({ deps, ctx }) => ({ items: (await listSavedViews(deps, ctx)).map((v) => presentSavedView(v, ctx.actor)) }),
  });
  route({
    method: 'POST', url: '/views', tag: 'Saved views', summary: 'Save an inbox view (a ticket query); shared with the workspace by admins only',
    body: CreateSavedViewInput, response: SavedViewOut,
    handler: async ({ deps, ctx, body }) => presentSavedView(await createSavedView(deps, ctx, body), ctx.actor),
  });
  route({
    method: 'PATCH', url: '/views/{id}', tag: 'Saved views', summary: 'Rename, change or (admin) share a saved view',
    params: IdParams, body: UpdateSavedViewInput, response: SavedViewOut,
    handler: async ({ deps, ctx, params, body }) => presentSavedView(await updateSavedView(deps, ctx, params.id, body), ctx.actor),
  });
  route({
    method: 'DELETE', url: '/views/{id}', tag: 'Saved views', summary: 'Delete a saved view (its owner; an admin for a shared one)',
    params: IdParams,
    handler: async ({ deps, ctx, params }) => {
      await deleteSavedView(deps, ctx, params.id);
      return undefined;
    },
  });
}
