import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  BusinessCalendarRecord,
  BusinessCalendarRepository,
  Notification,
  NotificationRepository,
  SlaPolicy,
  SlaPolicyRepository,
  SlaSummary,
  TicketSlaRepository,
  TicketSlaRow,
  Trigger,
  TriggerRepository,
  EventFacts,
} from '@guichet/core';
import type { BusinessCalendarsTable, DB, NotificationsTable, SlaPoliciesTable, TicketSlaTable, TriggersTable } from '../schema.ts';
import { json } from './mappers.ts';
import { OrderedRules } from './ordered.ts';

const d = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
const j = (v: unknown) => JSON.stringify(v);

function toCalendar(r: Selectable<BusinessCalendarsTable>): BusinessCalendarRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    teamId: r.team_id,
    isDefault: r.is_default,
    timeZone: r.time_zone,
    weekly: json(r.weekly, { sun: [], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [] }),
    holidays: json(r.holidays, []),
    specialDays: json(r.special_days, []),
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

function calendarColumns(c: Partial<BusinessCalendarRecord>) {
  const cols: Record<string, unknown> = {};
  if (c.name !== undefined) cols.name = c.name;
  if (c.teamId !== undefined) cols.team_id = c.teamId;
  if (c.isDefault !== undefined) cols.is_default = c.isDefault;
  if (c.timeZone !== undefined) cols.time_zone = c.timeZone;
  if (c.weekly !== undefined) cols.weekly = j(c.weekly);
  if (c.holidays !== undefined) cols.holidays = j(c.holidays);
  if (c.specialDays !== undefined) cols.special_days = j(c.specialDays);
  if (c.updatedAt !== undefined) cols.updated_at = c.updatedAt;
  return cols;
}

export class KyselyBusinessCalendarRepository implements BusinessCalendarRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(c: BusinessCalendarRecord): Promise<BusinessCalendarRecord> {
    const r = await this.db
      .insertInto('business_calendars')
      .values({ id: c.id, workspace_id: c.workspaceId, created_at: c.createdAt, ...calendarColumns(c) } as never)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCalendar(r);
  }

  async findById(workspaceId: string, id: string): Promise<BusinessCalendarRecord | null> {
    const r = await this.db.selectFrom('business_calendars').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toCalendar(r) : null;
  }

  async findByIds(workspaceId: string, ids: string[]): Promise<BusinessCalendarRecord[]> {
    if (!ids.length) return [];
    const rows = await this.db.selectFrom('business_calendars').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
    return rows.map(toCalendar);
  }

  async update(workspaceId: string, id: string, patch: Partial<BusinessCalendarRecord>): Promise<BusinessCalendarRecord> {
    const r = await this.db
      .updateTable('business_calendars')
      .set(calendarColumns(patch) as never)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCalendar(r);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    await this.db.deleteFrom('business_calendars').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async list(workspaceId: string): Promise<BusinessCalendarRecord[]> {
    const rows = await this.db.selectFrom('business_calendars').selectAll().where('workspace_id', '=', workspaceId).orderBy(sql`lower(name)`).orderBy('id').execute();
    return rows.map(toCalendar);
  }

  async forTicket(workspaceId: string, teamId: string | null) {
    let q = this.db.selectFrom('business_calendars').selectAll().where('workspace_id', '=', workspaceId);
    q = teamId ? q.where((eb) => eb.or([eb('is_default', '=', true), eb('team_id', '=', teamId)])) : q.where('is_default', '=', true);
    const rows = (await q.execute()).map(toCalendar);
    return { team: rows.find((c) => teamId && c.teamId === teamId) ?? null, workspace: rows.find((c) => c.isDefault) ?? null };
  }

  async setDefault(workspaceId: string, id: string | null): Promise<void> {
    await this.db.updateTable('business_calendars').set({ is_default: false }).where('workspace_id', '=', workspaceId).where('is_default', '=', true).execute();
    if (id) await this.db.updateTable('business_calendars').set({ is_default: true }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }
}

function toPolicy(r: Selectable<SlaPoliciesTable>): SlaPolicy {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    description: r.description,
    position: r.position,
    enabled: r.enabled,
    conditions: json(r.conditions, {}),
    calendarId: r.calendar_id,
    targets: json(r.targets, {}),
    pauseStatuses: (r.pause_statuses ?? []) as SlaPolicy['pauseStatuses'],
    warnings: json(r.warnings, []),
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

function policyColumns(p: Partial<SlaPolicy>) {
  const cols: Record<string, unknown> = {};
  if (p.name !== undefined) cols.name = p.name;
  if (p.description !== undefined) cols.description = p.description;
  if (p.position !== undefined) cols.position = p.position;
  if (p.enabled !== undefined) cols.enabled = p.enabled;
  if (p.conditions !== undefined) cols.conditions = j(p.conditions);
  if (p.calendarId !== undefined) cols.calendar_id = p.calendarId;
  if (p.targets !== undefined) cols.targets = j(p.targets);
  if (p.pauseStatuses !== undefined) cols.pause_statuses = sql`${p.pauseStatuses}::text[]`;
  if (p.warnings !== undefined) cols.warnings = j(p.warnings);
  if (p.updatedAt !== undefined) cols.updated_at = p.updatedAt;
  return cols;
}

/** SLA policies: the shared ordered-rule storage. */
export class KyselySlaPolicyRepository extends OrderedRules<SlaPolicy> implements SlaPolicyRepository {
  constructor(db: Kysely<DB>) {
    super(db, 'sla_policies', toPolicy as never, policyColumns);
  }
}

/** The stored SLA summary of a ticket_sla row (also read by the ticket list's join). */
export function slaSummaryOf(r: { due_at: Date | string | null; warn_at: Date | string | null; paused: boolean }): SlaSummary {
  return { dueAt: r.due_at === null ? null : d(r.due_at), warnAt: r.warn_at === null ? null : d(r.warn_at), paused: r.paused };
}

function toRow(r: Selectable<TicketSlaTable>): TicketSlaRow {
  return {
    workspaceId: r.workspace_id,
    ticketId: r.ticket_id,
    state: json(r.state, { policyId: null, calendarId: null, paused: false, clocks: {} }),
    nextDueAt: r.next_due_at === null ? null : d(r.next_due_at),
    summary: slaSummaryOf(r),
    updatedAt: d(r.updated_at),
  };
}

export class KyselyTicketSlaRepository implements TicketSlaRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async find(workspaceId: string, ticketId: string, opts: { lock?: boolean } = {}): Promise<TicketSlaRow | null> {
    let q = this.db.selectFrom('ticket_sla').selectAll().where('workspace_id', '=', workspaceId).where('ticket_id', '=', ticketId);
    if (opts.lock) q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r ? toRow(r) : null;
  }

  async upsert(row: TicketSlaRow): Promise<void> {
    await this.upsertMany([row]);
  }

  async upsertMany(rows: TicketSlaRow[]): Promise<void> {
    if (!rows.length) return;
    await this.db
      .insertInto('ticket_sla')
      .values(
        rows.map((row) => ({
          ticket_id: row.ticketId,
          workspace_id: row.workspaceId,
          policy_id: row.state.policyId,
          calendar_id: row.state.calendarId,
          state: j(row.state),
          next_due_at: row.nextDueAt,
          due_at: row.summary.dueAt,
          warn_at: row.summary.warnAt,
          paused: row.summary.paused,
          updated_at: row.updatedAt,
        })),
      )
      .onConflict((oc) =>
        oc
          .column('ticket_id')
          .doUpdateSet((eb) => ({
            policy_id: eb.ref('excluded.policy_id'),
            calendar_id: eb.ref('excluded.calendar_id'),
            state: eb.ref('excluded.state'),
            next_due_at: eb.ref('excluded.next_due_at'),
            due_at: eb.ref('excluded.due_at'),
            warn_at: eb.ref('excluded.warn_at'),
            paused: eb.ref('excluded.paused'),
            updated_at: eb.ref('excluded.updated_at'),
          }))
          // A row never moves to another workspace.
          .whereRef('ticket_sla.workspace_id', '=', 'excluded.workspace_id'),
      )
      .execute();
  }

  async claimDue(now: Date, limit: number): Promise<TicketSlaRow[]> {
    const rows = await this.db
      .selectFrom('ticket_sla')
      .selectAll()
      .where('next_due_at', '<=', now)
      .orderBy('next_due_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows.map(toRow);
  }

  async listForRecompute(workspaceId: string, afterTicketId: string | null, limit: number): Promise<TicketSlaRow[]> {
    let q = this.db.selectFrom('ticket_sla').selectAll().where('workspace_id', '=', workspaceId).where('next_due_at', 'is not', null);
    if (afterTicketId) q = q.where('ticket_id', '>', afterTicketId);
    return (await q.orderBy('ticket_id').limit(limit).execute()).map(toRow);
  }
}

function toNotification(r: Selectable<NotificationsTable>): Notification {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    userId: r.user_id,
    ticketId: r.ticket_id,
    kind: r.kind,
    title: r.title,
    body: r.body,
    data: json(r.data, {}),
    dedupeKey: r.dedupe_key,
    createdAt: d(r.created_at),
    readAt: r.read_at === null ? null : d(r.read_at),
  };
}

export class KyselyNotificationRepository implements NotificationRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(n: Notification): Promise<boolean> {
    return (await this.insertMany([n])).size === 1;
  }

  async insertMany(list: Notification[]): Promise<Set<string>> {
    if (!list.length) return new Set();
    const rows = await this.db
      .insertInto('notifications')
      .values(
        list.map((n) => ({
          id: n.id,
          workspace_id: n.workspaceId,
          user_id: n.userId,
          ticket_id: n.ticketId,
          kind: n.kind,
          title: n.title,
          body: n.body,
          data: j(n.data),
          dedupe_key: n.dedupeKey,
          created_at: n.createdAt,
          read_at: n.readAt,
        })),
      )
      .onConflict((oc) => oc.columns(['workspace_id', 'user_id', 'dedupe_key']).doNothing())
      .returning('id')
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  async listForUser(workspaceId: string, userId: string, page: { limit: number; deliveredBy: Date; unreadOnly?: boolean; before?: { createdAt: Date; id: string } }): Promise<Notification[]> {
    let q = this.db.selectFrom('notifications').selectAll().where('workspace_id', '=', workspaceId).where('user_id', '=', userId).where('created_at', '<=', page.deliveredBy);
    if (page.unreadOnly) q = q.where('read_at', 'is', null);
    if (page.before) q = q.where(sql<boolean>`(created_at, id) < (${page.before.createdAt}, ${page.before.id})`);
    return (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute()).map(toNotification);
  }

  async markRead(workspaceId: string, userId: string, ids: string[], at: Date): Promise<number> {
    if (!ids.length) return 0;
    const r = await this.db
      .updateTable('notifications')
      .set({ read_at: at })
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .where('id', 'in', ids)
      .where('read_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async countUnread(workspaceId: string, userId: string, deliveredBy: Date): Promise<number> {
    const r = await this.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .where('created_at', '<=', deliveredBy)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async markAllRead(workspaceId: string, userId: string, at: Date, deliveredBy: Date): Promise<number> {
    const r = await this.db
      .updateTable('notifications')
      .set({ read_at: at })
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .where('created_at', '<=', deliveredBy)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}

function toTrigger(r: Selectable<TriggersTable>): Trigger {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    description: r.description,
    position: r.position,
    enabled: r.enabled,
    events: (r.events ?? []) as Trigger['events'],
    conditions: json(r.conditions, { all: [], any: [] }),
    actions: json(r.actions, []),
    stop: r.stop,
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

function triggerColumns(t: Partial<Trigger>) {
  const cols: Record<string, unknown> = {};
  if (t.name !== undefined) cols.name = t.name;
  if (t.description !== undefined) cols.description = t.description;
  if (t.position !== undefined) cols.position = t.position;
  if (t.enabled !== undefined) cols.enabled = t.enabled;
  if (t.events !== undefined) cols.events = sql`${t.events}::text[]`;
  if (t.conditions !== undefined) cols.conditions = j(t.conditions);
  if (t.actions !== undefined) cols.actions = j(t.actions);
  if (t.stop !== undefined) cols.stop = t.stop;
  if (t.updatedAt !== undefined) cols.updated_at = t.updatedAt;
  return cols;
}

export class KyselyTriggerRepository extends OrderedRules<Trigger> implements TriggerRepository {
  constructor(db: Kysely<DB>) {
    super(db, 'triggers', toTrigger as never, triggerColumns);
  }

  async rulesFingerprint(workspaceId: string): Promise<string> {
    const r = await sql<{ fp: string }>`SELECT ${fingerprintOf(workspaceId)} AS fp`.execute(this.db);
    return r.rows[0]!.fp;
  }

  async eventFacts(workspaceId: string, q: { requesterId: string; organizationId: string | null; teamId: string | null }): Promise<EventFacts> {
    // The team's calendar before the workspace default, as `forTicket` answers them.
    const r = await sql<{ fp: string; requester: { email: string | null; organizationId: string | null; name: string } | null; org_name: string | null; calendar: { id: string; updatedAt: string } | null }>`
      SELECT ${fingerprintOf(workspaceId)} AS fp,
        (SELECT json_build_object('email', u.email, 'organizationId', u.organization_id, 'name', u.name) FROM users u WHERE u.workspace_id = ${workspaceId} AND u.id = ${q.requesterId}) AS requester,
        (SELECT o.name FROM organizations o WHERE o.workspace_id = ${workspaceId} AND o.id = ${q.organizationId}) AS org_name,
        (SELECT json_build_object('id', c.id, 'updatedAt', c.updated_at) FROM business_calendars c
          WHERE c.workspace_id = ${workspaceId} AND (c.is_default OR c.team_id = ${q.teamId})
          ORDER BY (c.team_id IS NOT DISTINCT FROM ${q.teamId}) DESC LIMIT 1) AS calendar`.execute(this.db);
    const row = r.rows[0]!;
    return {
      fingerprint: row.fp,
      requester: row.requester,
      organization: row.org_name === null ? null : { name: row.org_name },
      calendar: row.calendar ? { id: row.calendar.id, updatedAt: new Date(row.calendar.updatedAt) } : null,
    };
  }
}

/** The workspace's configuration version (migration 0018): any change to a trigger or webhook, among others, renews it. */
function fingerprintOf(workspaceId: string) {
  return sql<string>`(SELECT config_version::text FROM workspaces WHERE id = ${workspaceId})`;
}
