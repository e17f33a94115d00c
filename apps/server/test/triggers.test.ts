/**
 * Triggers through the API on both databases: conditions over the ticket, the requester, the
 * message and the time of day; actions that set fields, tag, note and notify; order and stop;
 * the rule named in the history; failures that do not fail the request; SLA events; dry runs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sweepSla, type Job } from '@guichet/core';
import { webhookDeliverHandler } from '../src/webhooks/deliver.ts';
import { testDbKinds } from '@guichet/db/testing';
import { sql } from 'kysely';
import { newWorkspace, startTestApp, type TestApp } from './harness.ts';
import { assertError, movableClock } from './helpers.ts';

const office = [{ start: '09:00', end: '18:00' }];

/** A webhook receiver on loopback: keeps each request and answers `answer` (changeable). */
async function startReceiver(answer = 200) {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = receiver.answer;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const receiver = {
    answer,
    received,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  return receiver;
}

for (const kind of testDbKinds()) {
  describe(`triggers on ${kind}`, () => {
    let t: TestApp;
    const clock = movableClock('2026-06-08T08:00:00Z'); // Monday 10:00 in Paris
    before(async () => {
      t = await startTestApp(kind, { clock });
    });
    after(async () => {
      await t.close();
    });

    it('runs in order on new tickets and messages, records the rule in the history, and stops when told', async () => {
      clock.set('2026-06-08T08:00:00Z');
      const ws = await newWorkspace(t);
      const admin = ws.admin;
      const billing = (await admin.req('POST', '/teams', { name: 'Billing' })).body;
      const vip = await admin.req('POST', '/triggers', {
        name: 'VIP customers',
        events: ['ticket.created'],
        conditions: { all: [{ field: 'requester.domain', op: 'is', value: 'BigCorp.example' }] },
        actions: [
          { type: 'set_priority', value: 'urgent' },
          { type: 'add_tags', tags: ['VIP'] },
          { type: 'add_note', body: 'Key account: answer first.' },
          { type: 'notify', to: 'admins', title: 'VIP ticket #{{ticket.number}}', body: '{{ticket.subject}}' },
        ],
      });
      assert.equal(vip.status, 201, JSON.stringify(vip.body));
      const refund = await admin.req('POST', '/triggers', {
        name: 'Refunds to billing',
        events: ['message.added'],
        conditions: { all: [{ field: 'message.author', op: 'is', value: 'customer' }], any: [{ field: 'message.body', op: 'contains', value: 'refund' }, { field: 'message.body', op: 'contains', value: 'remboursement' }] },
        actions: [{ type: 'set_team', teamId: billing.id }],
        stop: true,
      });
      assert.equal(refund.status, 201, JSON.stringify(refund.body));
      const after = await admin.req('POST', '/triggers', { name: 'Never after a stop', events: ['message.added'], actions: [{ type: 'add_tags', tags: ['second'] }] });
      assert.equal(after.body.position, 2);

      const customer = await ws.as('customer', { email: 'ceo@bigcorp.example' });
      const created = await customer.req('POST', '/tickets', { subject: 'Invoice wrong', body: 'Our invoice is wrong.' });
      assert.equal(created.status, 201);
      assert.equal(created.body.priority, 'urgent', 'the answer shows what the trigger did');
      assert.deepEqual(created.body.tags, ['vip']);
      const n = created.body.number;
      const events = (await admin.req('GET', `/tickets/${n}/events`)).body.items;
      const byRule = events.filter((e: any) => e.actor.type === 'rule');
      assert.deepEqual(byRule.map((e: any) => e.type), ['trigger.fired', 'ticket.updated', 'message.added']);
      assert.ok(byRule.every((e: any) => e.actor.id === vip.body.id && e.data.rule.name === 'VIP customers'));
      assert.deepEqual(byRule[1].data.changes.priority, { from: 'normal', to: 'urgent' });
      const notes = (await admin.req('GET', `/tickets/${n}/messages`)).body.items.filter((m: any) => m.visibility === 'internal');
      assert.deepEqual(notes.map((m: any) => m.body), ['Key account: answer first.']);
      assert.equal((await customer.req('GET', `/tickets/${n}/messages`)).body.items.length, 1, 'the customer does not see the note');
      const mine = (await admin.req('GET', '/notifications')).body.items;
      assert.deepEqual(mine.map((x: any) => x.title), [`VIP ticket #${n}`]);

      // A customer's message about a refund goes to billing; the trigger after it does not run.
      assert.equal((await customer.req('POST', `/tickets/${n}/messages`, { body: 'We would like a refund.' })).status, 201);
      let ticket = (await admin.req('GET', `/tickets/${n}`)).body;
      assert.equal(ticket.teamId, billing.id);
      assert.deepEqual(ticket.tags, ['vip']);
      // Without "refund", the first does not match and the second runs.
      assert.equal((await customer.req('POST', `/tickets/${n}/messages`, { body: 'Any news?' })).status, 201);
      ticket = (await admin.req('GET', `/tickets/${n}`)).body;
      assert.deepEqual(ticket.tags, ['vip', 'second']);
      // An agent's message is not the customer's.
      const other = await admin.req('POST', '/tickets', { subject: 'Internal', body: 'x', requester: { email: 'x@elsewhere.example' } });
      await admin.req('POST', `/tickets/${other.body.number}/messages`, { body: 'About the refund' });
      assert.equal((await admin.req('GET', `/tickets/${other.body.number}`)).body.teamId, null);
    });

    it('sees a trigger changed by the API or straight in the database (another process) at the next event', async () => {
      const ws = await newWorkspace(t);
      const admin = ws.admin;
      const tagIt = (await admin.req('POST', '/triggers', { name: 'Tag', events: ['ticket.created'], actions: [{ type: 'add_tags', tags: ['first'] }] })).body;
      const create = async () => (await admin.req('POST', '/tickets', { subject: 'Hello', body: 'Hi', requester: { email: 'rule-cache@client.example', name: 'C' } })).body;
      assert.deepEqual((await create()).tags, ['first']);
      await admin.req('PATCH', `/triggers/${tagIt.id}`, { actions: [{ type: 'add_tags', tags: ['second'] }] });
      assert.deepEqual((await create()).tags, ['second'], 'a change through the API');
      // As another process would: the row changes, this process's memory does not hear of it.
      await sql`UPDATE triggers SET actions = ${JSON.stringify([{ type: 'add_tags', tags: ['third'] }])}::jsonb WHERE id = ${tagIt.id}`.execute(t.database.db);
      assert.deepEqual((await create()).tags, ['third'], 'a change in the database');
      await sql`UPDATE triggers SET enabled = false WHERE id = ${tagIt.id}`.execute(t.database.db);
      assert.deepEqual((await create()).tags, [], 'disabled elsewhere');
      await sql`DELETE FROM triggers WHERE id = ${tagIt.id}`.execute(t.database.db);
      assert.deepEqual((await create()).tags, []);
    });

    it('sees changes (changed_to) and the time of day in business hours; a change it may not make is recorded, not thrown', async () => {
      clock.set('2026-06-08T20:00:00Z'); // Monday 22:00 in Paris
      const ws = await newWorkspace(t);
      const admin = ws.admin;
      await admin.req('POST', '/business-calendars', { name: 'Paris', timeZone: 'Europe/Paris', isDefault: true, weekly: { mon: office, tue: office, wed: office, thu: office, fri: office } });
      const team = (await admin.req('POST', '/teams', { name: 'Nights' })).body;
      const outsider = await ws.as('agent');
      await admin.req('POST', '/triggers', {
        name: 'After hours',
        events: ['ticket.created'],
        conditions: { all: [{ field: 'time.business_hours', op: 'is', value: false }] },
        actions: [{ type: 'add_tags', tags: ['after-hours'] }],
      });
      await admin.req('POST', '/triggers', {
        name: 'Thank on solve',
        events: ['ticket.updated'],
        conditions: { all: [{ field: 'ticket.status', op: 'changed_to', value: 'solved' }] },
        actions: [{ type: 'add_tags', tags: ['solved-by-rule'] }],
      });
      const bad = await admin.req('POST', '/triggers', {
        name: 'Broken assignment',
        events: ['ticket.updated'],
        conditions: { all: [{ field: 'ticket.team_id', op: 'changed' }] },
        actions: [{ type: 'assign', userId: outsider.id }],
      });
      assert.equal(bad.status, 201);
      const night = (await admin.req('POST', '/tickets', { subject: 'Night', body: 'x', requester: { email: 'n@example.test' } })).body;
      assert.deepEqual(night.tags, ['after-hours']);
      clock.set('2026-06-09T08:00:00Z');
      const day = (await admin.req('POST', '/tickets', { subject: 'Day', body: 'x', requester: { email: 'd@example.test' } })).body;
      assert.deepEqual(day.tags, []);

      const moved = await admin.req('PATCH', `/tickets/${day.number}`, { teamId: team.id });
      assert.equal(moved.status, 200, 'the request succeeds');
      assert.equal(moved.body.assigneeId, null, 'the outsider is not in the team: not assigned');
      const failed = (await admin.req('GET', `/tickets/${day.number}/events`)).body.items.find((e: any) => e.type === 'trigger.failed');
      assert.equal(failed.data.code, 'INVALID_ASSIGNMENT');
      assert.equal(failed.data.rule.name, 'Broken assignment');
      const solved = await admin.req('PATCH', `/tickets/${day.number}`, { status: 'solved' });
      assert.deepEqual(solved.body.tags, ['solved-by-rule']);
      const untouched = await admin.req('PATCH', `/tickets/${night.number}`, { priority: 'high' });
      assert.deepEqual(untouched.body.tags, ['after-hours'], 'changed_to needs the change');
    });

    it('fires on SLA breaches found by the sweep', async () => {
      clock.set('2026-06-08T08:00:00Z');
      const ws = await newWorkspace(t);
      const admin = ws.admin;
      await admin.req('POST', '/sla-policies', { name: 'Quick', targets: { first_response: { minutes: 30, businessHours: false } } });
      await admin.req('POST', '/triggers', {
        name: 'Escalate breaches',
        events: ['sla.breached'],
        conditions: { all: [{ field: 'sla.target', op: 'is', value: 'first_response' }] },
        actions: [{ type: 'set_priority', value: 'high' }, { type: 'add_tags', tags: ['escalated'] }],
      });
      const customer = await ws.as('customer');
      const n = (await customer.req('POST', '/tickets', { subject: 'Slow', body: 'Hello?' })).body.number;
      clock.set('2026-06-08T08:31:00Z');
      await sweepSla(t.deps);
      const ticket = (await admin.req('GET', `/tickets/${n}`)).body;
      assert.equal(ticket.priority, 'high');
      assert.deepEqual(ticket.tags, ['escalated']);
    });

    it('delivers webhooks signed with HMAC-SHA256, retries failures and keeps a delivery log', async () => {
      clock.set('2026-06-08T08:00:00Z');
      const receiver = await startReceiver();
      const { received } = receiver;
      try {
        const ws = await newWorkspace(t);
        const admin = ws.admin;
        const url = `${receiver.base}/hooks/guichet`;
        const hook = await admin.req('POST', '/webhooks', { name: 'CRM', url, events: ['ticket.created'] });
        assert.equal(hook.status, 201, JSON.stringify(hook.body));
        assert.match(hook.body.secret, /^whsec_/);
        assert.equal((await admin.req('GET', `/webhooks/${hook.body.id}`)).body.secret, undefined, 'the secret is shown once');
        assertError(await admin.req('POST', '/webhooks', { name: 'Bad', url: 'ftp://example.test/x', events: ['ticket.created'] }), 400, 'VALIDATION_FAILED');
        const created = (await admin.req('POST', '/tickets', { subject: 'Hooked', body: 'x', requester: { email: 'h@example.test' } })).body;
        let log = (await admin.req('GET', `/webhooks/${hook.body.id}/deliveries`)).body.items;
        assert.equal(log.length, 1);
        assert.equal(log[0].status, 'pending');
        const handler = webhookDeliverHandler();
        const run = (attempts: number) => handler.handle(t.deps, { workspaceId: ws.id, deliveryId: log[0].id }, { attempts } as Job);

        receiver.answer = 503;
        await assert.rejects(run(1), /HTTP 503/);
        log = (await admin.req('GET', `/webhooks/${hook.body.id}/deliveries`)).body.items;
        assert.deepEqual([log[0].status, log[0].attempts, log[0].lastStatus], ['pending', 1, 503]);
        receiver.answer = 200;
        await run(2);
        log = (await admin.req('GET', `/webhooks/${hook.body.id}/deliveries`)).body.items;
        assert.deepEqual([log[0].status, log[0].attempts, log[0].lastStatus], ['delivered', 2, 200]);
        await run(3);
        assert.equal(received.length, 2, 'a delivered one is not sent again');

        const last = received[1]!;
        assert.equal(last.headers['x-guichet-event'], 'ticket.created');
        assert.equal(last.headers['x-guichet-delivery'], log[0].id);
        const [, ts, sig] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(last.headers['x-guichet-signature']))!;
        assert.equal(sig, createHmac('sha256', hook.body.secret).update(`${ts}.${last.body}`).digest('hex'), 'the receiver can check the signature');
        const payload = JSON.parse(last.body);
        assert.equal(payload.event, 'ticket.created');
        assert.equal(payload.data.ticket.number, created.number);
        assert.equal(received[0]!.body, last.body, 'retries send the same payload');

        // The last attempt gives up and says so.
        receiver.answer = 500;
        await admin.req('POST', '/tickets', { subject: 'Down', body: 'x', requester: { email: 'h@example.test' } });
        const next = (await admin.req('GET', `/webhooks/${hook.body.id}/deliveries`)).body.items[0];
        await handler.handle(t.deps, { workspaceId: ws.id, deliveryId: next.id }, { attempts: 8 } as Job);
        const failed = (await admin.req('GET', `/webhooks/${hook.body.id}/deliveries`)).body.items[0];
        assert.deepEqual([failed.status, failed.lastError], ['failed', 'HTTP 500']);
        const other = await newWorkspace(t);
        assertError(await other.admin.req('GET', `/webhooks/${hook.body.id}/deliveries`), 404, 'WEBHOOK_NOT_FOUND');
      } finally {
        await receiver.close();
      }
    });

    it('replaces a webhook\'s signing secret: shown once, the next deliveries signed with it, the old one no longer', async () => {
      clock.set('2026-06-08T09:00:00Z');
      const received: Array<{ signature: string; body: string }> = [];
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push({ signature: String(req.headers['x-guichet-signature']), body });
          res.end('ok');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const ws = await newWorkspace(t);
        const admin = ws.admin;
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
        const hook = (await admin.req('POST', '/webhooks', { name: 'Rotated', url, events: ['ticket.created'] })).body;
        const rotated = await admin.req('POST', `/webhooks/${hook.id}/secret`, {});
        assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
        assert.match(rotated.body.secret, /^whsec_/);
        assert.notEqual(rotated.body.secret, hook.secret);
        assert.deepEqual([rotated.body.id, rotated.body.name, rotated.body.url], [hook.id, 'Rotated', url]);
        assert.equal((await admin.req('GET', `/webhooks/${hook.id}`)).body.secret, undefined, 'the new secret is shown once too');

        await admin.req('POST', '/tickets', { subject: 'After rotation', body: 'x', requester: { email: 'r@example.test' } });
        const log = (await admin.req('GET', `/webhooks/${hook.id}/deliveries`)).body.items;
        await webhookDeliverHandler().handle(t.deps, { workspaceId: ws.id, deliveryId: log[0].id }, { attempts: 1 } as Job);
        const [, ts, sig] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(received[0]!.signature)!;
        const sign = (secret: string) => createHmac('sha256', secret).update(`${ts}.${received[0]!.body}`).digest('hex');
        assert.equal(sig, sign(rotated.body.secret), 'signed with the new secret');
        assert.notEqual(sig, sign(hook.secret), 'not with the old one');

        const audit = (await admin.req('GET', '/audit-log?action=webhook.')).body.items.map((e: any) => e.action);
        assert.ok(audit.includes('webhook.secret_rotated'), audit.join(','));
        const other = await newWorkspace(t);
        assertError(await other.admin.req('POST', `/webhooks/${hook.id}/secret`, {}), 404, 'WEBHOOK_NOT_FOUND');
        assertError(await admin.req('POST', '/webhooks/00000000-0000-4000-8000-000000000000/secret', {}), 404, 'WEBHOOK_NOT_FOUND');
      } finally {
        await new Promise((r) => server.close(r));
      }
    });

    it('redelivers a delivery that failed for good once the receiver is fixed: same event id, a fresh signature, its own job; and pings a receiver', async () => {
      clock.set('2026-06-08T10:00:00Z');
      const receiver = await startReceiver(500);
      const { received } = receiver;
      try {
        const ws = await newWorkspace(t);
        const admin = ws.admin;
        const url = `${receiver.base}/hook`;
        const hook = (await admin.req('POST', '/webhooks', { name: 'Receiver', url, events: ['ticket.created'] })).body;
        const handler = webhookDeliverHandler();
        const deliveries = async () => (await admin.req('GET', `/webhooks/${hook.id}/deliveries`)).body.items as any[];
        // The job the delivery was queued with: it is what the worker runs, retries included.
        const jobOf = async (deliveryId: string) =>
          (await sql<{ type: string; max_attempts: number; status: string }>`SELECT type, max_attempts, status FROM jobs WHERE workspace_id = ${ws.id} AND payload->>'deliveryId' = ${deliveryId}`.execute(t.database.db)).rows;

        await admin.req('POST', '/tickets', { subject: 'Receiver down', body: 'x', requester: { email: 'down@example.test' } });
        const [original] = await deliveries();
        assert.equal(original.redeliveryOf, null);
        for (let attempt = 1; attempt < 8; attempt++) await assert.rejects(handler.handle(t.deps, { workspaceId: ws.id, deliveryId: original.id }, { attempts: attempt } as Job), /HTTP 500/);
        await handler.handle(t.deps, { workspaceId: ws.id, deliveryId: original.id }, { attempts: 8 } as Job);
        const dead = (await deliveries())[0];
        assert.deepEqual([dead.id, dead.status, dead.attempts, dead.lastStatus], [original.id, 'failed', 8, 500]);
        const failedBody = received.at(-1)!.body;

        // The receiver is fixed, and its secret replaced meanwhile: the redelivery is signed with the new one.
        receiver.answer = 200;
        const rotated = (await admin.req('POST', `/webhooks/${hook.id}/secret`, {})).body;
        clock.set('2026-06-08T11:00:00Z');
        const again = await admin.req('POST', `/webhooks/${hook.id}/deliveries/${original.id}/redeliver`, {});
        assert.equal(again.status, 202, JSON.stringify(again.body));
        assert.notEqual(again.body.id, original.id);
        assert.deepEqual([again.body.status, again.body.attempts, again.body.redeliveryOf, again.body.event], ['pending', 0, original.id, 'ticket.created']);
        assert.deepEqual(await jobOf(again.body.id), [{ type: 'webhook.deliver', max_attempts: 8, status: 'pending' }], 'queued as a normal delivery job, with its retries');
        let log = await deliveries();
        assert.deepEqual(log.map((d) => [d.id, d.redeliveryOf]), [[again.body.id, original.id], [original.id, null]], 'the log shows which delivery it repeats');

        const before = received.length;
        await handler.handle(t.deps, { workspaceId: ws.id, deliveryId: again.body.id }, { attempts: 1 } as Job);
        assert.equal(received.length, before + 1);
        const got = received.at(-1)!;
        assert.equal(got.headers['x-guichet-delivery'], again.body.id, 'a new delivery id');
        assert.equal(got.headers['x-guichet-redelivery-of'], original.id, 'saying which delivery it repeats');
        assert.equal(got.headers['x-guichet-event'], 'ticket.created');
        assert.equal(got.body, failedBody, 'the same payload');
        assert.equal(JSON.parse(got.body).id, original.id, 'the same event id, so the receiver can deduplicate');
        const [, ts, sig] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(got.headers['x-guichet-signature']))!;
        assert.equal(Number(ts), Date.parse('2026-06-08T11:00:00Z') / 1000, 'a fresh timestamp');
        assert.equal(sig, createHmac('sha256', rotated.secret).update(`${ts}.${got.body}`).digest('hex'), 'signed with the current secret');
        log = await deliveries();
        assert.deepEqual([log[0].status, log[0].attempts, log[0].lastStatus], ['delivered', 1, 200]);
        assert.equal(log[1].status, 'failed', 'the original keeps its outcome');
        // A delivered one may be sent again too (a receiver that lost it).
        assert.equal((await admin.req('POST', `/webhooks/${hook.id}/deliveries/${again.body.id}/redeliver`, {})).body.redeliveryOf, again.body.id);

        // A ping checks the receiver before real events flow.
        const ping = await admin.req('POST', `/webhooks/${hook.id}/test`, {});
        assert.equal(ping.status, 202, JSON.stringify(ping.body));
        assert.deepEqual([ping.body.event, ping.body.status, ping.body.redeliveryOf], ['ping', 'pending', null]);
        await handler.handle(t.deps, { workspaceId: ws.id, deliveryId: ping.body.id }, { attempts: 1 } as Job);
        const pinged = received.at(-1)!;
        assert.equal(pinged.headers['x-guichet-event'], 'ping');
        assert.equal(pinged.headers['x-guichet-redelivery-of'], undefined, 'only redeliveries say so');
        const pingBody = JSON.parse(pinged.body);
        assert.deepEqual([pingBody.id, pingBody.event, pingBody.workspaceId, pingBody.data.webhook.id], [ping.body.id, 'ping', ws.id, hook.id]);
        assert.equal((await deliveries()).find((d) => d.id === ping.body.id).status, 'delivered');

        const audit = (await admin.req('GET', '/audit-log?action=webhook.')).body.items.map((e: any) => e.action);
        assert.ok(audit.includes('webhook.redelivered') && audit.includes('webhook.pinged'), audit.join(','));

        // Refused: an unknown delivery, another webhook's delivery, another workspace, a disabled webhook.
        assertError(await admin.req('POST', `/webhooks/${hook.id}/deliveries/00000000-0000-4000-8000-000000000000/redeliver`, {}), 404, 'WEBHOOK_DELIVERY_NOT_FOUND');
        const second = (await admin.req('POST', '/webhooks', { name: 'Second', url, events: ['sla.breached'] })).body;
        assertError(await admin.req('POST', `/webhooks/${second.id}/deliveries/${original.id}/redeliver`, {}), 404, 'WEBHOOK_DELIVERY_NOT_FOUND');
        const other = await newWorkspace(t);
        assertError(await other.admin.req('POST', `/webhooks/${hook.id}/deliveries/${original.id}/redeliver`, {}), 404, 'WEBHOOK_NOT_FOUND');
        assertError(await other.admin.req('POST', `/webhooks/${hook.id}/test`, {}), 404, 'WEBHOOK_NOT_FOUND');
        assertError(await admin.req('POST', `/webhooks/${hook.id}/deliveries/${original.id}/redeliver`, { extra: 1 }), 400, 'VALIDATION_FAILED');
        await admin.req('PATCH', `/webhooks/${hook.id}`, { enabled: false });
        const count = (await deliveries()).length;
        assertError(await admin.req('POST', `/webhooks/${hook.id}/deliveries/${original.id}/redeliver`, {}), 409, 'WEBHOOK_DISABLED');
        assertError(await admin.req('POST', `/webhooks/${hook.id}/test`, {}), 409, 'WEBHOOK_DISABLED');
        assert.equal((await deliveries()).length, count, 'nothing queued for a disabled webhook');
      } finally {
        await receiver.close();
      }
    });

    it('reorders triggers and automations in one step, refusing an order that leaves one out', async () => {
      const ws = await newWorkspace(t);
      const admin = ws.admin;
      const make = async (path: string, body: object) => {
        const r = await admin.req('POST', path, body);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body.id as string;
      };
      const action = [{ type: 'add_tags', tags: ['x'] }];
      const first = await make('/triggers', { name: 'First', events: ['ticket.created'], actions: action });
      const second = await make('/triggers', { name: 'Second', events: ['ticket.created'], actions: action });
      const third = await make('/triggers', { name: 'Third', events: ['ticket.created'], actions: action });
      assertError(await admin.req('PUT', '/triggers/order', { ids: [third, first] }), 400, 'VALIDATION_FAILED');
      const r = await admin.req('PUT', '/triggers/order', { ids: [third, first, second] });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const order = (await admin.req('GET', '/triggers')).body.items.map((x: any) => `${x.position}:${x.name}`);
      assert.deepEqual(order, ['0:Third', '1:First', '2:Second']);
      assert.deepEqual(r.body.items.map((x: any) => x.name), ['Third', 'First', 'Second']);

      const before = (await admin.req('GET', '/automations')).body.items.map((x: any) => x.id);
      const late = await make('/automations', { name: 'Late', conditions: { statuses: ['pending'], hoursInStatus: 24 }, actions: action });
      const ids = [late, ...before];
      const a = await admin.req('PUT', '/automations/order', { ids });
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.deepEqual(a.body.items.map((x: any) => x.id), ids);
      assert.equal(a.body.items[0].stats.firings, 0);
      assertError(await admin.req('PUT', '/automations/order', { ids: [...ids, third] }), 400, 'VALIDATION_FAILED');
    });

    it('dry-runs a trigger on existing tickets without changing them, and refuses bad definitions', async () => {
      clock.set('2026-06-08T08:00:00Z');
      const ws = await newWorkspace(t);
      const admin = ws.admin;
      for (const [subject, priority] of [['A', 'normal'], ['B', 'low'], ['C', 'normal']] as const) {
        await admin.req('POST', '/tickets', { subject, body: 'x', priority, requester: { email: `${subject.toLowerCase()}@example.test` } });
      }
      const r = await admin.req('POST', '/triggers/dry-run', {
        trigger: { name: 'Bump normal', events: ['ticket.updated'], conditions: { all: [{ field: 'ticket.priority', op: 'is', value: 'normal' }] }, actions: [{ type: 'set_priority', value: 'high' }, { type: 'add_note', body: 'Bumped' }] },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.tried, 3);
      assert.deepEqual(r.body.items.map((i: any) => [i.subject, i.changes.priority, i.notes]).sort(), [
        ['A', { from: 'normal', to: 'high' }, 1],
        ['C', { from: 'normal', to: 'high' }, 1],
      ]);
      const list = (await admin.req('GET', '/tickets?limit=10')).body.items;
      assert.deepEqual(list.map((x: any) => x.priority).sort(), ['low', 'normal', 'normal'], 'nothing changed');
      const saved = (await admin.req('POST', '/triggers', { name: 'Low to normal', enabled: false, events: ['ticket.updated'], conditions: { all: [{ field: 'ticket.priority', op: 'is', value: 'low' }] }, actions: [{ type: 'set_priority', value: 'normal' }] })).body;
      const dry = await admin.req('POST', `/triggers/${saved.id}/dry-run`, {});
      assert.deepEqual(dry.body.items.map((i: any) => i.subject), ['B']);

      assertError(await admin.req('POST', '/triggers', { name: 'Bad', events: ['ticket.created'], conditions: { all: [{ field: 'ticket.password', op: 'is', value: 1 }] }, actions: [{ type: 'add_tags', tags: ['x'] }] }), 400, 'VALIDATION_FAILED');
      assertError(await admin.req('POST', '/triggers', { name: 'Nobody', events: ['ticket.created'], actions: [{ type: 'assign', userId: '01900000-0000-7000-8000-000000000000' }] }), 404, 'USER_NOT_FOUND');
      assertError(await admin.req('POST', '/triggers', { name: 'Empty', events: [], actions: [{ type: 'add_tags', tags: ['x'] }] }), 400, 'VALIDATION_FAILED');
      assertError(await admin.req('POST', '/triggers', { name: 'low to NORMAL', events: ['ticket.created'], actions: [{ type: 'add_tags', tags: ['x'] }] }), 409, 'NAME_TAKEN');
      const other = await newWorkspace(t);
      assertError(await other.admin.req('GET', `/triggers/${saved.id}`), 404, 'TRIGGER_NOT_FOUND');
      assertError(await other.admin.req('POST', `/triggers/${saved.id}/dry-run`, {}), 404, 'TRIGGER_NOT_FOUND');
    });
  });
}
