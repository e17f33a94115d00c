import { sql, type Kysely, type Selectable } from 'kysely';
import type { Automation, AutomationRepository, Ticket, Webhook, WebhookDelivery, WebhookRepository } from '@guichet/core';
import type { TicketStatus } from '@guichet/contracts';
import type { AutomationsTable, DB, WebhookDeliveriesTable, WebhooksTable } from '../schema.ts';
import { json, toTicket } from './mappers.ts';
import { OrderedRules } from './ordered.ts';

const d = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

function toAutomation(r: Selectable<AutomationsTable>): Automation {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    description: r.description,
    position: r.position,
    enabled: r.enabled,
    conditions: json(r.conditions, { statuses: [], all: [] }),
    actions: json(r.actions, []),
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

function columns(a: Partial<Automation>) {
  const cols: Record<string, unknown> = {};
  if (a.name !== undefined) cols.name = a.name;
  if (a.description !== undefined) cols.description = a.description;
  if (a.position !== undefined) cols.position = a.position;
  if (a.enabled !== undefined) cols.enabled = a.enabled;
  if (a.conditions !== undefined) cols.conditions = JSON.stringify(a.conditions);
  if (a.actions !== undefined) cols.actions = JSON.stringify(a.actions);
  if (a.updatedAt !== undefined) cols.updated_at = a.updatedAt;
  return cols;
}

export class KyselyAutomationRepository extends OrderedRules<Automation> implements AutomationRepository {
  constructor(db: Kysely<DB>) {
    super(db, 'automations', toAutomation as never, columns);
  }

  async workspacesWithEnabled(): Promise<string[]> {
    const rows = await this.db.selectFrom('automations').select('workspace_id').distinct().where('enabled', '=', true).execute();
    return rows.map((r) => r.workspace_id);
  }

  async candidates(workspaceId: string, q: { statuses: TicketStatus[]; createdBefore: Date | null; updatedBefore: Date | null; afterId: string | null; limit: number }): Promise<Ticket[]> {
    let query = this.db
      .selectFrom('tickets')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where(sql<boolean>`status = ANY(${q.statuses}::text[])`);
    if (q.updatedBefore) query = query.where('updated_at', '<=', q.updatedBefore);
    if (q.createdBefore) query = query.where('created_at', '<=', q.createdBefore);
    if (q.afterId) query = query.where('id', '>', q.afterId);
    return (await query.orderBy('id').limit(q.limit).execute()).map(toTicket);
  }

  async claim(workspaceId: string, automationId: string, ticketId: string, periodKey: string, at: Date): Promise<boolean> {
    const r = await this.db
      .insertInto('automation_runs')
      .values({ workspace_id: workspaceId, automation_id: automationId, ticket_id: ticketId, period_key: periodKey, fired_at: at })
      .onConflict((oc) => oc.columns(['automation_id', 'ticket_id', 'period_key']).doNothing())
      .returning('ticket_id')
      .executeTakeFirst();
    return !!r;
  }

  async timeline(workspaceId: string, ticketId: string, requesterId: string): Promise<{ lastCustomerMessageAt: Date | null; statusChangedAt: Date | null }> {
    const r = await sql<{ customer: Date | null; status: Date | null }>`
SELECT (SELECT max(m.created_at) FROM messages m
         WHERE m.workspace_id = ${workspaceId} AND m.ticket_id = ${ticketId} AND m.author_id = ${requesterId} AND m.visibility = 'public') AS customer,
       (SELECT max(e.created_at) FROM events e
         WHERE e.workspace_id = ${workspaceId} AND e.subject_type = 'ticket' AND e.subject_id = ${ticketId}
           AND e.type = 'ticket.updated' AND e.data->'changes' ? 'status') AS status`.execute(this.db);
    const row = r.rows[0];
    return { lastCustomerMessageAt: row?.customer ? new Date(row.customer) : null, statusChangedAt: row?.status ? new Date(row.status) : null };
  }

  async stats(workspaceId: string, automationId: string): Promise<{ firings: number; tickets: number }> {
    const r = await this.db
      .selectFrom('automation_runs')
      .select([(eb) => eb.fn.countAll<number>().as('firings'), sql<number>`count(DISTINCT ticket_id)`.as('tickets')])
      .where('workspace_id', '=', workspaceId)
      .where('automation_id', '=', automationId)
      .executeTakeFirst();
    return { firings: Number(r?.firings ?? 0), tickets: Number(r?.tickets ?? 0) };
  }
}

function toWebhook(r: Selectable<WebhooksTable>): Webhook {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    url: r.url,
    events: (r.events ?? []) as Webhook['events'],
    secretSealed: r.secret_sealed,
    enabled: r.enabled,
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

function toDelivery(r: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    webhookId: r.webhook_id,
    event: r.event,
    payload: json(r.payload, {}),
    status: r.status as WebhookDelivery['status'],
    attempts: r.attempts,
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: d(r.created_at),
    deliveredAt: r.delivered_at === null ? null : d(r.delivered_at),
    redeliveryOf: r.redelivery_of ?? null,
  };
}

export class KyselyWebhookRepository implements WebhookRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(w: Webhook): Promise<Webhook> {
    const r = await this.db
      .insertInto('webhooks')
      .values({ id: w.id, workspace_id: w.workspaceId, name: w.name, url: w.url, events: sql`${w.events}::text[]` as never, secret_sealed: w.secretSealed, enabled: w.enabled, created_at: w.createdAt, updated_at: w.updatedAt })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toWebhook(r);
  }

  async findById(workspaceId: string, id: string): Promise<Webhook | null> {
    const r = await this.db.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toWebhook(r) : null;
  }

  async update(workspaceId: string, id: string, patch: Partial<Webhook>): Promise<Webhook> {
    const cols: Record<string, unknown> = {};
    if (patch.name !== undefined) cols.name = patch.name;
    if (patch.url !== undefined) cols.url = patch.url;
    if (patch.events !== undefined) cols.events = sql`${patch.events}::text[]`;
    if (patch.enabled !== undefined) cols.enabled = patch.enabled;
    if (patch.secretSealed !== undefined) cols.secret_sealed = patch.secretSealed;
    if (patch.updatedAt !== undefined) cols.updated_at = patch.updatedAt;
    const r = await this.db.updateTable('webhooks').set(cols as never).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    return toWebhook(r);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    await this.db.deleteFrom('webhooks').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async list(workspaceId: string, opts: { enabledOnly?: boolean } = {}): Promise<Webhook[]> {
    let q = this.db.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId);
    if (opts.enabledOnly) q = q.where('enabled', '=', true);
    return (await q.orderBy('created_at').orderBy('id').execute()).map(toWebhook);
  }

  async insertDelivery(x: WebhookDelivery): Promise<void> {
    await this.insertDeliveries([x]);
  }

  async insertDeliveries(list: WebhookDelivery[]): Promise<void> {
    if (!list.length) return;
    await this.db
      .insertInto('webhook_deliveries')
      .values(
        list.map((x) => ({ id: x.id, workspace_id: x.workspaceId, webhook_id: x.webhookId, event: x.event, payload: JSON.stringify(x.payload), status: x.status, attempts: x.attempts, last_status: x.lastStatus, last_error: x.lastError, created_at: x.createdAt, delivered_at: x.deliveredAt, redelivery_of: x.redeliveryOf })),
      )
      .execute();
  }

  async findDelivery(workspaceId: string, id: string): Promise<WebhookDelivery | null> {
    const r = await this.db.selectFrom('webhook_deliveries').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toDelivery(r) : null;
  }

  async recordAttempt(workspaceId: string, id: string, r: { status: WebhookDelivery['status']; lastStatus: number | null; lastError: string | null; at: Date }): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ status: r.status, attempts: eb('attempts', '+', 1), last_status: r.lastStatus, last_error: r.lastError, delivered_at: r.status === 'delivered' ? r.at : null }))
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  }

  async listDeliveries(workspaceId: string, webhookId: string, limit: number): Promise<WebhookDelivery[]> {
    const rows = await this.db.selectFrom('webhook_deliveries').selectAll().where('workspace_id', '=', workspaceId).where('webhook_id', '=', webhookId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toDelivery);
  }
}
