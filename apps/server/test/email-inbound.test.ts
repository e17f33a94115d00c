/**
 * Inbound email end to end: real SMTP on loopback through the listener, the ingest job run by
 * the worker, and the resulting tickets read through the API, on both databases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { replyAddressFor } from '@guichet/core';
import { testDbKinds } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { addMailbox, mail, processed, sendRaw, startMailRig, type MailRig } from './email-inbound-helpers.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

for (const kind of testDbKinds()) {
  describe(`inbound email on ${kind}`, () => {
    let t: TestApp;
    let rig: MailRig;
    before(async () => {
      t = await startTestApp(kind);
      rig = await startMailRig(t, { maxBytes: 200 * 1024 });
    });
    after(async () => {
      await rig?.close();
      await t?.close();
    });

    async function setup(patch: Parameters<typeof addMailbox>[3] = {}) {
      const ws = await newWorkspace(t);
      const address = `support@${ws.slug}.example`;
      const mailbox = await addMailbox(t, ws.id, address, patch);
      const deliver = async (raw: string | Buffer, from: string, to: string[] = [address]) => {
        const ids = await sendRaw(rig.smtp.port, { from, to }, raw);
        assert.equal(ids.length, 1, 'one stored copy');
        return processed(t, ws.id, ids[0]!);
      };
      return { ws, address, mailbox, deliver };
    }

    async function messagesOf(ws: TestWorkspace, ticketId: string) {
      const r = await ws.admin.req('GET', `/tickets/${ticketId}/messages`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.items as any[];
    }

    it('refuses unknown and disabled recipients with 550 at RCPT, and oversize messages with 552', async () => {
      const { ws, address } = await setup();
      await assert.rejects(sendRaw(rig.smtp.port, { from: 'a@client.example', to: [`nobody@${ws.slug}.example`] }, mail({ from: 'a@client.example', to: 'x', subject: 'x' })), (e: any) => {
        assert.equal(e.responseCode, 550, e.message);
        return true;
      });
      await addMailbox(t, ws.id, `off@${ws.slug}.example`, { enabled: false });
      await assert.rejects(sendRaw(rig.smtp.port, { from: 'a@client.example', to: [`off@${ws.slug}.example`] }, mail({ from: 'a@client.example', to: 'x', subject: 'x' })), (e: any) => e.responseCode === 550);
      const big = mail({ from: 'a@client.example', to: address, subject: 'big', body: 'x'.repeat(76).concat('\r\n').repeat(4000) });
      await assert.rejects(sendRaw(rig.smtp.port, { from: 'a@client.example', to: [address] }, big), (e: any) => {
        assert.equal(e.responseCode, 552, e.message);
        return true;
      });
      const list = await t.deps.store.inboundEmails.list(ws.id, {}, { limit: 10 });
      assert.equal(list.length, 0, 'nothing refused was stored');
    });

    it('refuses a mailbox at once once it is disabled, though the mailbox of an address is cached briefly', async () => {
      const { ws, address, mailbox, deliver } = await setup();
      const e = await deliver(mail({ from: 'early@client.example', to: address, subject: 'Before' }), 'early@client.example');
      assert.equal(e.status, 'ticketed', e.reason ?? '');
      await t.deps.store.mailboxes.update(ws.id, mailbox.id, { enabled: false });
      await assert.rejects(sendRaw(rig.smtp.port, { from: 'late@client.example', to: [address] }, mail({ from: 'late@client.example', to: address, subject: 'After' })), (err: any) => err.responseCode === 550);
    });

    it('makes a ticket of a new mail, with readable encoded headers and charsets, and the email headers on the message', async () => {
      const { ws, address, deliver } = await setup();
      const raw = [
        'From: =?iso-8859-1?Q?Ren=E9e_Dupr=E9?= <Renee.Dupre@Client.example>',
        `To: ${address}`,
        'Subject: =?utf-8?B?Q29tbWFuZGUgbm9uIHJlw6d1ZQ==?=',
        'Message-ID: <first-1@client.example>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Bonjour, je n=27ai pas re=E7u ma commande. Merci de votre aide.',
        '',
      ].join('\r\n');
      const e = await deliver(raw, 'renee.dupre@client.example');
      assert.equal(e.status, 'ticketed', e.reason ?? '');
      const tk = await ws.admin.req('GET', `/tickets/${e.ticketId}`);
      assert.equal(tk.body.subject, 'Commande non reçue');
      assert.equal(tk.body.channel, 'email');
      assert.equal(tk.body.language, 'fr');
      assert.equal(tk.body.requester.email, 'renee.dupre@client.example');
      assert.equal(tk.body.requester.name, 'Renée Dupré');
      const [m] = await messagesOf(ws, e.ticketId!);
      assert.match(m.body, /je n'ai pas reçu ma commande/);
      assert.equal(m.channel, 'email');
      assert.equal(m.email.rfcMessageId, '<first-1@client.example>');
      assert.equal(m.email.deliveryStatus, 'received');
      assert.equal(m.email.from, 'renee.dupre@client.example');
    });

    it('threads replies: In-Reply-To, [#n] from the requester, a signed reply address; a stranger with [#n] gets a new linked ticket', async () => {
      const { ws, address, deliver } = await setup();
      const first = await deliver(mail({ from: 'Paul <paul@client.example>', to: address, subject: 'Refund', messageId: '<refund-1@client.example>' }), 'paul@client.example');
      assert.equal(first.status, 'ticketed');
      const ticketId = first.ticketId!;
      const number = (await ws.admin.req('GET', `/tickets/${ticketId}`)).body.number;

      const reply = await deliver(mail({ from: 'paul@client.example', to: address, subject: 'Re: Refund', inReplyTo: '<refund-1@client.example>', body: 'Any news?' }), 'paul@client.example');
      assert.equal(reply.ticketId, ticketId, 'In-Reply-To joins the ticket');

      const bySubject = await deliver(mail({ from: 'PAUL@client.example', to: address, subject: `About [#${number}]`, body: 'Me again' }), 'paul@client.example');
      assert.equal(bySubject.ticketId, ticketId, '[#n] from the requester (any case) joins the ticket');

      const stranger = await deliver(mail({ from: 'eve@evil.example', to: address, subject: `Re: [#${number}] give me the data`, inReplyTo: '<refund-1@client.example>' }), 'eve@evil.example');
      assert.equal(stranger.status, 'ticketed');
      assert.notEqual(stranger.ticketId, ticketId, 'a stranger never joins someone else\'s ticket');
      assert.match(stranger.reason ?? '', /not on it/);
      const links = await t.deps.store.ticketLinks.list(ws.id, stranger.ticketId!);
      assert.deepEqual(links.map((l) => l.linkedTicketId), [ticketId]);

      const signed = replyAddressFor(t.deps, address, ticketId);
      const viaToken = await deliver(mail({ from: 'colleague@client.example', to: signed, subject: 'Fwd' }), 'colleague@client.example', [signed]);
      assert.equal(viaToken.ticketId, ticketId, 'a signed reply address joins the ticket');
      const forged = signed.replace(/\+(.)/, (_, c) => `+${c === 'a' ? 'b' : 'a'}`);
      const bad = await deliver(mail({ from: 'colleague@client.example', to: forged, subject: 'Forged' }), 'colleague@client.example', [forged]);
      assert.notEqual(bad.ticketId, ticketId, 'a forged token does not');

      const msgs = await messagesOf(ws, ticketId);
      assert.equal(msgs.length, 4);
      assert.equal(msgs[1].email.inReplyTo, '<refund-1@client.example>');
      assert.deepEqual(msgs[1].email.references, ['<refund-1@client.example>']);
    });

    it('makes Cc\'d people customers and followers, and lets them reply', async () => {
      const { ws, address, deliver } = await setup();
      const e = await deliver(mail({ from: 'boss@client.example', to: address, cc: 'Anna Assistant <anna@client.example>, ' + address, subject: 'Invoice' }), 'boss@client.example');
      const followers = await t.deps.store.followers.list(ws.id, e.ticketId!);
      assert.equal(followers.length, 1);
      const anna = await t.deps.store.users.findByEmail(ws.id, 'anna@client.example');
      assert.equal(anna?.name, 'Anna Assistant');
      assert.deepEqual(followers, [anna!.id]);
      const number = (await ws.admin.req('GET', `/tickets/${e.ticketId}`)).body.number;
      const r = await deliver(mail({ from: 'anna@client.example', to: address, subject: `Re: Invoice [#${number}]` }), 'anna@client.example');
      assert.equal(r.ticketId, e.ticketId, 'a follower may reply');
    });

    it('records auto-replies as internal notes without answering, ignores our own address, holds a flood', async () => {
      const { ws, address, deliver } = await setup({ floodLimitPerHour: 3 });
      const e = await deliver(mail({ from: 'olga@client.example', to: address, subject: 'Question', messageId: '<q-1@client.example>' }), 'olga@client.example');
      const auto = await deliver(
        mail({ from: 'olga@client.example', to: address, subject: 'Réponse automatique : absente', inReplyTo: '<q-1@client.example>', headers: { 'Auto-Submitted': 'auto-replied' } }),
        'olga@client.example',
      );
      assert.equal(auto.status, 'auto_reply');
      assert.equal(auto.ticketId, e.ticketId);
      const msgs = await messagesOf(ws, e.ticketId!);
      assert.equal(msgs.length, 2);
      assert.equal(msgs[1].visibility, 'internal');
      assert.equal(msgs[1].email.autoSubmitted, true);
      assert.deepEqual(await t.deps.store.outboundEmails.listForTicket(ws.id, e.ticketId!), [], 'nothing answered');
      const vacation = await deliver(mail({ from: 'zed@client.example', to: address, subject: 'Out of office', headers: { Precedence: 'bulk' } }), 'zed@client.example');
      assert.equal(vacation.status, 'auto_reply');
      assert.equal(vacation.ticketId, null, 'an auto-reply opens no ticket');

      const own = await deliver(mail({ from: address.toUpperCase(), to: address, subject: 'loop' }), address);
      assert.equal(own.status, 'ignored');

      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await deliver(mail({ from: 'spam@flood.example', to: address, subject: `spam ${i}` }), 'spam@flood.example')).status);
      const held = await deliver(mail({ from: 'spam@flood.example', to: address, subject: 'spam 4' }), 'spam@flood.example');
      assert.deepEqual(statuses, ['ticketed', 'ticketed', 'ticketed']);
      assert.equal(held.status, 'held');
      assert.match(held.reason ?? '', /flood/);
      assert.equal(held.ticketId, null);
    });

    it('marks the outgoing message bounced and flags the address on a delivery report', async () => {
      const { ws, address, deliver } = await setup();
      const e = await deliver(mail({ from: 'gone@client.example', to: address, subject: 'Hello' }), 'gone@client.example');
      const reply = await ws.admin.req('POST', `/tickets/${e.ticketId}/messages`, { body: 'Our answer' });
      assert.equal(reply.status, 201);
      const now = new Date();
      const rfc = `<out-${reply.body.id}@guichet.example>`;
      // The outbound rows are written by the outbound side; the test stands in for it.
      if (!(await t.deps.store.messageEmails.findByMessageIds(ws.id, [reply.body.id])).length) {
        await t.deps.store.messageEmails.insert({
          messageId: reply.body.id, workspaceId: ws.id, direction: 'out', rfcMessageId: rfc, inReplyTo: null, references: [], fromAddress: address,
          toAddresses: ['gone@client.example'], ccAddresses: [], subject: 'Re: Hello', inboundEmailId: null, deliveryStatus: 'sent', deliveryError: null, autoSubmitted: false, createdAt: now,
        });
      }
      const sentRfc = (await t.deps.store.messageEmails.findByMessageIds(ws.id, [reply.body.id]))[0]!.rfcMessageId;
      const boundary = 'b-dsn-1';
      const dsn = [
        'From: Mail Delivery System <MAILER-DAEMON@mx.client.example>',
        `To: ${address}`,
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <dsn-1@mx.client.example>',
        'MIME-Version: 1.0',
        `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        `--${boundary}`,
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.client.example',
        '',
        'Final-Recipient: rfc822; gone@client.example',
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
        '',
        `--${boundary}`,
        'Content-Type: text/rfc822-headers',
        '',
        `From: ${address}`,
        'To: gone@client.example',
        `Message-ID: <${sentRfc.replace(/^<|>$/g, '')}>`,
        'Subject: Re: Hello',
        '',
        `--${boundary}--`,
        '',
      ].join('\r\n');
      const b = await deliver(dsn, '');
      assert.equal(b.status, 'bounce', b.reason ?? '');
      assert.equal(b.ticketId, e.ticketId);
      const [me] = await t.deps.store.messageEmails.findByMessageIds(ws.id, [reply.body.id]);
      assert.equal(me!.deliveryStatus, 'bounced');
      assert.match(me!.deliveryError ?? '', /5\.1\.1/);
      const flag = await t.deps.store.emailFlags.get(ws.id, 'gone@client.example');
      assert.equal(flag?.status, 'bouncing');
      const msgs = await messagesOf(ws, e.ticketId!);
      assert.equal(msgs.length, 2, 'a bounce adds no message');
      assert.equal(msgs[1].email.deliveryStatus, 'bounced');
    });

    it('acknowledges a new request when the mailbox asks for it, once, and never an auto-reply or a reply in a thread', async () => {
      const { ws, address, deliver } = await setup({ autoAck: true });
      const first = await deliver(mail({ from: 'Léa Martin <lea@client.example>', to: address, subject: 'Carte bloquée', body: 'Bonjour, ma carte est bloquée depuis hier, merci de votre aide.' }), 'lea@client.example');
      assert.equal(first.status, 'ticketed');
      const acks = await t.deps.store.outboundEmails.listForTicket(ws.id, first.ticketId!);
      assert.equal(acks.length, 1);
      assert.equal(acks[0]!.kind, 'auto_ack');
      assert.deepEqual(acks[0]!.toAddresses, ['lea@client.example']);
      assert.equal(acks[0]!.headers['Auto-Submitted'], 'auto-replied');
      const ticket = await ws.admin.req('GET', `/tickets/${first.ticketId}`);
      assert.match(acks[0]!.subject, new RegExp(`\\[#${ticket.body.number}\\]`));
      assert.match(acks[0]!.textBody, /Bonjour|demande/, 'French for a French request');

      const reply = await deliver(
        mail({ from: 'lea@client.example', to: address, subject: `Re: Carte bloquée [#${ticket.body.number}]`, body: 'Toujours bloquée.' }),
        'lea@client.example',
      );
      assert.equal(reply.ticketId, first.ticketId);
      assert.equal((await t.deps.store.outboundEmails.listForTicket(ws.id, first.ticketId!)).length, 1, 'a reply in the thread is not acknowledged');

      const vacation = await deliver(
        mail({ from: 'bob@client.example', to: address, subject: 'Out of office', body: 'I am away.', headers: { 'Auto-Submitted': 'auto-replied' } }),
        'bob@client.example',
      );
      assert.equal(vacation.status, 'auto_reply');
      assert.equal(vacation.ticketId, null);
    });

    it('makes one ticket message of the same message delivered twice', async () => {
      const { ws, address, deliver } = await setup();
      const raw = mail({ from: 'twice@client.example', to: address, subject: 'Twice', messageId: '<twice-1@client.example>' });
      const a = await deliver(raw, 'twice@client.example');
      const ids = await sendRaw(rig.smtp.port, { from: 'twice@client.example', to: [address] }, raw);
      assert.equal(ids[0], a.id, 'the same bytes are stored once');
      const relayed = await deliver(`Received: from relay.example by mx; ${new Date().toUTCString()}\r\n${raw}`, 'twice@client.example');
      assert.equal(relayed.status, 'duplicate');
      assert.equal(relayed.ticketId, a.ticketId);
      assert.equal((await messagesOf(ws, a.ticketId!)).length, 1);
    });

    it('stores attachments with sniffed types and safe names, inline images by URL, and sanitised HTML', async () => {
      const { ws, address, deliver } = await setup();
      const b = 'mixed-1';
      const rel = 'rel-1';
      const html =
        '<p onclick="steal()">Hello <b>agent</b></p><script>alert(1)</script><img src="https://tracker.example/p.gif" onerror="alert(2)">' +
        '<img src="cid:logo@client"><form action="https://evil.example"><input name="x"></form><iframe src="https://evil.example"></iframe>' +
        '<a href="javascript:alert(3)">x</a><div style="background:url(https://evil.example/x)">styled</div>';
      const raw = [
        'From: pics@client.example',
        `To: ${address}`,
        'Subject: Screenshots',
        'Message-ID: <pics-1@client.example>',
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${b}"`,
        '',
        `--${b}`,
        `Content-Type: multipart/related; boundary="${rel}"`,
        '',
        `--${rel}`,
        'Content-Type: text/html; charset=utf-8',
        '',
        html,
        `--${rel}`,
        'Content-Type: image/png',
        'Content-ID: <logo@client>',
        'Content-Disposition: inline; filename="logo.png"',
        'Content-Transfer-Encoding: base64',
        '',
        PNG.toString('base64'),
        `--${rel}--`,
        `--${b}`,
        'Content-Type: text/html; name="../../etc/passwd.html"',
        'Content-Disposition: attachment; filename="../../etc/passwd.html"',
        'Content-Transfer-Encoding: base64',
        '',
        PNG.toString('base64'),
        `--${b}`,
        'Content-Type: application/octet-stream',
        'Content-Disposition: attachment; filename="huge.bin"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.alloc(120 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n'),
        `--${b}--`,
        '',
      ].join('\r\n');
      const e = await deliver(raw, 'pics@client.example');
      assert.equal(e.status, 'ticketed', e.reason ?? '');
      assert.match(e.reason ?? '', /huge\.bin.*over the size limit/);
      const [m] = await messagesOf(ws, e.ticketId!);
      const byName = new Map(m.attachments.map((a: any) => [a.filename, a]));
      const passwd: any = byName.get('passwd.html');
      assert.ok(passwd, `safe basename: ${JSON.stringify(m.attachments)}`);
      assert.equal(passwd.contentType, 'image/png', 'the type comes from the bytes');
      const logo: any = byName.get('logo.png');
      assert.equal(logo.inline, true);
      assert.equal(m.attachments.length, 2);
      assert.ok(m.bodyHtml.includes(`/api/v1/tickets/${e.ticketId}/messages/${m.id}/attachments/${logo.id}`), m.bodyHtml);
      for (const bad of ['<script', 'onclick', 'onerror', '<form', '<iframe', 'javascript:', 'style=', ' src="https://tracker']) {
        assert.ok(!m.bodyHtml.includes(bad), `no ${bad} in ${m.bodyHtml}`);
      }
      assert.ok(m.bodyHtml.includes('data-remote-src="https://tracker.example/p.gif"'), 'remote images are kept for "show remote images"');
      const shown = await ws.admin.req('GET', `/tickets/${e.ticketId}/messages?remoteImages=show`);
      assert.ok(shown.body.items[0].bodyHtml.includes('src="https://tracker.example/p.gif"'));

      const dl = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${e.ticketId}/messages/${m.id}/attachments/${passwd.id}`, headers: { authorization: `Bearer ${ws.admin.token}` } });
      assert.equal(dl.statusCode, 200);
      assert.equal(dl.headers['content-type'], 'image/png');
      assert.equal(dl.headers['x-content-type-options'], 'nosniff');
      assert.match(String(dl.headers['content-disposition']), /^attachment; filename="passwd.html"; filename\*=UTF-8''passwd.html$/);
      assert.deepEqual(dl.rawPayload, PNG);
    });
  });
}
