import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createStore } from '../src/store.ts';
import { migrate, openDatabase, type Database } from '../src/database.ts';
import { createPgDatabase, openTestDatabase, testDbKinds } from '../src/testing.ts';
import { newWorkspace } from './fixtures.ts';

async function migrationCount(database: Database): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*) AS n FROM guichet_migrations`.execute(database.db);
  return Number(r.rows[0]!.n);
}

for (const kind of testDbKinds()) {
  describe(`migrations on ${kind}`, () => {
    let database: Database;
    before(async () => {
      database = await openTestDatabase(kind);
    });
    after(async () => {
      await database?.close();
    });

    it('are idempotent: running them again changes nothing and keeps the data', async () => {
      const store = createStore(database.db);
      const ws = await newWorkspace(store);
      const applied = await migrationCount(database);
      assert.ok(applied >= 1);
      await migrate(database.db);
      await migrate(database.db);
      assert.equal(await migrationCount(database), applied);
      assert.deepEqual(await store.workspaces.findById(ws.id), ws);
    });
  });
}

if (testDbKinds().includes('postgres')) {
  describe('opening one PostgreSQL database from several processes at once', () => {
    it('succeeds for every opener: the migration lock lets one migrate and the others wait', async () => {
      const reference = await openTestDatabase('postgres');
      const expected = await migrationCount(reference);
      await reference.close();
      for (let round = 0; round < 3; round++) {
        const created = await createPgDatabase();
        const opened: Database[] = [];
        try {
          const results = await Promise.allSettled(Array.from({ length: 4 }, () => openDatabase({ url: created.url, poolSize: 2 })));
          for (const r of results) if (r.status === 'fulfilled') opened.push(r.value);
          assert.deepEqual(
            results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')),
            ['ok', 'ok', 'ok', 'ok'],
          );
          for (const d of opened) assert.equal(await migrationCount(d), expected, 'each migration applied once');
          const ws = await newWorkspace(createStore(opened[0]!.db));
          assert.deepEqual(await createStore(opened[3]!.db).workspaces.findById(ws.id), ws);
        } finally {
          for (const d of opened) await d.close();
          await created.drop();
        }
      }
    });
  });
}

describe('the PGlite data-folder lock', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'guichet-lock-'));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const folder = (name: string) => join(root, name);

  // Without the lock a second PGlite on the folder hangs rather than fails: bound it.
  it('refuses a second open in the same process while the first is open, then lets it in after close', { timeout: 60_000 }, async () => {
    const dir = folder('same-process');
    const first = await openDatabase({ dataDir: dir });
    try {
      assert.equal(readFileSync(join(dir, 'guichet.lock'), 'utf8').trim(), String(process.pid));
      await assert.rejects(openDatabase({ dataDir: dir }), /data folder .* is already open in this process/);
      await assert.rejects(openDatabase({ dataDir: join(dir, '..', 'same-process') }), /already open in this process/, 'the same folder by another path');
      // The refused open must not have released the first one's lock.
      assert.equal(readFileSync(join(dir, 'guichet.lock'), 'utf8').trim(), String(process.pid));
      const ws = await newWorkspace(createStore(first.db));
      await first.close();
      assert.equal(existsSync(join(dir, 'guichet.lock')), false, 'close releases the lock');

      const again = await openDatabase({ dataDir: dir });
      try {
        assert.deepEqual(await createStore(again.db).workspaces.findById(ws.id), ws, 'the data survived');
      } finally {
        await again.close();
      }
    } finally {
      await first.close();
    }
  });

  it('refuses a folder locked by another live process, naming it', async () => {
    const dir = folder('other-live');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      assert.ok(holder.pid);
      await openDatabase({ dataDir: dir }).then((d) => d.close()); // creates the folder
      writeFileSync(join(dir, 'guichet.lock'), String(holder.pid));
      await assert.rejects(openDatabase({ dataDir: dir }), new RegExp(`in use by another Guichet process \\(pid ${holder.pid}\\)`));
      assert.equal(readFileSync(join(dir, 'guichet.lock'), 'utf8').trim(), String(holder.pid), 'the owner keeps its lock');
    } finally {
      holder.kill();
    }
  });

  it('takes over a stale lock left by a process that is gone', async () => {
    const dir = folder('stale');
    const gone = spawnSync(process.execPath, ['-e', '0']);
    assert.equal(gone.status, 0);
    await openDatabase({ dataDir: dir }).then((d) => d.close());
    writeFileSync(join(dir, 'guichet.lock'), String(gone.pid));
    const d = await openDatabase({ dataDir: dir });
    try {
      assert.equal(readFileSync(join(dir, 'guichet.lock'), 'utf8').trim(), String(process.pid));
    } finally {
      await d.close();
    }
  });

  it('takes over a lock bearing this process\'s pid that this process does not hold (an earlier run with the same pid)', async () => {
    const dir = folder('same-pid-stale');
    await openDatabase({ dataDir: dir }).then((d) => d.close());
    writeFileSync(join(dir, 'guichet.lock'), String(process.pid));
    const d = await openDatabase({ dataDir: dir });
    await d.close();
  });

  it('does not lock in-memory databases', async () => {
    const [a, b] = await Promise.all([openDatabase({ memory: true }), openDatabase({ memory: true })]);
    await a.close();
    await b.close();
  });
});
