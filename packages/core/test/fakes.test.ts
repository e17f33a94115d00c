import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeDeps, seedWorkspace } from './fakes.ts';

// The fake is only worth its use-case tests if it behaves like the adapters where they rely on it.
describe('the in-memory fake store', () => {
  it('rolls every table back when the work throws, keeping the same tables object', async () => {
    const deps = fakeDeps();
    const w = seedWorkspace(deps);
    const tables = deps.store.tables;
    const users = tables.users.length;
    await assert.rejects(
      deps.store.transaction(async (tx) => {
        await tx.users.update(w.ws.id, w.agent.id, { name: 'Changed' });
        await tx.events.append({ workspaceId: w.ws.id, subjectType: 'user', subjectId: w.agent.id, actor: { type: 'system', id: null }, type: 'x', data: {}, requestId: null, createdAt: deps.clock.now() });
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(tables.users.length, users);
    assert.equal(tables.users.find((u) => u.id === w.agent.id)!.name, 'alan');
    assert.equal(tables.events.length, 0);
  });

  it('scopes reads by workspace and hands out copies', async () => {
    const deps = fakeDeps();
    const a = seedWorkspace(deps, 'a');
    const b = seedWorkspace(deps, 'b');
    assert.equal(await deps.store.users.findById(b.ws.id, a.agent.id), null);
    const u = (await deps.store.users.findById(a.ws.id, a.agent.id))!;
    u.name = 'mutated';
    assert.equal((await deps.store.users.findById(a.ws.id, a.agent.id))!.name, 'alan');
  });

  it('fails loudly on anything it does not implement', async () => {
    const { store } = fakeDeps();
    assert.throws(() => store.users.list('ws', { roles: ['agent'] }, { limit: 1 }), /users\.list is not implemented/);
    assert.throws(() => store.messages.listForTicket('ws', 't', { includeInternal: true, limit: 1 }), /messages\.listForTicket is not implemented/);
  });
});
