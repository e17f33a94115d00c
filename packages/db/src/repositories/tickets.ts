import { sql, type Expression, type ExpressionBuilder, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { SlaState } from '@guichet/contracts';
import type {
  NewJob,
  Attachment,
  Message,
  MessageRepository,
  MessageView,
  PageRequest,
  Sorted,
  Ticket,
  TicketFilter,
  TicketPatch,
  TicketRepository,
  TicketView,
} from '@guichet/core';
import type { DB } from '../schema.ts';
import { toColumns, toTicket } from './mappers.ts';
import { JOBS_CHANNEL } from './jobs.ts';
import { Coalescer } from '../coalesce.ts';
import { slaSummaryOf } from './sla.ts';

export const TICKET_COLUMNS = [
  't.id',
  't.workspace_id',
  't.number',
  't.subject',
  't.status',
  't.priority',
  't.channel',
  't.requester_id',
  't.organization_id',
  't.assignee_id',
  't.team_id',
  't.tags',
  't.custom_fields',
  't.language',
  't.version',
  't.created_at',
  't.updated_at',
  't.solved_at',
  't.closed_at',
  't.category_id',
  't.merged_into_id',
] as const;

/** The per-workspace ticket-number sequence (created with the workspace). */
export function ticketSequenceName(workspaceId: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(workspaceId)) throw new Error('invalid workspace id');
  return `ticket_number_${workspaceId.replace(/-/g, '').toLowerCase()}`;
}

/** The same text as the expression of tickets_open_priority_idx (migration 0013_inbox_indexes), so the planner uses it. */
const PRIORITY_RANK = sql<number>`(CASE t.priority WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 ELSE 3 END)`;

function viewQuery(db: Kysely<DB>, workspaceId: string) {
  return db
    .selectFrom('tickets as t')
    .innerJoin('users as r', 'r.id', 't.requester_id')
    .select(TICKET_COLUMNS)
    .select(['r.name as requester_name', 'r.email as requester_email'])
    .where('t.workspace_id', '=', workspaceId);
}

type ViewRow = Awaited<ReturnType<ReturnType<typeof viewQuery>['executeTakeFirstOrThrow']>>;

function toView(r: ViewRow): TicketView {
  return { ...toTicket(r), requester: { id: r.requester_id, name: r.requester_name, email: r.requester_email } };
}

function toListView(r: ViewRow & { sla_due_at: Date | string | null; sla_warn_at: Date | string | null; sla_paused: boolean | null; sla_ticket_id: string | null }): TicketView {
  const sla = r.sla_ticket_id === null ? null : slaSummaryOf({ due_at: r.sla_due_at, warn_at: r.sla_warn_at, paused: r.sla_paused ?? false });
  return { ...toView(r), sla };
}

type CreateInput = Parameters<TicketRepository['create']>[0];

/** Messages without attachments in one statement (one JSON array, so one plan whatever the count). */
async function insertMessages(db: Kysely<DB>, list: Array<Omit<Message, 'attachments'>>): Promise<void> {
  if (!list.length) return;
  const rows = list.map((m) => ({
    id: m.id, workspace_id: m.workspaceId, ticket_id: m.ticketId, author_id: m.authorId, visibility: m.visibility,
    channel: m.channel, body_text: m.bodyText, body_html: m.bodyHtml, created_at: m.createdAt,
  }));
  await sql`
    INSERT INTO messages (id, workspace_id, ticket_id, author_id, visibility, channel, body_text, body_html, created_at)
    SELECT id, workspace_id, ticket_id, author_id, visibility, channel, body_text, body_html, created_at
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS m(id uuid, workspace_id uuid, ticket_id uuid, author_id uuid,
      visibility text, channel text, body_text text, body_html text, created_at timestamptz)
    ORDER BY created_at, id`.execute(db);
}

export class KyselyTicketRepository implements TicketRepository {
  /** Outside transactions only: concurrent creations without attachments share one INSERT (see coalesce.ts). */
  private readonly coalesced: Coalescer<CreateInput, Ticket> | null;

  constructor(
    private readonly db: Kysely<DB>,
    opts: { coalesce?: boolean } = {},
  ) {
    this.coalesced = opts.coalesce
      ? new Coalescer({ maxBatch: 64, maxInFlight: 2, one: (i) => this.insertOne(i), many: (list) => this.insertMany(list) })
      : null;
  }

  async create(input: CreateInput): Promise<Ticket> {
    if (this.coalesced && input.attachments.length === 0) return this.coalesced.run(input);
    return this.insertOne(input);
  }

  private async insertOne(input: CreateInput): Promise<Ticket> {
    const { ticket: t, message: m, event: e, job } = input;
    const seq = ticketSequenceName(t.workspaceId);
    // One statement, one round trip: the ticket, its first message and its creation event.
    const result = await sql<Record<string, unknown>>`
      WITH t AS (
        INSERT INTO tickets (id, workspace_id, number, subject, status, priority, channel, requester_id,
          organization_id, assignee_id, team_id, tags, custom_fields, language, created_at, updated_at, solved_at, closed_at, category_id)
        VALUES (${t.id}, ${t.workspaceId}, nextval(${seq}::regclass), ${t.subject}, ${t.status}, ${t.priority}, ${t.channel},
          ${t.requesterId}, ${t.organizationId}, ${t.assigneeId}, ${t.teamId}, ${t.tags}::text[], ${JSON.stringify(t.customFields)}::jsonb,
          ${t.language}, ${t.createdAt}, ${t.updatedAt}, ${t.solvedAt}, ${t.closedAt}, ${t.categoryId ?? null})
        RETURNING id, workspace_id, number, subject, status, priority, channel, requester_id, organization_id, assignee_id,
          team_id, tags, custom_fields, language, version, created_at, updated_at, solved_at, closed_at, category_id
      ), m AS (
        INSERT INTO messages (id, workspace_id, ticket_id, author_id, visibility, channel, body_text, body_html, created_at)
        SELECT ${m.id}, ${m.workspaceId}, t.id, ${m.authorId}, ${m.visibility}, ${m.channel}, ${m.bodyText}, ${m.bodyHtml}, ${m.createdAt} FROM t
      ), e AS (
        INSERT INTO events (workspace_id, subject_type, subject_id, actor_type, actor_id, type, data, request_id, created_at)
        SELECT ${e.workspaceId}, ${e.subjectType}, t.id, ${e.actor.type}, ${e.actor.id}, ${e.type},
          (${JSON.stringify(e.data)}::jsonb || jsonb_build_object('number', t.number)), ${e.requestId}, ${e.createdAt} FROM t
      )${job ? jobInsert(job, t.createdAt) : sql``}
      SELECT * FROM t`.execute(this.db);
    if (input.attachments.length) await insertAttachments(this.db, m.workspaceId, m.id, m.createdAt, input.attachments);
    return toTicket(result.rows[0] as never);
  }

  /**
   * Several new tickets (without attachments) in one statement: the same rows as `insertOne`
   * writes for each (ticket, first message, creation event, numbered in input order), passed as
   * one JSON array so the statement text, and its prepared plan, is the same whatever the count.
   */
  private async insertMany(list: CreateInput[]): Promise<Ticket[]> {
    const rows = list.map(({ ticket: t, message: m, event: e, job }, ord) => ({
      ord,
      seq: ticketSequenceName(t.workspaceId),
      id: t.id,
      workspace_id: t.workspaceId,
      subject: t.subject,
      status: t.status,
      priority: t.priority,
      channel: t.channel,
      requester_id: t.requesterId,
      organization_id: t.organizationId,
      assignee_id: t.assigneeId,
      team_id: t.teamId,
      tags: t.tags,
      custom_fields: t.customFields,
      language: t.language,
      created_at: t.createdAt,
      updated_at: t.updatedAt,
      solved_at: t.solvedAt,
      closed_at: t.closedAt,
      category_id: t.categoryId ?? null,
      m_id: m.id,
      m_workspace_id: m.workspaceId,
      m_author_id: m.authorId,
      m_visibility: m.visibility,
      m_channel: m.channel,
      m_body_text: m.bodyText,
      m_body_html: m.bodyHtml,
      m_created_at: m.createdAt,
      e_workspace_id: e.workspaceId,
      e_subject_type: e.subjectType,
      e_actor_type: e.actor.type,
      e_actor_id: e.actor.id,
      e_type: e.type,
      e_data: e.data,
      e_request_id: e.requestId,
      e_created_at: e.createdAt,
      j_type: job?.type ?? null,
      j_payload: job?.payload ?? null,
      j_run_at: job ? (job.runAt ?? t.createdAt) : null,
      j_dedupe_key: job?.dedupeKey ?? null,
      j_max_attempts: job?.maxAttempts ?? 10,
    }));
    const result = await sql<Record<string, unknown>>`
      WITH i AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS i(
          ord integer, seq text, id uuid, workspace_id uuid, subject text, status text, priority text, channel text, requester_id uuid,
          organization_id uuid, assignee_id uuid, team_id uuid, tags jsonb, custom_fields jsonb, language text,
          created_at timestamptz, updated_at timestamptz, solved_at timestamptz, closed_at timestamptz, category_id uuid,
          m_id uuid, m_workspace_id uuid, m_author_id uuid, m_visibility text, m_channel text, m_body_text text, m_body_html text,
          m_created_at timestamptz, e_workspace_id uuid, e_subject_type text, e_actor_type text, e_actor_id uuid, e_type text,
          e_data jsonb, e_request_id text, e_created_at timestamptz,
          j_type text, j_payload jsonb, j_run_at timestamptz, j_dedupe_key text, j_max_attempts integer)
      ), t AS (
        INSERT INTO tickets (id, workspace_id, number, subject, status, priority, channel, requester_id,
          organization_id, assignee_id, team_id, tags, custom_fields, language, created_at, updated_at, solved_at, closed_at, category_id)
        SELECT id, workspace_id, nextval(seq::regclass), subject, status, priority, channel, requester_id, organization_id,
          assignee_id, team_id, ARRAY(SELECT x FROM jsonb_array_elements_text(i.tags) WITH ORDINALITY AS a(x, n) ORDER BY n), custom_fields, language, created_at, updated_at,
          solved_at, closed_at, category_id
        FROM i ORDER BY ord
        RETURNING id, workspace_id, number, subject, status, priority, channel, requester_id, organization_id, assignee_id,
          team_id, tags, custom_fields, language, version, created_at, updated_at, solved_at, closed_at, category_id
      ), m AS (
        INSERT INTO messages (id, workspace_id, ticket_id, author_id, visibility, channel, body_text, body_html, created_at)
        SELECT i.m_id, i.m_workspace_id, t.id, i.m_author_id, i.m_visibility, i.m_channel, i.m_body_text, i.m_body_html, i.m_created_at
        FROM t JOIN i ON i.id = t.id
      ), e AS (
        INSERT INTO events (workspace_id, subject_type, subject_id, actor_type, actor_id, type, data, request_id, created_at)
        SELECT i.e_workspace_id, i.e_subject_type, t.id, i.e_actor_type, i.e_actor_id, i.e_type,
          (i.e_data || jsonb_build_object('number', t.number)), i.e_request_id, i.e_created_at
        FROM t JOIN i ON i.id = t.id ORDER BY t.number
      ), j AS (
        INSERT INTO jobs (workspace_id, type, payload, run_at, dedupe_key, max_attempts, created_at)
        SELECT i.workspace_id, i.j_type, i.j_payload, i.j_run_at, i.j_dedupe_key, i.j_max_attempts, i.created_at
        FROM t JOIN i ON i.id = t.id WHERE i.j_type IS NOT NULL
        ON CONFLICT (type, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
        RETURNING pg_notify(${JOBS_CHANNEL}, type)
      )
      SELECT * FROM t`.execute(this.db);
    const byId = new Map(result.rows.map((r) => [r.id as string, toTicket(r as never)]));
    return list.map((c) => {
      const created = byId.get(c.ticket.id);
      if (!created) throw new Error('a coalesced ticket insert returned no row for one of its tickets');
      return created;
    });
  }

  async importMany(list: Parameters<TicketRepository['importMany']>[0]): Promise<Ticket[]> {
    if (!list.length) return [];
    const tickets = await this.insertMany(list);
    const later = list.flatMap((x) => x.later);
    for (let i = 0; i < later.length; i += 1000) await insertMessages(this.db, later.slice(i, i + 1000));
    return tickets;
  }

  async findById(workspaceId: string, id: string): Promise<TicketView | null> {
    const r = await viewQuery(this.db, workspaceId).where('t.id', '=', id).executeTakeFirst();
    return r ? toView(r) : null;
  }

  async findByIds(workspaceId: string, ids: string[]): Promise<TicketView[]> {
    if (!ids.length) return [];
    return (await viewQuery(this.db, workspaceId).where('t.id', 'in', ids).execute()).map(toView);
  }

  async findByNumber(workspaceId: string, number: number): Promise<TicketView | null> {
    const r = await viewQuery(this.db, workspaceId).where('t.number', '=', number).executeTakeFirst();
    return r ? toView(r) : null;
  }

  async lock(workspaceId: string, id: string): Promise<Ticket | null> {
    const r = await this.db
      .selectFrom('tickets as t')
      .select(TICKET_COLUMNS)
      .where('t.workspace_id', '=', workspaceId)
      .where('t.id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return r ? toTicket(r) : null;
  }

  async update(workspaceId: string, id: string, patch: TicketPatch, updatedAt: Date): Promise<Ticket> {
    const cols = toColumns(patch, ['customFields']);
    if ('tags' in cols) cols.tags = sql`${cols.tags}::text[]`;
    const r = await this.db
      .updateTable('tickets as t')
      .set({ ...cols, updated_at: updatedAt, version: sql`t.version + 1` } as never)
      .where('t.workspace_id', '=', workspaceId)
      .where('t.id', '=', id)
      .returning(TICKET_COLUMNS)
      .executeTakeFirstOrThrow();
    return toTicket(r);
  }

  async updateMany(workspaceId: string, list: Array<{ id: string; patch: TicketPatch; bumps: number }>, updatedAt: Date): Promise<void> {
    // One statement per set of changed columns; the values are typed by the table's own row type.
    const groups = new Map<string, Array<{ id: string; cols: Record<string, unknown>; bumps: number }>>();
    for (const x of list) {
      const cols = toColumns(x.patch);
      const key = Object.keys(cols).sort().join(',');
      groups.set(key, [...(groups.get(key) ?? []), { id: x.id, cols, bumps: x.bumps }]);
    }
    for (const [key, rows] of groups) {
      const set = key ? key.split(',').map((c) => sql`${sql.ref(c)} = (v.r).${sql.ref(c)}`) : [];
      await sql`
        UPDATE tickets AS t SET ${sql.join([...set, sql`updated_at = ${updatedAt}`, sql`version = t.version + v.bumps`])}
        FROM (SELECT (x->>'id')::uuid AS id, (x->>'bumps')::int AS bumps, jsonb_populate_record(NULL::tickets, x->'cols') AS r
              FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) AS x) AS v
        WHERE t.workspace_id = ${workspaceId} AND t.id = v.id`.execute(this.db);
    }
  }

  async list(workspaceId: string, f: TicketFilter, sort: Sorted, page: PageRequest): Promise<TicketView[]> {
    // The SLA summary comes with one join on ticket_sla's key (null columns: no clocks).
    let q = viewQuery(this.db, workspaceId)
      .leftJoin('ticket_sla as s', 's.ticket_id', 't.id')
      .select(['s.due_at as sla_due_at', 's.warn_at as sla_warn_at', 's.paused as sla_paused', 's.ticket_id as sla_ticket_id']);
    if (f.visibleToCustomer) {
      const { userId, organizationId } = f.visibleToCustomer;
      q = q.where((eb) =>
        organizationId
          ? eb.or([eb('t.requester_id', '=', userId), eb('t.organization_id', '=', organizationId)])
          : eb('t.requester_id', '=', userId),
      );
    }
    if (f.statuses) q = q.where('t.status', 'in', f.statuses);
    if (f.priorities) q = q.where('t.priority', 'in', f.priorities);
    if (f.channels) q = q.where('t.channel', 'in', f.channels);
    if (f.assigneeId !== undefined) q = f.assigneeId === null ? q.where('t.assignee_id', 'is', null) : q.where('t.assignee_id', '=', f.assigneeId);
    if (f.teamId !== undefined) q = f.teamId === null ? q.where('t.team_id', 'is', null) : q.where('t.team_id', '=', f.teamId);
    if (f.teamIds) q = f.teamIds.length ? q.where('t.team_id', 'in', f.teamIds) : q.where(sql<SqlBool>`false`);
    if (f.requesterId) q = q.where('t.requester_id', '=', f.requesterId);
    if (f.organizationId) q = q.where('t.organization_id', '=', f.organizationId);
    if (f.tags?.length) q = q.where(sql<SqlBool>`t.tags @> ${f.tags}::text[]`);
    if (f.withoutTags?.length) q = q.where(sql<SqlBool>`NOT (t.tags && ${f.withoutTags}::text[])`);
    if (f.language) q = q.where('t.language', '=', f.language);
    if (f.createdAfter) q = q.where('t.created_at', '>=', f.createdAfter);
    if (f.createdBefore) q = q.where('t.created_at', '<', f.createdBefore);
    if (f.updatedAfter) q = q.where('t.updated_at', '>=', f.updatedAfter);
    if (f.text) q = q.where((eb) => textMatch(eb, f.text!, f.includeInternal));
    if (f.slaStates?.length) q = q.where(slaStateCondition(f.slaStates, f.slaNow ?? new Date()));

    const dir = sort.order;
    if (sort.sort === 'sla_due_at') {
      // Tickets with a deadline in its order (the ticket_sla index), then those without by id:
      // two index-friendly reads instead of one sort with NULLS LAST over every ticket.
      const after = page.after;
      const cmp = sql.raw(dir === 'desc' ? '<' : '>');
      let rows: Awaited<ReturnType<typeof q.execute>> = [];
      if (!after || after.value !== null) {
        // Naming the workspace on ticket_sla lets its (workspace_id, due_at, ticket_id) index give the order.
        let dated = q.where('s.workspace_id', '=', workspaceId).where('s.due_at', 'is not', null);
        if (after) dated = dated.where(sql<SqlBool>`(s.due_at, s.ticket_id) ${cmp} (${new Date(String(after.value))}, ${after.id})`);
        rows = await dated.orderBy('s.due_at', dir).orderBy('s.ticket_id', dir).limit(page.limit).execute();
      }
      if (rows.length < page.limit) {
        let undated = q.where('s.due_at', 'is', null);
        if (after?.value === null) undated = undated.where(sql<SqlBool>`t.id ${cmp} ${after.id}`);
        rows = rows.concat(await undated.orderBy('t.id', dir).limit(page.limit - rows.length).execute());
      }
      return rows.map(toListView);
    }
    const key = sortKey(sort.sort);
    if (page.after) {
      const cmp = dir === 'desc' ? '<' : '>';
      const v = sort.sort === 'created_at' || sort.sort === 'updated_at' ? new Date(String(page.after.value)) : Number(page.after.value);
      q = q.where(sql<SqlBool>`(${key}, t.id) ${sql.raw(cmp)} (${v}, ${page.after.id})`);
    }
    const rows = await q
      .orderBy(key, dir)
      .orderBy('t.id', dir)
      .limit(page.limit)
      .execute();
    return rows.map(toListView);
  }

  async countOpenByAssignee(workspaceId: string, assigneeId: string): Promise<number> {
    const r = await this.db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('assignee_id', '=', assigneeId)
      .where('status', 'in', ['new', 'open', 'pending', 'on_hold'])
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async countViews(workspaceId: string, q: { userId: string; teamIds: string[]; recentSince: Date }) {
    const inTeams = q.teamIds.length ? sql<SqlBool>`team_id IN (${sql.join(q.teamIds)})` : sql<SqlBool>`false`;
    // One index-only pass over the unsolved tickets (tickets_open_updated_idx holds them with
    // their assignee and team), and the recently updated ones, any status, by updated_at.
    const r = await this.db
      .selectFrom('tickets')
      .select([
        sql<string>`count(*) FILTER (WHERE assignee_id = ${q.userId})`.as('mine'),
        sql<string>`count(*) FILTER (WHERE assignee_id IS NULL)`.as('unassigned'),
        sql<string>`count(*) FILTER (WHERE ${inTeams})`.as('my_teams'),
        sql<string>`count(*)`.as('open'),
        sql<string>`(SELECT count(*) FROM tickets r WHERE r.workspace_id = ${workspaceId} AND r.updated_at >= ${q.recentSince})`.as('recent'),
      ])
      .where('workspace_id', '=', workspaceId)
      .where('status', 'in', ['new', 'open', 'pending', 'on_hold'])
      .executeTakeFirstOrThrow();
    return { mine: Number(r.mine), unassigned: Number(r.unassigned), myTeams: Number(r.my_teams), open: Number(r.open), recent: Number(r.recent) };
  }
}

/**
 * Tickets in any of `states` at `now`, the rules of core sla/engine.ts `slaStateAt` on the stored
 * summary (a ticket without a ticket_sla row has null columns: state none).
 */
function slaStateCondition(states: SlaState[], now: Date): Expression<SqlBool> {
  const cases: Record<SlaState, RawBuilder<SqlBool>> = {
    breached: sql`s.due_at <= ${now}`,
    warning: sql`(s.due_at > ${now} AND s.warn_at <= ${now})`,
    ok: sql`(s.due_at > ${now} AND (s.warn_at IS NULL OR s.warn_at > ${now}))`,
    paused: sql`(s.due_at IS NULL AND s.paused)`,
    none: sql`(s.due_at IS NULL AND s.paused IS NOT TRUE)`,
  };
  return sql<SqlBool>`(${sql.join([...new Set(states)].map((st) => cases[st]), sql` OR `)})`;
}

function sortKey(sort: Exclude<Sorted['sort'], 'sla_due_at'>): Expression<unknown> {
  switch (sort) {
    case 'created_at':
      return sql`t.created_at`;
    case 'updated_at':
      return sql`t.updated_at`;
    case 'number':
      return sql`t.number`;
    case 'priority':
      return PRIORITY_RANK;
  }
}

/** Words in the subject or any message the caller may read; "#123" or "123" also finds ticket 123. */
function textMatch(eb: ExpressionBuilder<DB & { t: DB['tickets'] }, 't'>, text: string, includeInternal: boolean) {
  const query = sql`websearch_to_tsquery('simple', ${text})`;
  const inMessages = eb.exists(
    eb
      .selectFrom('messages as m')
      .select(sql`1`.as('one'))
      .whereRef('m.ticket_id', '=', 't.id')
      .where(sql<SqlBool>`m.search_vector @@ ${query}`)
      .$if(!includeInternal, (s) => s.where('m.visibility', '=', 'public')),
  );
  const ors = [eb(sql`t.search_vector`, '@@', query) as never, inMessages];
  const num = /^#?(\d{1,15})$/.exec(text.trim());
  if (num) ors.push(eb('t.number', '=', Number(num[1])) as never);
  return eb.or(ors);
}

async function insertAttachments(db: Kysely<DB>, workspaceId: string, messageId: string, at: Date, list: Attachment[]) {
  await db
    .insertInto('attachments')
    .values(
      list.map((a) => ({
        id: a.id,
        workspace_id: workspaceId,
        message_id: messageId,
        filename: a.filename,
        content_type: a.contentType,
        size_bytes: a.sizeBytes,
        sha256: a.sha256 ?? null,
        storage_key: a.storageKey ?? null,
        inline: a.inline,
        created_at: at,
      })),
    )
    .execute();
}

export class KyselyMessageRepository implements MessageRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(m: Omit<Message, 'attachments'>, attachments: Attachment[]): Promise<Message> {
    await this.insertMany([m]);
    if (attachments.length) await insertAttachments(this.db, m.workspaceId, m.id, m.createdAt, attachments);
    return { ...m, attachments };
  }

  async insertMany(list: Array<Omit<Message, 'attachments'>>): Promise<void> {
    if (!list.length) return;
    await this.db
      .insertInto('messages')
      .values(
        list.map((m) => ({
          id: m.id,
          workspace_id: m.workspaceId,
          ticket_id: m.ticketId,
          author_id: m.authorId,
          visibility: m.visibility,
          channel: m.channel,
          body_text: m.bodyText,
          body_html: m.bodyHtml,
          created_at: m.createdAt,
        })),
      )
      .execute();
  }

  async moveToTicket(workspaceId: string, fromTicketId: string, toTicketId: string): Promise<number> {
    const moved = await this.db
      .updateTable('messages')
      .set({ ticket_id: toTicketId })
      .where('workspace_id', '=', workspaceId)
      .where('ticket_id', '=', fromTicketId)
      .returning('id')
      .execute();
    if (!moved.length) return 0;
    // The message triggers fire on body and visibility only: the search rows and mentions follow here.
    await this.db
      .updateTable('search_documents')
      .set({ ticket_id: toTicketId })
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', 'message')
      .where('ticket_id', '=', fromTicketId)
      .execute();
    await this.db
      .updateTable('message_mentions')
      .set({ ticket_id: toTicketId })
      .where('workspace_id', '=', workspaceId)
      .where('ticket_id', '=', fromTicketId)
      .execute();
    return moved.length;
  }

  async listForTicket(
    workspaceId: string,
    ticketId: string,
    opts: { includeInternal: boolean; limit: number; after?: { value: string | number | null; id: string } },
  ): Promise<MessageView[]> {
    let q = this.db
      .selectFrom('messages as m')
      .leftJoin('users as u', 'u.id', 'm.author_id')
      .select([
        'm.id',
        'm.workspace_id',
        'm.ticket_id',
        'm.author_id',
        'm.visibility',
        'm.channel',
        'm.body_text',
        'm.body_html',
        'm.created_at',
        'u.name as author_name',
        'u.email as author_email',
      ])
      .where('m.workspace_id', '=', workspaceId)
      .where('m.ticket_id', '=', ticketId);
    if (!opts.includeInternal) q = q.where('m.visibility', '=', 'public');
    if (opts.after) q = q.where(sql<SqlBool>`(m.created_at, m.id) > (${new Date(String(opts.after.value))}, ${opts.after.id})`);
    const rows = await q.orderBy('m.created_at', 'asc').orderBy('m.id', 'asc').limit(opts.limit).execute();
    const ids = rows.map((r) => r.id);
    const atts = ids.length
      ? await this.db.selectFrom('attachments').selectAll().where('workspace_id', '=', workspaceId).where('message_id', 'in', ids).execute()
      : [];
    return rows.map((r) => ({
      id: r.id,
      workspaceId: r.workspace_id,
      ticketId: r.ticket_id,
      authorId: r.author_id,
      visibility: r.visibility as Message['visibility'],
      channel: r.channel as Message['channel'],
      bodyText: r.body_text,
      bodyHtml: r.body_html,
      createdAt: new Date(r.created_at),
      author: r.author_id && r.author_name ? { id: r.author_id, name: r.author_name, email: r.author_email } : null,
      attachments: atts
        .filter((a) => a.message_id === r.id)
        .map((a) => ({
          id: a.id,
          filename: a.filename,
          contentType: a.content_type,
          sizeBytes: Number(a.size_bytes),
          ...(a.sha256 ? { sha256: a.sha256 } : {}),
          ...(a.storage_key ? { storageKey: a.storage_key } : {}),
          inline: a.inline,
        })),
    }));
  }
}

/** A CTE enqueueing a job with the ticket (and waking workers at commit), as KyselyJobRepository.enqueue does. */
function jobInsert(job: NewJob, now: Date) {
  return sql`, j AS (
        INSERT INTO jobs (workspace_id, type, payload, run_at, dedupe_key, max_attempts, created_at)
        SELECT ${job.workspaceId}, ${job.type}, ${JSON.stringify(job.payload)}::jsonb, ${job.runAt ?? now}, ${job.dedupeKey ?? null}, ${job.maxAttempts ?? 10}, ${now} FROM t
        ON CONFLICT (type, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
        RETURNING pg_notify(${JOBS_CHANNEL}, type)
      )`;
}
