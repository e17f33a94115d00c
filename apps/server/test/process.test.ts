/**
 * The server as a process: first start and restarts, graceful shutdown (SIGTERM) without losing
 * a write, crash safety (SIGKILL) of the embedded database and of PostgreSQL, the data-folder
 * lock, and bad configuration. Each test starts `node --import tsx apps/server/src/main.ts` with
 * the environment of the README, talks HTTP to it on 127.0.0.1, and cleans up its children and
 * temp folders whatever happens.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '@guichet/db';
import { createPgDatabase, testDbKinds } from '@guichet/db/testing';
import {
  ADMIN_EMAIL,
  Client,
  Ledger,
  MARK,
  Scope,
  checkPGliteIntegrity,
  fmtExit,
  freePort,
  heldPost,
  login,
  streamWrites,
  tokenClient,
  verifyDurable,
  within,
  type Guichet,
  type Outcome,
} from './process-helpers.ts';

const PASSWORD = 'process-tests-password';

function randInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

/** Error-level lines of the server's JSON log (pino level 50+): none is expected in these tests. */
function assertNoErrorLogs(g: Guichet): void {
  const errors = g.output.split('\n').filter((l) => /"level":(50|60)/.test(l));
  assert.deepEqual(errors, [], 'the server logged no error');
}

/** Straight from a stopped server's data folder: its workspaces, and how many users, tickets and messages it holds. */
async function snapshot(dataDir: string) {
  const database = await openDatabase({ dataDir });
  try {
    const db = database.db;
    const count = async (table: 'users' | 'tickets' | 'messages') =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return {
      workspaces: await db.selectFrom('workspaces').select(['id', 'slug']).orderBy('id').execute(),
      users: await count('users'),
      tickets: await count('tickets'),
      messages: await count('messages'),
    };
  } finally {
    await database.close();
  }
}

/** What the server wrote on stderr, without Node's own process warnings. */
function stderrLines(g: Guichet): string[] {
  return g.stderr
    .split('\n')
    .filter((l) => l.trim() && !/^\(node:\d+\) |^\(Use `node --trace-/.test(l));
}

/** Writes that failed while the server was still up: none is expected. */
function assertNoFailureBeforeStop(outcomes: Outcome[]): void {
  const early = outcomes.filter((o) => o.status !== 201 && !o.afterStop);
  assert.deepEqual(early, [], 'no write failed before the server was signalled');
}

/** Start the stream, and resolve once it has `target` acknowledged writes (fail if it ends first). */
function untilAcks(stream: Promise<Outcome[]>, reached: Promise<void>, target: number): Promise<void> {
  return Promise.race([
    reached,
    stream.then((o) => {
      throw new Error(`the stream ended before ${target} acknowledged writes: ${JSON.stringify(o.filter((x) => x.status !== 201).slice(0, 5))}`);
    }),
  ]);
}

describe('the server as a process', () => {
  it('first start prints the demo admin and a generated password that signs in; a restart seeds nothing and prints no new password', { timeout: 120_000 }, async () => {
    const scope = new Scope();
    try {
      const dir = scope.tempDir();
      const port = await freePort();
      const first = scope.start({ GUICHET_DATA_DIR: dir, PORT: String(port) });
      const base = await first.ready();
      assert.equal(base, `http://127.0.0.1:${port}`, 'PORT and HOST are honoured');
      assert.match(first.stdout, new RegExp(`on embedded PGlite in ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      const m = first.stdout.match(/sign in as (\S+)\n\s+password: (\S+)\s+\(generated/);
      assert.ok(m, `the email and a generated password are printed:\n${first.stdout}`);
      const [, email, password] = m;
      assert.equal(email, ADMIN_EMAIL);
      assert.ok(password!.length >= 10, 'a password of 10+ characters');

      const anon = new Client(base);
      const health = await anon.req('GET', '/healthz');
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'ok');
      assert.equal(health.body.database, 'pglite');

      const { me, cookie } = await login(base, email!, password!);
      assert.equal(me.user.email, ADMIN_EMAIL);
      assert.equal(me.user.role, 'admin');
      assert.equal(me.workspace.slug, 'demo');
      const meAgain = await new Client(base, { cookie }).req('GET', '/auth/me');
      assert.equal(meAgain.status, 200, 'the session cookie authenticates');
      const wrong = await anon.req('POST', '/auth/login', { email, password: `${password}x` });
      assert.equal(wrong.status, 401, 'another password does not sign in');

      assert.deepEqual(await first.stop('SIGTERM'), { code: 0, signal: null }, first.output);
      assert.ok(!existsSync(join(dir, 'guichet.lock')), 'a clean stop releases the lock');
      const seeded = await snapshot(dir);
      assert.deepEqual(seeded.workspaces.filter((w) => w.slug === 'demo'), [{ id: me.workspace.id, slug: 'demo' }]);

      const second = scope.start({ GUICHET_DATA_DIR: dir });
      const base2 = await second.ready();
      assert.match(second.stdout, /sign in as admin@demo\.guichet\.test/);
      assert.doesNotMatch(second.output, /password:/, 'no password is printed on a restart');
      assert.ok(!second.output.includes(password!), 'the first password is not shown again');
      const again = await login(base2, email!, password!);
      assert.equal(again.me.workspace.id, me.workspace.id, 'the same demo workspace, signed in with the first password');
      assert.deepEqual(await second.stop('SIGTERM'), { code: 0, signal: null }, second.output);
      assertNoErrorLogs(first);
      assertNoErrorLogs(second);
      assert.deepEqual(await snapshot(dir), seeded, 'the restart created no workspace, user, ticket or message');
    } finally {
      await scope.cleanup();
    }
  });

  it('SIGTERM while tickets stream in: requests in flight are answered, the process exits 0, every 201 survives and nothing unanswered was written', { timeout: 120_000 }, async (t) => {
    const scope = new Scope();
    try {
      const dir = scope.tempDir();
      const env = { GUICHET_DATA_DIR: dir, GUICHET_ADMIN_PASSWORD: PASSWORD };
      const server = scope.start(env);
      const base = await server.ready();
      const client = await tokenClient(base, ADMIN_EMAIL, PASSWORD);
      const ledger = new Ledger();

      const target = randInt(10, 40);
      let signalled = false;
      let reach!: () => void;
      const reached = new Promise<void>((r) => (reach = r));
      const stream = streamWrites({
        client,
        ledger,
        tag: 'sigterm',
        workers: 8,
        messageShare: 0,
        stopped: () => signalled,
        onAck: (n) => n === target && reach(),
      });
      await within(untilAcks(stream, reached, target), 60_000, `${target} acknowledged creations`);

      // One request provably in flight: its headers are parsed, its body not yet sent.
      const heldSubject = `${MARK} sigterm held`;
      const held = heldPost(base, '/api/v1/tickets', { token: client.auth.token! }, {
        subject: heldSubject,
        body: 'Sent after the stop began.',
        requester: { email: 'held@example.com' },
      });
      scope.defer(() => held.close());
      await within(held.continued, 30_000, 'the server asking for the held body (100 Continue)');
      const ackedBefore = ledger.tickets.size;
      signalled = true;
      server.signal('SIGTERM');
      await server.waitFor(/SIGTERM received/);
      held.send();
      const heldRes = await within(held.response, 30_000, 'the answer to the request in flight at SIGTERM');
      assert.equal(heldRes.status, 201, `the request in flight at SIGTERM is answered: ${JSON.stringify(heldRes.body)}`);
      assert.equal(heldRes.headers.connection, 'close', 'answers during the stop close their connection');
      ledger.tickets.set(heldRes.body.id, {
        id: heldRes.body.id,
        number: heldRes.body.number,
        subject: heldSubject,
        body: 'Sent after the stop began.',
        requester: 'held@example.com',
      });

      const outcomes = await within(stream, 60_000, 'the writers to stop once the server is gone');
      const exit = await server.waitExit(30_000);
      assert.deepEqual(exit, { code: 0, signal: null }, `exit ${fmtExit(exit)}:\n${server.output}`);
      assert.ok(!existsSync(join(dir, 'guichet.lock')), 'the lock is released');
      assertNoFailureBeforeStop(outcomes);
      const odd = outcomes.filter((o) => o.status !== undefined && o.status !== 201 && o.status !== 503);
      assert.deepEqual(odd, [], 'during the stop a request is answered 201 or 503 (or its connection is refused), never 500');
      assertNoErrorLogs(server);
      const afterStop = outcomes.filter((o) => o.afterStop);
      t.diagnostic(
        `SIGTERM after ${ackedBefore} acknowledged creations; then ${afterStop.filter((o) => o.status === 201).length} more 201, ` +
          `${afterStop.filter((o) => o.status === 503).length} × 503, ${afterStop.filter((o) => o.error && o.status === undefined).length} connection errors`,
      );

      const restarted = scope.start(env);
      const base2 = await restarted.ready();
      const after = new Client(base2, { token: client.auth.token! });
      assert.equal((await after.req('GET', '/auth/me')).status, 200, 'the API token survived');
      const { mine } = await verifyDurable(after, ledger);
      const unanswered = mine.filter((tk) => !ledger.tickets.has(tk.id));
      assert.deepEqual(
        unanswered.map((tk) => tk.subject),
        [],
        'a graceful stop answers every request it processed: no ticket exists that was not acknowledged',
      );
      assert.deepEqual(await restarted.stop('SIGTERM'), { code: 0, signal: null }, restarted.output);
      assertNoErrorLogs(restarted);
    } finally {
      await scope.cleanup();
    }
  });

  /**
   * Rounds of: stream acknowledged writes (creations and added messages, concurrently), SIGKILL
   * at a random count, restart on the same data, check every acknowledged write of every round.
   */
  async function crashRounds(
    t: { diagnostic(msg: string): void },
    scope: Scope,
    env: Record<string, string>,
    rounds: number,
    kind: 'pglite' | 'postgres',
    beforeKill: (victim: Guichet) => void = () => {},
  ): Promise<void> {
    const ledger = new Ledger();
    let server = scope.start(env);
    let base = await server.ready();
    const token = (await tokenClient(base, ADMIN_EMAIL, PASSWORD)).auth.token!;
    let client = new Client(base, { token });
    for (let round = 1; round <= rounds; round++) {
      const target = randInt(15, 80);
      let killed = false;
      const victim = server;
      const outcomes = await within(
        streamWrites({
          client,
          ledger,
          tag: `${kind} r${round}`,
          workers: 8,
          messageShare: 0.5,
          stopped: () => killed,
          onAck: (n) => {
            if (n === target) {
              killed = true;
              beforeKill(victim);
              victim.signal('SIGKILL');
            }
          },
        }),
        90_000,
        `round ${round}: ${target} acknowledged writes, then the kill`,
      );
      assert.ok(killed, `round ${round}: ${target} writes were acknowledged before the kill`);
      assertNoFailureBeforeStop(outcomes);
      const exit = await victim.waitExit(30_000);
      assert.equal(exit.signal, 'SIGKILL', fmtExit(exit));
      assertNoErrorLogs(victim);
      if (kind === 'pglite') {
        const lock = readFileSync(join(env.GUICHET_DATA_DIR!, 'guichet.lock'), 'utf8').trim();
        assert.equal(lock, String(victim.pid), 'the killed process left its lock behind');
      }

      // The lock of the killed process does not block the restart; recovery runs on open.
      server = scope.start(env);
      base = await server.ready();
      client = new Client(base, { token });
      assert.deepEqual(stderrLines(server), [], `round ${round}: the restart after the kill prints nothing on stderr`);
      const me = await client.req('GET', '/auth/me');
      assert.equal(me.status, 200, `round ${round}: the API token (created and acknowledged before the first round) still authenticates: ${JSON.stringify(me.body)}`);
      const found = await verifyDurable(client, ledger);

      // The database takes new writes, numbered after everything that survived.
      const maxNumber = Math.max(0, ...found.all.map((tk) => tk.number));
      const freshSubject = `${MARK} ${kind} after round ${round}`;
      const fresh = await client.req('POST', '/tickets', { subject: freshSubject, body: 'Written after recovery.', requester: { email: `fresh-${round}@example.com` } });
      assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
      assert.ok(fresh.body.number > maxNumber, `a new ticket number (${fresh.body.number}) above every existing one (${maxNumber})`);
      ledger.tickets.set(fresh.body.id, {
        id: fresh.body.id,
        number: fresh.body.number,
        subject: freshSubject,
        body: 'Written after recovery.',
        requester: `fresh-${round}@example.com`,
      });
      t.diagnostic(
        `${kind} round ${round}: SIGKILL after ${target} acknowledged writes (${outcomes.filter((o) => o.afterStop && o.status !== 201).length} in flight lost their answer); ` +
          `after restart: ${found.tickets} test tickets with ${found.messages} messages, all ${ledger.tickets.size} acknowledged tickets and ${ledger.ackedMessages} acknowledged messages present`,
      );
    }
    assert.deepEqual(await server.stop('SIGTERM'), { code: 0, signal: null }, server.output);
    assertNoErrorLogs(server);
  }

  it('SIGKILL mid-stream on the embedded database, 3 rounds on one folder: every acknowledged write survives and the database reopens cleanly', { timeout: 180_000 }, async (t) => {
    const scope = new Scope();
    try {
      const dir = scope.tempDir();
      await crashRounds(t, scope, { GUICHET_DATA_DIR: dir, GUICHET_ADMIN_PASSWORD: PASSWORD }, 3, 'pglite');
      const checked = await checkPGliteIntegrity(dir);
      t.diagnostic(`amcheck: ${checked.tables} tables and ${checked.indexes} B-tree indexes verified after 3 crash recoveries`);
    } finally {
      await scope.cleanup();
    }
  });

  // Run unless GUICHET_TEST_PG=off says so out loud (never in CI), like every PostgreSQL suite.
  const withPostgres = testDbKinds().includes('postgres');
  it('SIGKILL mid-stream on PostgreSQL (DATABASE_URL): every acknowledged write survives', { timeout: 120_000, skip: !withPostgres && 'GUICHET_TEST_PG=off' }, async (t) => {
    const scope = new Scope();
    try {
      const pg = await createPgDatabase('guichet_process');
      scope.defer(() => pg.drop());
      const dir = scope.tempDir();
      await crashRounds(t, scope, { DATABASE_URL: pg.url, GUICHET_DATA_DIR: join(dir, 'unused'), GUICHET_ADMIN_PASSWORD: PASSWORD }, 1, 'postgres');
      assert.ok(!existsSync(join(dir, 'unused')), 'with DATABASE_URL no PGlite folder is created');
    } finally {
      await scope.cleanup();
    }
  });

  /** Live processes whose parent is `pid` (Linux /proc): the processes a GUICHET_PROCESSES primary runs. */
  function childPids(pid: number): number[] {
    const out: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
      } catch {
        // ended meanwhile
      }
    }
    return out;
  }
  const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

  it('GUICHET_PROCESSES=2 on PostgreSQL: two processes share the port, every acknowledged write survives a SIGKILL of the primary (its processes end with it), SIGTERM stops them all with exit 0', { timeout: 150_000, skip: !withPostgres && 'GUICHET_TEST_PG=off' }, async (t) => {
    const scope = new Scope();
    try {
      const pg = await createPgDatabase('guichet_process');
      scope.defer(() => pg.drop());
      const env = { DATABASE_URL: pg.url, GUICHET_PROCESSES: '2', GUICHET_SMTP_PORT: '0', GUICHET_ADMIN_PASSWORD: PASSWORD };
      const first = scope.start(env);
      const base = await first.ready();
      assert.match(first.stdout, /on PostgreSQL \(DATABASE_URL\), 2 processes \(GUICHET_PROCESSES\)\./);
      assert.equal((first.stdout.match(/Guichet is running/g) ?? []).length, 1, 'one banner for the whole group');
      const workers = childPids(first.pid);
      assert.equal(workers.length, 2, `two Guichet processes under the primary (${workers.join(', ')})`);
      // Connections are handed out in turn: several requests reach both processes.
      const client = await tokenClient(base, ADMIN_EMAIL, PASSWORD);
      for (let i = 0; i < 6; i++) assert.equal((await client.req('GET', '/auth/me')).status, 200);
      assert.deepEqual(await first.stop('SIGTERM'), { code: 0, signal: null }, first.output);
      assert.deepEqual(workers.filter(alive), [], 'SIGTERM ended every process of the group');
      assertNoErrorLogs(first);

      // The crash rounds: SIGKILL of the primary; its processes see it go and end, and a restart
      // on the same database finds every acknowledged write.
      const victims: number[] = [];
      await crashRounds(t, scope, env, 1, 'postgres', (g) => victims.push(...childPids(g.pid)));
      for (const pid of victims) {
        for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(victims.filter(alive), [], 'the processes of a killed primary end too');
    } finally {
      await scope.cleanup();
    }
  });

  it('a second process on the same data folder refuses to start, naming the first; the first keeps working', { timeout: 120_000 }, async () => {
    const scope = new Scope();
    try {
      const dir = scope.tempDir();
      const env = { GUICHET_DATA_DIR: dir, GUICHET_ADMIN_PASSWORD: PASSWORD };
      const first = scope.start(env);
      const base = await first.ready();

      const second = scope.start(env);
      const exit = await second.waitExit(60_000);
      assert.equal(exit.signal, null);
      assert.notEqual(exit.code, 0, `the second process fails:\n${second.output}`);
      assert.match(second.stderr, new RegExp(`data folder .* is in use by another Guichet process \\(pid ${first.pid}\\)`));
      assert.doesNotMatch(second.output, /Guichet is running/);
      assert.equal(readFileSync(join(dir, 'guichet.lock'), 'utf8').trim(), String(first.pid), 'the lock still names the first process');

      assert.ok(first.running);
      const client = await tokenClient(base, ADMIN_EMAIL, PASSWORD);
      const tk = await client.req('POST', '/tickets', { subject: 'Still here', body: 'The first process still writes.' });
      assert.equal(tk.status, 201, JSON.stringify(tk.body));
      const read = await client.req('GET', `/tickets/${tk.body.id}/messages`);
      assert.equal(read.body.items[0].body, 'The first process still writes.');
      assert.deepEqual(await first.stop('SIGTERM'), { code: 0, signal: null }, first.output);
      assertNoErrorLogs(first);
    } finally {
      await scope.cleanup();
    }
  });

  it('bad configuration stops the start with a message naming the variable, before touching the data folder', { timeout: 120_000 }, async () => {
    const scope = new Scope();
    try {
      const dir = scope.tempDir();
      const cases: Array<[Record<string, string>, string]> = [
        [{ PORT: 'abc' }, 'PORT'],
        [{ GUICHET_DEMO: 'maybe' }, 'GUICHET_DEMO'],
        [{ DATABASE_URL: 'mysql://localhost/guichet' }, 'DATABASE_URL'],
        [{ GUICHET_ADMIN_PASSWORD: 'short' }, 'GUICHET_ADMIN_PASSWORD'],
        [{ GUICHET_DB_POOL: '0' }, 'GUICHET_DB_POOL'],
        [{ GUICHET_PROCESSES: '2' }, 'GUICHET_PROCESSES'],
      ];
      await Promise.all(
        cases.map(async ([vars, name], i) => {
          const dataDir = join(dir, `data-${i}`);
          const g = scope.start({ GUICHET_DATA_DIR: dataDir, ...vars });
          const exit = await g.waitExit(60_000);
          assert.equal(exit.signal, null, `${name}: ${fmtExit(exit)}`);
          assert.notEqual(exit.code, 0, `${JSON.stringify(vars)} must stop the start:\n${g.output}`);
          assert.match(g.stderr, /Configuration error/, g.output);
          assert.match(g.stderr, new RegExp(`\\b${name}\\b`), `the message names ${name}`);
          assert.doesNotMatch(g.output, /Guichet is running/);
          assert.ok(!existsSync(dataDir), `${name}: the data folder is not created`);
        }),
      );
    } finally {
      await scope.cleanup();
    }
  });
});
