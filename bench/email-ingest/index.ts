/**
 * `npm run bench -- email-ingest [--quick]`: inbound email from SMTP acceptance to API visibility.
 *
 * Guichet runs as a separate process (`apps/server/src/main.ts`, configured through its
 * environment like `npm start`), once on the embedded PGlite and once on PostgreSQL. The bench
 * signs in, creates an API token and a mailbox through the API, then sends real-world messages
 * from ../shared/datasets/emails (the ones that should become tickets: not bounces, auto-replies
 * or reports) over SMTP on loopback from several connections, each message rewritten with the
 * mailbox as To, a unique Message-ID, and a customer sender. The time of each SMTP 250 is noted
 * with the inbound id the server answers; a poller reads `GET /api/v1/inbound-emails?status=pending`
 * (paging with `before` until the pending set is complete): an accepted id that is no longer
 * pending has been processed, and a ticketed one is visible as a ticket message (the message and
 * the inbound status commit in one transaction). The parse-only rate of `mailparser` on the same
 * messages, in this process, is the reference ceiling.
 *
 * Options: --quick, --messages=N, --connections=N, --only=pg,pglite, --profile (write a V8 CPU profile of each server to a temporary folder),
 * --poll-ms=N (pause between two reads of the pending list, default 50), --processes=N (GUICHET_PROCESSES of the PostgreSQL server, default 1), --worker-concurrency=N
 * (GUICHET_WORKER_CONCURRENCY of each server process, default the server's), --statements (count the SQL
 * statements and round trips the PostgreSQL server sends, through a counting proxy that slows that run).
 * The corpus folder is ../shared/datasets/emails next to the repository, or GUICHET_CORPUS_DIR.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { createPgDatabase } from '@guichet/db/testing';
import { childEnv, cleanupStack, cpuPercent, postgresPidsFor, sampleCpu, startNode, type CpuSample } from '../lib/processes.ts';
import { startPgCounter, tallyDiff, type PgCounter, type PgCounts } from '../lib/pg-counter.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = resolve(process.env.GUICHET_CORPUS_DIR ?? resolve(root, '../shared/datasets/emails'));

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profile = args.includes('--profile');
function numArg(name: string, fallback: number): number {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  if (!a) return fallback;
  const n = Number(a.slice(name.length + 3));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} takes a positive number`);
  return n;
}
const total = Math.round(numArg('messages', quick ? 400 : 3000));
const warmup = Math.min(100, Math.round(total / 5));
const connections = Math.round(numArg('connections', 8));
const processes = Math.round(numArg('processes', 1));
const workerConcurrency = args.some((a) => a.startsWith('--worker-concurrency=')) ? Math.round(numArg('worker-concurrency', 4)) : null;
const countStatements = args.includes('--statements');
// Between two reads of the pending list. Each read pages through every pending message, so at a
// backlog of a few hundred a 10 ms period made the server spend a good part of its CPU answering
// the bench; 50 ms costs at most 50 ms of measured latency (latencies err on the high side).
const pollMs = Math.round(numArg('poll-ms', 50));
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = new Set((onlyArg ?? 'pg,pglite').split(','));

// ---------------------------------------------------------------- the messages

const SKIP_CATEGORIES = /^(bounce|auto-reply|feedback-report|read-receipt|not-a-bounce)/;
const manifest = new Map(
  readFileSync(join(CORPUS, 'manifest.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split('\t') as [string, string]),
);

interface Template {
  file: string;
  eol: string;
  head: string[]; // header fields kept (latin1), each with its continuation lines
  body: Buffer; // from the blank line on
}

function templates(): Template[] {
  const out: Template[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const file = relative(CORPUS, p);
        const category = manifest.get(file);
        if (!category || SKIP_CATEGORIES.test(category)) continue;
        const raw = readFileSync(p);
        if (raw.length > 512 * 1024) continue;
        const text = raw.toString('latin1');
        const m = /\r?\n\r?\n/.exec(text);
        if (!m) continue;
        const headText = text.slice(0, m.index);
        if (/^(auto-submitted|precedence|x-autoreply|x-autorespond):/im.test(headText) || !/^from:/im.test(headText)) continue;
        const eol = m[0].startsWith('\r') ? '\r\n' : '\n';
        const fields: string[] = [];
        for (const line of headText.split(/\r?\n/)) {
          if ((line.startsWith(' ') || line.startsWith('\t')) && fields.length) fields[fields.length - 1] += eol + line;
          else fields.push(line);
        }
        const head = fields.filter((f) => !/^(message-id|to|cc|return-path|delivered-to|x-original-to)\s*:/i.test(f));
        out.push({ file, eol, head, body: raw.subarray(m.index) });
      }
    }
  };
  walk(CORPUS);
  return out;
}

const runId = randomBytes(4).toString('hex');
function build(t: Template, i: number, to: string): Buffer {
  const added = [`To: ${to}`, `Message-ID: <bench-${runId}-${i}@client.example>`];
  return Buffer.concat([Buffer.from([...added, ...t.head].join(t.eol), 'latin1'), t.body]);
}

// ---------------------------------------------------------------- a small SMTP client

/** One SMTP connection that sends messages one after another (MAIL, RCPT, DATA). */
class SmtpConnection {
  private buf = '';
  private waiting: ((line: string) => void) | null = null;
  private lines: string[] = [];
  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => {
      this.buf += c.toString('latin1');
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).replace(/\r$/, '');
        this.buf = this.buf.slice(nl + 1);
        // Multi-line replies ("250-…") end with a line whose fourth character is a space.
        if (line[3] === '-') continue;
        if (this.waiting) {
          const w = this.waiting;
          this.waiting = null;
          w(line);
        } else this.lines.push(line);
      }
    });
  }
  static async open(port: number): Promise<SmtpConnection> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
    const c = new SmtpConnection(socket);
    await c.expect(220);
    c.socket.write('EHLO bench.client.example\r\n');
    await c.expect(250);
    return c;
  }
  private reply(): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((res) => (this.waiting = res));
  }
  private async expect(code: number): Promise<string> {
    const line = await this.reply();
    if (!line.startsWith(String(code))) throw new Error(`SMTP: expected ${code}, got "${line}"`);
    return line;
  }
  /** Sends one message; resolves with the 250 line once the server has committed it. */
  async send(from: string, to: string, raw: Buffer): Promise<string> {
    // Pipelined envelope (the server announces PIPELINING), then the dot-stuffed data.
    this.socket.write(`MAIL FROM:<${from}>\r\nRCPT TO:<${to}>\r\nDATA\r\n`);
    await this.expect(250);
    await this.expect(250);
    await this.expect(354);
    let data = raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    if (!data.endsWith('\r\n')) data += '\r\n';
    this.socket.write(Buffer.from(`${data}.\r\n`, 'latin1'));
    return this.expect(250);
  }
  close(): void {
    this.socket.end('QUIT\r\n');
  }
}

// ---------------------------------------------------------------- running

const cleanups = cleanupStack('stopping the servers and removing temporary data');
const cleanup = cleanups.run;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

interface Result {
  sent: number;
  seconds: number;
  rate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  cpu: ReturnType<typeof cpuPercent>;
  /** CPU milliseconds per message measured (server with all its processes, PostgreSQL, this bench). */
  msPerMessage: { server: number | null; postgres: number | null; bench: number };
  /** With --statements: what the server sent to PostgreSQL while measuring. */
  sql?: PgCounts;
  /** With --statements: the statement texts sent while measuring, most frequent first. */
  sqlTexts?: Array<[string, number]>;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function benchGuichet(kind: 'pg' | 'pglite', tpls: Template[]): Promise<Result> {
  const tmp = mkdtempSync(join(tmpdir(), 'guichet-bench-mail-'));
  cleanups.defer(async () => rmSync(tmp, { recursive: true, force: true }));
  const password = randomBytes(12).toString('base64url');
  const smtpPort = await freePort();
  const extra: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    GUICHET_DATA_DIR: join(tmp, 'data'),
    GUICHET_ADMIN_PASSWORD: password,
    GUICHET_SMTP_PORT: String(smtpPort),
    LOG_LEVEL: 'warn',
  };
  let counter: PgCounter | undefined;
  let databaseUrl: string | undefined;
  if (kind === 'pg') {
    const created = await createPgDatabase('guichet_bench');
    databaseUrl = created.url;
    cleanups.defer(() => created.drop());
    extra.DATABASE_URL = created.url;
    if (processes > 1) extra.GUICHET_PROCESSES = String(processes);
    if (countStatements) {
      counter = await startPgCounter(created.url);
      cleanups.defer(() => counter!.close());
      extra.DATABASE_URL = counter.url;
    }
  }
  if (workerConcurrency !== null) extra.GUICHET_WORKER_CONCURRENCY = String(workerConcurrency);
  const profDir = profile ? mkdtempSync(join(tmpdir(), `guichet-bench-prof-${kind}-`)) : null;
  const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const server = await startNode(join(root, 'apps/server/src/main.ts'), { cwd: root, env: childEnv(extra), ready: /Guichet is running at (http:\/\/\S+) on/, nodeArgs });
  cleanups.defer(() => server.stop());
  const url = server.match[1]!;

  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@demo.guichet.test', password }) });
  if (login.status !== 200) throw new Error(`sign-in failed: HTTP ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const tok = await fetch(`${url}/api/v1/api-tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ name: 'email-ingest benchmark' }) });
  if (tok.status !== 201) throw new Error(`API token: HTTP ${tok.status} ${await tok.text()}`);
  const auth = { authorization: `Bearer ${((await tok.json()) as { token: string }).token}`, 'content-type': 'application/json' };
  const address = 'bench@demo.guichet.test';
  const mb = await fetch(`${url}/api/v1/mailboxes`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Bench', address, floodLimitPerHour: 100_000 }) });
  if (mb.status !== 201) throw new Error(`mailbox: HTTP ${mb.status} ${await mb.text()}`);

  /** Ids still pending, read completely (pages of 200 going back with `before`). */
  const pendingIds = async (): Promise<Set<string>> => {
    const ids = new Set<string>();
    let before: string | undefined;
    for (;;) {
      const res = await fetch(`${url}/api/v1/inbound-emails?status=pending&limit=200${before ? `&before=${encodeURIComponent(before)}` : ''}`, { headers: auth });
      if (res.status !== 200) throw new Error(`inbound-emails: HTTP ${res.status} ${await res.text()}`);
      const items = ((await res.json()) as { items: { id: string; receivedAt: string }[] }).items;
      for (const it of items) ids.add(it.id);
      if (items.length < 200) return ids;
      before = items[items.length - 1]!.receivedAt;
    }
  };

  /** Send `count` messages from `connections` connections; per message, the time from its 250 to the poller seeing it processed. */
  const run = async (count: number, offset: number) => {
    const accepted = new Map<string, number>();
    const latencies: number[] = [];
    let sending = true;
    let sent = 0;
    const conns = await Promise.all(Array.from({ length: connections }, () => SmtpConnection.open(smtpPort)));
    const started = performance.now();
    let next = 0;
    const senders = conns.map(async (c) => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        const n = offset + i;
        const t = tpls[n % tpls.length]!;
        const line = await c.send(`customer${n % 97}@client.example`, address, build(t, n, address));
        const id = /queued as ([\w-]+)/.exec(line)?.[1];
        if (!id) throw new Error(`no id in "${line}"`);
        accepted.set(id, performance.now());
        sent++;
      }
    });
    const allSent = Promise.all(senders).finally(() => (sending = false));
    let lastSeen = started;
    const poller = (async () => {
      for (;;) {
        const snapshot = [...accepted.keys()];
        const pending = await pendingIds();
        const now = performance.now();
        for (const id of snapshot) {
          if (pending.has(id)) continue;
          latencies.push(now - accepted.get(id)!);
          accepted.delete(id);
          lastSeen = now;
        }
        if (!sending && accepted.size === 0 && sent === count) return;
        await new Promise((r) => setTimeout(r, pollMs));
      }
    })();
    await allSent;
    await poller;
    for (const c of conns) c.close();
    const seconds = (lastSeen - started) / 1000;
    latencies.sort((a, b) => a - b);
    return { seconds, latencies };
  };

  await run(warmup, 0);
  // PostgreSQL's CPU: the backends of this database (the server's pool is open after the warm-up)
  // and its background processes, not other databases' work on a shared server.
  const pgPids = databaseUrl ? await postgresPidsFor(databaseUrl) : false;
  const a: CpuSample = sampleCpu(server.pid, pgPids);
  const sqlA = counter?.counts();
  const textsA = counter?.tally();
  const { seconds, latencies } = await run(total, warmup);
  const b: CpuSample = sampleCpu(server.pid, pgPids);
  const sqlB = counter?.counts();
  const textsB = counter?.tally();
  const perMessage = (x: number | null, y: number | null) => (x === null || y === null ? null : ((y - x) * 1000) / total);

  const statuses: Record<string, number> = {};
  let before: string | undefined;
  for (;;) {
    const res = await fetch(`${url}/api/v1/inbound-emails?limit=200${before ? `&before=${encodeURIComponent(before)}` : ''}`, { headers: auth });
    const items = ((await res.json()) as { items: { status: string; receivedAt: string }[] }).items;
    for (const it of items) statuses[it.status] = (statuses[it.status] ?? 0) + 1;
    if (items.length < 200) break;
    before = items[items.length - 1]!.receivedAt;
  }
  await cleanup();
  if (profDir) console.log(`  ${kind}: CPU profile written to ${profDir}`);
  return {
    sent: total,
    seconds,
    rate: total / seconds,
    p50: pct(latencies, 50),
    p90: pct(latencies, 90),
    p99: pct(latencies, 99),
    max: latencies[latencies.length - 1] ?? NaN,
    statuses,
    cpu: cpuPercent(a, b),
    msPerMessage: { server: perMessage(a.server, b.server), postgres: perMessage(a.postgres, b.postgres), bench: ((b.client - a.client) * 1000) / total },
    ...(sqlA && sqlB
      ? { sql: { statements: sqlB.statements - sqlA.statements, roundTrips: sqlB.roundTrips - sqlA.roundTrips, transactions: sqlB.transactions - sqlA.transactions } }
      : {}),
    ...(textsA && textsB ? { sqlTexts: tallyDiff(textsA, textsB) } : {}),
  };
}

async function parseOnly(tpls: Template[]): Promise<number> {
  const raws = tpls.map((t, i) => build(t, i, 'bench@demo.guichet.test'));
  for (const r of raws) await simpleParser(r); // warm-up
  const budget = quick ? 2000 : 5000;
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < budget) await simpleParser(raws[n++ % raws.length]!);
  return n / ((performance.now() - start) / 1000);
}

// ---------------------------------------------------------------- report

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}
const f0 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '–' : Math.round(n).toLocaleString('en-US'));
const f1 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(1));
const fp = (n: number | null) => (n === null ? '–' : `${Math.round(n)}%`);

async function main(): Promise<void> {
  const started = performance.now();
  const tpls = templates();
  const bytes = tpls.reduce((s, t) => s + t.body.length, 0);
  console.log(
    `email-ingest: ${total} messages (after ${warmup} for warm-up) over SMTP on loopback from ${connections} connections, ` +
      `drawn from ${tpls.length} corpus messages that should become tickets (mean ${Math.round(bytes / tpls.length / 1024)} KiB), ` +
      `time from SMTP 250 to no longer pending in GET /api/v1/inbound-emails (read every ${pollMs} ms)${quick ? ' (--quick)' : ''}; ` +
      `Guichet on PostgreSQL runs ${processes} process${processes > 1 ? 'es' : ''} (GUICHET_PROCESSES)${workerConcurrency !== null ? `, GUICHET_WORKER_CONCURRENCY=${workerConcurrency}` : ''}`,
  );
  const results: Partial<Record<'pg' | 'pglite', Result>> = {};
  if (only.has('pg')) results.pg = await benchGuichet('pg', tpls);
  if (only.has('pglite')) results.pglite = await benchGuichet('pglite', tpls);
  const parse = await parseOnly(tpls);

  const names = { pg: 'Guichet on PostgreSQL', pglite: 'Guichet on PGlite' } as const;
  const rows = [['', 'messages', 'seconds', 'msgs/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'outcomes (incl. warm-up)']];
  const cpuRows = [['CPU while measuring', 'bench', 'server', 'postgres', 'machine', 'bench ms/msg', 'server ms/msg', 'postgres ms/msg']];
  const fms = (n: number | null) => (n === null ? '–' : n.toFixed(2));
  for (const k of ['pg', 'pglite'] as const) {
    const r = results[k];
    if (!r) continue;
    rows.push([names[k], String(r.sent), r.seconds.toFixed(2), f0(r.rate), f1(r.p50), f1(r.p90), f1(r.p99), f1(r.max), Object.entries(r.statuses).map(([s, n]) => `${s} ${n}`).join(', ')]);
    cpuRows.push([names[k], fp(r.cpu.client), fp(r.cpu.server), fp(r.cpu.postgres), fp(r.cpu.machineBusy), fms(r.msPerMessage.bench), fms(r.msPerMessage.server), fms(r.msPerMessage.postgres)]);
  }
  rows.push(['mailparser parse only (this process, one core)', '', '', f0(parse), '', '', '', '', '']);
  console.log();
  console.log(table(rows));
  console.log();
  console.log(table(cpuRows));
  console.log(`(percent of one core; this machine has ${availableParallelism()} cores. The bench process sends and polls; the server's polled reads are in its figures.)`);
  if (results.pg?.sql) {
    const { sql, sent } = results.pg;
    console.log(
      `SQL sent to PostgreSQL while measuring (--statements, through a counting proxy: the rates above are lower for it): ` +
        `${(sql.statements / sent).toFixed(1)} statements, ${(sql.roundTrips / sent).toFixed(1)} round trips and ${(sql.transactions / sent).toFixed(2)} BEGIN per message, including the bench's polling`,
    );
    console.log('Statements per message, most frequent first (texts cut at 160 characters):');
    for (const [text, n] of results.pg.sqlTexts ?? []) if (n / sent >= 0.02) console.log(`  ${(n / sent).toFixed(2).padStart(6)}  ${text}`);
  }
  if (results.pg) {
    const { rate, p99 } = results.pg;
    console.log(`Target (≥ 200 messages/s end to end with p99 < 1 s on PostgreSQL): ${rate >= 200 && p99 < 1000 ? 'met' : 'missed'} (${f0(rate)}/s, p99 ${f1(p99)} ms${quick ? '; --quick is only indicative' : ''})`);
  }
  console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log();
  const kv = (n: number | undefined, d: number) => (n === undefined || !Number.isFinite(n) ? 'NA' : n.toFixed(d));
  console.log(`email-ingest: msgs_per_s=${kv(results.pg?.rate, 0)} p50_ms=${kv(results.pg?.p50, 1)} p99_ms=${kv(results.pg?.p99, 1)} parse_only_per_s=${kv(parse, 0)}`);
}

main().catch(async (e) => {
  console.error(e instanceof Error ? e.stack : e);
  await cleanup();
  process.exit(1);
});
