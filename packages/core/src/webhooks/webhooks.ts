/**
 * Outgoing webhooks: per-event subscriptions. Each event a webhook subscribes to becomes a
 * delivery row and a `webhook.deliver` job in the transaction of the event; the job POSTs the
 * JSON payload signed with HMAC-SHA256 and is retried with backoff; every attempt's outcome is
 * kept in the delivery log admins read.
 *
 * Payload: `{ id, event, createdAt, workspaceId, data: { ticket: {...}, sla?: { target } } }`; `id` is
 * the event's (its first delivery's id), the same when an admin redelivers it, for deduplication.
 * Headers: `X-Guichet-Event`, `X-Guichet-Delivery` (the delivery's id, the same on retries, new on a redelivery),
 * `X-Guichet-Redelivery-Of` (on a redelivery: the delivery it repeats),
 * `X-Guichet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`.
 */
import { createHmac } from 'node:crypto';
import type { CreateWebhookInput, UpdateWebhookInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit } from '../shared/record.ts';
import { authorize } from '../identity/permissions.ts';
import type { Ticket } from '../tickets/types.ts';
import type { NewJob } from '../jobs/types.ts';
import type { TriggerEvent } from '../triggers/evaluate.ts';

export const WEBHOOK_DELIVER_JOB = 'webhook.deliver';
export const WEBHOOK_MAX_ATTEMPTS = 8;

export interface Webhook {
  id: string;
  workspaceId: string;
  name: string;
  url: string;
  events: TriggerEvent[];
  /** The signing secret, sealed with the server keyring. */
  secretSealed: string;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookDelivery {
  id: string;
  workspaceId: string;
  webhookId: string;
  event: string;
  payload: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  /** The delivery this one sends again (an admin's redelivery); null for a first delivery. */
  redeliveryOf: string | null;
}

export interface WebhookRepository {
  insert(w: Webhook): Promise<Webhook>;
  findById(workspaceId: string, id: string): Promise<Webhook | null>;
  update(workspaceId: string, id: string, patch: Partial<Webhook>): Promise<Webhook>;
  delete(workspaceId: string, id: string): Promise<void>;
  list(workspaceId: string, opts?: { enabledOnly?: boolean }): Promise<Webhook[]>;
  insertDelivery(d: WebhookDelivery): Promise<void>;
  insertDeliveries(list: WebhookDelivery[]): Promise<void>;
  findDelivery(workspaceId: string, id: string): Promise<WebhookDelivery | null>;
  recordAttempt(workspaceId: string, id: string, r: { status: WebhookDelivery['status']; lastStatus: number | null; lastError: string | null; at: Date }): Promise<void>;
  listDeliveries(workspaceId: string, webhookId: string, limit: number): Promise<WebhookDelivery[]>;
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

export function ticketPayload(t: Ticket): Record<string, unknown> {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    channel: t.channel,
    requesterId: t.requesterId,
    organizationId: t.organizationId,
    assigneeId: t.assigneeId,
    teamId: t.teamId,
    tags: t.tags,
    customFields: t.customFields,
    /** The ticket that holds this one's conversation since a merge; null otherwise. */
    mergedIntoId: t.mergedIntoId ?? null,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

/** Queue a delivery to every enabled webhook of the workspace (`enabled`, as the caller read them) subscribed to `event`. */
export async function emitWebhooks(deps: Deps, tx: Repositories, workspaceId: string, event: TriggerEvent, data: Record<string, unknown>, now: Date, enabled: Webhook[]): Promise<number> {
  const hooks = enabled.filter((w) => w.events.includes(event));
  for (const w of hooks) {
    const id = deps.ids.uuid();
    await queueDelivery(tx, { id, workspaceId, webhookId: w.id, event, payload: { id, event, createdAt: now.toISOString(), workspaceId, data }, redeliveryOf: null }, now);
  }
  return hooks.length;
}

/** The deliveries (and their jobs) of one event to the enabled webhooks subscribed to it, to be written by the caller. */
export function webhookDeliveries(deps: Deps, workspaceId: string, event: TriggerEvent, data: Record<string, unknown>, now: Date, enabled: Webhook[]): Array<{ delivery: WebhookDelivery; job: NewJob }> {
  return enabled
    .filter((w) => w.events.includes(event))
    .map((w) => {
      const id = deps.ids.uuid();
      return deliveryRecords({ id, workspaceId, webhookId: w.id, event, payload: { id, event, createdAt: now.toISOString(), workspaceId, data }, redeliveryOf: null }, now);
    });
}

function deliveryRecords(d: Pick<WebhookDelivery, 'id' | 'workspaceId' | 'webhookId' | 'event' | 'payload' | 'redeliveryOf'>, now: Date): { delivery: WebhookDelivery; job: NewJob } {
  return {
    delivery: { ...d, status: 'pending', attempts: 0, lastStatus: null, lastError: null, createdAt: now, deliveredAt: null },
    job: { type: WEBHOOK_DELIVER_JOB, payload: { workspaceId: d.workspaceId, deliveryId: d.id }, workspaceId: d.workspaceId, dedupeKey: d.id, maxAttempts: WEBHOOK_MAX_ATTEMPTS },
  };
}

/** A pending delivery row and its `webhook.deliver` job (retried with backoff by the runner). */
async function queueDelivery(tx: Repositories, d: Pick<WebhookDelivery, 'id' | 'workspaceId' | 'webhookId' | 'event' | 'payload' | 'redeliveryOf'>, now: Date): Promise<WebhookDelivery> {
  const { delivery, job } = deliveryRecords(d, now);
  await tx.webhooks.insertDelivery(delivery);
  await tx.jobs.enqueue(job, now);
  return delivery;
}

/** One attempt at a delivery through `post` (the HTTP adapter); throws to be retried. */
export async function deliverWebhook(
  deps: Deps,
  p: { workspaceId: string; deliveryId: string },
  attempt: number,
  post: (url: string, body: string, headers: Record<string, string>) => Promise<{ status: number }>,
): Promise<void> {
  const d = await deps.store.webhooks.findDelivery(p.workspaceId, p.deliveryId);
  if (!d || d.status === 'delivered') return;
  const w = await deps.store.webhooks.findById(p.workspaceId, d.webhookId);
  if (!w || !w.enabled) {
    await deps.store.webhooks.recordAttempt(p.workspaceId, d.id, { status: 'failed', lastStatus: null, lastError: w ? 'webhook disabled' : 'webhook deleted', at: deps.clock.now() });
    return;
  }
  const body = JSON.stringify(d.payload);
  const t = Math.floor(deps.clock.now().getTime() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Guichet-Webhooks/1',
    'x-guichet-event': d.event,
    'x-guichet-delivery': d.id,
    'x-guichet-signature': `t=${t},v1=${signWebhook(deps.keyring.open(w.secretSealed), t, body)}`,
  };
  // An admin's redelivery says which delivery it repeats, so a receiver can tell it from a new event.
  if (d.redeliveryOf) headers['x-guichet-redelivery-of'] = d.redeliveryOf;
  let status: number | null = null;
  let error: string | null = null;
  try {
    status = (await post(w.url, body, headers)).status;
    if (status < 200 || status >= 300) error = `HTTP ${status}`;
  } catch (e) {
    error = e instanceof Error ? e.message.slice(0, 500) : String(e);
  }
  const last = attempt >= WEBHOOK_MAX_ATTEMPTS;
  await deps.store.webhooks.recordAttempt(p.workspaceId, d.id, { status: error ? (last ? 'failed' : 'pending') : 'delivered', lastStatus: status, lastError: error, at: deps.clock.now() });
  if (error && !last) throw new Error(`webhook delivery failed: ${error}`);
}

// ---- admin ----

export async function listWebhooks(deps: Deps, ctx: Ctx): Promise<Webhook[]> {
  authorize(ctx.actor, 'triggers:manage');
  return deps.store.webhooks.list(ctx.workspaceId);
}

async function load(deps: Deps, ctx: Ctx, id: string): Promise<Webhook> {
  authorize(ctx.actor, 'triggers:manage');
  const w = await deps.store.webhooks.findById(ctx.workspaceId, id);
  if (!w) throw new AppError('WEBHOOK_NOT_FOUND', 'Webhook not found.');
  return w;
}

export const getWebhook = load;

/** Create a webhook; its signing secret is answered once, here. */
export async function createWebhook(deps: Deps, ctx: Ctx, input: CreateWebhookInput): Promise<{ webhook: Webhook; secret: string }> {
  authorize(ctx.actor, 'triggers:manage');
  const now = deps.clock.now();
  const secret = `whsec_${deps.secrets.token(24)}`;
  const webhook = await deps.store.transaction(async (tx) => {
    const w = await tx.webhooks.insert({ id: deps.ids.uuid(), workspaceId: ctx.workspaceId, name: input.name, url: input.url, events: input.events, secretSealed: deps.keyring.seal(secret), enabled: input.enabled, createdAt: now, updatedAt: now });
    await recordAudit(tx, ctx, now, 'webhook.created', { type: 'webhook', id: w.id }, { name: w.name, url: w.url, events: w.events });
    return w;
  });
  return { webhook, secret };
}

/**
 * A new signing secret for a webhook whose secret was lost or leaked: answered once, here, like at
 * creation; deliveries sent from now on (retries included) are signed with it.
 */
export async function rotateWebhookSecret(deps: Deps, ctx: Ctx, id: string): Promise<{ webhook: Webhook; secret: string }> {
  await load(deps, ctx, id);
  const now = deps.clock.now();
  const secret = `whsec_${deps.secrets.token(24)}`;
  const webhook = await deps.store.transaction(async (tx) => {
    const w = await tx.webhooks.update(ctx.workspaceId, id, { secretSealed: deps.keyring.seal(secret), updatedAt: now });
    await recordAudit(tx, ctx, now, 'webhook.secret_rotated', { type: 'webhook', id }, { name: w.name });
    return w;
  });
  return { webhook, secret };
}

export async function updateWebhook(deps: Deps, ctx: Ctx, id: string, input: UpdateWebhookInput): Promise<Webhook> {
  await load(deps, ctx, id);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const w = await tx.webhooks.update(ctx.workspaceId, id, { ...input, updatedAt: now });
    await recordAudit(tx, ctx, now, 'webhook.updated', { type: 'webhook', id }, { fields: Object.keys(input) });
    return w;
  });
}

export async function deleteWebhook(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  const w = await load(deps, ctx, id);
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    await tx.webhooks.delete(ctx.workspaceId, id);
    await recordAudit(tx, ctx, now, 'webhook.deleted', { type: 'webhook', id }, { name: w.name });
  });
}

export async function listWebhookDeliveries(deps: Deps, ctx: Ctx, id: string, limit: number): Promise<WebhookDelivery[]> {
  await load(deps, ctx, id);
  return deps.store.webhooks.listDeliveries(ctx.workspaceId, id, limit);
}

/** A disabled webhook sends nothing (its deliveries would fail at once): say so before queueing. */
function assertEnabled(w: Webhook): void {
  if (!w.enabled) throw new AppError('WEBHOOK_DISABLED', 'This webhook is disabled: enable it before sending deliveries to it.');
}

/**
 * Send a past delivery again, e.g. once the receiver is fixed: a new delivery (its own id, attempts
 * and retries, `redeliveryOf` naming the one it repeats) with the same payload, so the event's `id`
 * lets receivers deduplicate; it is signed when sent, so with the webhook's current secret.
 */
export async function redeliverWebhookDelivery(deps: Deps, ctx: Ctx, webhookId: string, deliveryId: string): Promise<WebhookDelivery> {
  const w = await load(deps, ctx, webhookId);
  const original = await deps.store.webhooks.findDelivery(ctx.workspaceId, deliveryId);
  if (!original || original.webhookId !== w.id) throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND', 'Delivery not found.');
  assertEnabled(w);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const d = await queueDelivery(tx, { id: deps.ids.uuid(), workspaceId: ctx.workspaceId, webhookId: w.id, event: original.event, payload: original.payload, redeliveryOf: original.id }, now);
    await recordAudit(tx, ctx, now, 'webhook.redelivered', { type: 'webhook', id: w.id }, { name: w.name, deliveryId: d.id, redeliveryOf: original.id, event: original.event });
    return d;
  });
}

/** A `ping` event to check a receiver (URL, signature) before real events flow; delivered like any other. */
export async function pingWebhook(deps: Deps, ctx: Ctx, webhookId: string): Promise<WebhookDelivery> {
  const w = await load(deps, ctx, webhookId);
  assertEnabled(w);
  const now = deps.clock.now();
  const id = deps.ids.uuid();
  const payload = { id, event: 'ping', createdAt: now.toISOString(), workspaceId: ctx.workspaceId, data: { webhook: { id: w.id, name: w.name, events: w.events } } };
  return deps.store.transaction(async (tx) => {
    const d = await queueDelivery(tx, { id, workspaceId: ctx.workspaceId, webhookId: w.id, event: 'ping', payload, redeliveryOf: null }, now);
    await recordAudit(tx, ctx, now, 'webhook.pinged', { type: 'webhook', id: w.id }, { name: w.name, deliveryId: id });
    return d;
  });
}
