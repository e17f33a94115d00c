/**
 * The inbox's SLA: GET /tickets filtered by SLA state (sla=) and sorted by the SLA deadline
 * (sort=sla_due_at) with cursor pages, the badge in list items and ticket reads, saved views
 * keeping both, on both databases, as a movable clock passes warnings and deadlines.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sweepSla } from '@guichet/core';
import { testDbKinds } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { assertError, movableClock, walkPages } from './helpers.ts';

/** Round-the-clock targets, so deadlines are simple sums. */
async function policies(ws: TestWorkspace) {
  const fast = await ws.admin.req('POST', '/sla-policies', {
    name: 'Fast',
    conditions: { priorities: ['urgent'] },
    targets: { first_response: { minutes: 30, businessHours: false } },
    warnings: [{ minutesBefore: 10 }],
  });
  assert.equal(fast.status, 201, JSON.stringify(fast.body));
  const normal = await ws.admin.req('POST', '/sla-policies', {
    name: 'Normal',
    targets: { first_response: { minutes: 120, businessHours: false }, resolution: { minutes: 600, businessHours: false } },
    warnings: [{ share: 0.5 }],
  });
  assert.equal(normal.status, 201, JSON.stringify(normal.body));
}

for (const kind of testDbKinds()) {
  describe(`The inbox's SLA filter and sort on ${kind}`, () => {
    let t: TestApp;
    const clock = movableClock('2026-06-08T08:00:00Z');
    before(async () => {
      t = await startTestApp(kind, { clock });
    });
    after(async () => {
      await t.close();
    });

    it('filters by state as time passes, sorts by the closest deadline with cursor pages, and shows the badge', async () => {
      clock.set('2026-06-08T08:00:00Z');
      const ws = await newWorkspace(t);
      const other = await newWorkspace(t);
      const agent = await ws.as('agent');
      const create = async (subject: string, extra: Record<string, unknown> = {}) => {
        const r = await agent.req('POST', '/tickets', { subject, body: 'Bonjour', requester: { email: `${subject.toLowerCase()}@example.test` }, firstMessageVisibility: 'internal', ...extra });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body;
      };
      await create('Before'); // no policy yet: no clocks
      await policies(ws);
      await policies(other);
      const urgent = await create('Urgent', { priority: 'urgent' });
      await create('Normal');
      const waiting = await create('Waiting');
      assert.equal((await agent.req('PATCH', `/tickets/${waiting.number}`, { status: 'pending' })).status, 200);
      const done = await create('Done');
      assert.equal((await agent.req('POST', `/tickets/${done.number}/messages`, { body: 'Voilà.', status: 'solved' })).status, 201);
      const theirs = await other.admin.req('POST', '/tickets', { subject: 'Theirs', body: 'x', priority: 'urgent', firstMessageVisibility: 'internal', requester: { email: 'x@example.test' } });
      assert.equal(theirs.status, 201);

      const ids = async (query: string, who = agent) => {
        const r = await who.req('GET', `/tickets?${query}`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return r.body.items.map((i: any) => i.subject).sort();
      };
      // 08:25: the urgent ticket is 10 minutes from its 08:30 deadline; the normal one is due at 10:00, its warning at 09:00.
      clock.set('2026-06-08T08:25:00Z');
      assert.deepEqual(await ids('sla=warning'), ['Urgent']);
      assert.deepEqual(await ids('sla=ok'), ['Normal']);
      assert.deepEqual(await ids('sla=paused'), ['Waiting']);
      assert.deepEqual(await ids('sla=none'), ['Before', 'Done']);
      assert.deepEqual(await ids('sla=breached'), []);
      assert.deepEqual(await ids('sla=breached,warning,ok'), ['Normal', 'Urgent']);
      assert.deepEqual(await ids('sla=paused&status=pending'), ['Waiting'], 'with the other filters');

      const listed = (await agent.req('GET', '/tickets?sort=sla_due_at&order=asc')).body.items;
      assert.deepEqual(listed.map((i: any) => i.subject).slice(0, 2), ['Urgent', 'Normal'], 'the closest deadline first');
      assert.deepEqual(listed[0].sla, { state: 'warning', dueAt: '2026-06-08T08:30:00.000Z' });
      assert.deepEqual(listed.find((i: any) => i.subject === 'Waiting').sla, { state: 'paused', dueAt: null });
      assert.deepEqual(listed.find((i: any) => i.subject === 'Before').sla, { state: 'none', dueAt: null });
      const read = await agent.req('GET', `/tickets/${urgent.number}`);
      assert.deepEqual(read.body.sla, { state: 'warning', dueAt: '2026-06-08T08:30:00.000Z' }, 'a ticket read carries it too');
      const full = (await agent.req('GET', `/tickets/${urgent.number}/sla`)).body;
      assert.equal(full.state, 'warning');
      assert.equal(full.dueAt, '2026-06-08T08:30:00.000Z');
      assert.equal(full.asOf, '2026-06-08T08:25:00.000Z');
      const fr = full.targets.find((x: any) => x.target === 'first_response');
      assert.equal(fr.warningAt, '2026-06-08T08:20:00.000Z');
      assert.equal(fr.timeLeftSeconds, 300);
      assert.equal(fr.countingNow, true);

      // Every order, page by page: deadlines first (in the order asked), then the others by id.
      for (const order of ['asc', 'desc'] as const) {
        for (const limit of [1, 2, 3]) {
          const { items } = await walkPages(agent.req, `/tickets?sort=sla_due_at&order=${order}&limit=${limit}`);
          const subjects = items.map((i: any) => i.subject);
          assert.deepEqual(subjects.slice(0, 2), order === 'asc' ? ['Urgent', 'Normal'] : ['Normal', 'Urgent'], `${order} by ${limit}`);
          const rest = items.slice(2).map((i: any) => i.id);
          assert.deepEqual(rest, [...rest].sort((a, b) => (order === 'asc' ? a.localeCompare(b) : b.localeCompare(a))), `${order} by ${limit}: the rest by id`);
          assert.equal(items.length, 5);
        }
      }
      const firstPage = (await agent.req('GET', '/tickets?sort=sla_due_at&limit=1')).body;
      assertError(await agent.req('GET', `/tickets?sort=created_at&limit=1&cursor=${firstPage.nextCursor}`), 400, 'INVALID_CURSOR');

      // 08:35: the urgent deadline has passed, before and after the sweep records it; 09:10: the normal one's warning came.
      clock.set('2026-06-08T08:35:00Z');
      assert.deepEqual(await ids('sla=breached'), ['Urgent']);
      await sweepSla(t.deps);
      assert.deepEqual(await ids('sla=breached'), ['Urgent']);
      assert.deepEqual(await ids('sla=warning'), []);
      clock.set('2026-06-08T09:10:00Z');
      assert.deepEqual(await ids('sla=warning'), ['Normal']);
      // The agent answers the urgent ticket: its only target is met, nothing runs any more.
      assert.equal((await agent.req('POST', `/tickets/${urgent.number}/messages`, { body: 'On regarde.' })).status, 201);
      assert.deepEqual(await ids('sla=breached'), []);
      assert.deepEqual(await ids('sla=none'), ['Before', 'Done', 'Urgent']);
      // The customer's request leaves pending: the clocks run again.
      assert.equal((await agent.req('PATCH', `/tickets/${waiting.number}`, { status: 'open' })).status, 200);
      assert.deepEqual(await ids('sla=paused'), []);
      assert.deepEqual(await ids('sla=ok'), ['Waiting'], 'its 120 minutes start again, none used while pending');
      assert.deepEqual(await ids('sla=warning'), ['Normal']);

      // Each workspace sees only its own tickets.
      assert.deepEqual(await ids('sla=breached', other.admin), ['Theirs']);
      assert.deepEqual(await ids('sla=breached'), []);
    });

    it('keeps the filter and sort in saved views, refuses bad values, and keeps SLAs from customers', async () => {
      clock.set('2026-06-08T08:00:00Z');
      const ws = await newWorkspace(t);
      await policies(ws);
      const agent = await ws.as('agent');
      const customer = await ws.as('customer');
      const mine = await customer.req('POST', '/tickets', { subject: 'Help', body: 'Please' });
      assert.equal(mine.status, 201, JSON.stringify(mine.body));
      assert.equal(mine.body.sla, undefined);

      const view = await agent.req('POST', '/views', { name: 'At risk', query: { sla: ['breached', 'warning'], sort: 'sla_due_at', order: 'asc' } });
      assert.equal(view.status, 201, JSON.stringify(view.body));
      assert.deepEqual(view.body.query, { sla: ['breached', 'warning'], sort: 'sla_due_at', order: 'asc' });
      assertError(await agent.req('POST', '/views', { name: 'Bad', query: { sla: ['late'] } }), 400, 'VALIDATION_FAILED');
      assertError(await agent.req('GET', '/tickets?sla=late'), 400, 'VALIDATION_FAILED');
      assertError(await agent.req('GET', '/tickets?sort=sla'), 400, 'VALIDATION_FAILED');

      // Customers read their tickets without the SLA, and cannot filter or sort by it.
      const own = await customer.req('GET', '/tickets');
      assert.equal(own.status, 200);
      assert.deepEqual(own.body.items.map((i: any) => [i.subject, 'sla' in i]), [['Help', false]]);
      assert.equal('sla' in (await customer.req('GET', `/tickets/${mine.body.number}`)).body, false);
      assertError(await customer.req('GET', '/tickets?sla=warning'), 403, 'FORBIDDEN');
      assertError(await customer.req('GET', '/tickets?sort=sla_due_at'), 403, 'FORBIDDEN');

      clock.set('2026-06-08T09:30:00Z'); // the warning at half of 120 minutes has passed
      const listed = await agent.req('GET', '/tickets?sla=breached,warning&sort=sla_due_at&order=asc');
      assert.deepEqual(listed.body.items.map((i: any) => [i.subject, i.sla.state]), [['Help', 'warning']]);
    });
  });
}
