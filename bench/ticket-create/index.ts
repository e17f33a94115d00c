/**
 * `npm run bench -- ticket-create [--quick]`: ticket creation through the real HTTP API.
 *
 * Guichet runs as a separate process (`node --import tsx apps/server/src/main.ts`, configured
 * through its environment like `npm start`), once on the embedded PGlite (a temporary data
 * folder) and once on PostgreSQL (a fresh database). The client signs in, creates an API token,
 * then sends `POST /api/v1/tickets` from a fixed number of keep-alive connections, one request in
 * flight on each, for a warm-up and then a measured window. A minimal Fastify server in its own
 * process, measured with the same client and concurrency, is the reference.
 *
 * Options: --quick (short run for checks), --warmup=S, --duration=S, --connections=N,
 * --only=pg,pglite,hello, --pool=N (GUICHET_DB_POOL of the server), --profile (write a V8 CPU profile of each Guichet server to a temporary folder),
 * --processes=N (GUICHET_PROCESSES of the PostgreSQL server: Guichet processes sharing the port; default 1),
 * --statements (count the SQL statements and round trips the server sends to PostgreSQL, through a
 * counting proxy in this process: it adds a hop, so throughput is lower in that run).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPgDatabase } from '@guichet/db/testing';
import { buildRequest, runLoad, type LoadResult } from '../lib/http-client.ts';
import { childEnv, cleanupStack, cpuPercent, sampleCpu, startNode, type Child, type CpuSample } from '../lib/processes.ts';
import { startPgCounter, tallyDiff, type PgCounter, type PgCounts, type PgStatementTally } from '../lib/pg-counter.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// ---------------------------------------------------------------- options

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
const warmupMs = numArg('warmup', quick ? 2 : 5) * 1000;
const durationMs = numArg('duration', quick ? 5 : 20) * 1000;
const connections = Math.round(numArg('connections', 32));
const poolArg = args.find((a) => a.startsWith('--pool='))?.slice('--pool='.length);
const processes = Math.round(numArg('processes', 1));
const countStatements = args.includes('--statements');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = new Set((onlyArg ?? 'pg,pglite,hello').split(','));
for (const o of only) if (!['pg', 'pglite', 'hello'].includes(o)) throw new Error(`--only takes pg, pglite and hello (got "${o}")`);

// ---------------------------------------------------------------- realistic requests

/** A seeded generator, so every run sends the same requests. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20240611);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const FIRST = ['marie', 'lucas', 'emma', 'hugo', 'chloe', 'louis', 'lea', 'jules', 'sarah', 'tom', 'alice', 'noah', 'ines', 'paul', 'zoe', 'adam', 'julia', 'ben', 'nora', 'sam'];
const LAST = ['martin', 'bernard', 'dubois', 'thomas', 'robert', 'petit', 'durand', 'leroy', 'moreau', 'smith', 'jones', 'taylor', 'brown', 'wilson', 'evans'];
const DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'acme.example', 'globex.example', 'initech.example'];
const CUSTOMERS = Array.from({ length: 300 }, (_, i) => {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  return { email: `${first}.${last}${i >= FIRST.length * LAST.length ? i : ''}@${DOMAINS[i % DOMAINS.length]}`, name: `${first[0]!.toUpperCase()}${first.slice(1)} ${last[0]!.toUpperCase()}${last.slice(1)}` };
});

const EN = {
  subjects: ['Card declined at checkout', 'Cannot sign in since this morning', 'Where is my order?', 'Invoice shows the wrong VAT number', 'Refund not received', 'App crashes when I upload a photo', 'How do I change my plan?', 'Password reset email never arrives', 'Charged twice for one subscription', 'Export to CSV is empty'],
  sentences: [
    'Hello, I tried three times today and it still does not work.',
    'My order number is in the confirmation email you sent last week.',
    'I am using the latest version of the app on my phone.',
    'Could you please look into it as soon as possible?',
    'The error message says that something went wrong and to try again later.',
    'We have a team of twelve people waiting on this.',
    'I already cleared the cache and restarted the browser.',
    'Thanks in advance for your help, this is quite urgent for us.',
    'It worked fine until the update on Monday.',
    'Please let me know if you need screenshots or anything else.',
  ],
};
const FR = {
  subjects: ['Carte refusée au paiement', 'Impossible de me connecter', 'Où en est ma commande ?', 'Facture avec un mauvais numéro de TVA', 'Remboursement non reçu', "L'application plante à l'envoi d'une photo", 'Comment changer de formule ?', 'Je ne reçois pas le courriel de réinitialisation', 'Prélevé deux fois pour un abonnement', "L'export CSV est vide"],
  sentences: [
    "Bonjour, j'ai essayé trois fois aujourd'hui et cela ne fonctionne toujours pas.",
    'Mon numéro de commande figure dans le courriel de confirmation reçu la semaine dernière.',
    "J'utilise la dernière version de l'application sur mon téléphone.",
    'Pourriez-vous regarder cela rapidement, s’il vous plaît ?',
    "Le message d'erreur indique qu'un problème est survenu et de réessayer plus tard.",
    'Toute notre équipe de douze personnes est bloquée.',
    "J'ai déjà vidé le cache et redémarré le navigateur.",
    "Merci d'avance pour votre aide, c'est assez urgent pour nous.",
    'Tout fonctionnait bien avant la mise à jour de lundi.',
    "N'hésitez pas à me demander des captures d'écran si besoin.",
  ],
};
const TAGS = ['billing', 'refund', 'login', 'bug', 'mobile', 'shipping', 'invoice', 'vip', 'export', 'subscription', 'payment', 'account'];

function ticketBody(): string {
  const fr = random() < 0.4;
  const lang = fr ? FR : EN;
  const customer = pick(CUSTOMERS);
  const sentences = Array.from({ length: 2 + Math.floor(random() * 4) }, () => pick(lang.sentences));
  const tags = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(TAGS)))];
  return JSON.stringify({
    subject: pick(lang.subjects),
    body: `${sentences.join(' ')}\n\n${customer.name}`,
    requester: { email: customer.email, name: customer.name },
    tags,
    priority: random() < 0.15 ? 'high' : 'normal',
    language: fr ? 'fr' : 'en',
  });
}

// ---------------------------------------------------------------- running the servers

const cleanups = cleanupStack('stopping the servers and removing temporary data');
const cleanup = cleanups.run;

interface Measured {
  load: LoadResult;
  cpu: ReturnType<typeof cpuPercent>;
  note: string;
  /** With --statements: what the server sent to PostgreSQL during the window. */
  sql?: PgCounts;
  /** With --statements: each statement text and how many times it was sent during the window. */
  sqlTexts?: Array<[string, number]>;
}

function parseUrl(url: string): { host: string; port: number; hostHeader: string } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), hostHeader: u.host };
}

async function measure(
  server: Child,
  url: string,
  withPostgres: boolean,
  request: (i: number) => Buffer,
  expectStatus: number,
  label: string,
  counter?: PgCounter,
): Promise<Omit<Measured, 'note'>> {
  const { host, port } = parseUrl(url);
  let a: CpuSample | null = null;
  let b: CpuSample | null = null;
  const sqlAt: { start?: PgCounts; end?: PgCounts; startTexts?: PgStatementTally; endTexts?: PgStatementTally } = {};
  const load = await runLoad(
    {
      host,
      port,
      connections,
      warmupMs,
      durationMs,
      request,
      expectStatus,
      onError: (what) => console.error(`  ${label}: ${what}`),
    },
    {
      onMeasureStart: () => {
        a = sampleCpu(server.pid, withPostgres);
        if (counter) {
          sqlAt.start = counter.counts();
          sqlAt.startTexts = counter.tally();
        }
      },
      onMeasureEnd: () => {
        b = sampleCpu(server.pid, withPostgres);
        if (counter) {
          sqlAt.end = counter.counts();
          sqlAt.endTexts = counter.tally();
        }
      },
    },
  );
  const { start: s0, end: s1 } = sqlAt;
  const sql = s0 && s1 ? { statements: s1.statements - s0.statements, roundTrips: s1.roundTrips - s0.roundTrips, transactions: s1.transactions - s0.transactions } : undefined;
  const texts = sqlAt.startTexts && sqlAt.endTexts ? tallyDiff(sqlAt.startTexts, sqlAt.endTexts) : undefined;
  return { load, cpu: cpuPercent(a!, b!), ...(sql ? { sql } : {}), ...(texts ? { sqlTexts: texts } : {}) };
}

async function benchGuichet(kind: 'pg' | 'pglite'): Promise<Measured> {
  const tmp = mkdtempSync(join(tmpdir(), 'guichet-bench-'));
  cleanups.defer(async () => rmSync(tmp, { recursive: true, force: true }));
  const password = randomBytes(12).toString('base64url');
  let counter: PgCounter | undefined;
  const extra: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    GUICHET_DATA_DIR: join(tmp, 'data'),
    GUICHET_ADMIN_PASSWORD: password,
    GUICHET_SMTP_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  if (kind === 'pg') {
    const created = await createPgDatabase('guichet_bench');
    cleanups.defer(() => created.drop());
    extra.DATABASE_URL = created.url;
    if (poolArg) extra.GUICHET_DB_POOL = poolArg;
    if (processes > 1) extra.GUICHET_PROCESSES = String(processes);
    if (countStatements) {
      counter = await startPgCounter(created.url);
      cleanups.defer(() => counter!.close());
      extra.DATABASE_URL = counter.url;
    }
  }
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${mkdtempSync(join(tmpdir(), `guichet-bench-prof-${kind}-`))}`] : [];
  const server = await startNode(join(root, 'apps/server/src/main.ts'), {
    cwd: root,
    env: childEnv(extra),
    ready: /Guichet is running at (http:\/\/\S+) on/,
    nodeArgs,
  });
  cleanups.defer(() => server.stop());
  const url = server.match[1]!;

  // Sign in, then work with a personal API token as an integration would.
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.guichet.test', password }),
  });
  if (login.status !== 200) throw new Error(`sign-in failed: HTTP ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const created = await fetch(`${url}/api/v1/api-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ name: 'ticket-create benchmark' }),
  });
  if (created.status !== 201) throw new Error(`API token creation failed: HTTP ${created.status} ${await created.text()}`);
  const { token } = (await created.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };

  // The server's own count: the highest ticket number (numbers come from a per-workspace
  // sequence), before (the demo workspace may hold seeded tickets) and after the run.
  const highestNumber = async () => {
    const res = await fetch(`${url}/api/v1/tickets?sort=number&order=desc&limit=1`, { headers: auth });
    if (res.status !== 200) throw new Error(`listing tickets failed: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { items: { number: number }[] }).items[0]?.number ?? 0;
  };
  const before = await highestNumber();

  const { hostHeader } = parseUrl(url);
  const requests = Array.from({ length: 4096 }, () => buildRequest('POST', '/api/v1/tickets', hostHeader, auth, ticketBody()));
  const label = kind === 'pg' ? 'PostgreSQL' : 'PGlite';
  const m = await measure(server, url, kind === 'pg', (i) => requests[i & 4095]!, 201, label, counter);

  const made = (await highestNumber()) - before;
  const counted = m.load.warmupRequests + m.load.requests;
  const note =
    `${made.toLocaleString('en-US')} tickets created: ${counted.toLocaleString('en-US')} answered 201 during warm-up and window, ` +
    `${made - counted} after the window closed (at most one per connection)`;

  await cleanup();
  if (profile) console.log(`  ${label}: CPU profile written to ${nodeArgs[1]!.slice('--cpu-prof-dir='.length)}`);
  return { ...m, note };
}

async function benchHello(): Promise<Measured> {
  const server = await startNode(join(root, 'bench/ticket-create/hello-server.ts'), {
    cwd: root,
    env: childEnv({}),
    ready: /hello listening at (http:\/\/\S+)/,
  });
  cleanups.defer(() => server.stop());
  const url = server.match[1]!;
  const request = buildRequest('GET', '/hello', parseUrl(url).hostHeader, {});
  const m = await measure(server, url, false, () => request, 200, 'hello');
  await cleanup();
  return { ...m, note: '' };
}

// ---------------------------------------------------------------- report

const fmtInt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const fmtMs = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const fmtPct = (n: number | null) => (n === null ? '–' : `${Math.round(n)}%`);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(
    `ticket-create: POST /api/v1/tickets with an API token, ${connections} keep-alive connections (${connections} requests in flight), ` +
      `warm-up ${warmupMs / 1000} s, measured ${durationMs / 1000} s${quick ? ' (--quick)' : ''}; ` +
      `Guichet on PostgreSQL runs ${processes} process${processes > 1 ? 'es' : ''} (GUICHET_PROCESSES), on PGlite 1`,
  );
  const results: Partial<Record<'pg' | 'pglite' | 'hello', Measured>> = {};
  if (only.has('pg')) results.pg = await benchGuichet('pg');
  if (only.has('pglite')) results.pglite = await benchGuichet('pglite');
  if (only.has('hello')) results.hello = await benchHello();

  const names = { pg: 'Guichet on PostgreSQL', pglite: 'Guichet on PGlite', hello: 'Fastify hello world' } as const;
  const rows = [['', 'requests/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors']];
  const cpuRows = [['CPU during the window', 'client', 'server', 'postgres', 'other', 'machine', 'server ms/req', 'postgres ms/req']];
  for (const k of ['pg', 'pglite', 'hello'] as const) {
    const r = results[k];
    if (!r) continue;
    rows.push([
      names[k],
      fmtInt(r.load.rps),
      fmtMs(r.load.p50),
      fmtMs(r.load.p90),
      fmtMs(r.load.p99),
      fmtMs(r.load.max),
      String(r.load.errors + r.load.warmupErrors),
    ]);
    const c = r.cpu;
    const other = c.machineBusy === null ? null : Math.max(0, c.machineBusy - (c.client ?? 0) - (c.server ?? 0) - (c.postgres ?? 0));
    // Percent of a core divided by requests per second: milliseconds of CPU per request.
    const perRequest = (pct: number | null) => (pct === null || !r.load.rps ? '–' : ((pct * 10) / r.load.rps).toFixed(3));
    cpuRows.push([names[k], fmtPct(c.client), fmtPct(c.server), fmtPct(c.postgres), fmtPct(other), fmtPct(c.machineBusy), perRequest(c.server), perRequest(c.postgres)]);
  }
  console.log();
  console.log(table(rows));
  console.log();
  console.log(table(cpuRows));
  console.log(
    `(percent of one core; this machine has ${availableParallelism()} cores, so ${availableParallelism() * 100}% is all of it. ` +
      '"other" is every other process: when it is high, the figures above are low.)',
  );
  for (const k of ['pg', 'pglite'] as const) if (results[k]?.note) console.log(`${names[k]}: ${results[k]!.note}`);
  if (results.pg?.sql) {
    const { sql, load } = results.pg;
    const n = load.requests || 1;
    console.log(
      `SQL sent to PostgreSQL during the window (--statements, through a counting proxy: throughput above is lower for it): ` +
        `${(sql.statements / n).toFixed(2)} statements, ${(sql.roundTrips / n).toFixed(2)} round trips and ${(sql.transactions / n).toFixed(2)} BEGIN per ticket created`,
    );
    for (const [text, k] of results.pg.sqlTexts ?? []) if (k / n >= 0.02) console.log(`  ${(k / n).toFixed(2).padStart(6)}  ${text}`);
  }
  const hello = results.hello?.load.rps;
  if (hello) {
    for (const k of ['pg', 'pglite'] as const) {
      const r = results[k];
      if (r) console.log(`${names[k]} / Fastify hello world: ${(r.load.rps / hello).toFixed(3)}`);
    }
  }
  if (results.pg) {
    const { rps, p99 } = results.pg.load;
    const met = rps >= 2000 && p99 < 50;
    console.log(
      `Target (≥ 2,000 ticket creations/s with p99 < 50 ms on PostgreSQL): ${met ? 'met' : 'missed'} ` +
        `(${fmtInt(rps)}/s, p99 ${fmtMs(p99)} ms${quick ? '; --quick is only indicative' : ''})`,
    );
  }
  console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log();

  const kv = (n: number | undefined, digits: number) => (n === undefined || !Number.isFinite(n) ? 'NA' : n.toFixed(digits));
  console.log(
    [
      'ticket-create:',
      `pg_rps=${kv(results.pg?.load.rps, 0)}`,
      `pg_p50_ms=${kv(results.pg?.load.p50, 2)}`,
      `pg_p99_ms=${kv(results.pg?.load.p99, 2)}`,
      `pglite_rps=${kv(results.pglite?.load.rps, 0)}`,
      `pglite_p50_ms=${kv(results.pglite?.load.p50, 2)}`,
      `pglite_p99_ms=${kv(results.pglite?.load.p99, 2)}`,
      `hello_rps=${kv(hello, 0)}`,
      `pg_vs_hello=${kv(results.pg && hello ? results.pg.load.rps / hello : undefined, 3)}`,
    ].join(' '),
  );
  const errors = Object.values(results).reduce((n, r) => n + r.load.errors + r.load.warmupErrors, 0);
  if (errors > 0) process.exitCode = 1;
}

main().catch(async (e) => {
  console.error(e instanceof Error ? e.message : e);
  await cleanup();
  process.exit(1);
});
