import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTicket, drainQueues, routeTicket, systemActor, type Deps } from '@guichet/core';
import { createStore, openDatabase, type Database } from '@guichet/db';
import { testDbKinds } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type Caller, type TestApp, type TestWorkspace } from './harness.ts';

const must = async (p: Promise<{ status: number; body: any }>) => {
  const r = await p;
  assert.ok(r.status < 300, `${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

async function team(ws: TestWorkspace, name: string, agents: Array<{ caller: Caller; capacity: number }>) {
  const t = await must(ws.admin.req('POST', '/teams', { name }));
  for (const a of agents) await must(ws.admin.req('PATCH', `/users/${a.caller.id}`, { capacity: a.capacity }));
  await must(ws.admin.req('PUT', `/teams/${t.id}/members`, { members: agents.map((a) => ({ userId: a.caller.id })) }));
  return t;
}

/**
 * Capacity under concurrency. On PostgreSQL: 1,000 tickets routed by six concurrent workers over
 * two database handles (two pools, as two Guichet processes would have). PGlite is one connection,
 * so its decisions are serial anyway: a smaller burst checks the same accounting there.
 */
for (const kind of testDbKinds()) {
  const BURST = kind === 'postgres' ? 1000 : 250;
  describe(`routing burst on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(async () => {
      await t.close();
    });

    it(`a burst of ${BURST} tickets never puts an agent over capacity, from two database handles`, async () => {
      const ws = await newWorkspace(t);
      const agents = [await ws.as('agent'), await ws.as('agent'), await ws.as('agent'), await ws.as('agent')];
      const caps = [3, 5, 7, 9];
      const tm = await team(ws, 'Burst', agents.map((caller, i) => ({ caller, capacity: caps[i]! })));
      await must(ws.admin.req('PATCH', '/routing/settings', { autoAssign: true }));
      await must(ws.admin.req('PUT', `/teams/${tm.id}/routing`, { mode: 'load_balanced' }));
      const ctx = { workspaceId: ws.id, actor: systemActor, requestId: 'burst' };
      const ids: string[] = [];
      for (let i = 0; i < BURST; i += 50) {
        const batch = await Promise.all(
          Array.from({ length: 50 }, (_, k) =>
            createTicket(t.deps, ctx, {
              subject: `Burst ${i + k}`, body: 'Help', requester: { email: 'burst@example.com' }, teamId: tm.id,
              priority: 'normal', tags: [], customFields: {}, attachments: [], channel: 'api', firstMessageVisibility: 'public',
            } as never),
          ),
        );
        ids.push(...batch.map((b) => b.ticket.id));
      }
      // A second handle on the same database stands for a second Guichet process (PostgreSQL).
      let second: Database | null = null;
      const url = (t.database.pool as unknown as { options?: { connectionString?: string } } | undefined)?.options?.connectionString;
      if (kind === 'postgres') assert.ok(url, 'the test database URL');
      if (kind === 'postgres' && url) second = await openDatabase({ url, poolSize: 4 });
      const handles: Deps[] = [t.deps, second ? { ...t.deps, store: createStore(second.db) } : t.deps];
      try {
        let next = 0;
        const worker = async (d: Deps) => {
          while (next < ids.length) {
            const id = ids[next++]!;
            await routeTicket(d, { workspaceId: ws.id, ticketId: id });
          }
        };
        await Promise.all([worker(handles[0]!), worker(handles[1]!), worker(handles[0]!), worker(handles[1]!), worker(handles[0]!), worker(handles[1]!)]);
      } finally {
        await second?.close();
      }
      for (const [i, a] of agents.entries()) {
        const open = await t.deps.store.tickets.countOpenByAssignee(ws.id, a.id);
        assert.equal(open, caps[i], `agent ${i} holds exactly their capacity`);
      }
      const queue = await t.deps.store.routing.queued(ws.id, tm.id, 2000);
      assert.equal(queue.length, BURST - caps.reduce((s, c) => s + c, 0), 'the rest waits in the team queue');
      // Oldest first when someone frees up.
      const oldest = queue[0]!.ticketId;
      const held = (await t.deps.store.tickets.list(ws.id, { assigneeId: agents[0]!.id } as never, { sort: 'created_at', order: 'asc' } as never, { limit: 1 }))[0]!;
      await agents[0]!.req('PATCH', `/tickets/${held.id}`, { status: 'solved' });
      assert.equal(await drainQueues(t.deps, ws.id), 1);
      assert.equal((await t.deps.store.tickets.findById(ws.id, oldest))!.assigneeId, agents[0]!.id);
    });
  });
}
