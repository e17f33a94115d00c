import { sql, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type {
  BlobRepository,
  EmailAddressFlagRepository,
  FollowerRepository,
  ImapSettings,
  InboundEmail,
  InboundEmailRepository,
  InboundEnvelope,
  Mailbox,
  MailboxRepository,
  MessageEmail,
  MessageEmailRepository,
  NewJob,
  OutboundEmail,
  OutboundEmailRepository,
  SmtpSettings,
  TicketLinkRepository,
} from '@guichet/core';
import type { DB, InboundEmailsTable, MailboxesTable, MessageEmailsTable, OutboundEmailsTable } from '../schema.ts';
import { json, toColumns } from './mappers.ts';
import { JOBS_CHANNEL } from './jobs.ts';
import { Coalescer } from '../coalesce.ts';

const d = (v: Date | string) => (v instanceof Date ? v : new Date(v));
const dn = (v: Date | string | null) => (v === null ? null : d(v));
const bytes = (v: Buffer | Uint8Array) => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));
const textArray = (v: string[]) => sql`${v}::text[]` as never;

function toMailbox(r: Selectable<MailboxesTable>): Mailbox {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    address: r.address,
    kind: r.kind as Mailbox['kind'],
    enabled: r.enabled,
    teamId: r.team_id,
    autoAck: r.auto_ack,
    floodLimitPerHour: r.flood_limit_per_hour,
    imapSettings: json<ImapSettings | null>(r.imap_settings, null),
    imapSecret: r.imap_secret,
    smtpSettings: json<SmtpSettings | null>(r.smtp_settings, null),
    smtpSecret: r.smtp_secret,
    imapState: json<Record<string, unknown>>(r.imap_state, {}),
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

export class KyselyMailboxRepository implements MailboxRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(m: Mailbox): Promise<Mailbox> {
    const r = await this.db
      .insertInto('mailboxes')
      .values({
        id: m.id,
        workspace_id: m.workspaceId,
        name: m.name,
        address: m.address.toLowerCase(),
        kind: m.kind,
        enabled: m.enabled,
        team_id: m.teamId,
        auto_ack: m.autoAck,
        flood_limit_per_hour: m.floodLimitPerHour,
        imap_settings: m.imapSettings ? JSON.stringify(m.imapSettings) : null,
        imap_secret: m.imapSecret,
        smtp_settings: m.smtpSettings ? JSON.stringify(m.smtpSettings) : null,
        smtp_secret: m.smtpSecret,
        imap_state: JSON.stringify(m.imapState),
        created_at: m.createdAt,
        updated_at: m.updatedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toMailbox(r);
  }

  async findById(workspaceId: string, id: string): Promise<Mailbox | null> {
    const r = await this.db.selectFrom('mailboxes').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toMailbox(r) : null;
  }

  async findByAddress(address: string): Promise<Mailbox | null> {
    const r = await this.db.selectFrom('mailboxes').selectAll().where(sql`lower(address)`, '=', address.toLowerCase()).executeTakeFirst();
    return r ? toMailbox(r) : null;
  }

  async update(workspaceId: string, id: string, patch: Partial<Mailbox>): Promise<Mailbox> {
    const cols = toColumns(patch, ['imapSettings', 'smtpSettings', 'imapState']);
    if (typeof cols.address === 'string') cols.address = cols.address.toLowerCase();
    const r = await this.db
      .updateTable('mailboxes')
      .set(cols as never)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toMailbox(r);
  }

  async list(workspaceId: string): Promise<Mailbox[]> {
    return (await this.db.selectFrom('mailboxes').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute()).map(toMailbox);
  }

  async listEnabledImap(): Promise<Mailbox[]> {
    return (await this.db.selectFrom('mailboxes').selectAll().where('kind', '=', 'imap').where('enabled', '=', true).orderBy('id').execute()).map(toMailbox);
  }
}

const INBOUND_COLUMNS = [
  'id',
  'workspace_id',
  'mailbox_id',
  'source',
  'sha256',
  'rfc_message_id',
  'size_bytes',
  'envelope',
  'status',
  'reason',
  'ticket_id',
  'message_id',
  'received_at',
  'processed_at',
] as const;

function toInbound(r: Omit<Selectable<InboundEmailsTable>, 'raw'>): InboundEmail {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    mailboxId: r.mailbox_id,
    source: r.source as InboundEmail['source'],
    sha256: r.sha256,
    rfcMessageId: r.rfc_message_id,
    sizeBytes: r.size_bytes,
    envelope: json<InboundEnvelope>(r.envelope, { from: '', rcptTo: [] }),
    status: r.status as InboundEmail['status'],
    reason: r.reason,
    ticketId: r.ticket_id,
    messageId: r.message_id,
    receivedAt: d(r.received_at),
    processedAt: dn(r.processed_at),
  };
}

type NewInbound = Omit<InboundEmail, 'status' | 'reason' | 'ticketId' | 'messageId' | 'processedAt'>;
type AcceptedRow = Omit<Selectable<InboundEmailsTable>, 'raw'>;

export class KyselyInboundEmailRepository implements InboundEmailRepository {
  /**
   * Outside transactions only: messages accepted at the same moment (several SMTP connections)
   * share one statement, hence one commit (see coalesce.ts); each is answered only after it.
   */
  private readonly coalesced: Coalescer<{ e: NewInbound; raw: Buffer; job: NewJob }, AcceptedRow | undefined> | null;

  constructor(
    private readonly db: Kysely<DB>,
    opts: { coalesce?: boolean } = {},
  ) {
    this.coalesced = opts.coalesce
      ? new Coalescer({ maxBatch: 32, maxInFlight: 2, one: (i) => this.acceptWithJob(i.e, i.raw, i.job), many: (list) => this.acceptManyWithJobs(list) })
      : null;
  }

  async accept(e: NewInbound, raw: Buffer, job?: NewJob): Promise<{ email: InboundEmail; created: boolean }> {
    const inserted = job ? await (this.coalesced ? this.coalesced.run({ e, raw, job }) : this.acceptWithJob(e, raw, job)) : await this.insertRaw(e, raw);
    if (inserted) return { email: toInbound(inserted), created: true };
    const existing = await this.db
      .selectFrom('inbound_emails')
      .select(INBOUND_COLUMNS)
      .where('mailbox_id', '=', e.mailboxId)
      .where('sha256', '=', e.sha256)
      .executeTakeFirstOrThrow();
    return { email: toInbound(existing), created: false };
  }

  /**
   * The message and its ingest job in one statement, one round trip and one commit (intake
   * outside a transaction: was BEGIN, two INSERTs and COMMIT). The job row and its NOTIFY are
   * those of KyselyJobRepository.enqueue; both happen only when the message is new.
   */
  private async acceptWithJob(e: Omit<InboundEmail, 'status' | 'reason' | 'ticketId' | 'messageId' | 'processedAt'>, raw: Buffer, job: NewJob) {
    const r = await sql<Omit<Selectable<InboundEmailsTable>, 'raw'>>`
      WITH e AS (
        INSERT INTO inbound_emails (id, workspace_id, mailbox_id, source, sha256, rfc_message_id, size_bytes, raw, envelope, received_at)
        VALUES (${e.id}, ${e.workspaceId}, ${e.mailboxId}, ${e.source}, ${e.sha256}, ${e.rfcMessageId}, ${e.sizeBytes}, ${raw},
          ${JSON.stringify(e.envelope)}::jsonb, ${e.receivedAt})
        ON CONFLICT (mailbox_id, sha256) DO NOTHING
        RETURNING ${sql.join(INBOUND_COLUMNS.map((c) => sql.ref(c)))}
      ), j AS (
        INSERT INTO jobs (workspace_id, type, payload, run_at, dedupe_key, max_attempts, created_at)
        SELECT ${job.workspaceId}, ${job.type}, ${JSON.stringify(job.payload)}::jsonb, ${job.runAt ?? e.receivedAt},
          ${job.dedupeKey ?? null}, ${job.maxAttempts ?? 10}, ${e.receivedAt} FROM e
        ON CONFLICT (type, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
        RETURNING type
      ), n AS (
        SELECT pg_notify(${JOBS_CHANNEL}, type) FROM j
      )
      SELECT e.*, (SELECT count(*) FROM n) AS notified FROM e`.execute(this.db);
    return r.rows[0];
  }

  /**
   * `acceptWithJob` for several messages in one statement: the rows of the new ones, in input
   * order (undefined for a message the mailbox already holds, even from earlier in this list).
   */
  private async acceptManyWithJobs(list: Array<{ e: NewInbound; raw: Buffer; job: NewJob }>): Promise<Array<AcceptedRow | undefined>> {
    const values = list.map(
      ({ e, raw, job }, ord) => sql`(${ord}::int, ${e.id}::uuid, ${e.workspaceId}::uuid, ${e.mailboxId}::uuid, ${e.source}::text, ${e.sha256}::text,
        ${e.rfcMessageId}::text, ${e.sizeBytes}::int, ${raw}::bytea, ${JSON.stringify(e.envelope)}::jsonb, ${e.receivedAt}::timestamptz,
        ${job.workspaceId}::uuid, ${job.type}::text, ${JSON.stringify(job.payload)}::jsonb, ${job.runAt ?? e.receivedAt}::timestamptz,
        ${job.dedupeKey ?? null}::text, ${job.maxAttempts ?? 10}::int)`,
    );
    const r = await sql<AcceptedRow>`
      WITH v (ord, id, workspace_id, mailbox_id, source, sha256, rfc_message_id, size_bytes, raw, envelope, received_at,
          j_workspace_id, j_type, j_payload, j_run_at, j_dedupe_key, j_max_attempts) AS (VALUES ${sql.join(values)}
      ), e AS (
        INSERT INTO inbound_emails (id, workspace_id, mailbox_id, source, sha256, rfc_message_id, size_bytes, raw, envelope, received_at)
        SELECT id, workspace_id, mailbox_id, source, sha256, rfc_message_id, size_bytes, raw, envelope, received_at FROM v ORDER BY ord
        ON CONFLICT (mailbox_id, sha256) DO NOTHING
        RETURNING ${sql.join(INBOUND_COLUMNS.map((c) => sql.ref(c)))}
      ), j AS (
        INSERT INTO jobs (workspace_id, type, payload, run_at, dedupe_key, max_attempts, created_at)
        SELECT v.j_workspace_id, v.j_type, v.j_payload, v.j_run_at, v.j_dedupe_key, v.j_max_attempts, v.received_at
        FROM e JOIN v ON v.id = e.id ORDER BY v.ord
        ON CONFLICT (type, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
        RETURNING type
      ), n AS (
        SELECT pg_notify(${JOBS_CHANNEL}, t.type) FROM (SELECT DISTINCT type FROM j) t
      )
      SELECT e.*, (SELECT count(*) FROM n) AS notified FROM e`.execute(this.db);
    const byId = new Map(r.rows.map((row) => [row.id, row]));
    return list.map(({ e }) => byId.get(e.id));
  }

  private async insertRaw(e: Omit<InboundEmail, 'status' | 'reason' | 'ticketId' | 'messageId' | 'processedAt'>, raw: Buffer) {
    return this.db
      .insertInto('inbound_emails')
      .values({
        id: e.id,
        workspace_id: e.workspaceId,
        mailbox_id: e.mailboxId,
        source: e.source,
        sha256: e.sha256,
        rfc_message_id: e.rfcMessageId,
        size_bytes: e.sizeBytes,
        raw,
        envelope: JSON.stringify(e.envelope),
        received_at: e.receivedAt,
      })
      .onConflict((oc) => oc.columns(['mailbox_id', 'sha256']).doNothing())
      .returning(INBOUND_COLUMNS)
      .executeTakeFirst();
  }

  async findById(workspaceId: string, id: string): Promise<InboundEmail | null> {
    const r = await this.db.selectFrom('inbound_emails').select(INBOUND_COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toInbound(r) : null;
  }

  async raw(workspaceId: string, id: string): Promise<Buffer | null> {
    const r = await this.db.selectFrom('inbound_emails').select('raw').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? bytes(r.raw) : null;
  }

  async pendingRaw(workspaceId: string, id: string): Promise<Buffer | null> {
    const r = await this.db
      .selectFrom('inbound_emails')
      .select('raw')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return r ? bytes(r.raw) : null;
  }

  async pendingRaws(workspaceId: string, ids: string[]): Promise<Map<string, Buffer>> {
    if (!ids.length) return new Map();
    const rows = await this.db
      .selectFrom('inbound_emails')
      .select(['id', 'raw'])
      .where('workspace_id', '=', workspaceId)
      .where('id', 'in', ids)
      .where('status', '=', 'pending')
      .execute();
    return new Map(rows.map((r) => [r.id, bytes(r.raw)]));
  }

  async lockMany(workspaceId: string, ids: string[]): Promise<InboundEmail[]> {
    if (!ids.length) return [];
    const rows = await this.db
      .selectFrom('inbound_emails')
      .select(INBOUND_COLUMNS)
      .where('workspace_id', '=', workspaceId)
      .where('id', 'in', ids)
      .orderBy('id')
      .forUpdate()
      .execute();
    return rows.map(toInbound);
  }

  async lock(workspaceId: string, id: string): Promise<InboundEmail | null> {
    const r = await this.db
      .selectFrom('inbound_emails')
      .select(INBOUND_COLUMNS)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return r ? toInbound(r) : null;
  }

  async markProcessed(
    workspaceId: string,
    id: string,
    result: { status: InboundEmail['status']; reason: string | null; ticketId: string | null; messageId: string | null },
    at: Date,
  ): Promise<void> {
    await this.db
      .updateTable('inbound_emails')
      .set({ status: result.status, reason: result.reason, ticket_id: result.ticketId, message_id: result.messageId, processed_at: at })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  }

  async countFromSenders(mailboxId: string, froms: string[], since: Date): Promise<Map<string, number>> {
    const wanted = [...new Set(froms.map((f) => f.toLowerCase()))];
    if (!wanted.length) return new Map();
    const rows = await this.db
      .selectFrom('inbound_emails')
      .select([sql<string>`envelope->>'from'`.as('sender'), (eb) => eb.fn.countAll<number>().as('n')])
      .where('mailbox_id', '=', mailboxId)
      .where(sql`envelope->>'from'`, 'in', wanted)
      .where('received_at', '>=', since)
      .groupBy(sql`envelope->>'from'`)
      .execute();
    const counts = new Map(rows.map((r) => [r.sender, Number(r.n)]));
    return new Map(froms.map((f) => [f, counts.get(f.toLowerCase()) ?? 0]));
  }

  async markProcessedMany(
    workspaceId: string,
    results: Array<{ id: string; status: InboundEmail['status']; reason: string | null; ticketId: string | null; messageId: string | null }>,
    at: Date,
  ): Promise<void> {
    if (!results.length) return;
    const rows = results.map((r) => ({ id: r.id, status: r.status, reason: r.reason, ticket_id: r.ticketId, message_id: r.messageId }));
    await sql`
      UPDATE inbound_emails AS i
      SET status = r.status, reason = r.reason, ticket_id = r.ticket_id, message_id = r.message_id, processed_at = ${at}
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id uuid, status text, reason text, ticket_id uuid, message_id uuid)
      WHERE i.workspace_id = ${workspaceId} AND i.id = r.id`.execute(this.db);
  }

  async countFromSender(mailboxId: string, from: string, since: Date): Promise<number> {
    const r = await this.db
      .selectFrom('inbound_emails')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('mailbox_id', '=', mailboxId)
      .where(sql`envelope->>'from'`, '=', from.toLowerCase())
      .where('received_at', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async list(
    workspaceId: string,
    filter: { status?: InboundEmail['status']; mailboxId?: string },
    page: { limit: number; before?: { receivedAt: Date; id: string } },
  ): Promise<InboundEmail[]> {
    let q = this.db.selectFrom('inbound_emails').select(INBOUND_COLUMNS).where('workspace_id', '=', workspaceId);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.mailboxId) q = q.where('mailbox_id', '=', filter.mailboxId);
    if (page.before) q = q.where(sql<SqlBool>`(received_at, id) < (${page.before.receivedAt}, ${page.before.id})`);
    return (await q.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute()).map(toInbound);
  }
}

function toMessageEmail(r: Selectable<MessageEmailsTable>): MessageEmail {
  return {
    messageId: r.message_id,
    workspaceId: r.workspace_id,
    direction: r.direction as MessageEmail['direction'],
    rfcMessageId: r.rfc_message_id,
    inReplyTo: r.in_reply_to,
    references: r.references ?? [],
    fromAddress: r.from_address,
    toAddresses: r.to_addresses ?? [],
    ccAddresses: r.cc_addresses ?? [],
    subject: r.subject,
    inboundEmailId: r.inbound_email_id,
    deliveryStatus: r.delivery_status as MessageEmail['deliveryStatus'],
    deliveryError: r.delivery_error,
    autoSubmitted: r.auto_submitted,
    createdAt: d(r.created_at),
  };
}

export class KyselyMessageEmailRepository implements MessageEmailRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(m: MessageEmail): Promise<void> {
    await this.db
      .insertInto('message_emails')
      .values({
        message_id: m.messageId,
        workspace_id: m.workspaceId,
        direction: m.direction,
        rfc_message_id: m.rfcMessageId,
        in_reply_to: m.inReplyTo,
        references: textArray(m.references),
        from_address: m.fromAddress,
        to_addresses: textArray(m.toAddresses),
        cc_addresses: textArray(m.ccAddresses),
        subject: m.subject,
        inbound_email_id: m.inboundEmailId,
        delivery_status: m.deliveryStatus,
        delivery_error: m.deliveryError,
        auto_submitted: m.autoSubmitted,
        created_at: m.createdAt,
      })
      .execute();
  }

  async findByMessageIds(workspaceId: string, messageIds: string[]): Promise<MessageEmail[]> {
    if (!messageIds.length) return [];
    return (
      await this.db.selectFrom('message_emails').selectAll().where('workspace_id', '=', workspaceId).where('message_id', 'in', messageIds).execute()
    ).map(toMessageEmail);
  }

  async findByRfcIds(workspaceId: string, rfcIds: string[]): Promise<Array<MessageEmail & { ticketId: string }>> {
    if (!rfcIds.length) return [];
    const rows = await this.db
      .selectFrom('message_emails as me')
      .innerJoin('messages as m', 'm.id', 'me.message_id')
      .selectAll('me')
      .select('m.ticket_id')
      .where('me.workspace_id', '=', workspaceId)
      .where('me.rfc_message_id', 'in', rfcIds)
      .orderBy('me.created_at', 'desc')
      .execute();
    return rows.map((r) => ({ ...toMessageEmail(r), ticketId: r.ticket_id }));
  }

  async setDeliveryStatus(workspaceId: string, messageId: string, status: MessageEmail['deliveryStatus'], error: string | null): Promise<void> {
    await this.db
      .updateTable('message_emails')
      .set({ delivery_status: status, delivery_error: error })
      .where('workspace_id', '=', workspaceId)
      .where('message_id', '=', messageId)
      .execute();
  }

  async listForTicket(workspaceId: string, ticketId: string): Promise<MessageEmail[]> {
    const rows = await this.db
      .selectFrom('message_emails as me')
      .innerJoin('messages as m', 'm.id', 'me.message_id')
      .selectAll('me')
      .where('me.workspace_id', '=', workspaceId)
      .where('m.ticket_id', '=', ticketId)
      .orderBy('me.created_at')
      .orderBy('me.message_id')
      .execute();
    return rows.map(toMessageEmail);
  }
}

function toOutbound(r: Selectable<OutboundEmailsTable>): OutboundEmail {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    mailboxId: r.mailbox_id,
    messageId: r.message_id,
    ticketId: r.ticket_id,
    kind: r.kind as OutboundEmail['kind'],
    rfcMessageId: r.rfc_message_id,
    fromAddress: r.from_address,
    replyTo: r.reply_to,
    toAddresses: r.to_addresses ?? [],
    ccAddresses: r.cc_addresses ?? [],
    subject: r.subject,
    inReplyTo: r.in_reply_to,
    references: r.references ?? [],
    textBody: r.text_body,
    htmlBody: r.html_body,
    headers: json<Record<string, string>>(r.headers, {}),
    attachmentIds: r.attachment_ids ?? [],
    status: r.status as OutboundEmail['status'],
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: d(r.created_at),
    sentAt: dn(r.sent_at),
  };
}

export class KyselyOutboundEmailRepository implements OutboundEmailRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(o: OutboundEmail): Promise<void> {
    await this.insertMany([o]);
  }

  async insertMany(list: OutboundEmail[]): Promise<void> {
    if (!list.length) return;
    await this.db
      .insertInto('outbound_emails')
      .values(
        list.map((o) => ({
          id: o.id,
          workspace_id: o.workspaceId,
          mailbox_id: o.mailboxId,
          message_id: o.messageId,
          ticket_id: o.ticketId,
          kind: o.kind,
          rfc_message_id: o.rfcMessageId,
          from_address: o.fromAddress,
          reply_to: o.replyTo,
          to_addresses: textArray(o.toAddresses),
          cc_addresses: textArray(o.ccAddresses),
          subject: o.subject,
          in_reply_to: o.inReplyTo,
          references: textArray(o.references),
          text_body: o.textBody,
          html_body: o.htmlBody,
          headers: JSON.stringify(o.headers),
          attachment_ids: sql`${o.attachmentIds}::uuid[]` as never,
          status: o.status,
          attempts: o.attempts,
          last_error: o.lastError,
          created_at: o.createdAt,
          sent_at: o.sentAt,
        })),
      )
      .execute();
  }

  async findById(workspaceId: string, id: string): Promise<OutboundEmail | null> {
    const r = await this.db.selectFrom('outbound_emails').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toOutbound(r) : null;
  }

  async findByRfcId(rfcMessageId: string): Promise<OutboundEmail | null> {
    const r = await this.db.selectFrom('outbound_emails').selectAll().where('rfc_message_id', '=', rfcMessageId).executeTakeFirst();
    return r ? toOutbound(r) : null;
  }

  async update(
    workspaceId: string,
    id: string,
    patch: Partial<Pick<OutboundEmail, 'status' | 'attempts' | 'lastError' | 'sentAt'>>,
  ): Promise<void> {
    await this.db.updateTable('outbound_emails').set(toColumns(patch) as never).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async listForTicket(workspaceId: string, ticketId: string): Promise<OutboundEmail[]> {
    return (
      await this.db.selectFrom('outbound_emails').selectAll().where('workspace_id', '=', workspaceId).where('ticket_id', '=', ticketId).orderBy('created_at').execute()
    ).map(toOutbound);
  }

  async countSentTo(workspaceId: string, kind: OutboundEmail['kind'], address: string, since: Date): Promise<number> {
    const r = await this.db
      .selectFrom('outbound_emails')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', kind)
      .where(sql<SqlBool>`${address.toLowerCase()} = ANY(to_addresses)`)
      .where('created_at', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

export class KyselyBlobRepository implements BlobRepository {
  constructor(private readonly db: Kysely<DB>) {}

  put(workspaceId: string, sha256: string, content: Buffer, at: Date): Promise<void> {
    return this.putMany(workspaceId, [{ sha256, content }], at);
  }

  async putMany(workspaceId: string, items: Array<{ sha256: string; content: Buffer }>, at: Date): Promise<void> {
    const unique = [...new Map(items.map((i) => [i.sha256, i])).values()];
    if (!unique.length) return;
    await this.db
      .insertInto('blobs')
      .values(unique.map(({ sha256, content }) => ({ workspace_id: workspaceId, sha256, size_bytes: content.length, content, created_at: at })))
      .onConflict((oc) => oc.columns(['workspace_id', 'sha256']).doNothing())
      .execute();
  }

  async get(workspaceId: string, sha256: string): Promise<Buffer | null> {
    const r = await this.db.selectFrom('blobs').select('content').where('workspace_id', '=', workspaceId).where('sha256', '=', sha256).executeTakeFirst();
    return r ? bytes(r.content) : null;
  }
}

export class KyselyFollowerRepository implements FollowerRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async add(workspaceId: string, ticketId: string, userIds: string[], at: Date): Promise<void> {
    if (!userIds.length) return;
    await this.db
      .insertInto('ticket_followers')
      .values([...new Set(userIds)].map((user_id) => ({ workspace_id: workspaceId, ticket_id: ticketId, user_id, added_at: at })))
      .onConflict((oc) => oc.columns(['ticket_id', 'user_id']).doNothing())
      .execute();
  }

  async list(workspaceId: string, ticketId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('ticket_followers')
      .select('user_id')
      .where('workspace_id', '=', workspaceId)
      .where('ticket_id', '=', ticketId)
      .orderBy('added_at')
      .execute();
    return rows.map((r) => r.user_id);
  }
}

export class KyselyEmailAddressFlagRepository implements EmailAddressFlagRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async flag(workspaceId: string, address: string, status: 'bouncing' | 'complained', reason: string | null, at: Date): Promise<void> {
    await this.db
      .insertInto('email_address_flags')
      .values({ workspace_id: workspaceId, address: address.toLowerCase(), status, reason, updated_at: at })
      .onConflict((oc) => oc.columns(['workspace_id', 'address']).doUpdateSet({ status, reason, updated_at: at }))
      .execute();
  }

  async get(workspaceId: string, address: string): Promise<{ status: string; reason: string | null } | null> {
    const r = await this.db
      .selectFrom('email_address_flags')
      .select(['status', 'reason'])
      .where('workspace_id', '=', workspaceId)
      .where('address', '=', address.toLowerCase())
      .executeTakeFirst();
    return r ?? null;
  }

  async clear(workspaceId: string, address: string): Promise<void> {
    await this.db.deleteFrom('email_address_flags').where('workspace_id', '=', workspaceId).where('address', '=', address.toLowerCase()).execute();
  }
}

export class KyselyTicketLinkRepository implements TicketLinkRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async link(workspaceId: string, ticketId: string, linkedTicketId: string, kind: string, at: Date): Promise<void> {
    await this.db
      .insertInto('ticket_links')
      .values({ workspace_id: workspaceId, ticket_id: ticketId, linked_ticket_id: linkedTicketId, kind, created_at: at })
      .onConflict((oc) => oc.columns(['ticket_id', 'linked_ticket_id', 'kind']).doNothing())
      .execute();
  }

  async list(workspaceId: string, ticketId: string): Promise<Array<{ linkedTicketId: string; kind: string }>> {
    const rows = await this.db
      .selectFrom('ticket_links')
      .select(['linked_ticket_id', 'kind'])
      .where('workspace_id', '=', workspaceId)
      .where('ticket_id', '=', ticketId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({ linkedTicketId: r.linked_ticket_id, kind: r.kind }));
  }
}
