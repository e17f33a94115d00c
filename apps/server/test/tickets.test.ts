import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDbKinds } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type TestApp } from './harness.ts';

for (const kind of testDbKinds()) {
  describe(`tickets API on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(async () => {
      await t.close();
    });

    it('creates a ticket with its first message, numbered per workspace, and records the event', async () => {
      const ws = await newWorkspace(t);
      const other = await newWorkspace(t);
      const a = await ws.admin.req('POST', '/tickets', {
        subject: 'Le paiement par carte échoue',
        body: 'Bonjour, ma carte est refusée depuis ce matin.',
        requester: { email: 'Marie.Dupont@Example.FR', name: 'Marie Dupont' },
        channel: 'email',
        priority: 'high',
        tags: ['Paiement', 'carte'],
        language: 'fr',
      });
      assert.equal(a.status, 201, JSON.stringify(a.body));
      assert.equal(a.body.number, 1);
      assert.equal(a.body.status, 'new');
      assert.deepEqual(a.body.tags, ['paiement', 'carte']);
      assert.equal(a.body.requester.email, 'marie.dupont@example.fr');
      assert.equal(a.body.language, 'fr');
      const customer = await ws.admin.req('GET', `/customers/${a.body.requester.id}`);
      assert.equal(customer.body.locale, 'fr', 'a customer met through a French request is answered in French');
      const b = await ws.admin.req('POST', '/tickets', { subject: 'Second', body: 'x', requester: { email: 'marie.dupont@example.fr' } });
      assert.equal(b.body.number, 2);
      assert.equal(b.body.requester.id, a.body.requester.id, 'the same address (any case) is the same customer');
      const c = await other.admin.req('POST', '/tickets', { subject: 'Elsewhere', body: 'y' });
      assert.equal(c.body.number, 1, 'numbers are per workspace');

      const msgs = await ws.admin.req('GET', `/tickets/${a.body.number}/messages`);
      assert.equal(msgs.body.items.length, 1);
      assert.equal(msgs.body.items[0].body, 'Bonjour, ma carte est refusée depuis ce matin.');
      const events = await ws.admin.req('GET', `/tickets/${a.body.id}/events`);
      assert.equal(events.body.items[0].type, 'ticket.created');
      assert.equal(events.body.items[0].actor.id, ws.admin.id);
    });

    it('reads by number or id, updates with history, and refuses stale versions', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const team = await ws.admin.req('POST', '/teams', { name: 'Billing' });
      await ws.admin.req('PUT', `/teams/${team.body.id}/members`, { members: [{ userId: agent.id }] });
      const created = await ws.admin.req('POST', '/tickets', { subject: 'Refund', body: 'Please refund me' });
      const byId = await agent.req('GET', `/tickets/${created.body.id}`);
      assert.equal(byId.body.number, created.body.number);

      const upd = await agent.req('PATCH', `/tickets/${created.body.number}`, {
        teamId: team.body.id,
        assigneeId: agent.id,
        priority: 'urgent',
        addTags: ['refund'],
        version: created.body.version,
      });
      assert.equal(upd.status, 200, JSON.stringify(upd.body));
      assert.equal(upd.body.status, 'open', 'assigning a new ticket opens it');
      assert.equal(upd.body.version, created.body.version + 1);

      const stale = await agent.req('PATCH', `/tickets/${created.body.number}`, { priority: 'low', version: created.body.version });
      assert.equal(stale.status, 409);
      assert.equal(stale.body.error.code, 'VERSION_CONFLICT');

      const history = await agent.req('GET', `/tickets/${created.body.number}/events`);
      const change = history.body.items.find((e: any) => e.type === 'ticket.updated');
      assert.deepEqual(change.data.changes.priority, { from: 'normal', to: 'urgent' });
      assert.deepEqual(change.data.changes.assigneeId, { from: null, to: agent.id });
      assert.equal(change.actor.name, agent.role === 'agent' ? 'agent 1' : change.actor.name);
    });

    it('keeps closed tickets closed and validates assignment', async () => {
      const ws = await newWorkspace(t);
      const light = await ws.as('light_agent');
      const tk = await ws.admin.req('POST', '/tickets', { subject: 'Close me', body: 'done' });
      const bad = await ws.admin.req('PATCH', `/tickets/${tk.body.number}`, { assigneeId: light.id });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.error.code, 'INVALID_ASSIGNMENT');
      const closed = await ws.admin.req('PATCH', `/tickets/${tk.body.number}`, { status: 'closed' });
      assert.equal(closed.body.status, 'closed');
      assert.ok(closed.body.closedAt);
      const reopen = await ws.admin.req('PATCH', `/tickets/${tk.body.number}`, { status: 'open' });
      assert.equal(reopen.status, 422);
      assert.equal(reopen.body.error.code, 'INVALID_STATUS_TRANSITION');
      const reply = await ws.admin.req('POST', `/tickets/${tk.body.number}/messages`, { body: 'hello?' });
      assert.equal(reply.body.error.code, 'INVALID_STATUS_TRANSITION');
    });

    it('replies and notes change the status as agents expect', async () => {
      const ws = await newWorkspace(t);
      const customer = await ws.as('customer');
      const tk = await customer.req('POST', '/tickets', { subject: 'Where is my card?', body: 'Ordered 2 weeks ago.' });
      assert.equal(tk.status, 201, JSON.stringify(tk.body));
      assert.equal(tk.body.channel, 'portal');
      const note = await ws.admin.req('POST', `/tickets/${tk.body.number}/messages`, { body: 'Checking with logistics', visibility: 'internal' });
      assert.equal(note.status, 201);
      let cur = await ws.admin.req('GET', `/tickets/${tk.body.number}`);
      assert.equal(cur.body.status, 'new', 'an internal note does not open the ticket');
      await ws.admin.req('POST', `/tickets/${tk.body.number}/messages`, { body: 'It ships tomorrow.', status: 'pending' });
      cur = await ws.admin.req('GET', `/tickets/${tk.body.number}`);
      assert.equal(cur.body.status, 'pending');
      await customer.req('POST', `/tickets/${tk.body.number}/messages`, { body: 'Thanks, still nothing.' });
      cur = await ws.admin.req('GET', `/tickets/${tk.body.number}`);
      assert.equal(cur.body.status, 'open', 'a customer reply reopens a pending ticket');
      const seen = await customer.req('GET', `/tickets/${tk.body.number}/messages`);
      assert.deepEqual(
        seen.body.items.map((m: any) => m.visibility),
        ['public', 'public', 'public'],
        'customers never see internal notes',
      );
      const staff = await ws.admin.req('GET', `/tickets/${tk.body.number}/messages`);
      assert.equal(staff.body.items.length, 4);
    });

    it('lists with filters and cursors across many pages without gaps or repeats', async () => {
      const ws = await newWorkspace(t);
      const total = 57;
      for (let i = 0; i < total; i++) {
        const r = await ws.admin.req('POST', '/tickets', {
          subject: `Case about ${i % 3 === 0 ? "virement" : "carte"}`,
          body: i % 2 ? 'blocked card' : 'late transfer',
          priority: (['low', 'normal', 'high', 'urgent'] as const)[i % 4],
          tags: i % 5 === 0 ? ['vip'] : [],
        });
        assert.equal(r.status, 201);
      }
      for (const sort of ['created_at', 'updated_at', 'number', 'priority']) {
        for (const order of ['asc', 'desc']) {
          const seen = new Set<number>();
          let cursor: string | null = null;
          let pages = 0;
          do {
            const r: any = await ws.admin.req('GET', `/tickets?limit=10&sort=${sort}&order=${order}${cursor ? `&cursor=${cursor}` : ''}`);
            assert.equal(r.status, 200, JSON.stringify(r.body));
            for (const it of r.body.items) {
              assert.ok(!seen.has(it.number), `ticket ${it.number} repeated (${sort} ${order})`);
              seen.add(it.number);
            }
            cursor = r.body.nextCursor;
            pages++;
          } while (cursor);
          assert.equal(seen.size, total, `${sort} ${order}`);
          assert.equal(pages, 6);
        }
      }
      const vip = await ws.admin.req('GET', '/tickets?tag=vip&limit=100');
      assert.equal(vip.body.items.length, 12);
      const urgent = await ws.admin.req('GET', '/tickets?priority=urgent,high&limit=100');
      assert.equal(urgent.body.items.length, 28);
      const text = await ws.admin.req('GET', `/tickets?q=${encodeURIComponent('virement')}&limit=100`);
      assert.equal(text.body.items.length, 19);
      const inBody = await ws.admin.req('GET', `/tickets?q=blocked&limit=100`);
      assert.equal(inBody.body.items.length, 28);
      const byNumber = await ws.admin.req('GET', `/tickets?q=%2342`);
      assert.deepEqual(byNumber.body.items.map((i: any) => i.number), [42]);
      const mismatch = await ws.admin.req('GET', `/tickets?sort=number&cursor=${vip.body.nextCursor ?? (await ws.admin.req('GET', '/tickets?limit=1')).body.nextCursor}`);
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.body.error.code, 'INVALID_CURSOR');
    });

    it('validates custom fields against their definitions, and requires them to solve', async () => {
      const ws = await newWorkspace(t);
      const f = await ws.admin.req('POST', '/custom-fields', { key: 'product', label: 'Product', type: 'select', options: ['Cards', 'Loans'], required: true });
      assert.equal(f.status, 201, JSON.stringify(f.body));
      const bad = await ws.admin.req('POST', '/tickets', { subject: 's', body: 'b', customFields: { product: 'Boats' } });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.error.details.issues[0].path, ['customFields', 'product']);
      const unknown = await ws.admin.req('POST', '/tickets', { subject: 's', body: 'b', customFields: { color: 'red' } });
      assert.equal(unknown.body.error.code, 'VALIDATION_FAILED');
      const tk = await ws.admin.req('POST', '/tickets', { subject: 's', body: 'b' });
      assert.equal(tk.status, 201, 'required fields may be missing on a new ticket');
      const solve = await ws.admin.req('PATCH', `/tickets/${tk.body.number}`, { status: 'solved' });
      assert.equal(solve.status, 400);
      const ok = await ws.admin.req('PATCH', `/tickets/${tk.body.number}`, { status: 'solved', customFields: { product: 'Loans' } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(ok.body.customFields, { product: 'Loans' });
      assert.ok(ok.body.solvedAt);
    });
  });
}
