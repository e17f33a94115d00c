import { z } from 'zod';
import { email, isoDate, nonEmpty, pageQuery, uuid } from './common.ts';

const host = z.string().trim().min(1).max(253);
const port = z.number().int().min(1).max(65535);

export const ImapSettingsInput = z.object({
  host,
  port: port.default(993),
  secure: z.boolean().default(true),
  user: nonEmpty(320),
  folder: nonEmpty(200).default('INBOX'),
  processedFolder: nonEmpty(200).nullable().default(null),
});

export const SmtpSettingsInput = z.object({
  host,
  port: port.default(587),
  secure: z.boolean().default(false),
  user: nonEmpty(320).nullable().default(null),
});

export const CreateMailboxInput = z.object({
  name: nonEmpty(200),
  address: email,
  kind: z.enum(['smtp', 'imap']).default('smtp'),
  enabled: z.boolean().default(true),
  teamId: uuid.nullable().default(null),
  autoAck: z.boolean().default(false),
  floodLimitPerHour: z.number().int().min(1).max(100_000).default(30),
  imapSettings: ImapSettingsInput.nullable().default(null),
  /** Write-only: sealed at rest, never returned. */
  imapPassword: z.string().min(1).max(1000).optional(),
  smtpSettings: SmtpSettingsInput.nullable().default(null),
  /** Write-only: sealed at rest, never returned. */
  smtpPassword: z.string().min(1).max(1000).optional(),
});
export type CreateMailboxInput = z.infer<typeof CreateMailboxInput>;

export const UpdateMailboxInput = z
  .object({
    name: nonEmpty(200),
    enabled: z.boolean(),
    teamId: uuid.nullable(),
    autoAck: z.boolean(),
    floodLimitPerHour: z.number().int().min(1).max(100_000),
    imapSettings: ImapSettingsInput.nullable(),
    imapPassword: z.string().min(1).max(1000).nullable(),
    smtpSettings: SmtpSettingsInput.nullable(),
    smtpPassword: z.string().min(1).max(1000).nullable(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateMailboxInput = z.infer<typeof UpdateMailboxInput>;

export const MailboxOut = z.object({
  id: uuid,
  name: z.string(),
  address: z.string(),
  kind: z.enum(['smtp', 'imap']),
  enabled: z.boolean(),
  teamId: uuid.nullable(),
  autoAck: z.boolean(),
  floodLimitPerHour: z.number().int(),
  imapSettings: z
    .object({ host: z.string(), port: z.number().int(), secure: z.boolean(), user: z.string(), folder: z.string(), processedFolder: z.string().nullable() })
    .nullable(),
  /** Whether a password is stored (it is never returned). */
  imapPasswordSet: z.boolean(),
  smtpSettings: z.object({ host: z.string(), port: z.number().int(), secure: z.boolean(), user: z.string().nullable() }).nullable(),
  smtpPasswordSet: z.boolean(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type MailboxOut = z.infer<typeof MailboxOut>;

export const MailboxTestOut = z.object({
  ok: z.boolean(),
  kind: z.enum(['smtp', 'imap']),
  message: z.string(),
  /** smtp: where the built-in listener receives mail. */
  listener: z.object({ host: z.string(), port: z.number().int() }).nullable(),
  folders: z.array(z.string()).optional(),
});
export type MailboxTestOut = z.infer<typeof MailboxTestOut>;

export const INBOUND_STATUSES = ['pending', 'ticketed', 'duplicate', 'auto_reply', 'bounce', 'ignored', 'held', 'rejected', 'failed'] as const;

/** The newest first; `before` (a receivedAt of the previous page) reads further back. */
export const ListInboundEmailsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: isoDate.optional(),
  status: z.enum(INBOUND_STATUSES).optional(),
  mailboxId: uuid.optional(),
});
export type ListInboundEmailsQuery = z.infer<typeof ListInboundEmailsQuery>;

export const InboundEmailOut = z.object({
  id: uuid,
  mailboxId: uuid,
  source: z.enum(['smtp', 'imap', 'api']),
  rfcMessageId: z.string().nullable(),
  sha256: z.string(),
  sizeBytes: z.number().int(),
  envelope: z.object({ from: z.string(), rcptTo: z.array(z.string()) }),
  status: z.enum(INBOUND_STATUSES),
  reason: z.string().nullable(),
  ticketId: uuid.nullable(),
  messageId: uuid.nullable(),
  receivedAt: isoDate,
  processedAt: isoDate.nullable(),
});
export type InboundEmailOut = z.infer<typeof InboundEmailOut>;

/** The email side of a ticket message: what threading and delivery debugging need. */
export const MessageEmailOut = z.object({
  direction: z.enum(['in', 'out']),
  rfcMessageId: z.string(),
  inReplyTo: z.string().nullable(),
  references: z.array(z.string()),
  from: z.string().nullable(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  subject: z.string().nullable(),
  deliveryStatus: z.enum(['received', 'queued', 'sent', 'failed', 'bounced']),
  deliveryError: z.string().nullable(),
  autoSubmitted: z.boolean(),
  /** Offsets in `body` where quoted history and the signature start, for folding (the body is whole). */
  quoteStart: z.number().int().nullable(),
  signatureStart: z.number().int().nullable(),
  /** Remote images in bodyHtml not loaded (data-remote-src); `?remoteImages=show` loads them. */
  remoteImages: z.number().int(),
});
export type MessageEmailOut = z.infer<typeof MessageEmailOut>;

export const ListMessagesQuery = pageQuery.extend({
  /** `show`: remote images in HTML bodies get their src back (the agent chose to load them). */
  remoteImages: z.enum(['show', 'hide']).default('hide'),
});
export type ListMessagesQuery = z.infer<typeof ListMessagesQuery>;

/** Message and attachment ids that name nothing (whatever their form) answer 404 like missing ones. */
export const AttachmentParams = z.object({
  id: z.string().regex(/^(\d{1,15}|[0-9a-fA-F-]{36})$/, 'a ticket number or id'),
  messageId: z.string().min(1).max(64),
  attachmentId: z.string().min(1).max(64),
});
