import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiToken, NewAuditEntry, Session } from '@guichet/core';
import { sql } from 'kysely';
import { at, describeStore, eventOf, newWorkspace, teamOf, unique, userOf, uuid } from './fixtures.ts';

describeStore('storage port: sessions, tokens, login attempts and history', (h) => {
  describe('sessions', () => {
    it('insert, find by hash, touch and delete', async () => {
      const ws = await newWorkspace(h.store);
      const user = await h.store.users.insert(userOf(ws));
      const s: Session = { id: uuid(), workspaceId: ws.id, userId: user.id, tokenHash: unique('hash'), createdAt: at(0), lastSeenAt: at(1), expiresAt: at(3600) };
      await h.store.sessions.insert(s);
      assert.deepEqual(await h.store.sessions.findByHash(s.tokenHash), s);
      assert.equal(await h.store.sessions.findByHash(unique('unknown')), null);
      await h.store.sessions.touch(s.id, at(100), at(7200));
      assert.deepEqual(await h.store.sessions.findByHash(s.tokenHash), { ...s, lastSeenAt: at(100), expiresAt: at(7200) });
      await h.store.sessions.delete(s.id);
      assert.equal(await h.store.sessions.findByHash(s.tokenHash), null);
    });

    it('delete every session of a user, only in the workspace given', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const user = await h.store.users.insert(userOf(ws));
      const bystander = await h.store.users.insert(userOf(ws));
      const mk = (userId: string): Session => ({ id: uuid(), workspaceId: ws.id, userId, tokenHash: unique('hash'), createdAt: at(0), lastSeenAt: at(0), expiresAt: at(10) });
      const [a, b, c] = [mk(user.id), mk(user.id), mk(bystander.id)];
      for (const s of [a, b, c]) await h.store.sessions.insert(s);
      await h.store.sessions.deleteForUser(other.id, user.id);
      assert.ok(await h.store.sessions.findByHash(a.tokenHash), 'another workspace cannot end them');
      await h.store.sessions.deleteForUser(ws.id, user.id, b.id);
      assert.equal(await h.store.sessions.findByHash(a.tokenHash), null);
      assert.ok(await h.store.sessions.findByHash(b.tokenHash), 'the session kept');
      await h.store.sessions.deleteForUser(ws.id, user.id);
      assert.equal(await h.store.sessions.findByHash(a.tokenHash), null);
      assert.equal(await h.store.sessions.findByHash(b.tokenHash), null);
      assert.deepEqual(await h.store.sessions.findByHash(c.tokenHash), c);
    });
  });

  describe('API tokens', () => {
    const tokenOf = (workspaceId: string, userId: string, over: Partial<ApiToken> = {}): ApiToken => ({
      id: uuid(),
      workspaceId,
      userId,
      name: 'CI',
      tokenHash: unique('hash'),
      prefix: 'gch_abc123',
      createdAt: at(0),
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
      ...over,
    });

    it('insert and read back every field, by hash and by id', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const user = await h.store.users.insert(userOf(ws));
      const full = tokenOf(ws.id, user.id, { name: 'Zapier “prod”', lastUsedAt: at(5), expiresAt: at(86_400), revokedAt: at(6) });
      const bare = tokenOf(ws.id, user.id);
      await h.store.apiTokens.insert(full);
      await h.store.apiTokens.insert(bare);
      assert.deepEqual(await h.store.apiTokens.findByHash(full.tokenHash), full);
      assert.deepEqual(await h.store.apiTokens.findById(ws.id, bare.id), bare);
      assert.equal(await h.store.apiTokens.findById(other.id, bare.id), null);
      assert.equal(await h.store.apiTokens.findByHash(unique('unknown')), null);
    });

    it('list a user\'s tokens newest first, per workspace', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const user = await h.store.users.insert(userOf(ws));
      const someoneElse = await h.store.users.insert(userOf(ws));
      const older = tokenOf(ws.id, user.id, { createdAt: at(1) });
      const newer = tokenOf(ws.id, user.id, { createdAt: at(2) });
      for (const t of [older, newer, tokenOf(ws.id, someoneElse.id)]) await h.store.apiTokens.insert(t);
      assert.deepEqual(await h.store.apiTokens.listForUser(ws.id, user.id), [newer, older]);
      assert.deepEqual(await h.store.apiTokens.listForUser(other.id, user.id), []);
    });

    it('revoke one token, or every live token of a user, only in the workspace given; touch records use', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const user = await h.store.users.insert(userOf(ws));
      const a = tokenOf(ws.id, user.id);
      const b = tokenOf(ws.id, user.id);
      const old = tokenOf(ws.id, user.id, { revokedAt: at(1) });
      for (const t of [a, b, old]) await h.store.apiTokens.insert(t);

      await h.store.apiTokens.revoke(other.id, a.id, at(50));
      assert.equal((await h.store.apiTokens.findById(ws.id, a.id))!.revokedAt, null, 'another workspace cannot revoke it');
      await h.store.apiTokens.revoke(ws.id, a.id, at(50));
      assert.deepEqual((await h.store.apiTokens.findById(ws.id, a.id))!.revokedAt, at(50));

      await h.store.apiTokens.revokeForUser(other.id, user.id, at(60));
      assert.equal((await h.store.apiTokens.findById(ws.id, b.id))!.revokedAt, null);
      await h.store.apiTokens.revokeForUser(ws.id, user.id, at(60));
      assert.deepEqual((await h.store.apiTokens.findById(ws.id, b.id))!.revokedAt, at(60));
      assert.deepEqual((await h.store.apiTokens.findById(ws.id, a.id))!.revokedAt, at(50), 'an earlier revocation keeps its date');
      assert.deepEqual((await h.store.apiTokens.findById(ws.id, old.id))!.revokedAt, at(1));

      await h.store.apiTokens.touch(b.id, at(70));
      assert.deepEqual(await h.store.apiTokens.findByHash(b.tokenHash), { ...b, revokedAt: at(60), lastUsedAt: at(70) });
    });
  });

  describe('login attempts', () => {
    it('count failures per address, any case, within the window and since the last success', async () => {
      const email = `${unique('who')}@example.test`;
      const other = `${unique('else')}@example.test`;
      assert.equal(await h.store.loginAttempts.failuresSince(email, at(0)), 0);
      await h.store.loginAttempts.record(email, '203.0.113.1', false, at(10));
      await h.store.loginAttempts.record(email.toUpperCase(), null, false, at(20));
      await h.store.loginAttempts.record(email, '2001:db8::1', false, at(30));
      await h.store.loginAttempts.record(other, null, false, at(30));
      assert.equal(await h.store.loginAttempts.failuresSince(email, at(0)), 3);
      assert.equal(await h.store.loginAttempts.failuresSince(email.toUpperCase(), at(0)), 3);
      assert.equal(await h.store.loginAttempts.failuresSince(email, at(20)), 2, 'the window includes its start');
      assert.equal(await h.store.loginAttempts.failuresSince(email, at(31)), 0);

      await h.store.loginAttempts.record(email, null, true, at(40));
      assert.equal(await h.store.loginAttempts.failuresSince(email, at(0)), 0, 'a success starts the count again');
      await h.store.loginAttempts.record(email, null, false, at(50));
      assert.equal(await h.store.loginAttempts.failuresSince(email, at(0)), 1);
      assert.equal(await h.store.loginAttempts.failuresSince(other, at(0)), 1);
    });
  });

  describe('audit log', () => {
    it('appends entries and lists them newest first, in pages, filtered by action prefix and actor, per workspace', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const admin = await h.store.users.insert(userOf(ws, { role: 'admin', name: 'Ada Admin' }));
      const entry = (action: string, i: number, mine = true): NewAuditEntry => ({
        workspaceId: ws.id,
        actor: mine ? { type: 'user', id: admin.id } : { type: 'system', id: null },
        action,
        targetType: i % 2 ? 'user' : null,
        targetId: i % 2 ? uuid() : null,
        data: { i, changes: { name: { from: 'a', to: 'b' } } },
        ip: i % 2 ? '198.51.100.7' : null,
        requestId: i % 2 ? `req-${i}` : null,
        createdAt: at(i),
      });
      const written = [entry('user.created', 0), entry('user.updated', 1, false), entry('team.created', 2), entry('user_x.odd', 3), entry('user.deleted', 4)];
      for (const e of written) await h.store.audit.append(e);
      await h.store.audit.append({ ...entry('user.created', 5), workspaceId: other.id, actor: { type: 'system', id: null } });

      const all = await h.store.audit.list(ws.id, {}, { limit: 100 });
      assert.deepEqual(
        all.map(({ id: _id, actorName: _n, ...rest }) => rest),
        [...written].reverse(),
      );
      assert.deepEqual(
        all.map((e) => e.actorName),
        [...written].reverse().map((e) => (e.actor.id ? 'Ada Admin' : null)),
      );
      const actions = async (filter: { action?: string; actorId?: string }) => (await h.store.audit.list(ws.id, filter, { limit: 100 })).map((e) => e.action);
      assert.deepEqual(await actions({ action: 'user.' }), ['user.deleted', 'user.updated', 'user.created']);
      assert.deepEqual(await actions({ action: 'user_' }), ['user_x.odd'], '"_" is a character, not a wildcard');
      assert.deepEqual(await actions({ action: '%' }), []);
      assert.deepEqual(await actions({ actorId: admin.id }), ['user.deleted', 'user_x.odd', 'team.created', 'user.created']);

      const paged = [];
      let beforeId: number | undefined;
      for (;;) {
        const page = await h.store.audit.list(ws.id, {}, { limit: 2, ...(beforeId !== undefined ? { beforeId } : {}) });
        paged.push(...page);
        if (page.length < 2) break;
        beforeId = page[page.length - 1]!.id;
      }
      assert.deepEqual(paged, all);
      assert.equal((await h.store.audit.list(other.id, {}, { limit: 100 })).length, 1);
    });
  });

  // The one place this suite uses SQL: the port has no way to change history, which is the point.
  describe('append-only history', () => {
    for (const table of ['events', 'audit_log'] as const) {
      it(`refuses UPDATE and DELETE on ${table}`, async () => {
        const ws = await newWorkspace(h.store);
        await h.store.events.append(eventOf(ws, { subjectType: 'workspace', subjectId: ws.id }));
        await h.store.audit.append({ workspaceId: ws.id, actor: { type: 'system', id: null }, action: 'test', targetType: null, targetId: null, data: {}, ip: null, requestId: null, createdAt: at(0) });
        const db = h.database.db;
        await assert.rejects(sql`UPDATE ${sql.table(table)} SET data = '{"forged":true}' WHERE workspace_id = ${ws.id}`.execute(db), /append-only/);
        await assert.rejects(sql`DELETE FROM ${sql.table(table)} WHERE workspace_id = ${ws.id}`.execute(db), /append-only/);
        const rows = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE workspace_id = ${ws.id} AND NOT data ? 'forged'`.execute(db);
        assert.equal(Number(rows.rows[0]!.n), 1, 'the row is still there, unchanged');
      });
    }
  });

  describe('configuration version (what hot paths keep in memory is kept under it)', () => {
    it('is renewed by a change to the configuration, in any table, and by nothing else; never given twice, not even after a rollback', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const db = h.database.db;
      const seen = new Set<string>();
      const version = async (id = ws.id) => h.store.workspaces.configVersion(id);
      const renewed = async (what: string, change: () => Promise<unknown>) => {
        const before = await version();
        const otherBefore = await version(other.id);
        await change();
        const after = await version();
        assert.notEqual(after, before, `${what} renews the version`);
        assert.ok(!seen.has(after), `${what}: a version is never given twice`);
        seen.add(after);
        assert.equal(await version(other.id), otherBefore, `${what} leaves another workspace's version alone`);
      };
      seen.add(await version());
      assert.match(await version(), /^\d+$/);
      assert.equal(await h.store.workspaces.configVersion(uuid()), '', 'no such workspace');

      const team = teamOf(ws);
      await renewed('a new team', () => h.store.teams.insert(team));
      await renewed('the workspace settings', () => h.store.workspaces.update(ws.id, { name: 'Renamed' }));
      await renewed('a new SLA policy', () => sql`INSERT INTO sla_policies (id, workspace_id, name, position, enabled, conditions, targets, created_at, updated_at)
        VALUES (${uuid()}, ${ws.id}, 'Gold', 0, true, '{}', '{}', now(), now())`.execute(db));
      await renewed('a disabled trigger', () => sql`INSERT INTO triggers (id, workspace_id, name, position, enabled, events, conditions, actions, stop, created_at, updated_at)
        VALUES (${uuid()}, ${ws.id}, 'T', 0, false, '{}', '{}', '[]', false, now(), now())`.execute(db));
      await renewed('a deleted team', () => sql`DELETE FROM teams WHERE id = ${team.id}`.execute(db));

      const still = await version();
      const customer = await h.store.users.insert(userOf(ws, { role: 'customer' }));
      await h.store.events.append(eventOf(ws, { subjectType: 'user', subjectId: customer.id }));
      assert.equal(await version(), still, 'people and history are not configuration');

      await assert.rejects(
        h.store.transaction(async (tx) => {
          await tx.teams.insert(teamOf(ws));
          seen.add(await tx.workspaces.configVersion(ws.id));
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      assert.equal(await version(), still, 'a rolled-back change leaves the version as it was');
      await renewed('a change after a rollback', () => h.store.teams.insert(teamOf(ws)));
    });
  });
});
