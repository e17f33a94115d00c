/**
 * `npm run bench -- web [--quick] [--tickets=N] [--samples=N] [--deep=N] [--loads=N] [--explain] [--keep | --reuse=URL]`:
 * the agent inbox at scale, on PostgreSQL.
 *
 * A fresh PostgreSQL database (dropped at the end) gets a Guichet server process (`--roles=web`,
 * the demo workspace seeded as `npm start` does), then N tickets (default 1,000,000; --quick
 * 20,000) are written into that workspace by set-based SQL, one statement per chunk that writes
 * the tickets, their messages, their `ticket.created` events and their search documents
 * together (as the product's creation statement does). What they are made of (bench/lib/datasets.ts):
 * - subjects and first messages: bank-support requests (with the team that handled them),
 *   Banking77 requests, StackFAQ questions and the text of real e-mails (../shared/datasets/emails);
 * - agents' public replies on a share of the solved and closed StackFAQ tickets: the StackFAQ answers;
 * - 40 agents in the bank-support teams (agents.csv), the demo's staff and admin among them;
 *   50,000 customers, some of whom write far more than others;
 * - three years of history growing towards now: most tickets closed, a backlog of new, open,
 *   pending and on-hold tickets in the last weeks, statuses, priorities, channels, tags and
 *   assignees spread as a busy help desk has them. Ticket numbers follow creation time.
 * For speed, the bulk statements run without triggers and foreign-key checks
 * (session_replication_role = replica; the rows are consistent by construction) and write the
 * search documents the triggers of migration 0004 would write, set-based; the event NOTIFY does
 * not fire (the server would otherwise receive a million notifications); the GIN indexes are
 * built again after the load. Then the tables are vacuumed and analysed, as autovacuum would
 * have done in a real workspace.
 *
 * Then, through HTTP to the server as the demo admin (session cookie), one request at a time:
 * - GET /api/v1/tickets first pages (100 rows, as the web app asks) of the inbox views (mine,
 *   unassigned, my teams, all open, recently updated, all) and of filtered lists (status +
 *   priority + tag, a team, an assignee, a channel and language), and GET /api/v1/tickets/counts
 *   (the live counts in the sidebar), interleaved, p50/p95;
 * - deep pages: the cursor of page `--deep` (default 500; --quick 20) of "all tickets" and of
 *   "closed" (reached by following nextCursor from page 1), then that page, p50/p95;
 * - in Chromium (Debian's /usr/bin/chromium through playwright-core), already signed in: the
 *   time from navigation to the first inbox rows, and until the inbox answers a key (j moves the
 *   cursor to the second row); a fresh browser context for each load (no cache), median of
 *   `--loads` (default 5; --quick 3);
 * - the initial JavaScript: what apps/web/dist/index.html loads (module scripts and
 *   modulepreloads), gzip level 9, as the browser receives it compressed.
 * `--explain` prints EXPLAIN ANALYZE of the list and count statements the server sends (the plans
 * to read when a figure misses its goal). Goals on this 2-core machine: inbox API p95 < 50 ms,
 * usable < 1.5 s, initial JS ≤ 250 kB gzip.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { simpleParser } from 'mailparser';
import { createPgDatabase } from '@guichet/db/testing';
import { ticketSequenceName } from '@guichet/db';
import { parseCsv } from '../lib/csv.ts';
import { datasetDir, repoRoot } from '../lib/datasets.ts';
import { childEnv, cleanupStack, startNode, type Child } from '../lib/processes.ts';
import { loadAverage, numArg, quantile } from '../lib/product.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const explain = args.includes('--explain');
const keep = args.includes('--keep');
const reuse = args.find((a) => a.startsWith('--reuse='))?.slice('--reuse='.length) ?? null;
const intArg = (name: string, fallback: number) => Math.round(numArg(args, name, fallback));
const TICKETS = intArg('tickets', quick ? 20_000 : 1_000_000);
const SAMPLES = intArg('samples', quick ? 15 : 60);
const DEEP = intArg('deep', quick ? 20 : 500);
const LOADS = intArg('loads', quick ? 3 : 5);
const PAGE = 100;
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const progress = (line: string) => console.error(`# ${line}`);

// ---------------------------------------------------------------- the texts

interface Source {
  subject: string;
  body: string;
  reply: string;
  /** The bank-support team that handled it, when known. */
  team: string;
  kind: 'bank' | 'banking77' | 'stackfaq' | 'email';
}

const clean = (s: string, max: number) => s.replace(/[\u0000]/g, '').replace(/[ \t]+/g, ' ').replace(/\n{3,}/g, '\n\n').trim().slice(0, max);
const oneLine = (s: string, max: number) => s.replace(/\s+/g, ' ').trim().slice(0, max);

async function loadSources(): Promise<{ sources: Source[]; agents: Array<{ agent: string; team: string }> }> {
  const sources: Source[] = [];
  const bank = datasetDir('bank-support');
  for (const r of parseCsv(readFileSync(join(bank, 'history.csv'), 'utf8'))) {
    const subject = oneLine(r.subject ?? '', 200);
    if (subject) sources.push({ subject, body: clean(r.body || subject, 4000), reply: '', team: r.team ?? '', kind: 'bank' });
  }
  for (const r of parseCsv(readFileSync(join(datasetDir('banking77'), 'train.csv'), 'utf8'))) {
    const text = oneLine(r.text ?? '', 200);
    if (text) sources.push({ subject: text, body: text, reply: '', team: '', kind: 'banking77' });
  }
  // StackFAQ: each question (queries) is answered by its topic's answers (corpus, same tNNN).
  const faq = datasetDir('stackfaq');
  const jsonl = (f: string) => readFileSync(join(faq, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; title?: string; text: string });
  const answers = new Map<string, { title: string; texts: string[] }>();
  for (const a of jsonl('corpus.jsonl')) {
    const topic = a.id.slice(1, 4);
    const e = answers.get(topic) ?? { title: a.title ?? '', texts: [] };
    e.texts.push(clean(a.text, 4000));
    answers.set(topic, e);
  }
  for (const q of jsonl('queries.jsonl')) {
    const topic = answers.get(q.id.slice(1, 4));
    const text = oneLine(q.text, 200);
    if (!text) continue;
    const reply = topic?.texts[Number(q.id.slice(-2)) % topic.texts.length] ?? '';
    sources.push({ subject: text, body: topic?.title && topic.title !== text ? `${text}\n\n${topic.title}` : text, reply, team: '', kind: 'stackfaq' });
  }
  // E-mails that would become tickets (no bounces, auto-replies, reports): subject and text.
  const emails = datasetDir('emails');
  const manifest = new Map(readFileSync(join(emails, 'manifest.tsv'), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split('\t') as [string, string]));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (manifest.has(relative(emails, p))) files.push(p);
    }
  };
  walk(emails);
  for (const p of files) {
    const category = manifest.get(relative(emails, p))!;
    if (/^(bounce|auto-reply|feedback-report|read-receipt|not-a-bounce)/.test(category) || statSync(p).size > 512 * 1024) continue;
    try {
      const m = await simpleParser(readFileSync(p));
      const subject = oneLine(m.subject ?? '', 200);
      const text = clean(m.text ?? '', 4000);
      if (subject && text.length >= 20) sources.push({ subject, body: text, reply: '', team: '', kind: 'email' });
    } catch {
      // an e-mail the parser refuses is not a ticket
    }
  }
  const agents = parseCsv(readFileSync(join(bank, 'agents.csv'), 'utf8')).map((r) => ({ agent: r.agent ?? '', team: r.team ?? '' })).filter((a) => a.agent && a.team);
  return { sources, agents };
}

const FIRST = ['Marie', 'Lucas', 'Emma', 'Hugo', 'Chloé', 'Louis', 'Léa', 'Jules', 'Sarah', 'Tom', 'Alice', 'Noah', 'Inès', 'Paul', 'Zoé', 'Adam', 'Julia', 'Ben', 'Nora', 'Sam', 'Olivia', 'Amir', 'Yuki', 'Mateo', 'Aisha', 'Ivan', 'Fatima', 'Lars', 'Priya', 'Diego'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Smith', 'Jones', 'Taylor', 'Brown', 'Wilson', 'Evans', 'Garcia', 'Müller', 'Rossi', 'Novak', 'Kowalski', 'Silva', 'Haddad', 'Okafor', 'Nguyen', 'Tanaka'];
/** Tags, most used first (the draw is skewed towards the head). */
const TAGS = ['card', 'refund', 'transfer', 'fees', 'vip', 'top-up', 'login', 'fraud', 'exchange-rate', 'pending-payment', 'atm', 'identity', 'declined', 'chargeback', 'pin', 'statement', 'contactless', 'apple-pay', 'limits', 'closure', 'complaint', 'mobile-app', 'bug', 'feedback'];

// ---------------------------------------------------------------- the data

interface Workspace {
  id: string;
  adminId: string;
  myTeamId: string;
  otherTeamId: string;
  agentId: string;
}

/** Write the data into the demo workspace; the seconds it took. */
async function generate(client: pg.Client, n: number): Promise<number> {
  const t0 = performance.now();
  const { sources, agents } = await loadSources();
  const kinds = ['bank', 'banking77', 'stackfaq', 'email'] as const;
  const byKind = kinds.map((k) => sources.filter((s) => s.kind === k));
  const ordered = byKind.flat();
  progress(`texts: ${kinds.map((k, i) => `${byKind[i]!.length} ${k}`).join(', ')}`);

  const q = (text: string, values: unknown[] = []) => client.query(text, values);
  const ws = (await q(`SELECT id FROM workspaces WHERE slug = 'demo'`)).rows[0]?.id as string | undefined;
  if (!ws) throw new Error('the demo workspace is missing (the server seeds it at its first start)');
  const adminId = (await q(`SELECT id FROM users WHERE workspace_id = $1 AND role = 'admin' ORDER BY created_at LIMIT 1`, [ws])).rows[0].id as string;
  const now = new Date();

  // Teams of the bank-support data set with its 40 agents; the admin works in the first.
  const teamNames = [...new Set(agents.map((a) => a.team))];
  const teamIds = new Map<string, string>();
  for (const name of teamNames) {
    const label = name[0]!.toUpperCase() + name.slice(1);
    const r = await q(
      `INSERT INTO teams (id, workspace_id, name, description, created_at, updated_at) VALUES (gen_random_uuid(), $1, $2, $3, $4, $4) RETURNING id`,
      [ws, `${label} (bank)`, `Bank support: ${name}`, now],
    );
    teamIds.set(name, r.rows[0].id);
  }
  const staff: Array<{ team: string; user: string }> = [];
  for (const [i, a] of agents.entries()) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i * 7) % LAST.length]!;
    const r = await q(
      `INSERT INTO users (id, workspace_id, role, email, name, locale, time_zone, languages, capacity, created_at, updated_at)
       VALUES (gen_random_uuid(), $1, 'agent', $2, $3, $4, 'Europe/Paris', '{en,fr}', 40, $5, $5) RETURNING id`,
      [ws, `${a.agent}@bank.guichet.test`, `${first} ${last}`, i % 3 ? 'en' : 'fr', now],
    );
    staff.push({ team: a.team, user: r.rows[0].id });
  }
  staff.push({ team: teamNames[0]!, user: adminId });
  staff.sort((a, b) => a.team.localeCompare(b.team));
  for (const s of staff) await q(`INSERT INTO team_members (workspace_id, team_id, user_id, is_lead) VALUES ($1, $2, $3, false)`, [ws, teamIds.get(s.team), s.user]);

  // Helper tables for the generating statements (dropped afterwards): hash joins on an index
  // number, since subscripting a big text[] walks it from the start for each row.
  await q(`CREATE UNLOGGED TABLE bench_texts (i int PRIMARY KEY, subject text, body text, reply text, team_id uuid)`);
  await q(
    `INSERT INTO bench_texts SELECT o - 1, s, b, nullif(r, ''), t FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[]) WITH ORDINALITY AS x(s, b, r, t, o)`,
    [ordered.map((s) => s.subject), ordered.map((s) => s.body), ordered.map((s) => s.reply), ordered.map((s) => teamIds.get(s.team) ?? null)],
  );
  await q(`CREATE UNLOGGED TABLE bench_staff (i int PRIMARY KEY, team_id uuid, user_id uuid)`);
  await q(`INSERT INTO bench_staff SELECT o - 1, t, u FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS x(t, u, o)`, [
    staff.map((s) => teamIds.get(s.team)),
    staff.map((s) => s.user),
  ]);
  // Per team, the range of its members in bench_staff (members are contiguous once sorted by team).
  await q(`CREATE UNLOGGED TABLE bench_team_staff AS SELECT team_id, min(i) AS lo, count(*)::int AS n FROM bench_staff GROUP BY team_id`);
  await q(`CREATE UNLOGGED TABLE bench_teams AS SELECT (row_number() OVER (ORDER BY team_id) - 1)::int AS i, team_id FROM bench_team_staff`);

  const CUSTOMERS = Math.max(1000, Math.min(50_000, Math.round(n / 20)));
  await q(
    `INSERT INTO users (id, workspace_id, role, email, name, locale, time_zone, created_at, updated_at)
     SELECT gen_random_uuid(), $1, 'customer', lower(f.v || '.' || l.v) || g || '@client' || (g % 700) || '.example', f.v || ' ' || l.v,
       CASE WHEN g % 4 = 0 THEN 'fr' ELSE 'en' END, 'Europe/Paris', $2::timestamptz - make_interval(days => g % 1200), $2
     FROM generate_series(1, $3::int) AS g
     CROSS JOIN LATERAL (SELECT ($4::text[])[1 + g % array_length($4::text[], 1)] AS v) f
     CROSS JOIN LATERAL (SELECT ($5::text[])[1 + (g / 7) % array_length($5::text[], 1)] AS v) l`,
    [ws, now, CUSTOMERS, FIRST, LAST],
  );
  await q(`CREATE UNLOGGED TABLE bench_customers AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS i, id FROM users WHERE workspace_id = $1 AND role = 'customer'`, [ws]);
  await q(`ALTER TABLE bench_customers ADD PRIMARY KEY (i)`);
  await q(`ANALYZE bench_texts, bench_staff, bench_team_staff, bench_teams, bench_customers`);
  const nCustomers = Number((await q(`SELECT count(*) AS n FROM bench_customers`)).rows[0].n);

  // Ticket numbers follow the per-workspace sequence, in creation order.
  const seq = ticketSequenceName(ws);
  const base = Number((await q(`SELECT nextval($1::regclass) AS v`, [seq])).rows[0].v);
  // For the bulk load: the search-index triggers give way to set-based inserts of the same rows
  // (below, in each chunk's statement), the event NOTIFY trigger does not fire (nobody listens),
  // and the GIN indexes are dropped and built again at the end (much faster than row by row).
  // session_replication_role = replica: no triggers and no foreign-key checks in this session
  // (the rows are consistent by construction).
  await q(`SET synchronous_commit = off`);
  await q(`SET maintenance_work_mem = '256MB'`);
  await q(`SET session_replication_role = replica`);
  const ginIndexes = (
    await q(
      `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid JOIN pg_am am ON am.oid = i.relam
       WHERE c.relname IN ('tickets', 'messages', 'search_documents') AND am.amname = 'gin' AND c.relnamespace = 'public'::regnamespace`,
    )
  ).rows as Array<{ name: string; def: string }>;
  for (const ix of ginIndexes) await q(`DROP INDEX ${ix.name}`);
  const offsets = [0];
  for (const list of byKind) offsets.push(offsets[offsets.length - 1]! + list.length);
  const CHUNK = 50_000;
  const YEARS3 = 3 * 365 * 86400;
  try {
    for (let from = 1; from <= n; from += CHUNK) {
      const to = Math.min(n, from + CHUNK - 1);
      // h1…h9: independent pseudo-random draws per ticket (hashes of its index), in 0..999999.
      // Age: three years, twice as many tickets a day now as three years ago (the rate grows
      // linearly; age = 3y × (2 − √(4 − 3(1 − g/n))) inverts its cumulative share).
      await q(
        `WITH x AS MATERIALIZED (
          SELECT g, h.*, a.age, a.created,
            -- status by age: the backlog is recent
            CASE
              WHEN a.age < 2 * 86400 THEN (CASE WHEN h.h1 % 100 < 25 THEN 'new' WHEN h.h1 % 100 < 60 THEN 'open' WHEN h.h1 % 100 < 75 THEN 'pending' WHEN h.h1 % 100 < 80 THEN 'on_hold' ELSE 'solved' END)
              WHEN a.age < 30 * 86400 THEN (CASE WHEN h.h1 % 100 < 2 THEN 'new' WHEN h.h1 % 100 < 12 THEN 'open' WHEN h.h1 % 100 < 18 THEN 'pending' WHEN h.h1 % 100 < 21 THEN 'on_hold' WHEN h.h1 % 100 < 51 THEN 'solved' ELSE 'closed' END)
              ELSE (CASE WHEN h.h1 % 1000 < 2 THEN 'on_hold' WHEN h.h1 % 1000 < 4 THEN 'pending' WHEN h.h1 % 1000 < 6 THEN 'open' WHEN h.h1 % 1000 < 11 THEN 'solved' ELSE 'closed' END)
            END AS status,
            -- the text: bank-support 45%, Banking77 30%, StackFAQ 20%, e-mails 5%
            CASE WHEN h.h2 % 100 < 45 THEN $5::int + h.h3 % $6::int
                 WHEN h.h2 % 100 < 75 THEN $7::int + h.h3 % $8::int
                 WHEN h.h2 % 100 < 95 THEN $9::int + h.h3 % $10::int
                 ELSE $11::int + h.h3 % $12::int END AS text_i,
            -- requesters: a few customers write a lot (squared draw)
            ((h.h4::float8 / 1000000) ^ 2 * $13::int)::int AS cust_i
          FROM generate_series($1::int, $2::int) AS g
          CROSS JOIN LATERAL (SELECT ${Array.from({ length: 9 }, (_, k) => `(hashint4(g * 16 + ${k + 1}) & 2147483647) % 1000000 AS h${k + 1}`).join(', ')}) h
          CROSS JOIN LATERAL (SELECT floor(${YEARS3} * (2 - sqrt(4 - 3 * (1 - g::float8 / $3::int))))::int AS age) a0
          CROSS JOIN LATERAL (SELECT a0.age, $4::timestamptz - make_interval(secs => a0.age) AS created) a
        ),
        y AS MATERIALIZED (
          SELECT x.*, s.subject, s.body, s.reply, c.id AS requester_id,
            coalesce(s.team_id, tm.team_id) AS team_id,
            -- unassigned: most new tickets, few others
            CASE WHEN (x.status = 'new' AND x.h6 % 100 < 70) OR x.h6 % 100 < 6 THEN NULL
                 ELSE (SELECT st.user_id FROM bench_team_staff ts JOIN bench_staff st ON st.i = ts.lo + x.h7 % ts.n WHERE ts.team_id = coalesce(s.team_id, tm.team_id)) END AS assignee_id,
            (ARRAY['low','normal','normal','normal','normal','normal','normal','high','high','urgent'])[1 + x.h8 % 10] AS priority,
            (ARRAY['email','email','email','email','email','email','web','web','portal','portal','chat','chat','phone','api'])[1 + x.h9 % 14] AS channel,
            -- 0 to 3 distinct tags, the first ones of the list far more often
            CASE WHEN x.h5 % 100 < 35 THEN '{}'::text[]
              ELSE array_remove(ARRAY[tg.t1,
                CASE WHEN x.h5 % 100 >= 80 AND tg.t2 <> tg.t1 THEN tg.t2 END,
                CASE WHEN x.h5 % 100 >= 95 AND tg.t3 <> tg.t1 AND tg.t3 <> tg.t2 THEN tg.t3 END], NULL) END AS tags,
            -- when it last changed: closed ones within ten days of creation, the backlog since
            LEAST($4::timestamptz, x.created + make_interval(secs => CASE WHEN x.status IN ('solved', 'closed') THEN 3600 + x.h5 % 864000 ELSE (x.h5::float8 / 1000000) * x.age END)) AS updated,
            '7' || substr(md5(x.g::text), 1, 3) || '8' || substr(md5(x.g::text), 4, 15) AS tail
          FROM x
          JOIN bench_texts s ON s.i = x.text_i
          JOIN bench_customers c ON c.i = x.cust_i
          JOIN bench_teams tm ON tm.i = x.h7 % $14::int
          CROSS JOIN LATERAL (SELECT ${[1, 2, 3].map((k) => `($15::text[])[1 + floor(((hashint4(x.g * 4 + ${k}) & 2147483647) % 1000000 / 1000000.0) ^ 2.5 * array_length($15::text[], 1))::int] AS t${k}`).join(', ')}) tg
        ),
        t AS (
          INSERT INTO tickets (id, workspace_id, number, subject, status, priority, channel, requester_id, assignee_id, team_id, tags, custom_fields, language, created_at, updated_at, solved_at, closed_at)
          SELECT (lpad(to_hex((extract(epoch FROM y.created) * 1000)::bigint), 12, '0') || y.tail)::uuid, $16::uuid, $17::bigint + y.g,
            y.subject, y.status, y.priority, y.channel, y.requester_id, y.assignee_id, y.team_id, y.tags, '{}'::jsonb, 'en', y.created, y.updated,
            CASE WHEN y.status IN ('solved', 'closed') THEN y.updated END,
            CASE WHEN y.status = 'closed' THEN y.updated + interval '4 days' END
          FROM y ORDER BY y.g
          RETURNING id, requester_id, assignee_id, created_at, updated_at, status, number, subject, priority, channel, team_id, tags
        ),
        m AS (
          INSERT INTO messages (id, workspace_id, ticket_id, author_id, visibility, channel, body_text, created_at)
          SELECT gen_random_uuid(), $16::uuid, t.id, t.requester_id, 'public', t.channel, y.body, t.created_at FROM t JOIN y ON $17::bigint + y.g = t.number
          UNION ALL
          SELECT gen_random_uuid(), $16::uuid, t.id, t.assignee_id, 'public', t.channel, y.reply, t.created_at + (t.updated_at - t.created_at) / 2
          FROM t JOIN y ON $17::bigint + y.g = t.number
          WHERE y.reply IS NOT NULL AND t.assignee_id IS NOT NULL AND t.status IN ('solved', 'closed') AND y.h2 % 2 = 0
          RETURNING id, ticket_id, visibility, body_text, created_at
        ),
        -- The search documents the triggers of migration 0004 write for each ticket and message.
        lang AS (SELECT lower(left(coalesce('en', w.default_language, ''), 2)) AS l FROM workspaces w WHERE w.id = $16::uuid),
        sd AS (
          INSERT INTO search_documents (workspace_id, kind, ref_id, language, ticket_id, visibility, title, body, created_at, updated_at, tsv)
          SELECT $16::uuid, 'ticket', t.id, lang.l, t.id, 'public', t.subject, '', t.created_at, t.updated_at, guichet_search_vector(lang.l, t.subject, '') FROM t, lang
          UNION ALL
          SELECT $16::uuid, 'message', m.id, lang.l, m.ticket_id, m.visibility, '', left(m.body_text, 200000), m.created_at, m.created_at, guichet_search_vector(lang.l, '', m.body_text) FROM m, lang
          RETURNING 1
        ),
        e AS (
          INSERT INTO events (workspace_id, subject_type, subject_id, actor_type, actor_id, type, data, request_id, created_at)
          SELECT $16::uuid, 'ticket', t.id, 'user', t.requester_id, 'ticket.created',
            jsonb_build_object('subject', t.subject, 'status', 'new', 'priority', t.priority, 'channel', t.channel, 'requesterId', t.requester_id,
              'assigneeId', NULL, 'teamId', t.team_id, 'tags', t.tags, 'customFields', '{}'::jsonb, 'language', 'en', 'categoryId', NULL),
            'bench', t.created_at
          FROM t
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM m) AS messages, (SELECT count(*) FROM e) AS events, (SELECT count(*) FROM sd) AS docs`,
        [
          from, to, n, now,
          offsets[0], byKind[0]!.length, offsets[1], byKind[1]!.length, offsets[2], byKind[2]!.length, offsets[3], Math.max(1, byKind[3]!.length),
          nCustomers - 1, teamNames.length, TAGS, ws, base - 1,
        ],
      );
      if (to === n || (to / CHUNK) % 4 === 0) progress(`${to.toLocaleString('en-US')} tickets written (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await q(`SET session_replication_role = DEFAULT`);
    const t1 = performance.now();
    for (const ix of ginIndexes) await q(ix.def);
    progress(`${ginIndexes.length} GIN indexes built again in ${((performance.now() - t1) / 1000).toFixed(0)} s`);
  }
  await q(`SELECT setval($1::regclass, $2::bigint)`, [seq, base - 1 + n]);
  await q(`DROP TABLE bench_texts, bench_staff, bench_team_staff, bench_teams, bench_customers`);
  await q(`VACUUM ANALYZE tickets, messages, events, search_documents, users`);
  return (performance.now() - t0) / 1000;
}

/** The workspace the lists are read in, and what it holds. */
async function describe(client: pg.Client): Promise<{ workspace: Workspace; counts: Record<string, number> }> {
  const one = async (text: string, values: unknown[]) => (await client.query(text, values)).rows[0];
  const ws = (await one(`SELECT id FROM workspaces WHERE slug = 'demo'`, [])).id as string;
  const adminId = (await one(`SELECT id FROM users WHERE workspace_id = $1 AND role = 'admin' ORDER BY created_at LIMIT 1`, [ws])).id as string;
  const bankTeams = `SELECT id FROM teams WHERE workspace_id = $1 AND name LIKE '% (bank)'`;
  const myTeamId = (await one(`SELECT team_id AS id FROM team_members WHERE user_id = $2 AND team_id IN (${bankTeams})`, [ws, adminId])).id as string;
  const otherTeamId = (await one(`${bankTeams} AND id <> $2 ORDER BY name LIMIT 1`, [ws, myTeamId])).id as string;
  const agentId = (await one(`SELECT user_id AS id FROM team_members WHERE team_id = $1 ORDER BY user_id LIMIT 1`, [otherTeamId])).id as string;
  const counts: Record<string, number> = {};
  for (const [k, text] of Object.entries({
    tickets: `SELECT count(*) FROM tickets WHERE workspace_id = $1`,
    open: `SELECT count(*) FROM tickets WHERE workspace_id = $1 AND status IN ('new', 'open', 'pending', 'on_hold')`,
    messages: `SELECT count(*) FROM messages WHERE workspace_id = $1`,
    events: `SELECT count(*) FROM events WHERE workspace_id = $1`,
    search_documents: `SELECT count(*) FROM search_documents WHERE workspace_id = $1`,
    customers: `SELECT count(*) FROM users WHERE workspace_id = $1 AND role = 'customer'`,
  })) {
    counts[k] = Number((await one(text, [ws])).count);
  }
  return { workspace: { id: ws, adminId, myTeamId, otherTeamId, agentId }, counts };
}

// ---------------------------------------------------------------- measuring

const cleanups = cleanupStack('stopping the server and dropping the database');

interface Timed {
  label: string;
  ms: number[];
  rows: number;
}

class Api {
  constructor(
    private readonly base: string,
    private readonly cookie: string,
  ) {}
  async get(path: string): Promise<{ ms: number; body: any }> {
    const t = performance.now();
    const res = await fetch(`${this.base}/api/v1${path}`, { headers: { cookie: this.cookie } });
    const text = await res.text();
    const ms = performance.now() - t;
    if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return { ms, body: JSON.parse(text) };
  }
}

const OPEN = 'status=new,open,pending,on_hold';

function lists(w: Workspace): Array<{ label: string; path: string }> {
  const recent = new Date(Date.now() - 24 * 3_600_000).toISOString();
  return [
    { label: 'view: mine', path: `/tickets?assigneeId=me&${OPEN}&sort=updated_at` },
    { label: 'view: unassigned', path: `/tickets?assigneeId=none&${OPEN}&sort=created_at&order=asc` },
    { label: 'view: my teams', path: `/tickets?teamId=mine&${OPEN}&sort=updated_at` },
    { label: 'view: all open', path: `/tickets?${OPEN}&sort=updated_at` },
    { label: 'view: recently updated', path: `/tickets?updatedAfter=${encodeURIComponent(recent)}&sort=updated_at` },
    { label: 'view: all', path: `/tickets?sort=created_at` },
    { label: 'filter: open+pending, high+urgent, tag refund', path: `/tickets?status=open,pending&priority=high,urgent&tag=refund&sort=updated_at` },
    { label: 'filter: a team, all open', path: `/tickets?teamId=${w.otherTeamId}&${OPEN}&sort=updated_at` },
    { label: 'filter: an agent, any status', path: `/tickets?assigneeId=${w.agentId}&sort=updated_at` },
    { label: 'filter: chat, English, by priority', path: `/tickets?channel=chat&language=en&${OPEN}&sort=priority` },
  ].map((l) => ({ ...l, path: `${l.path}&limit=${PAGE}` }));
}

async function measureLists(api: Api, w: Workspace): Promise<{ first: Timed[]; counts: Timed; deep: Timed[] }> {
  const first = lists(w).map((l) => ({ ...l, ms: [] as number[], rows: 0 }));
  const counts: Timed = { label: 'GET /tickets/counts', ms: [], rows: 5 };
  // Warm-up (not counted): each once.
  for (const l of first) await api.get(l.path);
  await api.get('/tickets/counts');
  for (let i = 0; i < SAMPLES; i++) {
    for (const l of first) {
      const r = await api.get(l.path);
      l.ms.push(r.ms);
      l.rows = r.body.items.length;
    }
    counts.ms.push((await api.get('/tickets/counts')).ms);
  }

  // Deep pages: follow nextCursor DEEP − 1 times, then time that page.
  const deep: Timed[] = [];
  for (const d of [
    { label: `all, page ${DEEP}`, path: `/tickets?sort=created_at&limit=${PAGE}` },
    { label: `closed, page ${DEEP}`, path: `/tickets?status=closed&sort=updated_at&limit=${PAGE}` },
  ]) {
    let cursor: string | null = null;
    const seen = new Set<string>();
    let page = 1;
    for (; page < DEEP; page++) {
      const r = await api.get(`${d.path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      for (const t of r.body.items) {
        if (seen.has(t.id)) throw new Error(`${d.label}: ticket ${t.number} came twice while paging`);
        seen.add(t.id);
      }
      cursor = r.body.nextCursor;
      if (!cursor) break;
    }
    if (!cursor) {
      progress(`${d.label}: the list ends at page ${page}`);
      continue;
    }
    const path = `${d.path}&cursor=${encodeURIComponent(cursor)}`;
    const t: Timed = { label: d.label, ms: [], rows: 0 };
    await api.get(path);
    for (let i = 0; i < SAMPLES; i++) {
      const r = await api.get(path);
      t.ms.push(r.ms);
      t.rows = r.body.items.length;
    }
    deep.push(t);
  }
  return { first, counts, deep };
}

/** Navigation start → first inbox rows, and → the inbox answers j (the cursor on the second row). */
/** The requests of the load, in the order the app makes them: when each had its answer. */
const MILESTONES: Array<[string, RegExp]> = [
  ['script', /\/assets\/[^/]+\.js$/],
  ['/auth/me', /\/api\/v1\/auth\/me$/],
  ['/users', /\/api\/v1\/users\?/],
  ['/tickets', /\/api\/v1\/tickets\?/],
  ['/tickets/counts', /\/api\/v1\/tickets\/counts$/],
];

async function measureBrowser(base: string, cookie: string): Promise<{ rowsMs: number[]; usableMs: number[]; milestones: Map<string, number[]> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const [name, value] = [cookie.slice(0, cookie.indexOf('=')), cookie.slice(cookie.indexOf('=') + 1)];
  const rowsMs: number[] = [];
  const usableMs: number[] = [];
  const milestones = new Map<string, number[]>(MILESTONES.map(([k]) => [k, []]));
  try {
    for (let i = 0; i < LOADS + 1; i++) {
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 860 } });
      await context.addCookies([{ name, value, url: base }]);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(`${base}/`, { waitUntil: 'commit' });
        await page.locator('.trow').first().waitFor({ timeout: 60_000 });
        const rows = await page.evaluate('performance.now()');
        await page.keyboard.press('j');
        await page.locator('.trow.active').nth(0).waitFor({ timeout: 30_000 });
        await page.waitForFunction('(() => { const r = document.querySelectorAll(".trow"); return r.length > 1 && r[1].classList.contains("active"); })()', undefined, { timeout: 30_000 });
        const usable = await page.evaluate('performance.now()');
        if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
        // The first load only warms the server (its caches, the JIT); the rest are counted.
        if (i > 0) {
          rowsMs.push(Number(rows));
          usableMs.push(Number(usable));
          const entries = (await page.evaluate('performance.getEntriesByType("resource").map((e) => [e.name, e.responseEnd])')) as Array<[string, number]>;
          for (const [k, re] of MILESTONES) {
            const hit = entries.find(([url]) => re.test(url));
            if (hit) milestones.get(k)!.push(hit[1]);
          }
        }
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  return { rowsMs, usableMs, milestones };
}

/** What index.html loads at once: module scripts and modulepreloads, their gzip size. */
function initialJs(): { files: string[]; raw: number; gzip: number } {
  const dist = join(repoRoot, 'apps/web/dist');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const srcs = [
    ...[...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!),
    ...[...html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]!),
  ];
  let raw = 0;
  let gzip = 0;
  for (const s of srcs) {
    const bytes = readFileSync(join(dist, s.replace(/^\//, '')));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { files: srcs, raw, gzip };
}

async function explainPlans(client: pg.Client, w: Workspace): Promise<void> {
  const open = `status IN ('new', 'open', 'pending', 'on_hold')`;
  const select = `SELECT t.*, r.name, r.email FROM tickets t JOIN users r ON r.id = t.requester_id WHERE t.workspace_id = $1`;
  const plans: Array<[string, string, unknown[]]> = [
    ['mine', `${select} AND t.${open} AND t.assignee_id = $2 ORDER BY t.updated_at DESC, t.id DESC LIMIT 101`, [w.id, w.adminId]],
    ['unassigned', `${select} AND t.${open} AND t.assignee_id IS NULL ORDER BY t.created_at ASC, t.id ASC LIMIT 101`, [w.id]],
    ['all open', `${select} AND t.${open} ORDER BY t.updated_at DESC, t.id DESC LIMIT 101`, [w.id]],
    ['filter', `${select} AND t.status IN ('open', 'pending') AND t.priority IN ('high', 'urgent') AND t.tags @> '{refund}' ORDER BY t.updated_at DESC, t.id DESC LIMIT 101`, [w.id]],
    ['an agent, any status', `${select} AND t.assignee_id = $2 ORDER BY t.updated_at DESC, t.id DESC LIMIT 101`, [w.id, w.agentId]],
    ['closed, deep page', `${select} AND t.status = 'closed' AND (t.updated_at, t.id) < (now() - interval '200 days', '00000000-0000-0000-0000-000000000000') ORDER BY t.updated_at DESC, t.id DESC LIMIT 101`, [w.id]],
    // As KyselyTicketRepository.countViews sends it.
    ['counts', `SELECT count(*) FILTER (WHERE assignee_id = $2), count(*) FILTER (WHERE assignee_id IS NULL), count(*) FILTER (WHERE team_id = $3), count(*),
      (SELECT count(*) FROM tickets r WHERE r.workspace_id = $1 AND r.updated_at >= now() - interval '1 day') FROM tickets WHERE workspace_id = $1 AND ${open}`, [w.id, w.adminId, w.myTeamId]],
  ];
  for (const [label, text, values] of plans) {
    const r = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
    console.log(`\nEXPLAIN ANALYZE ${label}:\n${r.rows.map((x) => x['QUERY PLAN']).join('\n')}`);
  }
}

// ---------------------------------------------------------------- main

const fmt = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'guichet-bench-web-'));
  cleanups.defer(async () => rmSync(tmp, { recursive: true, force: true }));
  // --keep leaves the database (and prints its URL) for --reuse=URL, which measures it again
  // without generating (for instance after a change to the queries or a new migration).
  const created = reuse ? { url: reuse, drop: async () => {} } : await createPgDatabase('guichet_bench_web');
  if (keep && !reuse) progress(`--keep: the database stays at ${created.url} (drop it when done)`);
  else if (!reuse) cleanups.defer(() => created.drop());
  // A fixed password, so that --reuse signs in to a database an earlier run kept (loopback only).
  const password = 'bench-web-admin-password';
  const server: Child = await startNode(join(repoRoot, 'apps/server/src/main.ts'), {
    cwd: repoRoot,
    env: childEnv({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: created.url, GUICHET_DATA_DIR: join(tmp, 'data'), GUICHET_ADMIN_PASSWORD: password, GUICHET_ROLES: 'web', LOG_LEVEL: 'warn' }),
    ready: /Guichet is running at (http:\/\/\S+) on/,
    timeoutMs: 180_000,
  });
  cleanups.defer(() => server.stop());
  const base = server.match[1]!;

  const client = new pg.Client({ connectionString: created.url });
  await client.connect();
  // Ending the client waits for a running statement: after 2 s, the drop (WITH FORCE) ends it.
  cleanups.defer(() => Promise.race([client.end(), new Promise<void>((r) => setTimeout(r, 2000))]));
  const seconds = reuse ? NaN : await generate(client, TICKETS);
  if (!reuse) progress(`data made in ${seconds.toFixed(0)} s`);
  const { workspace, counts } = await describe(client);

  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.guichet.test', password }),
  });
  if (login.status !== 200) throw new Error(`sign-in failed: HTTP ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const api = new Api(base, cookie);

  if (explain) await explainPlans(client, workspace);
  const measured = await measureLists(api, workspace);
  progress('API measured');
  const browser = await measureBrowser(base, cookie);
  progress('browser measured');
  const js = initialJs();

  const rowsOut = [['list', 'rows', 'p50 ms', 'p95 ms', 'max ms']];
  for (const t of [...measured.first, measured.counts, ...measured.deep]) {
    rowsOut.push([t.label, String(t.rows), fmt(quantile(t.ms, 0.5)), fmt(quantile(t.ms, 0.95)), fmt(Math.max(...t.ms))]);
  }
  const widths = rowsOut[0]!.map((_, c) => Math.max(...rowsOut.map((r) => r[c]!.length)));
  const table = rowsOut.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');

  const firstAll = measured.first.flatMap((t) => t.ms);
  const worstFirst = Math.max(...measured.first.map((t) => quantile(t.ms, 0.95)));
  const deepAll = measured.deep.flatMap((t) => t.ms);
  const usable = quantile(browser.usableMs, 0.5);
  console.log(
    `\nweb: the inbox on PostgreSQL with ${counts.tickets!.toLocaleString('en-US')} tickets (${counts.open!.toLocaleString('en-US')} not solved), ` +
      `${counts.messages!.toLocaleString('en-US')} messages, ${counts.events!.toLocaleString('en-US')} events, ${counts.search_documents!.toLocaleString('en-US')} search documents, ` +
      `${counts.customers!.toLocaleString('en-US')} customers; ${reuse ? 'reused' : `generated in ${seconds.toFixed(0)} s`}${quick ? ' (--quick)' : ''} (load average ${await loadAverage()})`,
  );
  console.log(`GET /api/v1/tickets (${PAGE} rows a page) and /tickets/counts as the admin over HTTP, one request at a time, ${SAMPLES} samples each, interleaved:\n`);
  console.log(table);
  console.log(
    `\nfirst pages, all lists together: p50 ${fmt(quantile(firstAll, 0.5))} ms, p95 ${fmt(quantile(firstAll, 0.95))} ms; worst list p95 ${fmt(worstFirst)} ms (goal < 50 ms)`,
  );
  console.log(
    `Chromium, signed in, ${LOADS} fresh loads of / (the "mine" view): first rows p50 ${fmt(quantile(browser.rowsMs, 0.5))} ms, ` +
      `usable (answers j) p50 ${fmt(usable)} ms, max ${fmt(Math.max(...browser.usableMs))} ms (goal < 1500 ms)`,
  );
  console.log(`  answers received (p50 ms after navigation): ${[...browser.milestones].filter(([, v]) => v.length).map(([k, v]) => `${k} ${fmt(quantile(v, 0.5))}`).join(', ')}`);
  console.log(`initial JavaScript: ${js.files.join(', ')}: ${(js.raw / 1024).toFixed(0)} kB, ${(js.gzip / 1024).toFixed(1)} kB gzip -9 (goal ≤ 250 kB)`);
  console.log(
    `web: inbox_p95_ms=${fmt(worstFirst)} deep_page_p95_ms=${fmt(quantile(deepAll, 0.95))} usable_ms=${fmt(usable)} js_gzip_kb=${(js.gzip / 1024).toFixed(1)} ` +
      `counts_p95_ms=${fmt(quantile(measured.counts.ms, 0.95))} inbox_all_p50_ms=${fmt(quantile(firstAll, 0.5))} ${reuse ? '' : `generate_s=${seconds.toFixed(0)} `}tickets=${counts.tickets}`,
  );
}

try {
  await main();
} finally {
  await cleanups.run();
}
