/**
 * Outgoing mail end to end: an agent's reply is queued with its ticket message, the worker sends
 * it over real SMTP on loopback to a sink that records what arrives, and the outcome shows on
 * the message. The worker runs on a manual clock, advanced to bring retries due.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { parseReplyAddress, queueAutoAcknowledgement, verifyReplyToken, type Clock, type Mailbox } from '@guichet/core';
import { testDbKinds } from '@guichet/db/testing';
import { startWorker, type Worker } from '../src/worker/index.ts';
import { loadConfig } from '../src/config.ts';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

class ManualClock implements Clock {
  private t = Date.now();
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

async function until(cond: () => boolean | Promise<boolean>, what: string, boundMs = 20_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

interface Received {
  envelopeTo: string[];
  user: string | null;
  raw: Buffer;
  parsed: ParsedMail;
}

/** A loopback SMTP server that keeps every message it accepts; RCPT to reject*@ gets a 550. */
class SmtpSink {
  received: Received[] = [];
  port = 0;
  private server: SMTPServer | null = null;

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (auth, _session, cb) => {
        if (auth.username === 'desk' && auth.password === 'secret-pw') return cb(null, { user: 'desk' });
        cb(new Error('535 5.7.8 bad credentials'));
      },
      onRcptTo: (address, _session, cb) => {
        if (address.address.toLowerCase().startsWith('reject')) {
          const err = new Error('5.1.1 <' + address.address + '>: no such user here') as Error & { responseCode: number };
          err.responseCode = 550;
          return cb(err);
        }
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              this.received.push({
                envelopeTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
                user: typeof session.user === 'string' ? session.user : null,
                raw,
                parsed,
              });
              cb();
            },
            (e) => cb(e),
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  to(address: string): Received[] {
    return this.received.filter((r) => r.envelopeTo.includes(address.toLowerCase()));
  }
}

describe('where mail goes without a relay (configuration)', () => {
  it('writes to <data dir>/outbox on the embedded database, nowhere on PostgreSQL or with a relay, or to GUICHET_MAIL_OUTBOX', () => {
    assert.equal(loadConfig({ GUICHET_DATA_DIR: '/srv/g' }, []).mailOutboxDir, '/srv/g/outbox');
    assert.equal(loadConfig({ GUICHET_DATA_DIR: '/srv/g', GUICHET_SMTP_RELAY: 'smtp://127.0.0.1:25' }, []).mailOutboxDir, undefined);
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/g' }, []).mailOutboxDir, undefined);
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/g', GUICHET_MAIL_OUTBOX: '/var/mail/guichet' }, []).mailOutboxDir, '/var/mail/guichet');
  });
});

for (const kind of testDbKinds()) {
  describe(`outbound email on ${kind}`, () => {
    let t: TestApp;
    const clock = new ManualClock();
    const sink = new SmtpSink();
    let worker: Worker;
    let n = 0;

    before(async () => {
      t = await startTestApp(kind, { clock });
      await sink.start();
      worker = await startWorker(t.deps, t.database, { pollMs: 20, concurrency: 4, smtpRelay: `smtp://127.0.0.1:${sink.port}` });
    });
    after(async () => {
      await worker?.stop();
      await sink.stop();
      await t?.close();
    });

    async function mailbox(ws: TestWorkspace, address: string, extra: Partial<Mailbox> = {}): Promise<Mailbox> {
      const now = clock.now();
      return t.deps.store.mailboxes.insert({
        id: t.deps.ids.uuid(),
        workspaceId: ws.id,
        name: 'Acme Support',
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
        ...extra,
      });
    }

    /** A ticket opened by a mail that arrived at `box`, as intake records it. */
    async function emailTicket(ws: TestWorkspace, box: Mailbox, from: string, opts: { subject?: string; language?: string } = {}) {
      const r = await ws.admin.req('POST', '/tickets', {
        subject: opts.subject ?? 'Card declined',
        body: 'Hello, my card is refused.',
        requester: { email: from },
        channel: 'email',
        ...(opts.language ? { language: opts.language } : {}),
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const ticket = r.body;
      const messages = await ws.admin.req('GET', `/tickets/${ticket.id}/messages`);
      const first = messages.body.items[0];
      const raw = Buffer.from(`From: ${from}\r\nTo: ${box.address}\r\nSubject: ${ticket.subject}\r\nMessage-ID: <first-${++n}@customer.example>\r\n\r\nHello\r\n`);
      const rfcMessageId = `<first-${n}@customer.example>`;
      const { email } = await t.deps.store.inboundEmails.accept(
        {
          id: t.deps.ids.uuid(),
          workspaceId: ws.id,
          mailboxId: box.id,
          source: 'smtp',
          sha256: createHash('sha256').update(raw).digest('hex'),
          rfcMessageId,
          sizeBytes: raw.length,
          envelope: { from, rcptTo: [box.address] },
          receivedAt: clock.now(),
        },
        raw,
      );
      await t.deps.store.messageEmails.insert({
        messageId: first.id,
        workspaceId: ws.id,
        direction: 'in',
        rfcMessageId,
        inReplyTo: null,
        references: ['<older@customer.example>'],
        fromAddress: from,
        toAddresses: [box.address],
        ccAddresses: [],
        subject: ticket.subject,
        inboundEmailId: email.id,
        deliveryStatus: 'received',
        deliveryError: null,
        autoSubmitted: false,
        createdAt: clock.now(),
      });
      return { ticket, firstMessageId: first.id as string, rfcMessageId };
    }

    async function outbound(ws: TestWorkspace, ticketId: string) {
      return t.deps.store.outboundEmails.listForTicket(ws.id, ticketId);
    }

    async function deliveryOf(ws: TestWorkspace, messageId: string) {
      return (await t.deps.store.messageEmails.findByMessageIds(ws.id, [messageId]))[0];
    }

    async function emailJobs(status: string[]) {
      return t.database.db.selectFrom('jobs').selectAll().where('type', '=', 'email.send').where('status', 'in', status).execute();
    }

    it('sends an agent reply once, threaded, from the ticket mailbox, with a signed Reply-To, text and HTML, and the customer followers in Cc', async () => {
      const ws = await newWorkspace(t);
      await mailbox(ws, `other@${ws.slug}.test`);
      const box = await mailbox(ws, `support@${ws.slug}.test`);
      const customer = `marie-${ws.slug}@customer.example`;
      const { ticket, rfcMessageId } = await emailTicket(ws, box, customer);
      const agent = await ws.as('agent');
      // Followers: a Cc'd customer, a Cc'd customer whose address bounces, and an agent (not copied).
      const paul = await ws.admin.req('POST', '/customers', { email: `paul-${ws.slug}@customer.example`, name: 'Paul' });
      const bouncy = await ws.admin.req('POST', '/customers', { email: `bouncy-${ws.slug}@customer.example`, name: 'Bouncy' });
      await t.deps.store.followers.add(ws.id, ticket.id, [paul.body.id, bouncy.body.id, agent.id], clock.now());
      await t.deps.store.emailFlags.flag(ws.id, `bouncy-${ws.slug}@customer.example`, 'bouncing', '550 no such user', clock.now());

      const reply = await agent.req('POST', `/tickets/${ticket.id}/messages`, {
        body: 'Hello Marie,\n\nYour card works again <really>.\nSee https://acme.example/help?a=1&b=2',
        visibility: 'public',
      });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));

      await until(() => sink.to(customer).length === 1, 'the reply to arrive');
      const [row] = await outbound(ws, ticket.id);
      assert.ok(row);
      await until(async () => (await deliveryOf(ws, reply.body.id))?.deliveryStatus === 'sent', 'the reply to show sent');

      const mail = sink.to(customer)[0]!.parsed;
      assert.equal(mail.messageId, row.rfcMessageId);
      assert.match(row.rfcMessageId, new RegExp(`^<[0-9a-f-]{36}@${ws.slug}\\.test>$`));
      assert.equal(mail.inReplyTo, rfcMessageId);
      const refs = Array.isArray(mail.references) ? mail.references : [mail.references];
      assert.deepEqual(refs, ['<older@customer.example>', rfcMessageId]);
      assert.equal(mail.subject, `Re: Card declined [#${ticket.number}]`);
      assert.equal(mail.from?.value[0]?.address, `support@${ws.slug}.test`, 'sent from the mailbox the ticket came in by');
      assert.equal(mail.from?.value[0]?.name, 'Acme Support');
      assert.deepEqual(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : null, [customer]);
      assert.deepEqual(mail.cc && !Array.isArray(mail.cc) ? mail.cc.value.map((a) => a.address) : null, [`paul-${ws.slug}@customer.example`]);
      assert.deepEqual(sink.to(`paul-${ws.slug}@customer.example`).length, 1);
      assert.equal(sink.to(`bouncy-${ws.slug}@customer.example`).length, 0);
      assert.equal(sink.to(agent.email).length, 0);

      const replyTo = mail.replyTo && !Array.isArray(mail.replyTo) ? mail.replyTo.value[0]!.address! : '';
      const parsed = parseReplyAddress(replyTo);
      assert.equal(parsed.base, `support@${ws.slug}.test`);
      assert.equal(verifyReplyToken(t.deps, parsed.detail!), ticket.id, 'the Reply-To token names the ticket');

      assert.equal(mail.headers.get('x-guichet-ticket'), String(ticket.number));
      assert.equal(mail.headers.get('auto-submitted'), undefined, 'a human reply is not automatic mail');
      assert.ok(mail.date instanceof Date);
      assert.match(mail.text ?? '', /Your card works again <really>\./);
      assert.match(String(mail.html), /<p>Hello Marie,<\/p>/);
      assert.match(String(mail.html), /works again &lt;really&gt;\./, 'the text is escaped in the HTML part');
      assert.match(String(mail.html), /<a href="https:\/\/acme\.example\/help\?a=1&amp;b=2">/);
      assert.match(sink.to(customer)[0]!.raw.toString('latin1'), /multipart\/alternative/i);

      const delivery = await deliveryOf(ws, reply.body.id);
      assert.equal(delivery?.direction, 'out');
      assert.equal(delivery?.rfcMessageId, row.rfcMessageId);
      const sent = (await outbound(ws, ticket.id))[0]!;
      assert.equal(sent.status, 'sent');
      assert.ok(sent.sentAt);
    });

    it('sends the files uploaded for a reply as MIME attachments, with the sniffed type and the bytes stored', async () => {
      const ws = await newWorkspace(t);
      const box = await mailbox(ws, `support@${ws.slug}.test`);
      const customer = `files-${ws.slug}@customer.example`;
      const { ticket } = await emailTicket(ws, box, customer);
      const agent = await ws.as('agent');
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
      const up = await agent.req('POST', `/tickets/${ticket.id}/uploads`, { filename: 'invoice.pdf', contentBase64: pdf.toString('base64') });
      assert.equal(up.status, 201, JSON.stringify(up.body));
      const reply = await agent.req('POST', `/tickets/${ticket.id}/messages`, {
        body: 'Your invoice is attached.',
        visibility: 'public',
        attachments: [{ sha256: up.body.sha256, filename: 'invoice.pdf' }],
      });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      await until(() => sink.to(customer).length === 1, 'the reply with its file to arrive');
      const mail = sink.to(customer)[0]!.parsed;
      assert.equal(mail.attachments.length, 1);
      const [a] = mail.attachments;
      assert.equal(a!.filename, 'invoice.pdf');
      assert.equal(a!.contentType, 'application/pdf');
      assert.equal(a!.contentDisposition, 'attachment');
      assert.deepEqual(Buffer.from(a!.content), pdf);
      assert.match(mail.text ?? '', /Your invoice is attached\./);
    });

    it('mails a formatted (markdown) reply as HTML with its formatting and its source as the text part; HTML given by the API goes out sanitised', async () => {
      const ws = await newWorkspace(t);
      const box = await mailbox(ws, `support@${ws.slug}.test`);
      const customer = `rich-${ws.slug}@customer.example`;
      const { ticket } = await emailTicket(ws, box, customer);
      const agent = await ws.as('agent');
      const body = 'Hello,\n\n**Done:** your card is *unblocked*.\n\n1. Open the app\n2. Tap [Cards](https://acme.example/cards)\n\n> Your card was declined';
      const reply = await agent.req('POST', `/tickets/${ticket.id}/messages`, { body, format: 'markdown', visibility: 'public' });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      assert.match(reply.body.bodyHtml, /<strong>Done:<\/strong>/);
      await until(() => sink.to(customer).length === 1, 'the formatted reply to arrive');
      const mail = sink.to(customer)[0]!.parsed;
      const html = String(mail.html);
      assert.match(html, /<strong>Done:<\/strong> your card is <em>unblocked<\/em>\./);
      assert.match(html, /<ol><li>Open the app<\/li><li>Tap <a href="https:\/\/acme\.example\/cards"[^>]*>Cards<\/a><\/li><\/ol>/);
      assert.match(html, /<blockquote><p>Your card was declined<\/p><\/blockquote>/);
      assert.equal((mail.text ?? '').trim(), body, 'the text part is the source as written');

      const raw = await agent.req('POST', `/tickets/${ticket.id}/messages`, {
        body: 'See the table',
        bodyHtml: '<p onclick="steal()">See <b>the</b> table<script>alert(1)</script><img src="https://tracker.example/p.gif"></p><form action="https://evil.example"><input name="card"></form>',
        visibility: 'public',
      });
      assert.equal(raw.status, 201, JSON.stringify(raw.body));
      assert.doesNotMatch(raw.body.bodyHtml, /script|onclick|<form|<input|(?<!-)src="https:\/\/tracker/i, 'no script, handler, form, or remote image loaded');
      assert.match(raw.body.bodyHtml, /See <b>the<\/b> table/);
      await until(() => sink.to(customer).length === 2, 'the second reply to arrive');
      assert.doesNotMatch(String(sink.to(customer)[1]!.parsed.html), /script|onclick|<form|(?<!-)src="https:\/\/tracker/i);

      const both = await agent.req('POST', `/tickets/${ticket.id}/messages`, { body: 'x', bodyHtml: '<p>x</p>', format: 'markdown', visibility: 'public' });
      assert.equal(both.status, 400);
      assert.equal(both.body.error.code, 'VALIDATION_FAILED');
      assert.match(both.body.error.message, /not both/);
    });

    it('emails the first message of a ticket an agent opens towards a customer (emailRequester), threaded for the answer; refuses what cannot go', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const customer = `proactive-${ws.slug}@customer.example`;
      const noBox = await agent.req('POST', '/tickets', { subject: 'Your renewal', body: 'Hello', requester: { email: customer }, emailRequester: true });
      assert.equal(noBox.status, 400, 'no mailbox: refused, and no ticket is left behind');
      assert.equal(noBox.body.error.code, 'VALIDATION_FAILED');
      assert.equal((await ws.admin.req('GET', '/tickets')).body.items.length, 0);
      const note = await agent.req('POST', '/tickets', { subject: 'x', body: 'x', requester: { email: customer }, emailRequester: true, firstMessageVisibility: 'internal' });
      assert.equal(note.status, 400);
      const light = await ws.as('light_agent');
      assert.equal((await light.req('POST', '/tickets', { subject: 'x', body: 'x', requester: { email: customer }, emailRequester: true })).status, 403);

      await mailbox(ws, `support@${ws.slug}.test`);
      const r = await agent.req('POST', '/tickets', {
        subject: 'Your renewal',
        body: 'Hello,\n\nYour plan renews on **1 January**.',
        format: 'markdown',
        channel: 'email',
        requester: { email: customer, name: 'Rosa' },
        emailRequester: true,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      await until(() => sink.to(customer).length === 1, 'the opening mail to arrive');
      const mail = sink.to(customer)[0]!.parsed;
      assert.equal(mail.subject, `Your renewal [#${r.body.number}]`, 'no "Re:" on the mail that opens the conversation');
      assert.match(String(mail.html), /renews on <strong>1 January<\/strong>/);
      const replyTo = mail.replyTo && !Array.isArray(mail.replyTo) ? mail.replyTo.value[0]!.address! : '';
      assert.equal(verifyReplyToken(t.deps, parseReplyAddress(replyTo).detail!), r.body.id, 'the answer comes back to this ticket');
      const [row] = await outbound(ws, r.body.id);
      assert.equal(row?.kind, 'reply');
    });

    it('never mails internal notes, customer portal replies, or tickets of a workspace without a mailbox', async () => {
      const ws = await newWorkspace(t);
      const box = await mailbox(ws, `help@${ws.slug}.test`);
      const { ticket } = await emailTicket(ws, box, `noter-${ws.slug}@customer.example`);
      const agent = await ws.as('agent');
      const note = await agent.req('POST', `/tickets/${ticket.id}/messages`, { body: 'Checked the logs', visibility: 'internal' });
      assert.equal(note.status, 201);
      const lightAgent = await ws.as('light_agent');
      assert.equal((await lightAgent.req('POST', `/tickets/${ticket.id}/messages`, { body: 'FYI', visibility: 'internal' })).status, 201);
      assert.deepEqual(await outbound(ws, ticket.id), []);
      assert.equal(await deliveryOf(ws, note.body.id), undefined);

      // A customer's own reply on the portal is not mailed back to them.
      const customer = await ws.as('customer');
      const own = await customer.req('POST', '/tickets', { subject: 'Portal question', body: 'Hi' });
      assert.equal(own.status, 201, JSON.stringify(own.body));
      assert.equal((await customer.req('POST', `/tickets/${own.body.id}/messages`, { body: 'More', visibility: 'public' })).status, 201);
      assert.deepEqual(await outbound(ws, own.body.id), []);
      // …but the agent's answer to it is (any channel, when the requester has an address).
      assert.equal((await agent.req('POST', `/tickets/${own.body.id}/messages`, { body: 'Answer', visibility: 'public' })).status, 201);
      assert.equal((await outbound(ws, own.body.id)).length, 1);
      await until(() => sink.to(customer.email).length === 1, 'the portal ticket reply to arrive');

      const bare = await newWorkspace(t);
      const r = await bare.admin.req('POST', '/tickets', { subject: 'No email channel', body: 'x', requester: { email: `nomail-${bare.slug}@customer.example` } });
      assert.equal((await bare.admin.req('POST', `/tickets/${r.body.id}/messages`, { body: 'Reply', visibility: 'public' })).status, 201);
      assert.deepEqual(await outbound(bare, r.body.id), []);
    });

    it('delivers every reply exactly once after the SMTP server was down (stop, reply, restart on the same port)', async () => {
      const ws = await newWorkspace(t);
      const box = await mailbox(ws, `desk@${ws.slug}.test`);
      const customer = `patient-${ws.slug}@customer.example`;
      const { ticket } = await emailTicket(ws, box, customer);
      const agent = await ws.as('agent');

      await sink.stop();
      const ids: string[] = [];
      for (let i = 1; i <= 4; i++) {
        const r = await agent.req('POST', `/tickets/${ticket.id}/messages`, { body: `Reply number ${i}`, visibility: 'public' });
        assert.equal(r.status, 201);
        ids.push(r.body.id);
      }
      // Each send fails (connection refused) and is put back for later with backoff.
      await until(async () => (await outbound(ws, ticket.id)).every((o) => o.attempts >= 1 && o.lastError !== null), 'every send to fail once');
      await until(async () => (await emailJobs(['running'])).length === 0, 'the failed attempts to be recorded');
      const rows = await outbound(ws, ticket.id);
      assert.equal(rows.length, 4);
      assert.ok(rows.every((o) => o.status === 'queued'), 'a refused connection is not a permanent failure');
      for (const id of ids) assert.equal((await deliveryOf(ws, id))?.deliveryStatus, 'queued');
      assert.equal(sink.to(customer).length, 0);

      await sink.start(); // same port
      clock.advance(10 * 60_000); // the retries come due
      worker.runner.wake();
      await until(async () => (await outbound(ws, ticket.id)).every((o) => o.status === 'sent'), 'every reply to be sent');
      await until(async () => (await emailJobs(['pending', 'running'])).length === 0, 'no send job left');
      // Later polls and due times find nothing more to send.
      clock.advance(2 * 3_600_000);
      worker.runner.wake();
      await until(async () => (await emailJobs(['pending', 'running'])).length === 0, 'still no send job');

      const got = sink.to(customer).map((r) => r.parsed);
      assert.equal(got.length, 4, 'four replies, four mails');
      assert.deepEqual(got.map((m) => m.messageId).sort(), rows.map((o) => o.rfcMessageId).sort(), 'each reply exactly once');
      assert.deepEqual(got.map((m) => m.text?.trim()).sort(), ['Reply number 1', 'Reply number 2', 'Reply number 3', 'Reply number 4']);
      for (const id of ids) assert.equal((await deliveryOf(ws, id))?.deliveryStatus, 'sent');
    });

    it("sends through the mailbox's own SMTP server with its sealed password, and never twice for one outbox row", async () => {
      const ws = await newWorkspace(t);
      const box = await mailbox(ws, `own@${ws.slug}.test`, {
        smtpSettings: { host: '127.0.0.1', port: sink.port, secure: false, user: 'desk' },
        smtpSecret: t.deps.keyring.seal('secret-pw'),
      });
      const customer = `once-${ws.slug}@customer.example`;
      const { ticket } = await emailTicket(ws, box, customer);
      const agent = await ws.as('agent');
      const reply = await agent.req('POST', `/tickets/${ticket.id}/messages`, { body: 'Through our own server', visibility: 'public' });
      assert.equal(reply.status, 201);
      await until(async () => (await deliveryOf(ws, reply.body.id))?.deliveryStatus === 'sent', 'the reply to be sent');
      assert.equal(sink.to(customer).length, 1);
      assert.equal(sink.to(customer)[0]!.user, 'desk', 'authenticated with the mailbox credentials');

      // A second job for the same row (say, a stale retry) finds it sent and sends nothing.
      const [row] = await outbound(ws, ticket.id);
      const jobId = await t.deps.store.jobs.enqueue(
        { type: 'email.send', payload: { workspaceId: ws.id, outboundEmailId: row!.id }, workspaceId: ws.id, dedupeKey: `again-${row!.id}` },
        clock.now(),
      );
      worker.runner.wake();
      await until(async () => (await t.database.db.selectFrom('jobs').select('status').where('id', '=', jobId!).executeTakeFirst())?.status === 'done', 'the extra job');
      assert.equal(sink.to(customer).length, 1, 'still one mail');
    });

    it('shows a permanent refusal (5xx) on the message with the reason, and does not retry', async () => {
      const ws = await newWorkspace(t);
      const box = await mailbox(ws, `care@${ws.slug}.test`);
      const { ticket } = await emailTicket(ws, box, `reject-${ws.slug}@customer.example`);
      const agent = await ws.as('agent');
      const reply = await agent.req('POST', `/tickets/${ticket.id}/messages`, { body: 'This will bounce', visibility: 'public' });
      assert.equal(reply.status, 201);
      await until(async () => (await deliveryOf(ws, reply.body.id))?.deliveryStatus === 'failed', 'the reply to show failed');
      const delivery = await deliveryOf(ws, reply.body.id);
      assert.match(delivery!.deliveryError ?? '', /550/);
      assert.match(delivery!.deliveryError ?? '', /no such user/);
      const [row] = await outbound(ws, ticket.id);
      assert.equal(row!.status, 'failed');
      assert.equal(row!.attempts, 1);
      const job = (await emailJobs(['dead', 'pending', 'running', 'done'])).find((j) => (j.payload as { outboundEmailId?: string }).outboundEmailId === row!.id);
      assert.equal(job?.status, 'dead', 'no retry after a permanent refusal');
      assert.equal(job?.attempts, 1);
      const events = await ws.admin.req('GET', `/tickets/${ticket.id}/events`);
      assert.ok(events.body.items.some((e: { type: string }) => e.type === 'email.failed'));
    });

    it('acknowledges a new email ticket in French or English, as automatic mail, once per sender per hour, never an automatic mail', async () => {
      const ws = await newWorkspace(t);
      const box = await mailbox(ws, `ack@${ws.slug}.test`, { autoAck: true });
      const quiet = await mailbox(ws, `quiet@${ws.slug}.test`);
      const ack = (ticketId: string, mailboxId: string, to: string, inReplyTo: string | null, automated = false) =>
        t.deps.store.transaction((tx) => queueAutoAcknowledgement(t.deps, tx, { workspaceId: ws.id, ticketId, mailboxId, to, inReplyTo, automated }));

      const fr = `claire-${ws.slug}@client.example`;
      const frTicket = await emailTicket(ws, box, fr, { subject: 'Carte refusée', language: 'fr' });
      const r1 = await ack(frTicket.ticket.id, box.id, fr, frTicket.rfcMessageId);
      assert.equal(r1.queued, true);
      await until(() => sink.to(fr).length === 1, 'the French acknowledgement');
      const m1 = sink.to(fr)[0]!.parsed;
      assert.equal(m1.headers.get('auto-submitted'), 'auto-replied');
      assert.equal(m1.subject, `Re: Carte refusée [#${frTicket.ticket.number}]`);
      assert.match(m1.text ?? '', /^Bonjour/);
      assert.match(m1.text ?? '', new RegExp(`#${frTicket.ticket.number}\\b`));
      assert.equal(m1.inReplyTo, frTicket.rfcMessageId);
      const replyTo = m1.replyTo && !Array.isArray(m1.replyTo) ? m1.replyTo.value[0]!.address! : '';
      assert.equal(verifyReplyToken(t.deps, parseReplyAddress(replyTo).detail!), frTicket.ticket.id);

      // The same sender again within the hour: no second acknowledgement (even from another ticket).
      const again = await emailTicket(ws, box, fr, { subject: 'Encore moi', language: 'fr' });
      assert.deepEqual(await ack(again.ticket.id, box.id, fr, again.rfcMessageId), { queued: false, reason: 'rate_limited' });
      clock.advance(61 * 60_000);
      assert.equal((await ack(again.ticket.id, box.id, fr, again.rfcMessageId)).queued, true, 'an hour later it is acknowledged again');
      await until(() => sink.to(fr).length === 2, 'the second French acknowledgement');

      // English: from the customer's locale when the ticket has no language.
      const en = `john-${ws.slug}@client.example`;
      const enTicket = await emailTicket(ws, box, en, { subject: 'Refund' });
      assert.equal((await ack(enTicket.ticket.id, box.id, en, enTicket.rfcMessageId)).queued, true);
      await until(() => sink.to(en).length === 1, 'the English acknowledgement');
      const m2 = sink.to(en)[0]!.parsed;
      assert.match(m2.text ?? '', /^Hello/);
      assert.match(m2.text ?? '', new RegExp(`ticket #${enTicket.ticket.number}\\b`));
      assert.equal(m2.headers.get('auto-submitted'), 'auto-replied');

      // Never: automatic mail, machine senders, flagged addresses, our own mailboxes, a mailbox without auto-ack.
      const robot = `robot-${ws.slug}@client.example`;
      const robotTicket = await emailTicket(ws, box, robot);
      assert.deepEqual(await ack(robotTicket.ticket.id, box.id, robot, null, true), { queued: false, reason: 'automated' });
      assert.deepEqual(await ack(robotTicket.ticket.id, box.id, `mailer-daemon@client.example`, null), { queued: false, reason: 'machine_sender' });
      assert.deepEqual(await ack(robotTicket.ticket.id, box.id, `no-reply@client.example`, null), { queued: false, reason: 'machine_sender' });
      assert.deepEqual(await ack(robotTicket.ticket.id, box.id, quiet.address, null), { queued: false, reason: 'own_address' });
      await t.deps.store.emailFlags.flag(ws.id, robot, 'bouncing', 'mailbox full', clock.now());
      assert.deepEqual(await ack(robotTicket.ticket.id, box.id, robot, null), { queued: false, reason: 'flagged' });
      const other = `other-${ws.slug}@client.example`;
      assert.deepEqual(await ack(robotTicket.ticket.id, quiet.id, other, null), { queued: false, reason: 'disabled' });
      assert.equal(sink.to(robot).length + sink.to(other).length, 0);
    });
  });

  describe(`outbound email without a relay on ${kind}`, () => {
    let t: TestApp;
    let dir: string;
    const workers: Worker[] = [];
    before(async () => {
      t = await startTestApp(kind);
      dir = await mkdtemp(join(tmpdir(), 'guichet-outbox-'));
    });
    after(async () => {
      for (const w of workers) await w.stop();
      await t?.close();
      await rm(dir, { recursive: true, force: true });
    });

    async function resetMail(ws: TestWorkspace, email: string) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email, workspace: ws.slug } });
      assert.equal(r.statusCode, 204);
    }
    const rowsTo = (email: string) => t.database.db.selectFrom('outbound_emails').selectAll().where(sql<boolean>`${email} = ANY(to_addresses)`).execute();

    it('writes each mail to the local outbox folder as a readable .eml and marks it sent, with no error', async () => {
      const logged: string[] = [];
      const worker = await startWorker(t.deps, t.database, { pollMs: 20, concurrency: 2, mailOutboxDir: join(dir, 'outbox'), info: (m) => logged.push(m), log: (m) => logged.push(`WARN ${m}`) });
      workers.push(worker);
      const ws = await newWorkspace(t);
      const email = (await ws.as('agent')).email;
      await resetMail(ws, email);
      await until(async () => (await rowsTo(email))[0]?.status === 'sent', 'the mail to be written');
      const [row] = await rowsTo(email);
      const eml = await readFile(join(dir, 'outbox', `${row!.id}.eml`));
      const parsed = await simpleParser(eml);
      assert.equal(parsed.subject, row!.subject);
      assert.ok(parsed.text?.includes('/reset-password?token='), 'the whole message, link included');
      assert.deepEqual((parsed.to as { value: Array<{ address: string }> }).value.map((a) => a.address), [email]);
      assert.ok(logged.some((m) => m.includes('local outbox') && m.includes(`${row!.id}.eml`)), logged.join('\n'));
      assert.ok(!logged.some((m) => m.startsWith('WARN')), 'no failure');
      await worker.stop();
      workers.pop();
    });

    it('fails visibly when there is neither a relay nor an outbox folder (the PostgreSQL default)', async () => {
      const logged: string[] = [];
      const worker = await startWorker(t.deps, t.database, { pollMs: 20, concurrency: 2, log: (m) => logged.push(m) });
      workers.push(worker);
      const ws = await newWorkspace(t);
      const email = (await ws.as('agent')).email;
      await resetMail(ws, email);
      await until(async () => (await rowsTo(email))[0]?.status === 'failed', 'the mail to fail');
      assert.match((await rowsTo(email))[0]!.last_error ?? '', /GUICHET_SMTP_RELAY/);
      assert.ok(logged.some((m) => m.includes('email.send')));
    });
  });
}
