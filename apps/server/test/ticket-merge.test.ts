/** Ticket merge: POST /tickets/{id}/merge, its refusals, its history, and mail threaded on the merged ticket. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDbKinds } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { assertError } from './helpers.ts';
import { addMailbox, mail, processed, sendRaw, startMailRig, type MailRig } from './email-inbound-helpers.ts';

for (const kind of testDbKinds()) {
  describe(`ticket merge on ${kind}`, () => {
    let t: TestApp;
    let rig: MailRig;
    before(async () => {
      t = await startTestApp(kind);
      rig = await startMailRig(t);
    });
    after(async () => {
      await rig?.close();
      await t?.close();
    });

    const open = async (ws: TestWorkspace, subject: string, email: string, extra: Record<string, unknown> = {}) => {
      const r = await ws.admin.req('POST', '/tickets', { subject, body: `${subject}: please help.`, requester: { email }, ...extra });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    const messagesOf = async (ws: TestWorkspace, id: string) => (await ws.admin.req('GET', `/tickets/${id}/messages`)).body.items as any[];

    it('moves the conversation to the kept ticket, closes the other with mergedIntoId, notes and records both', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const a = await open(ws, 'Printer on fire', 'rita@client.example', { tags: ['printer'] });
      const b = await open(ws, 'Printer still broken', 'rita@client.example', { tags: ['urgent'] });
      const reply = await agent.req('POST', `/tickets/${a.id}/messages`, { body: 'Unplug it, please.' });
      assert.equal(reply.status, 201);
      const cc = await ws.as('customer', { email: 'boss@client.example' });
      await t.deps.store.followers.add(ws.id, a.id, [cc.id], new Date());
      const follow = await agent.req('PUT', `/tickets/${a.id}/follow`, {});
      assert.equal(follow.status, 200, JSON.stringify(follow.body));
      const before = await messagesOf(ws, a.id);

      const r = await agent.req('POST', `/tickets/${a.number}/merge`, { into: String(b.number) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.movedMessages, 2);
      assert.equal(r.body.source.status, 'closed');
      assert.equal(r.body.source.mergedIntoId, b.id);
      assert.equal(r.body.target.mergedIntoId, null);
      assert.deepEqual([...r.body.target.tags].sort(), ['printer', 'urgent']);

      const source = await agent.req('GET', `/tickets/${a.id}`);
      assert.equal(source.body.mergedIntoId, b.id, 'opening the merged ticket tells where it went');
      assert.equal(source.body.permissions.reply, false);

      const onTarget = await messagesOf(ws, b.id);
      for (const m of before) {
        const moved = onTarget.find((x) => x.id === m.id);
        assert.ok(moved, `message ${m.id} is on the target`);
        assert.equal(moved.createdAt, m.createdAt, 'with its date');
        assert.deepEqual(moved.author, m.author, 'and its author');
      }
      const notes = onTarget.filter((m) => m.visibility === 'internal');
      assert.equal(notes.length, 1);
      assert.match(notes[0].body, new RegExp(`^Merged #${a.number} into #${b.number}`));
      const left = await messagesOf(ws, a.id);
      assert.equal(left.length, 1, 'the source keeps only the merge note');
      assert.match(left[0].body, new RegExp(`^Merged #${a.number} into #${b.number}`));

      for (const id of [a.id, b.id]) {
        const events = (await agent.req('GET', `/tickets/${id}/events`)).body.items as any[];
        const merged = events.find((e) => e.type === 'ticket.merged');
        assert.ok(merged, `ticket.merged on ${id}`);
        assert.equal(merged.actor.id, agent.id);
        assert.equal(merged.data.sourceId, a.id);
        assert.equal(merged.data.targetId, b.id);
        assert.ok(merged.createdAt);
      }
      const followers = await t.deps.store.followers.list(ws.id, b.id);
      assert.ok(followers.includes(cc.id), "the source's CC follows the target");
      const staff = await t.deps.store.staffFollowers.list(ws.id, b.id);
      assert.ok(staff.some((s) => s.id === agent.id), "the source's staff followers follow the target");

      const search = await agent.req('GET', `/tickets?q=${encodeURIComponent('Unplug')}`);
      assert.deepEqual(search.body.items.map((x: any) => x.id), [b.id], 'the moved reply is found on the target');
    });

    it('leaves a merged ticket out of what routing learns from (it was closed by the merge, not solved)', async () => {
      const ws = await newWorkspace(t);
      const a = await open(ws, 'Export fails', 'lou@client.example');
      const b = await open(ws, 'Export still fails', 'lou@client.example');
      assert.equal((await ws.admin.req('PATCH', `/tickets/${b.id}`, { status: 'solved', version: b.version })).status, 200);
      assert.equal((await ws.admin.req('POST', `/tickets/${a.id}/merge`, { into: b.id })).status, 201);
      const learnt = await t.deps.store.routing.trainingTickets(ws.id, new Date(0), null, 100);
      assert.deepEqual(learnt.map((x) => x.id), [b.id]);
    });

    it('runs the triggers of both tickets and tells the webhooks of both, the closed one with mergedIntoId', async () => {
      const ws = await newWorkspace(t);
      const a = await open(ws, 'Login fails', 'ivo@client.example');
      const b = await open(ws, 'Cannot sign in', 'ivo@client.example');
      const hook = await ws.admin.req('POST', '/webhooks', { name: 'CRM', url: 'http://127.0.0.1:9/hook', events: ['ticket.updated'] });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      const rule = await ws.admin.req('POST', '/triggers', {
        name: 'Tag what received a merge',
        events: ['ticket.updated'],
        conditions: { all: [{ field: 'ticket.status', op: 'is_not', value: 'closed' }] },
        actions: [{ type: 'add_tags', tags: ['merged-in'] }],
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));

      const r = await ws.admin.req('POST', `/tickets/${a.id}/merge`, { into: b.id });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const target = (await ws.admin.req('GET', `/tickets/${b.id}`)).body;
      assert.ok(target.tags.includes('merged-in'), 'the trigger ran on the kept ticket');
      const source = (await ws.admin.req('GET', `/tickets/${a.id}`)).body;
      assert.ok(!source.tags.includes('merged-in'), 'and its conditions held on the closed one');

      const deliveries = (await ws.admin.req('GET', `/webhooks/${hook.body.id}/deliveries`)).body.items as any[];
      const byTicket = new Map(deliveries.map((d) => [d.payload.data.ticket.id, d.payload]));
      assert.equal(byTicket.get(a.id)?.event, 'ticket.updated');
      assert.equal(byTicket.get(a.id)?.data.ticket.status, 'closed');
      assert.equal(byTicket.get(a.id)?.data.ticket.mergedIntoId, b.id);
      assert.equal(byTicket.get(b.id)?.event, 'ticket.updated');
      assert.equal(byTicket.get(b.id)?.data.ticket.mergedIntoId, null);
    });

    it('refuses self, a merged ticket again, different requesters unless allowed, a closed target; follows a merged target', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const light = await ws.as('light_agent');
      const a = await open(ws, 'One', 'sam@client.example');
      const b = await open(ws, 'Two', 'sam@client.example');
      const c = await open(ws, 'Three', 'sam@client.example');
      const other = await open(ws, 'Elsewhere', 'other@client.example');

      assertError(await agent.req('POST', `/tickets/${a.id}/merge`, { into: a.id }), 422, 'MERGE_INTO_SELF');
      assertError(await agent.req('POST', `/tickets/${a.id}/merge`, { into: '999999' }), 404, 'TICKET_NOT_FOUND');
      assertError(await light.req('POST', `/tickets/${a.id}/merge`, { into: b.id }), 403, 'FORBIDDEN');
      assertError(await agent.req('POST', `/tickets/${a.id}/merge`, {}), 400, 'VALIDATION_FAILED');
      const diff = await agent.req('POST', `/tickets/${other.id}/merge`, { into: b.id });
      assertError(diff, 409, 'MERGE_DIFFERENT_REQUESTERS');

      assert.equal((await agent.req('POST', `/tickets/${a.id}/merge`, { into: b.id })).status, 201);
      assertError(await agent.req('POST', `/tickets/${a.id}/merge`, { into: c.id }), 409, 'TICKET_ALREADY_MERGED');
      // Into the merged ticket: the chain leads to the ticket holding the conversation.
      const chained = await agent.req('POST', `/tickets/${c.id}/merge`, { into: String(a.number) });
      assert.equal(chained.status, 201, JSON.stringify(chained.body));
      assert.equal(chained.body.target.id, b.id);
      // b took c, so merging b into c (now merged into b) would be a loop.
      assertError(await agent.req('POST', `/tickets/${b.id}/merge`, { into: c.id }), 422, 'MERGE_INTO_SELF');

      const allowed = await agent.req('POST', `/tickets/${other.id}/merge`, { into: b.id, allowDifferentRequesters: true });
      assert.equal(allowed.status, 201, JSON.stringify(allowed.body));
      assert.ok((await t.deps.store.followers.list(ws.id, b.id)).includes(other.requester.id), 'the other requester is copied on the target');

      const d = await open(ws, 'Four', 'sam@client.example');
      const closed = await open(ws, 'Five', 'sam@client.example');
      assert.equal((await agent.req('PATCH', `/tickets/${closed.id}`, { status: 'closed' })).status, 200);
      assertError(await agent.req('POST', `/tickets/${d.id}/merge`, { into: closed.id }), 409, 'MERGE_TARGET_CLOSED');
      assertError(await agent.req('POST', `/tickets/${closed.id}/merge`, { into: d.id }), 422, 'INVALID_STATUS_TRANSITION');

      const elsewhere = await newWorkspace(t);
      const foreign = await open(elsewhere, 'Foreign', 'sam@client.example');
      assertError(await agent.req('POST', `/tickets/${foreign.id}/merge`, { into: d.id }), 404, 'TICKET_NOT_FOUND');
      assertError(await agent.req('POST', `/tickets/${d.id}/merge`, { into: foreign.id }), 404, 'TICKET_NOT_FOUND');
    });

    it("lands replies to the merged ticket's mail (Message-ID, [#n]) on the kept ticket", async () => {
      const ws = await newWorkspace(t);
      const address = `support@${ws.slug}.example`;
      await addMailbox(t, ws.id, address);
      const deliver = async (raw: string, from: string) => {
        const ids = await sendRaw(rig.smtp.port, { from, to: [address] }, raw);
        return processed(t, ws.id, ids[0]!);
      };
      const first = await deliver(mail({ from: 'nina@client.example', to: address, subject: 'Invoice wrong', messageId: '<inv-1@client.example>' }), 'nina@client.example');
      const second = await deliver(mail({ from: 'nina@client.example', to: address, subject: 'Invoice, again', messageId: '<inv-2@client.example>' }), 'nina@client.example');
      assert.notEqual(first.ticketId, second.ticketId);
      const source = (await ws.admin.req('GET', `/tickets/${first.ticketId}`)).body;
      const merged = await ws.admin.req('POST', `/tickets/${first.ticketId}/merge`, { into: second.ticketId });
      assert.equal(merged.status, 201, JSON.stringify(merged.body));

      const reply = await deliver(mail({ from: 'nina@client.example', to: address, subject: 'Re: Invoice wrong', inReplyTo: '<inv-1@client.example>', body: 'Any news?' }), 'nina@client.example');
      assert.equal(reply.status, 'ticketed');
      assert.equal(reply.ticketId, second.ticketId, 'a reply to the merged thread lands on the kept ticket');
      const bySubject = await deliver(mail({ from: 'nina@client.example', to: address, subject: `Re: [#${source.number}] Invoice wrong`, body: 'Hello?' }), 'nina@client.example');
      assert.equal(bySubject.ticketId, second.ticketId, '[#n] of the merged ticket lands on the kept ticket');
      const bodies = (await messagesOf(ws, second.ticketId!)).map((m) => m.body);
      assert.ok(bodies.some((b) => b.includes('Any news?')));
    });
  });
}
