import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import {
  AttachmentParams,
  CreateMailboxInput,
  InboundEmailOut,
  ListInboundEmailsQuery,
  MailboxOut,
  MailboxTestOut,
  UpdateMailboxInput,
  uuid,
  type MessageEmailOut,
} from '@guichet/contracts';
import {
  AppError,
  createMailbox,
  getAttachment,
  getMailbox,
  listInboundEmails,
  listMailboxes,
  updateMailbox,
  type InboundEmail,
  type Mailbox,
  type MessageWithEmail,
} from '@guichet/core';
import type { Router } from '../route.ts';
import { mailboxForRecipient } from '../../email/smtp-listener.ts';

const iso = (d: Date) => d.toISOString();
const MailboxParams = z.object({ id: uuid });

export function presentMailbox(m: Mailbox): MailboxOut {
  return {
    id: m.id,
    name: m.name,
    address: m.address,
    kind: m.kind,
    enabled: m.enabled,
    teamId: m.teamId,
    autoAck: m.autoAck,
    floodLimitPerHour: m.floodLimitPerHour,
    imapSettings: m.imapSettings
      ? { host: m.imapSettings.host, port: m.imapSettings.port, secure: m.imapSettings.secure, user: m.imapSettings.user, folder: m.imapSettings.folder, processedFolder: m.imapSettings.processedFolder }
      : null,
    imapPasswordSet: !!m.imapSecret,
    smtpSettings: m.smtpSettings ? { host: m.smtpSettings.host, port: m.smtpSettings.port, secure: m.smtpSettings.secure, user: m.smtpSettings.user } : null,
    smtpPasswordSet: !!m.smtpSecret,
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
  };
}

export function presentInbound(e: InboundEmail): InboundEmailOut {
  return {
    id: e.id,
    mailboxId: e.mailboxId,
    source: e.source,
    rfcMessageId: e.rfcMessageId,
    sha256: e.sha256,
    sizeBytes: e.sizeBytes,
    envelope: { from: e.envelope.from, rcptTo: e.envelope.rcptTo },
    status: e.status,
    reason: e.reason,
    ticketId: e.ticketId,
    messageId: e.messageId,
    receivedAt: iso(e.receivedAt),
    processedAt: e.processedAt ? iso(e.processedAt) : null,
  };
}

export function presentMessageEmail(e: NonNullable<MessageWithEmail['email']>): MessageEmailOut {
  return {
    direction: e.direction,
    rfcMessageId: e.rfcMessageId,
    inReplyTo: e.inReplyTo,
    references: e.references,
    from: e.fromAddress,
    to: e.toAddresses,
    cc: e.ccAddresses,
    subject: e.subject,
    deliveryStatus: e.deliveryStatus,
    deliveryError: e.deliveryError,
    autoSubmitted: e.autoSubmitted,
    quoteStart: e.quoteStart,
    signatureStart: e.signatureStart,
    remoteImages: e.remoteImages,
  };
}

/** Types a browser may show from our origin without running anything; everything else is a download of octets. */
const SAFE_TYPES = /^(image\/(png|jpeg|gif|webp|bmp|tiff)|application\/(pdf|zip|gzip|json|msword|vnd\.[\w.+-]+)|text\/(plain|csv|calendar)|audio\/(mpeg|ogg)|video\/mp4)$/;

function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`;
}

/** An attachment's bytes, always as a download with a safe content type (the API and the portal). */
export function sendAttachment(reply: FastifyReply, attachment: { filename: string; contentType: string }, content: Buffer): FastifyReply {
  const type = SAFE_TYPES.test(attachment.contentType) ? attachment.contentType : 'application/octet-stream';
  return reply
    .code(200)
    .header('content-type', type)
    .header('content-disposition', contentDisposition(attachment.filename))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, max-age=300')
    .send(content);
}

export interface EmailRouteOptions {
  /** Where the built-in SMTP listener receives mail in this process, if it runs here. */
  smtpAddress?: () => { host: string; port: number } | null;
  /** The IMAP "test connection" (apps/server/src/email/imap.ts). */
  testImap?: (settings: NonNullable<Mailbox['imapSettings']>, password: string) => Promise<{ ok: boolean; error?: string; folders?: string[] }>;
}

export function emailRoutes(route: Router, opts: EmailRouteOptions = {}): void {
  route({
    method: 'GET',
    url: '/mailboxes',
    tag: 'Email',
    summary: 'The workspace\'s mailboxes (admins)',
    response: z.object({ items: z.array(MailboxOut) }),
    handler: async ({ deps, ctx }) => ({ items: (await listMailboxes(deps, ctx)).map(presentMailbox) }),
  });
  route({
    method: 'POST',
    url: '/mailboxes',
    tag: 'Email',
    summary: 'Add a mailbox (built-in SMTP address or IMAP account); passwords are write-only',
    body: CreateMailboxInput,
    response: MailboxOut,
    handler: async ({ deps, ctx, body }) => presentMailbox(await createMailbox(deps, ctx, body)),
  });
  route({
    method: 'GET',
    url: '/mailboxes/{id}',
    tag: 'Email',
    summary: 'One mailbox (admins)',
    params: MailboxParams,
    response: MailboxOut,
    handler: async ({ deps, ctx, params }) => presentMailbox(await getMailbox(deps, ctx, params.id)),
  });
  route({
    method: 'PATCH',
    url: '/mailboxes/{id}',
    tag: 'Email',
    summary: 'Change a mailbox: enable or disable, team, auto-acknowledgement, flood limit, settings',
    params: MailboxParams,
    body: UpdateMailboxInput,
    response: MailboxOut,
    handler: async ({ deps, ctx, params, body }) => presentMailbox(await updateMailbox(deps, ctx, params.id, body)),
  });
  route({
    method: 'POST',
    url: '/mailboxes/{id}/test',
    tag: 'Email',
    summary: 'Test a mailbox: the SMTP listener would accept its mail, or the IMAP account answers',
    params: MailboxParams,
    body: z.object({}),
    response: MailboxTestOut,
    status: 200,
    handler: async ({ deps, ctx, params }) => {
      const m = await getMailbox(deps, ctx, params.id);
      if (m.kind === 'smtp') {
        const listener = opts.smtpAddress?.() ?? null;
        const accepted = (await mailboxForRecipient(deps, m.address))?.id === m.id;
        const ok = accepted && listener !== null;
        const message = !accepted
          ? `RCPT TO:<${m.address}> would be refused (550): the mailbox is disabled`
          : listener
            ? `RCPT TO:<${m.address}> would be accepted by the listener on ${listener.host}:${listener.port}`
            : 'The mailbox accepts mail, but no SMTP listener runs in this process (smtp role off)';
        return { ok, kind: m.kind, message, listener };
      }
      if (!m.imapSettings || !m.imapSecret) return { ok: false, kind: m.kind, message: 'IMAP settings and password are needed', listener: null };
      if (!opts.testImap) throw new AppError('UNAVAILABLE', 'Testing IMAP connections is not available in this process.');
      const r = await opts.testImap(m.imapSettings, deps.keyring.open(m.imapSecret));
      return { ok: r.ok, kind: m.kind, message: r.ok ? `Signed in to ${m.imapSettings.host}` : (r.error ?? 'failed'), listener: null, ...(r.folders ? { folders: r.folders } : {}) };
    },
  });
  route({
    method: 'GET',
    url: '/inbound-emails',
    tag: 'Email',
    summary: 'Received mail and what became of it (status, reason, ticket), newest first (admins); `before` reads further back',
    query: ListInboundEmailsQuery,
    response: z.object({ items: z.array(InboundEmailOut) }),
    handler: async ({ deps, ctx, query }) => ({ items: (await listInboundEmails(deps, ctx, query)).items.map(presentInbound) }),
  });
  route({
    method: 'GET',
    url: '/tickets/{id}/messages/{messageId}/attachments/{attachmentId}',
    tag: 'Tickets',
    summary: 'Download an attachment (always as a download, with a safe content type)',
    params: AttachmentParams,
    response: z.string().describe("The attachment's bytes (Content-Disposition: attachment)"),
    handler: async ({ deps, ctx, params, reply }) => {
      const { attachment, content } = await getAttachment(deps, ctx, params.id, params.messageId, params.attachmentId);
      return sendAttachment(reply, attachment, content);
    },
  });
}
