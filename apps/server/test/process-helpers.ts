/**
 * Process-level test helpers: start the real server as a child process
 * (`node --import tsx apps/server/src/main.ts`), wait on what it prints, talk HTTP to it, stream
 * writes at it, check what survived, and clean up every child and temp folder even when a test
 * fails. Every wait is on a real condition, bounded by a timeout that only turns a hang into a
 * failure; nothing asserts on durations.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { amcheck } from '@electric-sql/pglite/contrib/amcheck';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const MAIN = join(ROOT, 'apps/server/src/main.ts');
export const ADMIN_EMAIL = 'admin@demo.guichet.test';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Children still running, killed if the test process exits without cleaning up. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/**
 * The environment of a child: this process's, minus every variable the server reads (so a
 * developer's shell cannot leak into a test), plus the given ones. PORT=0 lets the kernel pick a
 * free port; the server prints the address it got.
 */
export function childEnv(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(PORT|HOST|DATABASE_URL|LOG_LEVEL|GUICHET_.*|NODE_TEST_CONTEXT)$/.test(k)) continue;
    env[k] = v;
  }
  Object.assign(env, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** One server process and everything it printed. */
export class Guichet {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<Exit>;
  exit: Exit | null = null;
  stdout = '';
  stderr = '';
  /** stdout and stderr interleaved as they arrived. */
  output = '';
  url = '';
  private readonly watchers = new Set<() => void>();

  constructor(vars: Record<string, string | undefined>, args: string[] = []) {
    this.child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      env: childEnv(vars),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) throw new Error('could not spawn the server');
    this.pid = this.child.pid;
    live.add(this.child);
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
      this.output += d;
      this.notify();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
      this.output += d;
      this.notify();
    });
    this.exited = new Promise((resolveExit) => {
      // 'close' comes after 'exit' and after both pipes are drained: all output is in.
      this.child.once('close', (code, signal) => {
        live.delete(this.child);
        this.exit = { code, signal };
        resolveExit(this.exit);
        this.notify();
      });
    });
  }

  get running(): boolean {
    return this.exit === null;
  }

  private notify(): void {
    for (const w of [...this.watchers]) w();
  }

  /** The first match of `re` in the output; fails if the process ends first, or after `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return new Promise((resolveMatch, reject) => {
      const check = () => {
        const m = this.output.match(re);
        if (m) return done(() => resolveMatch(m));
        if (this.exit) return done(() => reject(new Error(`the server exited (${fmtExit(this.exit!)}) before printing ${re}:\n${this.output}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${re} within ${timeoutMs} ms; output so far:\n${this.output}`))), timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        this.watchers.delete(check);
        f();
      };
      this.watchers.add(check);
      check();
    });
  }

  /** Wait for "Guichet is running at <url>" and return the URL. */
  async ready(timeoutMs = 60_000): Promise<string> {
    const m = await this.waitFor(/Guichet is running at (http:\/\/\S+) on /, timeoutMs);
    this.url = m[1]!;
    return this.url;
  }

  /** Wait for the process to end; after `timeoutMs` it is killed and the wait fails. */
  async waitExit(timeoutMs = 30_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`the server did not exit within ${timeoutMs} ms (killed now); output:\n${this.output}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  /** Send `sig` and wait for the exit. */
  async stop(sig: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<Exit> {
    this.signal(sig);
    return this.waitExit(timeoutMs);
  }
}

/** `p`, or a failure naming `what` if it has not settled after `timeoutMs` (a bound on a wait, not a timing check). */
export async function within<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function fmtExit(e: Exit): string {
  return e.signal ? `signal ${e.signal}` : `code ${e.code}`;
}

/**
 * What a test started: server processes, temp folders and other clean-ups, all undone by
 * `cleanup()` (call it from `finally` or an `after` hook) whatever happened.
 */
export class Scope {
  private readonly procs: Guichet[] = [];
  private readonly dirs: string[] = [];
  private readonly deferred: Array<() => Promise<void> | void> = [];

  tempDir(prefix = 'guichet-process-'): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(d);
    return d;
  }

  start(vars: Record<string, string | undefined>, args: string[] = []): Guichet {
    const g = new Guichet(vars, args);
    this.procs.push(g);
    return g;
  }

  defer(f: () => Promise<void> | void): void {
    this.deferred.push(f);
  }

  async cleanup(): Promise<void> {
    const errors: unknown[] = [];
    for (const g of this.procs) {
      if (!g.running) continue;
      g.signal('SIGKILL');
      try {
        await g.waitExit(10_000);
      } catch (e) {
        errors.push(e);
      }
    }
    for (const f of this.deferred.reverse()) {
      try {
        await f();
      } catch (e) {
        errors.push(e);
      }
    }
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    if (errors.length) throw errors[0];
  }
}

/** A port free right now (for the one test that checks PORT is honoured; others use PORT=0). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface Res {
  status: number;
  body: any;
  headers: Headers;
}

/** HTTP to one server, as one caller (API token or session cookie, or nobody). */
export class Client {
  constructor(
    readonly base: string,
    readonly auth: { token?: string; cookie?: string } = {},
  ) {}

  async req(method: string, path: string, body?: unknown): Promise<Res> {
    const headers: Record<string, string> = {};
    if (this.auth.token) headers.authorization = `Bearer ${this.auth.token}`;
    if (this.auth.cookie) headers.cookie = this.auth.cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const url = path.startsWith('/healthz') || path.startsWith('/api/') ? path : `/api/v1${path}`;
    const res = await fetch(new URL(url, this.base), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /** GET every page of a list endpoint. */
  async all(path: string): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | null = null;
    do {
      const sep: string = path.includes('?') ? '&' : '?';
      const r: Res = await this.req('GET', `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200, `GET ${path}: ${JSON.stringify(r.body)}`);
      items.push(...r.body.items);
      cursor = r.body.nextCursor;
    } while (cursor);
    return items;
  }
}

/** Sign in with email and password; returns the session cookie. */
export async function login(base: string, email: string, password: string): Promise<{ cookie: string; me: any }> {
  const res = await fetch(new URL('/api/v1/auth/login', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
    signal: AbortSignal.timeout(30_000),
  });
  const me = await res.json();
  assert.equal(res.status, 200, `login: ${JSON.stringify(me)}`);
  const cookie = res.headers.getSetCookie()[0]?.split(';')[0];
  assert.ok(cookie, 'the login sets a session cookie');
  return { cookie, me };
}

/** Sign in, then create a personal API token (POST /api-tokens) and return a client using it. */
export async function tokenClient(base: string, email: string, password: string): Promise<Client> {
  const { cookie } = await login(base, email, password);
  const r = await new Client(base, { cookie }).req('POST', '/api-tokens', { name: 'process tests' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.match(r.body.token, /^gch_/);
  return new Client(base, { token: r.body.token });
}

/**
 * A POST whose headers reach the server (and are parsed: it answers `100 Continue`) before its
 * body is sent: a request provably in flight on the server while the test does something else.
 * It asks to keep its connection alive, and keeps it open after the answer unless the server
 * closes it, like a browser or an HTTP client pool would.
 */
export function heldPost(base: string, path: string, auth: { token: string }, body: unknown) {
  const payload = JSON.stringify(body);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const req = http.request(new URL(path, base), {
    method: 'POST',
    agent,
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
      authorization: `Bearer ${auth.token}`,
      expect: '100-continue',
    },
  });
  const failed = new Promise<never>((_, reject) => req.once('error', reject));
  failed.catch(() => {});
  const continued = Promise.race([new Promise<void>((r) => req.once('continue', () => r())), failed]);
  const response = Promise.race([
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }>((r) =>
      req.once('response', (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => r({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : null }));
      }),
    ),
    failed,
  ]);
  response.catch(() => {});
  req.flushHeaders();
  return {
    /** Resolves once the server has parsed the headers and asked for the body. */
    continued,
    /** Send the body. */
    send: () => req.end(payload),
    response,
    /** Close the client side (the test's clean-up). */
    close: () => {
      req.destroy();
      agent.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Streams of writes and what must survive them

export interface AckedTicket {
  id: string;
  number: number;
  subject: string;
  body: string;
  requester: string;
}

/** Every write the server acknowledged (201), across rounds and restarts. */
export class Ledger {
  readonly tickets = new Map<string, AckedTicket>();
  /** Acknowledged added messages per ticket id, in acknowledgement order. */
  readonly messages = new Map<string, Array<{ id: string; body: string }>>();

  get ackedMessages(): number {
    let n = 0;
    for (const l of this.messages.values()) n += l.length;
    return n;
  }
}

export interface Outcome {
  kind: 'ticket' | 'message';
  key: string;
  status?: number;
  error?: string;
  /** Whether the test had signalled the server when this answer (or failure) came back. */
  afterStop: boolean;
}

let seq = 0;

/** Every ticket a test writes has a subject starting with this; other tickets (demo data) are left out of the checks. */
export const MARK = 'proc-test';

/**
 * `workers` concurrent loops of writes: ticket creations, and (with `messageShare` > 0) messages
 * added to tickets already acknowledged. After each acknowledgement `onAck(total)` is called
 * synchronously, so a test can signal the server at an exact count. A loop ends at its first
 * write that is not acknowledged (the server is going away) or when the bound is reached.
 */
export async function streamWrites(opts: {
  client: Client;
  ledger: Ledger;
  tag: string;
  workers: number;
  messageShare: number;
  onAck: (acks: number) => void;
  stopped: () => boolean;
  maxWritesPerWorker?: number;
}): Promise<Outcome[]> {
  const { client, ledger } = opts;
  const outcomes: Outcome[] = [];
  let acks = 0;
  const ticketIds = () => [...ledger.tickets.keys()];

  async function one(): Promise<Outcome> {
    const n = ++seq;
    const ids = ticketIds();
    const asMessage = ids.length > 0 && Math.random() < opts.messageShare;
    if (asMessage) {
      const ticketId = ids[Math.floor(Math.random() * ids.length)]!;
      const key = `${opts.tag} message ${n}`;
      try {
        const r = await client.req('POST', `/tickets/${ticketId}/messages`, { body: key });
        if (r.status === 201) {
          const list = ledger.messages.get(ticketId) ?? [];
          list.push({ id: r.body.id, body: key });
          ledger.messages.set(ticketId, list);
        }
        return { kind: 'message', key, status: r.status, afterStop: opts.stopped(), ...(r.status >= 300 ? { error: JSON.stringify(r.body) } : {}) };
      } catch (e) {
        return { kind: 'message', key, error: describe(e), afterStop: opts.stopped() };
      }
    }
    const subject = `${MARK} ${opts.tag} ticket ${n}`;
    const body = `First message of ${opts.tag} ticket ${n}.`;
    const requester = `req-${opts.tag.replace(/\W+/g, '-')}-${n}@example.com`.toLowerCase();
    try {
      const r = await client.req('POST', '/tickets', { subject, body, requester: { email: requester } });
      if (r.status === 201) {
        ledger.tickets.set(r.body.id, { id: r.body.id, number: r.body.number, subject, body, requester });
      }
      return { kind: 'ticket', key: subject, status: r.status, afterStop: opts.stopped(), ...(r.status >= 300 ? { error: JSON.stringify(r.body) } : {}) };
    } catch (e) {
      return { kind: 'ticket', key: subject, error: describe(e), afterStop: opts.stopped() };
    }
  }

  const max = opts.maxWritesPerWorker ?? 5_000;
  await Promise.all(
    Array.from({ length: opts.workers }, async () => {
      for (let i = 0; i < max; i++) {
        const o = await one();
        outcomes.push(o);
        if (o.status !== 201) return;
        opts.onAck(++acks);
      }
    }),
  );
  return outcomes;
}

function describe(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  return `${err.message}${err.cause ? ` (${err.cause.code ?? err.cause.message})` : ''}`;
}

/** Map with at most `n` calls in flight. */
export async function eachLimit<T>(items: T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (i < items.length) await f(items[i++]!);
    }),
  );
}

/**
 * After a restart: every acknowledged write is there, and no ticket is partial. For every ticket
 * the tests wrote (acknowledged or not): a first message, a `ticket.created` event naming it, and
 * one `message.added` event per later message and the other way round. `mine` are those tickets;
 * `all` every ticket of the workspace.
 */
export async function verifyDurable(client: Client, ledger: Ledger): Promise<{ tickets: number; messages: number; all: any[]; mine: any[] }> {
  const health = await client.req('GET', '/healthz');
  assert.equal(health.status, 200, JSON.stringify(health.body));

  const all = await client.all('/tickets?sort=number&order=asc');
  const numbers = new Set(all.map((t) => t.number));
  assert.equal(numbers.size, all.length, 'ticket numbers are unique');
  const mine = all.filter((t) => t.subject.startsWith(`${MARK} `));
  const byId = new Map(mine.map((t) => [t.id, t]));

  for (const [id, t] of ledger.tickets) {
    const got = byId.get(id);
    assert.ok(got, `acknowledged ticket #${t.number} "${t.subject}" (${id}) is missing after the restart`);
    assert.equal(got.subject, t.subject);
    assert.equal(got.number, t.number);
    assert.equal(got.requester.email, t.requester);
  }

  let messages = 0;
  await eachLimit(mine, 8, async (t) => {
    const one = await client.req('GET', `/tickets/${t.id}`);
    assert.equal(one.status, 200, `GET /tickets/${t.id}: ${JSON.stringify(one.body)}`);
    const msgs = await client.all(`/tickets/${t.id}/messages`);
    const events = await client.all(`/tickets/${t.id}/events`);
    messages += msgs.length;
    assert.ok(msgs.length >= 1, `ticket #${t.number} "${t.subject}" has no first message`);
    const created = events.filter((e) => e.type === 'ticket.created');
    assert.equal(created.length, 1, `ticket #${t.number} has one creation event`);
    assert.equal(created[0].data.messageId, msgs[0].id, `ticket #${t.number}: the creation event names its first message`);
    const added = new Set(events.filter((e) => e.type === 'message.added').map((e) => e.data.messageId));
    const later = msgs.slice(1).map((m) => m.id);
    assert.deepEqual([...added].sort(), [...later].sort(), `ticket #${t.number}: one message.added event per added message`);

    const acked = ledger.tickets.get(t.id);
    if (acked) assert.equal(msgs[0].body, acked.body, `ticket #${t.number}: its first message`);
    const ackedMsgs = ledger.messages.get(t.id) ?? [];
    const present = new Map(msgs.map((m) => [m.id, m.body]));
    for (const m of ackedMsgs) {
      assert.equal(present.get(m.id), m.body, `acknowledged message "${m.body}" on ticket #${t.number} is missing after the restart`);
    }
  });
  for (const ticketId of ledger.messages.keys()) assert.ok(byId.has(ticketId), `ticket ${ticketId} of acknowledged messages is missing`);
  return { tickets: mine.length, messages, all, mine };
}

/**
 * PostgreSQL's own integrity checks (amcheck) on every table and B-tree index, catalogs included,
 * of a PGlite data folder (the server must be stopped). They run on a copy, so the checked data
 * stays as the server left it. Returns what was checked; throws on the first corruption found.
 */
export async function checkPGliteIntegrity(dataDir: string): Promise<{ tables: number; indexes: number }> {
  const copy = mkdtempSync(join(tmpdir(), 'guichet-amcheck-'));
  try {
    cpSync(join(dataDir, 'pg'), join(copy, 'pg'), { recursive: true });
    const pg = await PGlite.create(join(copy, 'pg'), { extensions: { amcheck } });
    try {
      await pg.exec('CREATE EXTENSION IF NOT EXISTS amcheck');
      const heap = await pg.query<{ relname: string; blkno: number; msg: string }>(
        `SELECT c.relname, v.blkno, v.msg FROM pg_class c, LATERAL verify_heapam(c.oid) v
          WHERE c.relkind IN ('r', 'm', 't') AND c.relpersistence = 'p'`,
      );
      assert.deepEqual(heap.rows, [], 'verify_heapam finds no corruption');
      const tables = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class WHERE relkind IN ('r', 'm', 't') AND relpersistence = 'p'`);
      const indexes = await pg.query<{ relname: string }>(
        `SELECT c.relname FROM pg_class c JOIN pg_am a ON a.oid = c.relam
          WHERE c.relkind = 'i' AND a.amname = 'btree' AND c.relpersistence = 'p'`,
      );
      // Raises an error (and so fails the test) on the first inconsistent index.
      await pg.query(
        `SELECT bt_index_check(c.oid, true) FROM pg_class c JOIN pg_am a ON a.oid = c.relam
          WHERE c.relkind = 'i' AND a.amname = 'btree' AND c.relpersistence = 'p'`,
      );
      return { tables: tables.rows[0]!.n, indexes: indexes.rows.length };
    } finally {
      await pg.close();
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
