import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { createKeyring, createUuidV7, cryptoSecrets, runMaintenance, type Clock, type Deps } from '@guichet/core';
import { createStore, openDatabase, type Database } from '@guichet/db';
import { createPgDatabase, testDbKinds } from '@guichet/db/testing';
import { JobRunner, PermanentJobError } from '../src/worker/runner.ts';
import { startWorker } from '../src/worker/index.ts';
import { fastHasher } from './harness.ts';

class ManualClock implements Clock {
  constructor(private t = Date.parse('2026-03-01T10:00:00Z')) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

function depsFor(database: Database, clock: Clock): Deps {
  return {
    store: createStore(database.db),
    clock,
    ids: createUuidV7(clock),
    secrets: cryptoSecrets,
    keyring: createKeyring(randomBytes(32)),
    passwords: fastHasher,
    settings: { sessionTtlMs: 3_600_000, maxLoginFailures: 5, loginWindowMs: 60_000 },
  };
}

/** Wait for a condition, failing (not timing) after a generous bound. */
async function until(cond: () => boolean | Promise<boolean>, what: string, boundMs = 20_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const FAST = { concurrency: 4, pollMs: 20, leaseMs: 60_000 };

for (const kind of testDbKinds()) {
  describe(`durable jobs on ${kind}`, () => {
    let database: Database;
    let second: Database | null = null;
    let dropPg: (() => Promise<void>) | null = null;

    before(async () => {
      if (kind === 'pglite') {
        database = await openDatabase({ memory: true });
      } else {
        const created = await createPgDatabase();
        dropPg = created.drop;
        database = await openDatabase({ url: created.url, poolSize: 4 });
        // A second pool on the same database stands for a second Guichet process.
        second = await openDatabase({ url: created.url, poolSize: 4 });
      }
    });
    after(async () => {
      await second?.close();
      await database.close();
      await dropPg?.();
    });

    it('enqueues once per dedupe key and runs each job once', async () => {
      const clock = new ManualClock();
      const deps = depsFor(database, clock);
      const a = await deps.store.jobs.enqueue({ type: 't.once', payload: { n: 1 }, workspaceId: null, dedupeKey: 'k1' }, clock.now());
      const b = await deps.store.jobs.enqueue({ type: 't.once', payload: { n: 2 }, workspaceId: null, dedupeKey: 'k1' }, clock.now());
      assert.equal(typeof a, 'number');
      assert.equal(b, null, 'the same dedupe key is enqueued once');
      const seen: number[] = [];
      const runner = new JobRunner(deps, FAST).register('t.once', {
        payload: z.object({ n: z.number() }),
        handle: async (_d, p) => void seen.push(p.n),
      });
      runner.start();
      await until(async () => ((await deps.store.jobs.countByStatus()).done ?? 0) >= 1, 'the job to finish');
      await runner.stop();
      assert.deepEqual(seen, [1]);
    });

    it('retries failures with backoff, then gives up; bad payloads and permanent errors fail at once', async () => {
      const clock = new ManualClock();
      const deps = depsFor(database, clock);
      let calls = 0;
      const runner = new JobRunner(deps, FAST)
        .register('t.flaky', {
          payload: z.object({}),
          handle: async () => {
            calls++;
            if (calls < 3) throw new Error(`boom ${calls}`);
          },
        })
        .register('t.doomed', { payload: z.object({}), handle: async () => Promise.reject(new Error('always')) })
        .register('t.permanent', { payload: z.object({}), handle: async () => Promise.reject(new PermanentJobError('bad data')) })
        .register('t.typed', { payload: z.object({ id: z.string() }), handle: async () => {} });
      const enqueue = (type: string, payload: Record<string, unknown> = {}, maxAttempts = 10) =>
        deps.store.jobs.enqueue({ type, payload, workspaceId: null, maxAttempts }, clock.now());
      const flaky = await enqueue('t.flaky');
      const doomed = await enqueue('t.doomed', {}, 2);
      const permanent = await enqueue('t.permanent');
      const typed = await enqueue('t.typed', { id: 42 });
      runner.start();
      const row = async (id: number | null) =>
        database.db.selectFrom('jobs').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
      await until(async () => (await row(flaky)).attempts === 1 && (await row(flaky)).status === 'pending', 'the first failure');
      const first = await row(flaky);
      assert.match(String(first.last_error), /boom 1/);
      const delay = new Date(first.run_at).getTime() - clock.now().getTime();
      assert.ok(delay >= 1500 && delay <= 2500, `first retry about 2 s later (got ${delay} ms)`);
      // Nothing runs before the retry is due…
      runner.wake();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await row(flaky)).attempts, 1);
      // …and it runs once the clock passes it.
      for (let i = 0; i < 4 && (await row(flaky)).status !== 'done'; i++) {
        clock.advance(60_000);
        runner.wake();
        await until(async () => (await row(flaky)).status !== 'running', 'an attempt to end');
        await until(async () => (await row(flaky)).attempts > i + 1 || (await row(flaky)).status === 'done', 'the next attempt');
      }
      assert.equal((await row(flaky)).status, 'done');
      assert.equal(calls, 3);
      // Whatever retries are still waiting come due an hour later.
      clock.advance(3_600_000);
      runner.wake();
      await until(async () => (await row(doomed)).status === 'dead', 'the doomed job to give up');
      assert.equal((await row(doomed)).attempts, 2);
      assert.equal((await row(permanent)).status, 'dead');
      assert.equal((await row(permanent)).attempts, 1);
      const t = await row(typed);
      assert.equal(t.status, 'dead');
      assert.match(String(t.last_error), /invalid payload/);
      await runner.stop();
    });

    it('gives a job whose worker vanished to another once its lease runs out', async () => {
      const clock = new ManualClock();
      const deps = depsFor(database, clock);
      const id = await deps.store.jobs.enqueue({ type: 't.lease', payload: {}, workspaceId: null }, clock.now());
      const stolen = await deps.store.jobs.claim('ghost-worker', ['t.lease'], 10, clock.now(), 30_000);
      assert.deepEqual(stolen.map((j) => j.id), [id]);
      assert.deepEqual(await deps.store.jobs.claim('other', ['t.lease'], 10, clock.now(), 30_000), [], 'leased jobs are not handed out twice');
      clock.advance(31_000);
      const again = await deps.store.jobs.claim('other', ['t.lease'], 10, clock.now(), 30_000);
      assert.deepEqual(again.map((j) => [j.id, j.attempts]), [[id, 2]]);
      // The ghost's late completion does not count: the job belongs to "other" now.
      await deps.store.jobs.complete(id!, 'ghost-worker', clock.now());
      const r = await database.db.selectFrom('jobs').select(['status', 'locked_by']).where('id', '=', id!).executeTakeFirstOrThrow();
      assert.deepEqual(r, { status: 'running', locked_by: 'other' });
      await deps.store.jobs.complete(id!, 'other', clock.now());
    });

    it('shares a burst of jobs between two runners without running any twice', async () => {
      const clock = new ManualClock();
      const depsA = depsFor(database, clock);
      const depsB = depsFor(second ?? database, clock);
      const total = 300;
      for (let i = 0; i < total; i++) await depsA.store.jobs.enqueue({ type: 't.burst', payload: { i }, workspaceId: null }, clock.now());
      const runs = new Map<number, number>();
      const by = { a: 0, b: 0 };
      const handler = (who: 'a' | 'b') => ({
        payload: z.object({ i: z.number() }),
        handle: async (_d: Deps, p: { i: number }) => {
          runs.set(p.i, (runs.get(p.i) ?? 0) + 1);
          by[who]++;
          await new Promise((r) => setTimeout(r, 1));
        },
      });
      const a = new JobRunner(depsA, FAST).register('t.burst', handler('a'));
      const b = new JobRunner(depsB, FAST).register('t.burst', handler('b'));
      a.start();
      b.start();
      await until(() => runs.size === total, 'every burst job to run');
      await Promise.all([a.stop(), b.stop()]);
      assert.equal([...runs.values()].filter((n) => n !== 1).length, 0, 'each job ran exactly once');
      if (kind === 'postgres') assert.ok(by.a > 0 && by.b > 0, `both workers took part (${by.a} / ${by.b})`);
    });

    it('hands a backlog to a batch handler in batches, completes them, and fails only the job whose outcome is an error', async () => {
      const clock = new ManualClock();
      const deps = depsFor(database, clock);
      const total = 120;
      const ids: number[] = [];
      for (let i = 0; i < total; i++) ids.push((await deps.store.jobs.enqueue({ type: 't.batched', payload: { i }, workspaceId: null, maxAttempts: 1 }, clock.now()))!);
      const runs = new Map<number, number>();
      const sizes: number[] = [];
      const runner = new JobRunner(deps, FAST).register('t.batched', {
        payload: z.object({ i: z.number() }),
        handle: async (_d, p) => void runs.set(p.i, (runs.get(p.i) ?? 0) + 1),
        batch: {
          max: 16,
          handle: async (_d, items) => {
            sizes.push(items.length);
            return items.map(({ payload: p }) => {
              runs.set(p.i, (runs.get(p.i) ?? 0) + 1);
              return p.i === 7 ? new Error('seven') : undefined;
            });
          },
        },
      });
      runner.start();
      const status = async () => database.db.selectFrom('jobs').select(['id', 'status', 'last_error']).where('id', 'in', ids).execute();
      await until(async () => (await status()).every((r) => r.status === 'done' || r.status === 'dead'), 'every job to end');
      await runner.stop();
      assert.equal(runs.size, total);
      assert.equal([...runs.values()].filter((n) => n !== 1).length, 0, 'each job ran exactly once');
      assert.ok(Math.max(...sizes) > 1 && Math.max(...sizes) <= 16, `batches of 2 to 16 (got ${sizes.join(', ')})`);
      const dead = (await status()).filter((r) => r.status === 'dead');
      assert.deepEqual(dead.map((r) => r.id), [ids[7]]);
      assert.match(String(dead[0]!.last_error), /seven/);
    });

    it('wakes a worker through NOTIFY when another process enqueues', async () => {
      const clock = new ManualClock();
      const producer = depsFor(second ?? database, clock);
      const consumerDeps = depsFor(database, clock);
      let ran = 0;
      // Polling every hour: only the notification can start this job promptly.
      const worker = await startWorker(consumerDeps, database, { pollMs: 3_600_000 });
      worker.runner.register('t.notify', { payload: z.object({}), handle: async () => void ran++ });
      await new Promise((r) => setTimeout(r, 50));
      await producer.store.transaction(async (tx) => {
        await tx.jobs.enqueue({ type: 't.notify', payload: {}, workspaceId: null }, clock.now());
      });
      await until(() => ran === 1, 'the notified job to run');
      await worker.stop();
    });

    it('stop() waits for the jobs in flight', async () => {
      const clock = new ManualClock();
      const deps = depsFor(database, clock);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let finished = false;
      const runner = new JobRunner(deps, FAST).register('t.slow', {
        payload: z.object({}),
        handle: async () => {
          await gate;
          finished = true;
        },
      });
      const id = await deps.store.jobs.enqueue({ type: 't.slow', payload: {}, workspaceId: null }, clock.now());
      runner.start();
      await until(async () => (await database.db.selectFrom('jobs').select('status').where('id', '=', id!).executeTakeFirstOrThrow()).status === 'running', 'the job to start');
      const stopping = runner.stop();
      setTimeout(release, 50);
      await stopping;
      assert.equal(finished, true);
      const r = await database.db.selectFrom('jobs').select('status').where('id', '=', id!).executeTakeFirstOrThrow();
      assert.equal(r.status, 'done');
    });

    it('housekeeping forgets expired sessions, old attempts and old finished jobs, and nothing else', async () => {
      const clock = new ManualClock();
      const deps = depsFor(database, clock);
      const store = deps.store;
      const ws = await store.workspaces.insert({ id: deps.ids.uuid(), slug: `hk-${kind}-${Date.now()}`, name: 'HK', mailDomain: null, defaultLanguage: 'en', createdAt: clock.now(), updatedAt: clock.now() });
      const user = await store.users.insert({
        id: deps.ids.uuid(), workspaceId: ws.id, role: 'agent', email: 'hk@example.test', name: 'HK', passwordHash: null, status: 'active', locale: 'en',
        timeZone: 'UTC', languages: [], organizationId: null, phone: null, notes: null, capacity: null, createdAt: clock.now(), updatedAt: clock.now(), lastLoginAt: null,
      });
      const mk = (id: string, expiresAt: Date) =>
        store.sessions.insert({ id, workspaceId: ws.id, userId: user.id, tokenHash: id, createdAt: clock.now(), lastSeenAt: clock.now(), expiresAt });
      const expiredId = deps.ids.uuid();
      const liveId = deps.ids.uuid();
      await mk(expiredId, new Date(clock.now().getTime() - 1000));
      await mk(liveId, new Date(clock.now().getTime() + 3_600_000));
      await store.loginAttempts.record('old@example.test', null, false, new Date(clock.now().getTime() - 40 * 86_400_000));
      await store.loginAttempts.record('new@example.test', null, false, clock.now());
      const oldJob = await store.jobs.enqueue({ type: 't.hk', payload: {}, workspaceId: null }, new Date(clock.now().getTime() - 10 * 86_400_000));
      await store.jobs.claim('w', ['t.hk'], 1, new Date(clock.now().getTime() - 10 * 86_400_000), 1000);
      await store.jobs.complete(oldJob!, 'w', new Date(clock.now().getTime() - 10 * 86_400_000));

      const logged = (daysAgo: number, query: string) =>
        store.contentGaps.logSearch({ id: deps.ids.uuid(), workspaceId: ws.id, createdAt: new Date(clock.now().getTime() - daysAgo * 86_400_000), source: 'api', audience: 'staff', query, language: null, results: 0, matched: 'none' });
      await logged(400, 'old search');
      await logged(10, 'recent search');

      const removed = await runMaintenance(deps);
      assert.ok(removed.sessions >= 1 && removed.loginAttempts >= 1 && removed.jobs >= 1 && removed.searches >= 1 && removed.searchStats >= 1, JSON.stringify(removed));
      // The search statistics are fresh now: the next run leaves them.
      assert.equal((await runMaintenance(deps)).searchStats, 0);
      assert.deepEqual((await database.db.selectFrom('search_log').select('query').where('workspace_id', '=', ws.id).execute()).map((r) => r.query), ['recent search']);
      assert.equal(await store.sessions.findByHash(expiredId), null);
      assert.ok(await store.sessions.findByHash(liveId));
      assert.equal(await store.loginAttempts.failuresSince('old@example.test', new Date(0)), 0);
      assert.equal(await store.loginAttempts.failuresSince('new@example.test', new Date(0)), 1);
      assert.equal((await database.db.selectFrom('jobs').select('id').where('id', '=', oldJob!).execute()).length, 0);
    });
  });
}

