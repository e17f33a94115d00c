/** The email channel's records and storage ports. */
import type { NewJob } from '../jobs/types.ts';

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  /** Folder to read (default INBOX). */
  folder: string;
  /** Where processed mail is moved; when null it is flagged \\Seen + $GuichetProcessed and left in place. */
  processedFolder: string | null;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
}

export interface Mailbox {
  id: string;
  workspaceId: string;
  name: string;
  /** The address customers write to, e.g. support@acme.example (lowercase). */
  address: string;
  kind: 'smtp' | 'imap';
  enabled: boolean;
  teamId: string | null;
  autoAck: boolean;
  floodLimitPerHour: number;
  imapSettings: ImapSettings | null;
  /** Encrypted at rest (see SecretBox); never leaves the server. */
  imapSecret: string | null;
  smtpSettings: SmtpSettings | null;
  smtpSecret: string | null;
  /** IMAP bookkeeping (UIDVALIDITY, last UID seen…). */
  imapState: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type InboundStatus = 'pending' | 'ticketed' | 'duplicate' | 'auto_reply' | 'bounce' | 'ignored' | 'held' | 'rejected' | 'failed';

export interface InboundEnvelope {
  /** SMTP MAIL FROM (or the From header for IMAP), lowercase; '' for a null sender (bounces). */
  from: string;
  rcptTo: string[];
  remoteAddress?: string | null;
  imapUid?: number | null;
  imapUidValidity?: number | null;
}

export interface InboundEmail {
  id: string;
  workspaceId: string;
  mailboxId: string;
  source: 'smtp' | 'imap' | 'api';
  sha256: string;
  rfcMessageId: string | null;
  sizeBytes: number;
  envelope: InboundEnvelope;
  status: InboundStatus;
  reason: string | null;
  ticketId: string | null;
  messageId: string | null;
  receivedAt: Date;
  processedAt: Date | null;
}

export interface MessageEmail {
  messageId: string;
  workspaceId: string;
  direction: 'in' | 'out';
  rfcMessageId: string;
  inReplyTo: string | null;
  references: string[];
  fromAddress: string | null;
  toAddresses: string[];
  ccAddresses: string[];
  subject: string | null;
  inboundEmailId: string | null;
  deliveryStatus: 'received' | 'queued' | 'sent' | 'failed' | 'bounced';
  deliveryError: string | null;
  autoSubmitted: boolean;
  createdAt: Date;
}

export interface OutboundEmail {
  id: string;
  workspaceId: string;
  mailboxId: string | null;
  messageId: string | null;
  ticketId: string | null;
  kind: 'reply' | 'auto_ack' | 'notification';
  rfcMessageId: string;
  fromAddress: string;
  replyTo: string | null;
  toAddresses: string[];
  ccAddresses: string[];
  subject: string;
  inReplyTo: string | null;
  references: string[];
  textBody: string;
  htmlBody: string | null;
  headers: Record<string, string>;
  attachmentIds: string[];
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface MailboxRepository {
  insert(m: Mailbox): Promise<Mailbox>;
  findById(workspaceId: string, id: string): Promise<Mailbox | null>;
  /** Across workspaces: which mailbox receives mail for this address (case-insensitive). */
  findByAddress(address: string): Promise<Mailbox | null>;
  update(workspaceId: string, id: string, patch: Partial<Mailbox>): Promise<Mailbox>;
  list(workspaceId: string): Promise<Mailbox[]>;
  /** Enabled IMAP mailboxes of every workspace (the poller's work list). */
  listEnabledImap(): Promise<Mailbox[]>;
}

export interface InboundEmailRepository {
  /**
   * Store a raw message unless this mailbox already holds the same bytes. Returns the stored
   * record and whether it is new; the raw bytes are committed with the transaction. With `job`,
   * a new message's job is enqueued by the same statement (as `jobs.enqueue` would, at
   * `receivedAt`), so both commit together even outside a transaction.
   */
  accept(
    e: Omit<InboundEmail, 'status' | 'reason' | 'ticketId' | 'messageId' | 'processedAt'>,
    raw: Buffer,
    job?: NewJob,
  ): Promise<{ email: InboundEmail; created: boolean }>;
  findById(workspaceId: string, id: string): Promise<InboundEmail | null>;
  raw(workspaceId: string, id: string): Promise<Buffer | null>;
  /** The raw bytes of a message still pending ingest; null when it is absent or already processed (one read). */
  pendingRaw(workspaceId: string, id: string): Promise<Buffer | null>;
  /** `pendingRaw` for several messages in one read: the ones still pending, by id. */
  pendingRaws(workspaceId: string, ids: string[]): Promise<Map<string, Buffer>>;
  /** Lock the row for the rest of the transaction (one ingest at a time per message). */
  lock(workspaceId: string, id: string): Promise<InboundEmail | null>;
  /** `lock` for several rows in one statement (locked in id order); the ones found. */
  lockMany(workspaceId: string, ids: string[]): Promise<InboundEmail[]>;
  markProcessed(
    workspaceId: string,
    id: string,
    result: { status: InboundStatus; reason: string | null; ticketId: string | null; messageId: string | null },
    at: Date,
  ): Promise<void>;
  /** Messages from this sender to this mailbox received since `since` (flood control). */
  countFromSender(mailboxId: string, from: string, since: Date): Promise<number>;
  /** `countFromSender` for several senders in one read, by sender as given (absent: none). */
  countFromSenders(mailboxId: string, froms: string[], since: Date): Promise<Map<string, number>>;
  /** `markProcessed` for several messages in one statement. */
  markProcessedMany(
    workspaceId: string,
    results: Array<{ id: string; status: InboundStatus; reason: string | null; ticketId: string | null; messageId: string | null }>,
    at: Date,
  ): Promise<void>;
  list(workspaceId: string, filter: { status?: InboundStatus; mailboxId?: string }, page: { limit: number; before?: { receivedAt: Date; id: string } }): Promise<InboundEmail[]>;
}

export interface MessageEmailRepository {
  insert(m: MessageEmail): Promise<void>;
  findByMessageIds(workspaceId: string, messageIds: string[]): Promise<MessageEmail[]>;
  /** Messages (either direction) whose RFC Message-ID is one of these, with their ticket. */
  findByRfcIds(workspaceId: string, rfcIds: string[]): Promise<Array<MessageEmail & { ticketId: string }>>;
  setDeliveryStatus(workspaceId: string, messageId: string, status: MessageEmail['deliveryStatus'], error: string | null): Promise<void>;
  /** The email headers of a ticket's messages, oldest first (threading of replies). */
  listForTicket(workspaceId: string, ticketId: string): Promise<MessageEmail[]>;
}

export interface OutboundEmailRepository {
  insert(o: OutboundEmail): Promise<void>;
  insertMany(list: OutboundEmail[]): Promise<void>;
  findById(workspaceId: string, id: string): Promise<OutboundEmail | null>;
  findByRfcId(rfcMessageId: string): Promise<OutboundEmail | null>;
  /** Record an attempt's outcome. */
  update(workspaceId: string, id: string, patch: Partial<Pick<OutboundEmail, 'status' | 'attempts' | 'lastError' | 'sentAt'>>): Promise<void>;
  listForTicket(workspaceId: string, ticketId: string): Promise<OutboundEmail[]>;
  /** How many mails of this kind went (or are queued) to this address since `since` (auto-ack rate). */
  countSentTo(workspaceId: string, kind: OutboundEmail['kind'], address: string, since: Date): Promise<number>;
}

export interface BlobRepository {
  /** Content-addressed: putting the same bytes twice stores them once. */
  put(workspaceId: string, sha256: string, content: Buffer, at: Date): Promise<void>;
  /** `put` for several contents in one statement. */
  putMany(workspaceId: string, items: Array<{ sha256: string; content: Buffer }>, at: Date): Promise<void>;
  get(workspaceId: string, sha256: string): Promise<Buffer | null>;
}

export interface FollowerRepository {
  add(workspaceId: string, ticketId: string, userIds: string[], at: Date): Promise<void>;
  list(workspaceId: string, ticketId: string): Promise<string[]>;
}

export interface EmailAddressFlagRepository {
  flag(workspaceId: string, address: string, status: 'bouncing' | 'complained', reason: string | null, at: Date): Promise<void>;
  get(workspaceId: string, address: string): Promise<{ status: string; reason: string | null } | null>;
  clear(workspaceId: string, address: string): Promise<void>;
}

export interface TicketLinkRepository {
  link(workspaceId: string, ticketId: string, linkedTicketId: string, kind: string, at: Date): Promise<void>;
  list(workspaceId: string, ticketId: string): Promise<Array<{ linkedTicketId: string; kind: string }>>;
}
