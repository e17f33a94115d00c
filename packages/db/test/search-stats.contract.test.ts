/**
 * Search with term statistics (migration 0015): frequent words weighed by an estimate instead of
 * counted, candidates brought by the rare words only, and the recent window when every word is
 * frequent. The thresholds are lowered so that a few thousand documents reach every path; the
 * results are compared with the exact search (no statistics) where both must agree.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { parseSearchQuery, type SearchRequest, type Workspace } from '@guichet/core';
import { describeStore, newWorkspace, userOf } from './fixtures.ts';
import { KyselySearchRepository } from '../src/repositories/search.ts';

const TICKETS = 3000;
const tuning = { stats: { minDocuments: 1000, sample: 2000, storedMin: 100 }, limits: { candidates: 400, window: 60, scan: 1500 } };

describeStore('search with term statistics', (h) => {
  let ws: Workspace;
  let db: Kysely<any>;
  let tuned: KyselySearchRepository;
  let exact: KyselySearchRepository;
  const request = (q: string, mode: 'all' | 'any' = 'all', limit = 10): SearchRequest => ({
    workspaceId: ws.id, scope: { kind: 'staff' }, query: parseSearchQuery(q), types: ['ticket', 'message'], mode, limit, offset: 0, snippets: false,
  });

  before(async () => {
    db = h.database.db as unknown as Kysely<any>;
    ws = await newWorkspace(h.store);
    const customer = await h.store.users.insert(userOf(ws, { role: 'customer' }));
    // Every ticket mentions a card; 2 in 3 a voucher, 1 in 10 a refund, five of them a zebra. The
    // later a ticket, the more recent its documents.
    await sql`
      INSERT INTO tickets (id, workspace_id, number, subject, status, priority, channel, requester_id, language, created_at, updated_at)
      SELECT gen_random_uuid(), ${ws.id}, g,
        concat_ws(' ', 'card issue', CASE WHEN g % 3 <> 0 THEN 'voucher' END, CASE WHEN g % 10 = 0 THEN 'refund' END, CASE WHEN g % 600 = 1 THEN 'zebra' END, 'number', g),
        'open', 'normal', 'email', ${customer.id}, 'en', timestamptz '2026-01-01' + g * interval '1 minute', timestamptz '2026-01-01' + g * interval '1 minute'
      FROM generate_series(1, ${TICKETS}) AS g`.execute(db);
    await sql`
      INSERT INTO messages (id, workspace_id, ticket_id, author_id, visibility, channel, body_text, created_at)
      SELECT gen_random_uuid(), t.workspace_id, t.id, t.requester_id, 'public', 'email', 'Hello, my card does not work. ' || t.subject, t.created_at
      FROM tickets t WHERE t.workspace_id = ${ws.id}`.execute(db);
    tuned = new KyselySearchRepository(h.database.db, tuning);
    // Every word brings its documents: what the search was before the limits.
    exact = new KyselySearchRepository(h.database.db, { ...tuning, limits: { ...tuning.limits, candidates: Number.MAX_SAFE_INTEGER } });
  });

  it('samples the frequent words of a workspace and refreshes only when the corpus changed', async () => {
    const now = new Date('2026-06-01T00:00:00Z');
    assert.equal(await tuned.refreshStats(now, { workspaceId: ws.id }), 1);
    const corpus = await db.selectFrom('search_corpus_stats').selectAll().where('workspace_id', '=', ws.id).executeTakeFirstOrThrow();
    assert.equal(Number(corpus.documents), 2 * TICKETS + 1, 'tickets, messages and the customer');
    assert.ok(corpus.sampled > 500, `sampled ${corpus.sampled}`);
    const terms = new Map((await db.selectFrom('search_term_stats').select(['lexeme', 'documents']).where('workspace_id', '=', ws.id).execute()).map((r) => [r.lexeme, Number(r.documents)]));
    const near = (lexeme: string, truth: number) => {
      const e = terms.get(lexeme);
      assert.ok(e !== undefined && Math.abs(e - truth) <= 0.25 * truth, `${lexeme}: estimated ${e}, holds ${truth}`);
    };
    near('card', 2 * TICKETS);
    near('voucher', 2 * 2000);
    near('refund', 2 * 300);
    assert.equal(terms.has('zebra'), false, 'a rare word has no estimate: it is counted');

    assert.equal(await tuned.refreshStats(new Date(now.getTime() + 86_400_000), { workspaceId: ws.id }), 0, 'a day later, unchanged: left');
    assert.equal(await tuned.refreshStats(new Date(now.getTime() + 8 * 86_400_000), { workspaceId: ws.id }), 1, 'a week later: sampled again');
  });

  it('finds what the exact search finds when a rare word brings the candidates', async () => {
    for (const q of ['zebra card', 'zebra', 'voucher zebra', '"card issue" zebra']) {
      const a = await tuned.search(request(q));
      const b = await exact.search(request(q));
      assert.ok(a.length > 0, q);
      assert.deepEqual(a.map((x) => `${x.type}:${x.id}`).sort(), b.map((x) => `${x.type}:${x.id}`).sort(), q);
      // The ranks agree too: only the weights of the frequent words are estimated.
      assert.deepEqual(a.map((x) => x.id).slice(0, 3), b.map((x) => x.id).slice(0, 3), q);
    }
  });

  it('ranks the most recent matches when every word is frequent', async () => {
    for (const [q, mode] of [['card', 'all'], ['voucher card', 'all'], ['card voucher', 'any'], ['refund card', 'all']] as const) {
      const hits = await tuned.search(request(q, mode, 20));
      assert.equal(hits.length, 20, q);
      const words = parseSearchQuery(q).words;
      for (const hit of hits) {
        const row = await db.selectFrom('search_documents').select(['title', 'body']).where('kind', '=', hit.type).where('ref_id', '=', hit.id).executeTakeFirstOrThrow();
        const text = `${row.title} ${row.body}`.toLowerCase();
        assert.ok(mode === 'any' ? words.some((w) => text.includes(w)) : words.every((w) => text.includes(w)), `${q}: ${text}`);
      }
      // From the newest documents: every hit is among the last `scan` written.
      const oldest = Math.min(...(await Promise.all(hits.map(async (x) => Number((await db.selectFrom('tickets').select('number').where('id', '=', x.ticket!.id).executeTakeFirstOrThrow()).number)))));
      assert.ok(oldest > TICKETS - tuning.limits.scan, `${q}: ticket ${oldest}`);
    }
  });

  it('searches articles alone exactly (the suggestions), however frequent their words are among the tickets', async () => {
    const author = await h.store.users.insert(userOf(ws, { role: 'admin' }));
    await sql`INSERT INTO articles (id, workspace_id, status, visibility, created_by, created_at, updated_at)
      VALUES (gen_random_uuid(), ${ws.id}, 'published', 'public', ${author.id}, timestamptz '2025-01-01', timestamptz '2025-01-01')`.execute(db);
    const article = (await db.selectFrom('articles').select('id').where('workspace_id', '=', ws.id).executeTakeFirstOrThrow()).id;
    await sql`INSERT INTO article_translations (workspace_id, article_id, language, title, slug, body, version_number, updated_at)
      VALUES (${ws.id}, ${article}, 'en', 'Card and voucher questions', 'card-and-voucher', 'What to do when a card or a voucher does not work.', 1, timestamptz '2025-01-01')`.execute(db);
    const hits = await tuned.search({ ...request('card voucher'), types: ['article'] });
    assert.deepEqual(hits.map((x) => x.id), [article], 'the article is older than every ticket, and still found');
  });

  it('keeps the exact search for customers (their scope is small, and others\' documents must not weigh on it)', async () => {
    const customer = (await db.selectFrom('users').select('id').where('workspace_id', '=', ws.id).where('role', '=', 'customer').executeTakeFirstOrThrow()).id;
    const scope = { kind: 'customer' as const, userId: customer, sharedOrganizationId: null, hiddenTags: [] };
    const a = await tuned.search({ ...request('card voucher'), scope, limit: 5 });
    const b = await exact.search({ ...request('card voucher'), scope, limit: 5 });
    assert.deepEqual(a.map((x) => x.id), b.map((x) => x.id));
    assert.deepEqual(a.map((x) => x.score), b.map((x) => x.score));
  });
});
