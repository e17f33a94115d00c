import { z } from 'zod';
import { AutomationOut, CreatedWebhookOut, CreateWebhookInput, UpdateWebhookInput, WebhookDeliveryOut, WebhookOut, CreateAutomationInput, CreateTriggerInput, DryRunTriggerInput, DryRunTriggerOut, TriggerOut, UpdateAutomationInput, UpdateTriggerInput, ReorderInput, uuid } from '@guichet/contracts';
import * as core from '@guichet/core';
import type { Automation, Trigger, Webhook, WebhookDelivery } from '@guichet/core';
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

export function presentAutomation(a: Automation & { stats?: { firings: number; tickets: number } }): AutomationOut {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    position: a.position,
    enabled: a.enabled,
    conditions: a.conditions as AutomationOut['conditions'],
    actions: a.actions as AutomationOut['actions'],
    stats: a.stats ?? { firings: 0, tickets: 0 },
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

const presentWebhook = (w: Webhook) => ({ id: w.id, name: w.name, url: w.url, events: w.events, enabled: w.enabled, createdAt: w.createdAt.toISOString(), updatedAt: w.updatedAt.toISOString() });

const presentDelivery = (x: WebhookDelivery) => ({
  id: x.id, event: x.event, status: x.status, attempts: x.attempts, lastStatus: x.lastStatus, lastError: x.lastError, payload: x.payload,
  createdAt: x.createdAt.toISOString(), deliveredAt: x.deliveredAt ? x.deliveredAt.toISOString() : null, redeliveryOf: x.redeliveryOf,
});

export function triggerRoutes(route: Router): void {
  route({
    method: 'GET', url: '/webhooks', tag: 'Automation', summary: 'Outgoing webhooks (admin)',
    response: z.object({ items: z.array(WebhookOut) }),
    handler: async ({ deps, ctx }) => ({ items: (await core.listWebhooks(deps, ctx)).map(presentWebhook) }),
  });
  route({
    method: 'POST', url: '/webhooks', tag: 'Automation', summary: 'Subscribe a URL to events; the signing secret is shown once (admin)',
    body: CreateWebhookInput, response: CreatedWebhookOut,
    handler: async ({ deps, ctx, body }) => {
      const { webhook, secret } = await core.createWebhook(deps, ctx, body);
      return { ...presentWebhook(webhook), secret };
    },
  });
  route({
    method: 'GET', url: '/webhooks/{id}', tag: 'Automation', summary: 'Read a webhook (admin)',
    params: IdParams, response: WebhookOut,
    handler: async ({ deps, ctx, params }) => presentWebhook(await core.getWebhook(deps, ctx, params.id)),
  });
  route({
    method: 'PATCH', url: '/webhooks/{id}', tag: 'Automation', summary: 'Change a webhook, enable or disable it (admin)',
    params: IdParams, body: UpdateWebhookInput, response: WebhookOut,
    handler: async ({ deps, ctx, params, body }) => presentWebhook(await core.updateWebhook(deps, ctx, params.id, body)),
  });
  route({
    method: 'DELETE', url: '/webhooks/{id}', tag: 'Automation', summary: 'Delete a webhook and its delivery log (admin)',
    params: IdParams,
    handler: async ({ deps, ctx, params }) => void (await core.deleteWebhook(deps, ctx, params.id)),
  });
  route({
    method: 'POST', url: '/webhooks/{id}/secret', tag: 'Automation', summary: 'Replace a webhook\'s signing secret; the new one is shown once (admin)',
    params: IdParams, body: z.object({}).strict(), response: CreatedWebhookOut, status: 200,
    handler: async ({ deps, ctx, params }) => {
      const { webhook, secret } = await core.rotateWebhookSecret(deps, ctx, params.id);
      return { ...presentWebhook(webhook), secret };
    },
  });
  route({
    method: 'GET', url: '/webhooks/{id}/deliveries', tag: 'Automation', summary: 'The delivery log, newest first: status, attempts, last HTTP status or error (admin)',
    params: IdParams, query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }), response: z.object({ items: z.array(WebhookDeliveryOut) }),
    handler: async ({ deps, ctx, params, query }) => ({
      items: (await core.listWebhookDeliveries(deps, ctx, params.id, query.limit)).map(presentDelivery),
    }),
  });
  route({
    method: 'POST', url: '/webhooks/{id}/deliveries/{deliveryId}/redeliver', tag: 'Automation',
    summary: 'Send a past delivery again (same payload and event id, signed with the current secret) as a new delivery with its own retries (admin)',
    params: z.object({ id: uuid, deliveryId: uuid }), body: z.object({}).strict(), response: WebhookDeliveryOut, status: 202,
    handler: async ({ deps, ctx, params }) => presentDelivery(await core.redeliverWebhookDelivery(deps, ctx, params.id, params.deliveryId)),
  });
  route({
    method: 'POST', url: '/webhooks/{id}/test', tag: 'Automation', summary: 'Send a `ping` event to check the receiver (admin)',
    params: IdParams, body: z.object({}).strict(), response: WebhookDeliveryOut, status: 202,
    handler: async ({ deps, ctx, params }) => presentDelivery(await core.pingWebhook(deps, ctx, params.id)),
  });
  route({
    method: 'GET', url: '/automations', tag: 'Automation', summary: 'Time-based automations, with how often each fired (staff)',
    response: z.object({ items: z.array(AutomationOut) }),
    handler: async ({ deps, ctx }) => ({ items: (await core.listAutomations(deps, ctx)).map(presentAutomation) }),
  });
  route({
    method: 'POST', url: '/automations', tag: 'Automation', summary: 'Add a time-based automation: statuses, hours since created or updated, conditions, actions (admin)',
    body: CreateAutomationInput, response: AutomationOut,
    handler: async ({ deps, ctx, body }) => presentAutomation(await core.createAutomation(deps, ctx, body)),
  });
  route({
    method: 'PUT', url: '/automations/order', tag: 'Automation', summary: 'Put the automations in a new order: every id once (admin)',
    body: ReorderInput, response: z.object({ items: z.array(AutomationOut) }),
    handler: async ({ deps, ctx, body }) => {
      await core.reorderAutomations(deps, ctx, body.ids);
      return { items: (await core.listAutomations(deps, ctx)).map(presentAutomation) };
    },
  });
  route({
    method: 'GET', url: '/automations/{id}', tag: 'Automation', summary: 'Read an automation (staff)',
    params: IdParams, response: AutomationOut,
    handler: async ({ deps, ctx, params }) => presentAutomation(await core.getAutomation(deps, ctx, params.id)),
  });
  route({
    method: 'PATCH', url: '/automations/{id}', tag: 'Automation', summary: 'Change an automation (admin)',
    params: IdParams, body: UpdateAutomationInput, response: AutomationOut,
    handler: async ({ deps, ctx, params, body }) => presentAutomation(await core.updateAutomation(deps, ctx, params.id, body)),
  });
  route({
    method: 'DELETE', url: '/automations/{id}', tag: 'Automation', summary: 'Delete an automation (admin)',
    params: IdParams,
    handler: async ({ deps, ctx, params }) => void (await core.deleteAutomation(deps, ctx, params.id)),
  });
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
    method: 'PUT', url: '/triggers/order', tag: 'Automation', summary: 'Put the triggers in a new order: every id once, first run first (admin)',
    body: ReorderInput, response: z.object({ items: z.array(TriggerOut) }),
    handler: async ({ deps, ctx, body }) => ({ items: (await core.reorderTriggers(deps, ctx, body.ids)).map(presentTrigger) }),
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
