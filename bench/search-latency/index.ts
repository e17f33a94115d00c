/**
 * `npm run bench -- search-latency [--quick] [--tickets=N] [--only=pglite,pg] [--queries=N] [--keep | --reuse=URL]`:
 * search speed over many tickets. `--keep` leaves the PostgreSQL database it made (and prints its
 * URL); `--reuse=URL` measures such a database again without making one.
 *
 * N tickets (default 1,000,000; --quick 10,000 and 20 queries per kind; PGlite at a tenth of N unless --pglite-tickets=N),
 * each with a subject and a first message composed from real customer requests (Banking77
 * queries, ../shared/datasets/banking77/train.csv: the subject one request, the message two or
 * three), are written by set-based SQL straight into the tables; the product's own triggers index
 * them in the same statements (search_documents, with its tsvector and trigram indexes), and the
 * indexing rate is the search documents written per second of those statements.
 * Then the product's `search` (the function behind GET /search) as a staff member, top 10, for
 * three kinds of queries: rare terms (a word found in one source request only), common terms (the
 * most frequent words that are not stop words) and questions of 3–6 words (Banking77's test
 * requests, which are not the texts indexed). p50/p95/p99 per kind, with how often the search had
 * to fall back from "every word" to "any word".
 */
import { sql, type Kysely } from 'kysely';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapWorkspace, runMaintenance, search, type Ctx } from '@guichet/core';
import { ticketSequenceName } from '@guichet/db';
import { parseCsv } from '../lib/csv.ts';
import { datasetDir } from '../lib/datasets.ts';
import { openDatabase } from '@guichet/db';
import { createPgDatabase } from '@guichet/db/testing';
import { benchDeps, dbLabel, loadAverage, numArg, onlyKinds, openBenchDatabase, quantile, type DbKind } from '../lib/product.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const TICKETS = Math.round(numArg(args, 'tickets', quick ? 10_000 : 1_000_000));
const PGLITE_TICKETS = Math.round(numArg(args, 'pglite-tickets', Math.max(2000, Math.round(TICKETS / 10))));
const QUERIES = Math.round(numArg(args, 'queries', quick ? 20 : 200));
const keep = args.includes('--keep');
const reuse = args.find((a) => a.startsWith('--reuse='))?.slice('--reuse='.length) ?? null;
const kinds = reuse ? (['pg'] as DbKind[]) : onlyKinds(args, ['pg', 'pglite']);

const dir = datasetDir('banking77');
const clean = (s: string) => s.replace(/\s+/g, ' ').trim();
const requests = parseCsv(readFileSync(join(dir, 'train.csv'), 'utf8')).map((r) => clean(r.text ?? '')).filter(Boolean);
const questions = parseCsv(readFileSync(join(dir, 'test.csv'), 'utf8'))
  .map((r) => clean(r.text ?? ''))
  .filter((t) => {
    const n = t.split(' ').length;
    return n >= 3 && n <= 6;
  });

const GREETINGS = ['Hello,', 'Hi,', 'Good morning,', 'Dear support,', ''];
const CLOSINGS = ['Thanks.', 'Thank you for your help.', 'Regards,', 'Please help!', ''];

type Kind = 'rare' | 'common' | 'question';
interface Figures {
  tickets: number;
  docs: number;
  indexS: number;
  lat: Record<Kind, number[]>;
  anyShare: Record<Kind, number>;
  emptyShare: Record<Kind, number>;
}

/** Words of the source requests, with how many requests hold each. */
function wordCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) for (const w of new Set(r.toLowerCase().match(/[a-z]{5,}/g) ?? [])) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/** A deterministic sample of `n` items. */
function pick<T>(xs: T[], n: number, seed: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < n && xs.length; i++) out.push(xs[(i * 7919 + seed * 104729) % xs.length]!);
  return out;
}

async function run(kind: DbKind, tickets: number): Promise<Figures> {
  const kept = kind === 'pg' && keep && !reuse ? (await createPgDatabase('guichet_bench_search')).url : null;
  if (kept) console.log(`--keep: the database stays (drop it when done): --reuse=${kept}`);
  const url = reuse ?? kept;
  const database = kind === 'pg' && url ? await openDatabase({ url, poolSize: 4 }) : await openBenchDatabase(kind, { prefix: 'guichet_bench_search', poolSize: 4 });
  const db = database.db as unknown as Kysely<any>;
  try {
    const deps = benchDeps(database);
    if (reuse) {
      const w = (await sql<{ ws: string; admin: string }>`SELECT w.id AS ws, u.id AS admin FROM workspaces w JOIN users u ON u.workspace_id = w.id AND u.role = 'admin' WHERE w.slug = 'bench'`.execute(db)).rows[0];
      if (!w) throw new Error(`--reuse: no bench workspace in ${reuse}`);
      const f = await measure(db, deps, w.ws, w.admin);
      const n = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM tickets WHERE workspace_id = ${w.ws}`.execute(db)).rows[0]!.n);
      return { ...f, tickets: n, indexS: NaN };
    }
    const { workspace, admin } = await bootstrapWorkspace(deps, { slug: 'bench', name: 'Bench', admin: { email: 'admin@bench.test', name: 'Admin', password: 'correct horse battery' } });
    const ws = workspace.id;
    const now = new Date();
    await sql`INSERT INTO users (id, workspace_id, role, email, name, created_at, updated_at)
      SELECT gen_random_uuid(), ${ws}, 'customer', 'customer' || g || '@client' || (g % 500) || '.example', 'Customer ' || g, c, c
      FROM generate_series(1, 20000) AS g, LATERAL (SELECT ${now}::timestamptz - make_interval(secs => ((hashint4(g) & 2147483647) % 63072000)::float8) AS c) x`.execute(db);

    // Tickets then their first messages, a chunk per statement; the search triggers index both.
    const seq = ticketSequenceName(ws);
    const CHUNK = 50_000;
    const t0 = performance.now();
    for (let from = 1; from <= tickets; from += CHUNK) {
      const to = Math.min(tickets, from + CHUNK - 1);
      await sql`
        WITH c AS (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM users WHERE workspace_id = ${ws} AND role = 'customer')
        INSERT INTO tickets (id, workspace_id, number, subject, status, priority, channel, requester_id, language, created_at, updated_at)
        SELECT gen_random_uuid(), ${ws}, nextval(${seq}::regclass), r.texts[1 + (hashint4(g * 8 + 1) & 2147483647) % array_length(r.texts, 1)],
          (ARRAY['new','open','pending','solved','closed','closed','closed','closed'])[1 + (hashint4(g * 8 + 2) & 2147483647) % 8], 'normal', 'email',
          c.ids[1 + (hashint4(g * 8 + 3) & 2147483647) % c.n], 'en',
          x.created, least(${now}::timestamptz, x.created + make_interval(secs => ((hashint4(g * 8 + 5) & 2147483647) % 1209600)::float8))
        FROM generate_series(${from}::int, ${to}::int) AS g CROSS JOIN c CROSS JOIN (SELECT ${requests}::text[] AS texts) r,
          LATERAL (SELECT ${now}::timestamptz - make_interval(secs => ((hashint4(g * 8 + 4) & 2147483647) % 63072000)::float8) AS created) x`.execute(db);
    }
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      // Keyset over the tickets: one message each, from the requester, composed of 2–3 requests.
      const r = await sql<{ last: string | null; n: number }>`
        WITH page AS (SELECT id, requester_id, created_at FROM tickets WHERE workspace_id = ${ws} AND id > ${after}::uuid ORDER BY id LIMIT ${CHUNK}),
        ins AS (
          INSERT INTO messages (id, workspace_id, ticket_id, author_id, visibility, channel, body_text, created_at)
          SELECT gen_random_uuid(), ${ws}, p.id, p.requester_id, 'public', 'email',
            concat_ws(' ', g.greetings[1 + (hashint4(hashtext(p.id::text)) & 2147483647) % 5],
              r.texts[1 + (hashint4(hashtext(p.id::text) + 1) & 2147483647) % array_length(r.texts, 1)],
              r.texts[1 + (hashint4(hashtext(p.id::text) + 2) & 2147483647) % array_length(r.texts, 1)],
              CASE WHEN hashtext(p.id::text) % 2 = 0 THEN r.texts[1 + (hashint4(hashtext(p.id::text) + 3) & 2147483647) % array_length(r.texts, 1)] END,
              g.closings[1 + (hashint4(hashtext(p.id::text) + 4) & 2147483647) % 5]),
            p.created_at
          FROM page p CROSS JOIN (SELECT ${requests}::text[] AS texts) r CROSS JOIN (SELECT ${GREETINGS}::text[] AS greetings, ${CLOSINGS}::text[] AS closings) g
          RETURNING 1)
        SELECT (SELECT max(id::text) FROM page) AS last, (SELECT count(*)::int FROM ins) AS n`.execute(db);
      const row = r.rows[0]!;
      if (!row.last) break;
      after = row.last;
    }
    const indexS = (performance.now() - t0) / 1000;
    await sql`ANALYZE`.execute(db);
    return { ...(await measure(db, deps, ws, admin.id)), tickets, indexS };
  } finally {
    await database.close();
  }
}

/** The searches, timed, on a made (or reused) bench database. */
async function measure(db: Kysely<any>, deps: ReturnType<typeof benchDeps>, ws: string, adminId: string): Promise<Omit<Figures, 'tickets' | 'indexS'>> {
  {
    // The hourly maintenance samples the term statistics of a workspace that has none (or whose corpus changed much).
    const s0 = performance.now();
    const refreshed = await runMaintenance(deps);
    console.log(`maintenance (term statistics of ${refreshed.searchStats} workspace(s)): ${((performance.now() - s0) / 1000).toFixed(1)} s`);
    const docs = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM search_documents WHERE workspace_id = ${ws} AND kind IN ('ticket', 'message')`.execute(db)).rows[0]!.n);

    // The queries.
    const counts = wordCounts();
    const words = [...counts.keys()];
    const stems = new Map(
      (await sql<{ w: string; l: string[] | null }>`SELECT w, ts_lexize('english_stem', w) AS l FROM unnest(${words}::text[]) AS w`.execute(db)).rows.map((x) => [x.w, x.l?.length ? x.l[0]! : null]),
    );
    const rare = words.filter((w) => counts.get(w) === 1 && stems.get(w)).sort();
    const common = words.filter((w) => stems.get(w)).sort((a, b) => counts.get(b)! - counts.get(a)! || a.localeCompare(b)).slice(0, 30);
    const sets: Record<Kind, string[]> = { rare: pick(rare, QUERIES, 1), common: pick(common, QUERIES, 2), question: pick(questions, QUERIES, 3) };

    const ctx: Ctx = { workspaceId: ws, actor: { type: 'user', userId: adminId, role: 'admin', name: 'Admin', organizationId: null, via: 'session' }, requestId: 'bench' };
    const lat = { rare: [], common: [], question: [] } as Record<Kind, number[]>;
    const anyShare = { rare: 0, common: 0, question: 0 } as Record<Kind, number>;
    const emptyShare = { rare: 0, common: 0, question: 0 } as Record<Kind, number>;
    // Warm-up: a few of each kind, not counted.
    for (const k of Object.keys(sets) as Kind[]) for (const q of sets[k].slice(0, 3)) await search(deps, ctx, { q, match: 'auto', limit: 10 });
    for (let i = 0; i < QUERIES; i++) {
      for (const k of Object.keys(sets) as Kind[]) {
        const q = sets[k][i];
        if (!q) continue;
        const s = performance.now();
        const r = await search(deps, ctx, { q, match: 'auto', limit: 10 });
        lat[k].push(performance.now() - s);
        if (r.matched === 'any') anyShare[k]++;
        if (!r.items.length) emptyShare[k]++;
      }
    }
    for (const k of Object.keys(sets) as Kind[]) {
      anyShare[k] /= Math.max(lat[k].length, 1);
      emptyShare[k] /= Math.max(lat[k].length, 1);
    }
    return { docs, lat, anyShare, emptyShare };
  }
}

const results = new Map<DbKind, Figures>();
for (const kind of kinds) results.set(kind, await run(kind, kind === 'pg' ? TICKETS : PGLITE_TICKETS));

const ms = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
console.log(`\nsearch-latency: top-10 searches as staff, ${QUERIES} queries per kind (load average ${await loadAverage()})`);
console.log('| database | tickets | search documents | indexing (docs/s) | kind | p50 (ms) | p95 (ms) | p99 (ms) | fell back to any word | no result |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [k, r] of results) {
  for (const kind of ['rare', 'common', 'question'] as Kind[]) {
    const l = r.lat[kind];
    console.log(
      `| ${dbLabel(k)} | ${r.tickets} | ${r.docs} | ${(r.docs / r.indexS).toFixed(0)} | ${kind} | ${ms(quantile(l, 0.5))} | ${ms(quantile(l, 0.95))} | ${ms(quantile(l, 0.99))} | ${(100 * r.anyShare[kind]).toFixed(0)}% | ${(100 * r.emptyShare[kind]).toFixed(0)}% |`,
    );
  }
}
const headKind: DbKind = results.has('pg') ? 'pg' : kinds[0]!;
const h = results.get(headKind)!;
const p95 = (k: Kind) => ms(quantile(h.lat[k], 0.95));
const pl = results.get('pglite');
console.log(
  `search-latency: rare_p95_ms=${p95('rare')} common_p95_ms=${p95('common')} question_p95_ms=${p95('question')} index_docs_per_s=${(h.docs / h.indexS).toFixed(0)} tickets=${h.tickets}` +
    (headKind === 'pg' && pl ? ` pglite_tickets=${pl.tickets} pglite_rare_p95_ms=${ms(quantile(pl.lat.rare, 0.95))} pglite_common_p95_ms=${ms(quantile(pl.lat.common, 0.95))} pglite_question_p95_ms=${ms(quantile(pl.lat.question, 0.95))}` : '') +
    (headKind !== 'pg' ? ` db=${headKind}` : ''),
);
