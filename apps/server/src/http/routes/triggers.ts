import { z } from 'zod';
import { CreateTriggerInput, DryRunTriggerInput, DryRunTriggerOut, TriggerOut, UpdateTriggerInput, uuid } from '@guichet/contracts';
import * as core from '@guichet/core';
import type { Trigger } from '@guichet/core';
import type { Router } from '../route.ts';

const IdParams = z.object({ id: uuid });

export function presentTrigger(t: Trigger): TriggerOut {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    position: t.position,
    enabled: t.enabled,
    events: t.events,
    conditions: { all: t.conditions.all, any: t.conditions.any } as TriggerOut['conditions'],
    actions: t.actions as TriggerOut['actions'],
    stop: t.stop,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

export function triggerRoutes(route: Router): void {
  route({
    method: 'GET', url: '/triggers', tag: 'Automation', summary: 'Triggers in the order they run (staff)',
    response: z.object({ items: z.array(TriggerOut) }),
    handler: async ({ deps, ctx }) => ({ items: (await core.listTriggers(deps, ctx)).map(presentTrigger) }),
  });
  route({
    method: 'POST', url: '/triggers', tag: 'Automation', summary: 'Add a trigger: events, conditions, actions, stop (admin)',
    body: CreateTriggerInput, response: TriggerOut,
    handler: async ({ deps, ctx, body }) => presentTrigger(await core.createTrigger(deps, ctx, body)),
  });
  route({
    method: 'POST', url: '/triggers/dry-run', tag: 'Automation', summary: 'Try an unsaved trigger on recent tickets: what it would change, nothing written (admin)',
    body: DryRunTriggerInput, response: DryRunTriggerOut, status: 200,
    handler: async ({ deps, ctx, body }) => core.dryRunTrigger(deps, ctx, body),
  });
  route({
    method: 'GET', url: '/triggers/{id}', tag: 'Automation', summary: 'Read a trigger (staff)',
    params: IdParams, response: TriggerOut,
    handler: async ({ deps, ctx, params }) => presentTrigger(await core.getTrigger(deps, ctx, params.id)),
  });
  route({
    method: 'PATCH', url: '/triggers/{id}', tag: 'Automation', summary: 'Change a trigger, enable or disable it (admin)',
    params: IdParams, body: UpdateTriggerInput, response: TriggerOut,
    handler: async ({ deps, ctx, params, body }) => presentTrigger(await core.updateTrigger(deps, ctx, params.id, body)),
  });
  route({
    method: 'DELETE', url: '/triggers/{id}', tag: 'Automation', summary: 'Delete a trigger (admin)',
    params: IdParams,
    handler: async ({ deps, ctx, params }) => void (await core.deleteTrigger(deps, ctx, params.id)),
  });
  route({
    method: 'POST', url: '/triggers/{id}/dry-run', tag: 'Automation', summary: 'Try a saved trigger on recent tickets, nothing written (admin)',
    params: IdParams, body: DryRunTriggerInput, response: DryRunTriggerOut, status: 200,
    handler: async ({ deps, ctx, params, body }) => core.dryRunTrigger(deps, ctx, { ...body, id: params.id, trigger: undefined }),
  });
}
