/** Shared pieces of the inbound email tests: an app with a worker and the SMTP listener, mail sending, waits. */
import nodemailer from 'nodemailer';
import type { Mailbox } from '@guichet/core';
import { startSmtpListener, type SmtpListener } from '../src/email/smtp-listener.ts';
import { startWorker, type Worker } from '../src/worker/index.ts';
import type { TestApp } from './harness.ts';

export interface MailRig {
  smtp: SmtpListener;
  worker: Worker;
  close(): Promise<void>;
}

export async function startMailRig(t: TestApp, opts: { maxBytes?: number; maxAttachmentBytes?: number } = {}): Promise<MailRig> {
  const smtp = await startSmtpListener(t.deps, { host: '127.0.0.1', port: 0, maxBytes: opts.maxBytes ?? 1024 * 1024 });
  const worker = await startWorker(t.deps, t.database, {
    pollMs: 50,
    ingestLimits: { maxAttachmentBytes: opts.maxAttachmentBytes ?? 100 * 1024, maxTotalAttachmentBytes: 300 * 1024 },
  });
  return {
    smtp,
    worker,
    async close() {
      await smtp.close();
      await worker.stop();
    },
  };
}

export async function addMailbox(t: TestApp, workspaceId: string, address: string, patch: Partial<Mailbox> = {}): Promise<Mailbox> {
  const now = new Date();
  return t.deps.store.mailboxes.insert({
    id: t.deps.ids.uuid(),
    workspaceId,
    name: address,
    address,
    kind: 'smtp',
    enabled: true,
    teamId: null,
    autoAck: false,
    floodLimitPerHour: 30,
    imapSettings: null,
    imapSecret: null,
    smtpSettings: null,
    smtpSecret: null,
    imapState: {},
    createdAt: now,
    updatedAt: now,
    ...patch,
  });
}

/** Send one raw message over SMTP; resolves to the inbound ids the server reported, or rejects with the SMTP error. */
export async function sendRaw(port: number, envelope: { from: string; to: string[] }, raw: string | Buffer): Promise<string[]> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 10_000, socketTimeout: 30_000 });
  try {
    const info = await transport.sendMail({ envelope, raw });
    const m = /queued as ([\w,-]+)/.exec(info.response);
    return m ? m[1]!.split(',') : [];
  } finally {
    transport.close();
  }
}

let seq = 0;
/** A plain RFC 5322 message. */
export function mail(f: {
  from: string;
  to: string;
  subject: string;
  body?: string;
  cc?: string;
  messageId?: string;
  inReplyTo?: string;
  headers?: Record<string, string>;
}): string {
  const id = f.messageId ?? `<t${process.pid}.${++seq}.${Date.now()}@client.example>`;
  const lines = [
    `From: ${f.from}`,
    `To: ${f.to}`,
    ...(f.cc ? [`Cc: ${f.cc}`] : []),
    `Subject: ${f.subject}`,
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    ...(f.inReplyTo ? [`In-Reply-To: ${f.inReplyTo}`, `References: ${f.inReplyTo}`] : []),
    ...Object.entries(f.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    f.body ?? 'Hello, I need help with my order.',
    '',
  ];
  return lines.join('\r\n');
}

/** Wait for a condition, failing (not timing) after a generous bound. */
export async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string, boundMs = 30_000): Promise<T> {
  const end = Date.now() + boundMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Wait until the inbound message is processed; returns its record. */
export async function processed(t: TestApp, workspaceId: string, inboundId: string) {
  return until(async () => {
    const e = await t.deps.store.inboundEmails.findById(workspaceId, inboundId);
    return e && e.status !== 'pending' ? e : null;
  }, `inbound ${inboundId} to be processed`);
}
