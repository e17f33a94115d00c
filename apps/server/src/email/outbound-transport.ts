/**
 * The `email.send` job: sends one outbox row (outbound_emails) over SMTP with nodemailer, through
 * the mailbox's own SMTP server when it has settings, else the server-wide relay
 * (GUICHET_SMTP_RELAY), else, when a local outbox folder is configured (the embedded default with
 * no relay), written there as an .eml file: trying Guichet needs no mail server, and what would
 * have been sent can be read. Temporary failures (connection refused, timeouts, 4xx) are thrown for
 * the job runner to retry with backoff; a permanent one (5xx, or no way to send) marks the row
 * and its ticket message failed with the reason and ends the job.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type Mail from 'nodemailer/lib/mailer';
import type { Deps, Job, Mailbox, OutboundEmail } from '@guichet/core';
import { PermanentJobError, type JobHandler } from '../worker/runner.ts';

export interface OutboundTransportOptions {
  /** smtp://host:port (or smtps://user:pass@host:port) for mailboxes without SMTP settings. */
  relayUrl: string | null | undefined;
  /** Without a relay: the folder outgoing mail is written to (one .eml per outbox row), if any. */
  outboxDir?: string | undefined;
  /** Told where each locally written mail went. */
  log?: (msg: string, data?: unknown) => void;
  /** The runner's id: the handler completes its job in the transaction that marks the mail sent. */
  workerId: () => string;
}

const payload = z.object({ workspaceId: z.string().uuid(), outboundEmailId: z.string().uuid() });

const TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

export function emailSendHandler(opts: OutboundTransportOptions): JobHandler<typeof payload> {
  return {
    payload,
    // Well above the SMTP timeouts, so a slow send is never taken by a second worker meanwhile.
    leaseMs: 5 * 60_000,
    async handle(deps, p, job) {
      const row = await deps.store.outboundEmails.findById(p.workspaceId, p.outboundEmailId);
      if (!row) throw new PermanentJobError(`outbound email ${p.outboundEmailId} not found`);
      // Sent (or given up) already: a job run again after its success was recorded sends nothing.
      if (row.status !== 'queued') return;

      const mailbox = row.mailboxId ? await deps.store.mailboxes.findById(row.workspaceId, row.mailboxId) : null;
      if (!mailbox?.smtpSettings && !opts.relayUrl && opts.outboxDir) {
        const file = await writeToOutbox(opts.outboxDir, row, await compose(deps, row, mailbox));
        opts.log?.(`mail written to the local outbox (no GUICHET_SMTP_RELAY): ${file}`, { to: row.toAddresses, subject: row.subject });
        await markSent(deps, row, job, opts.workerId(), []);
        return { completed: true };
      }
      let transport: nodemailer.Transporter<SMTPTransport.SentMessageInfo>;
      try {
        transport = createTransport(deps, mailbox, opts.relayUrl);
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        await markFailed(deps, row, reason, job.attempts);
        throw new PermanentJobError(reason);
      }

      let info: SMTPTransport.SentMessageInfo;
      try {
        info = await transport.sendMail(await compose(deps, row, mailbox));
      } catch (e) {
        const reason = describe(e);
        if (isPermanent(e) || job.attempts >= job.maxAttempts) {
          await markFailed(deps, row, reason, job.attempts);
          throw new PermanentJobError(reason);
        }
        await deps.store.outboundEmails.update(row.workspaceId, row.id, { attempts: job.attempts, lastError: reason });
        throw new Error(`temporary SMTP failure: ${reason}`);
      } finally {
        transport.close();
      }

      await markSent(deps, row, job, opts.workerId(), (info.rejected ?? []).map(String));
      return { completed: true };
    },
  };
}

async function markSent(deps: Deps, row: OutboundEmail, job: Pick<Job, 'id' | 'attempts'>, workerId: string, rejected: string[]): Promise<void> {
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    await tx.outboundEmails.update(row.workspaceId, row.id, {
      status: 'sent',
      sentAt: now,
      attempts: job.attempts,
      lastError: rejected.length ? `refused by the server for: ${rejected.join(', ')}` : null,
    });
    if (row.messageId) await tx.messageEmails.setDeliveryStatus(row.workspaceId, row.messageId, 'sent', null);
    // Same transaction: the job can never look unfinished once the mail is marked sent.
    await tx.jobs.complete(job.id, workerId, now);
  });
}

/** The whole message as it would go out, in `<dir>/<outbox row id>.eml` (written again, not twice, if the job runs again). */
async function writeToOutbox(dir: string, row: OutboundEmail, mail: Mail.Options): Promise<string> {
  const info = await nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }).sendMail(mail);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${row.id}.eml`);
  await writeFile(file, info.message as Buffer);
  return file;
}

function createTransport(deps: Deps, mailbox: Mailbox | null, relayUrl: string | null | undefined) {
  const s = mailbox?.smtpSettings;
  if (s) {
    // The password is opened here only, just before use.
    const pass = mailbox!.smtpSecret ? deps.keyring.open(mailbox!.smtpSecret) : null;
    return nodemailer.createTransport({
      host: s.host,
      port: s.port,
      secure: s.secure,
      ...(s.user ? { auth: { user: s.user, pass: pass ?? '' } } : {}),
      ...TIMEOUTS,
    });
  }
  if (!relayUrl) throw new Error('no outgoing mail server: set GUICHET_SMTP_RELAY or SMTP settings on the mailbox');
  const url = new URL(relayUrl);
  return nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 25),
    secure: url.protocol === 'smtps:',
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    ...TIMEOUTS,
  });
}

async function compose(deps: Deps, row: OutboundEmail, mailbox: Mailbox | null): Promise<Mail.Options> {
  return {
    from: row.fromAddress,
    // The envelope sender is the bare mailbox address, so bounces come back to the mailbox.
    envelope: { from: mailbox?.address ?? bareAddress(row.fromAddress), to: [...row.toAddresses, ...row.ccAddresses].join(', ') },
    to: row.toAddresses,
    ...(row.ccAddresses.length ? { cc: row.ccAddresses } : {}),
    ...(row.replyTo ? { replyTo: row.replyTo } : {}),
    subject: row.subject,
    messageId: row.rfcMessageId,
    ...(row.inReplyTo ? { inReplyTo: row.inReplyTo } : {}),
    ...(row.references.length ? { references: row.references } : {}),
    date: deps.clock.now(),
    text: row.textBody,
    ...(row.htmlBody ? { html: row.htmlBody } : {}),
    headers: row.headers,
    attachments: await attachmentsOf(deps, row),
  };
}

/** The message's attachments whose content is stored (blobs, by SHA-256). */
async function attachmentsOf(deps: Deps, row: OutboundEmail): Promise<Mail.Attachment[]> {
  if (!row.attachmentIds.length || !row.ticketId || !row.messageId) return [];
  const messages = await deps.store.messages.listForTicket(row.workspaceId, row.ticketId, { includeInternal: false, limit: 1000 });
  const message = messages.find((m) => m.id === row.messageId);
  const out: Mail.Attachment[] = [];
  for (const a of message?.attachments ?? []) {
    if (!row.attachmentIds.includes(a.id) || !a.sha256) continue;
    const content = await deps.store.blobs.get(row.workspaceId, a.sha256);
    if (!content) continue;
    out.push({ filename: a.filename, contentType: a.contentType, content, ...(a.inline ? { cid: a.id, contentDisposition: 'inline' as const } : {}) });
  }
  return out;
}

async function markFailed(deps: Deps, row: OutboundEmail, reason: string, attempts: number): Promise<void> {
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    await tx.outboundEmails.update(row.workspaceId, row.id, { status: 'failed', lastError: reason, attempts });
    if (row.messageId) await tx.messageEmails.setDeliveryStatus(row.workspaceId, row.messageId, 'failed', reason);
    if (row.ticketId) {
      await tx.events.append({
        workspaceId: row.workspaceId,
        subjectType: 'ticket',
        subjectId: row.ticketId,
        actor: { type: 'system', id: null },
        type: 'email.failed',
        data: { outboundEmailId: row.id, messageId: row.messageId, kind: row.kind, to: row.toAddresses, reason },
        requestId: null,
        createdAt: now,
      });
    }
  });
}

/** A 5xx answer is final; anything else (refused or cut connection, timeout, 4xx) may pass later. */
export function isPermanent(e: unknown): boolean {
  const code = (e as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

function describe(e: unknown): string {
  const err = e as { response?: unknown; code?: unknown; message?: unknown };
  const text = typeof err.response === 'string' && err.response ? err.response : String(err.message ?? e);
  return (typeof err.code === 'string' && !text.includes(err.code) ? `${err.code}: ${text}` : text).slice(0, 1000);
}

function bareAddress(from: string): string {
  const m = /<([^>]+)>\s*$/.exec(from);
  return (m ? m[1]! : from).trim();
}
