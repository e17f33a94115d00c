import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { SearchHit, SearchRepository, SearchRequest } from '@guichet/core';
import type { DB } from '../schema.ts';

const CONFIGS = { fr: sql.raw(`'public.guichet_fr'::regconfig`), en: sql.raw(`'public.guichet_en'::regconfig`), s: sql.raw(`'public.guichet_simple'::regconfig`) };

/** The configuration of a document's language, as SQL over `d.language`. */
const DOC_CONFIG = sql`(CASE d.language WHEN 'fr' THEN ${CONFIGS.fr} WHEN 'en' THEN ${CONFIGS.en} ELSE ${CONFIGS.s} END)`;

/** `expr(cfg)` evaluated with the document's configuration. */
const byLanguage = (expr: (cfg: RawBuilder<unknown>) => RawBuilder<unknown>) =>
  sql`(CASE d.language WHEN 'fr' THEN ${expr(CONFIGS.fr)} WHEN 'en' THEN ${expr(CONFIGS.en)} ELSE ${expr(CONFIGS.s)} END)`;

/**
 * Full-text search over search_documents (kept by triggers, see migration 0004).
 *
 * Each word and phrase of the query is one term, turned into a tsquery in French, English and
 * simple (accent-folded) form; a document is tested with its own language's form. A document's
 * score sums, over the terms it matches, ts_rank (title weight A above body weight B) times the
 * term's inverse document frequency in the searcher's scope, so rare words count more than
 * common ones (BM25's idea; ts_rank alone has no IDF). Weights (title 1.0, body 0.25) and no
 * length normalization were chosen on a third of the StackFAQ dev queries: nDCG@10 0.744, against
 * 0.615 with ts_rank's defaults and log-length normalization (BM25 reference 0.735). A word that matches nothing exactly is
 * looked for in titles by trigram similarity (typos, partial words). `all` keeps documents that
 * match every term; `any` every document with some term (and every phrase). Exclusions and the
 * caller's scope apply to every candidate.
 *
 * At scale (staff searches in a workspace with term statistics, migration 0015) a frequent word is
 * not read in full: its document count is the sampled estimate, and only the rarer terms, up to
 * LIMITS.candidates estimated documents, bring candidates, which the frequent words then score.
 * With every word required, each result holds the rarest one, so this misses nothing; with any
 * word, documents holding only frequent ones are left out. When every word of a language is
 * frequent, the most recent matching documents stand for the rest (the `newest` window).
 * Customers and the public search a small scope and are always counted exactly.
 */

/**
 * The term statistics (migration 0015). Below `minDocuments` a workspace has none: every search
 * counts exactly. The sample is about `sample` documents; a lexeme is kept when it is estimated in
 * `storedMin` documents or more (fewer are rare enough to read and count at search time).
 */
/**
 * How much a search reads when its words are frequent: the documents of the terms that bring
 * candidates stay within `candidates` (estimated); when even the least frequent word is above
 * that, the `window` most recent matching documents among the `scan` newest are ranked. A word
 * found nowhere brings the `fuzzy` titles closest to it.
 */
export const LIMITS = { candidates: 5_000, window: 100, scan: 8_000, fuzzy: 1000 };

export const STATS = { minDocuments: 20_000, sample: 60_000, storedMin: 500, regrowth: 0.1, maxAgeMs: 7 * 86_400_000 };

export class KyselySearchRepository implements SearchRepository {
  private readonly limits: typeof LIMITS;
  private readonly stats: typeof STATS;

  /** `tuning` lowers the thresholds so that tests reach every path with a few thousand documents. */
  constructor(
    private readonly db: Kysely<DB>,
    tuning: { limits?: Partial<typeof LIMITS>; stats?: Partial<typeof STATS> } = {},
  ) {
    this.limits = { ...LIMITS, ...tuning.limits };
    this.stats = { ...STATS, ...tuning.stats };
  }

  async refreshStats(now: Date, opts: { force?: boolean; workspaceId?: string } = {}): Promise<number> {
    const workspaces = opts.workspaceId ? [opts.workspaceId] : (await this.db.selectFrom('workspaces').select('id').execute()).map((w) => w.id);
    let refreshed = 0;
    for (const ws of workspaces) {
      const documents = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM search_documents WHERE workspace_id = ${ws}`.execute(this.db)).rows[0]!.n);
      const prev = await this.db.selectFrom('search_corpus_stats').selectAll().where('workspace_id', '=', ws).executeTakeFirst();
      const stale =
        !prev ||
        Math.abs(documents - Number(prev.documents)) > this.stats.regrowth * Math.max(Number(prev.documents), 1) ||
        now.getTime() - new Date(prev.computed_at).getTime() > this.stats.maxAgeMs;
      if (!opts.force && !stale) continue;
      await this.db.transaction().execute(async (trx) => {
        await sql`DELETE FROM search_term_stats WHERE workspace_id = ${ws}`.execute(trx);
        let sampled = 0;
        let terms: { lexeme: string; n: string }[] = [];
        if (documents >= this.stats.minDocuments) {
          // A sample of whole pages of the table (cheap at any size); when this workspace is too small
          // a share of the table for that, a random share of its own documents.
          const rows = Number((await sql<{ n: string }>`SELECT greatest(reltuples, 0)::bigint AS n FROM pg_class WHERE oid = 'search_documents'::regclass`.execute(trx)).rows[0]?.n ?? 0);
          const pct = Math.min(100, (100 * this.stats.sample) / Math.max(rows, documents, 1));
          const fromPages = pct < 100 && (pct / 100) * documents >= this.stats.sample / 2;
          const sample = fromPages
            ? sql`SELECT tsv FROM search_documents TABLESAMPLE SYSTEM (${sql.lit(Number(pct.toFixed(4)))}) WHERE workspace_id = ${ws}`
            : sql`SELECT tsv FROM search_documents WHERE workspace_id = ${ws} AND random() < ${Math.min(1, this.stats.sample / documents)}`;
          const r = await sql<{ lexeme: string | null; n: string; total: string }>`
            WITH s AS MATERIALIZED (${sample}), total AS (SELECT count(*) AS n FROM s)
            SELECT x.lexeme, x.n, total.n AS total FROM total
            LEFT JOIN LATERAL (
              SELECT u.lexeme, count(*) AS n FROM s, unnest(s.tsv) AS u GROUP BY u.lexeme
              HAVING count(*) >= greatest(3, ${this.stats.storedMin}::float8 * total.n / ${documents}::float8)
            ) x ON true`.execute(trx);
          sampled = Number(r.rows[0]?.total ?? 0);
          terms = r.rows.filter((x): x is { lexeme: string; n: string; total: string } => x.lexeme !== null);
        }
        await sql`INSERT INTO search_corpus_stats AS c (workspace_id, documents, sampled, computed_at) VALUES (${ws}, ${documents}, ${sampled}, ${now})
          ON CONFLICT (workspace_id) DO UPDATE SET documents = excluded.documents, sampled = excluded.sampled, computed_at = excluded.computed_at`.execute(trx);
        if (sampled > 0 && terms.length) {
          await sql`INSERT INTO search_term_stats (workspace_id, lexeme, documents)
            SELECT ${ws}, t.lexeme, round(t.n::float8 * ${documents} / ${sampled})::bigint
            FROM unnest(${terms.map((t) => t.lexeme)}::text[], ${terms.map((t) => Number(t.n))}::int[]) AS t(lexeme, n)`.execute(trx);
        }
      });
      refreshed++;
    }
    return refreshed;
  }

  async search(req: SearchRequest): Promise<SearchHit[]> {
    const q = req.query;
    const texts: string[] = [];
    const kinds: string[] = [];
    for (const w of q.words) {
      texts.push(w);
      kinds.push(w === q.prefix ? 'prefix' : 'word');
    }
    for (const p of q.phrases) {
      texts.push(p);
      kinds.push('phrase');
    }
    if (!texts.length) return [];

    const filters: RawBuilder<unknown>[] = [sql`d.workspace_id = ${req.workspaceId}`, sql`d.kind = ANY(${req.types}::text[])`];
    const scope = req.scope;
    if (scope.kind === 'public') {
      filters.push(sql`d.kind = 'article' AND d.status = 'published' AND d.visibility = 'public'`);
    } else if (scope.kind === 'customer') {
      const org = scope.sharedOrganizationId;
      filters.push(sql`(
        (d.kind = 'article' AND d.status = 'published' AND d.visibility = 'public')
        OR (d.kind IN ('ticket', 'message') AND d.visibility = 'public'
            AND (tk.requester_id = ${scope.userId} ${org ? sql`OR tk.organization_id = ${org}` : sql``})
            ${scope.hiddenTags.length ? sql`AND NOT (tk.tags && ${scope.hiddenTags}::text[])` : sql``}))`);
    }
    if (req.status?.length) {
      filters.push(sql`((d.kind IN ('ticket', 'message') AND tk.status = ANY(${req.status}::text[])) OR (d.kind = 'article' AND d.status = ANY(${req.status}::text[])))`);
    }
    if (req.teamId) filters.push(sql`d.kind IN ('ticket', 'message') AND tk.team_id = ${req.teamId}`);
    if (req.language) filters.push(sql`d.language = ${req.language}`);
    if (req.from) filters.push(sql`d.created_at >= ${req.from}`);
    if (req.to) filters.push(sql`d.created_at < ${req.to}`);
    if (q.excluded.length) {
      const text = q.excluded.join(' or ');
      filters.push(sql`NOT (d.tsv @@ ${byLanguage((cfg) => sql`websearch_to_tsquery(${cfg}, ${text})`)})`);
    }
    const where = sql.join(filters, sql` AND `);
    const mode = req.mode;

    const highlightText = [...q.words, ...q.phrases.map((p) => `"${p}"`)].join(' or ');
    const highlight = byLanguage((cfg) =>
      q.prefix
        ? sql`(websearch_to_tsquery(${cfg}, ${highlightText}) || to_tsquery(${cfg}, ${`'${q.prefix}':*`}))`
        : sql`websearch_to_tsquery(${cfg}, ${highlightText})`,
    );
    const snippet = req.snippets
      ? sql`ts_headline(${DOC_CONFIG}, left(CASE WHEN d.body <> '' THEN d.body ELSE d.title END, 20000), ${highlight},
          ${'StartSel=\u0001,StopSel=\u0002,MaxWords=30,MinWords=12,MaxFragments=2,FragmentDelimiter=" … "'})`
      : sql`''`;

    // Staff searches weigh words with the workspace's term statistics (migration 0015) when it has
    // them; a customer's or the public's scope is small and counted exactly (and the statistics,
    // taken over every document, must not reveal what others' documents hold).
    // The same when only articles or customers are searched (the suggestions): those are few,
    // while the statistics and the recent window are about the tickets and their messages.
    const useStats = scope.kind === 'staff' && req.types.some((t) => t === 'ticket' || t === 'message');
    const ws = req.workspaceId;
    const est = useStats
      ? sql`greatest(guichet_term_documents(${ws}, ${CONFIGS.fr}, u.t, u.k), guichet_term_documents(${ws}, ${CONFIGS.en}, u.t, u.k), guichet_term_documents(${ws}, ${CONFIGS.s}, u.t, u.k))`
      : sql`NULL::bigint`;
    const inLanguage = (v: string, q: (lang: 'fr' | 'en' | 's') => RawBuilder<unknown>) =>
      sql`((${sql.raw(v)}.language = 'fr' AND ${q('fr')}) OR (${sql.raw(v)}.language = 'en' AND ${q('en')}) OR (${sql.raw(v)}.language NOT IN ('fr', 'en') AND ${q('s')}))`;
    const termQ = (lang: 'fr' | 'en' | 's') => sql.raw(`t.q${lang}`);

    const rows = await sql<Record<string, any>>`
WITH terms AS MATERIALIZED (
  SELECT x.*,
    -- Terms that bring their documents as candidates: the rare ones (no estimate), then the least
    -- frequent while their estimated documents stay within the budget. The others are only
    -- looked for in those candidates, weighed by their estimate. (A stop word has no query at all.)
    (numnode(x.qfr) + numnode(x.qen) + numnode(x.qs) > 0
      AND (x.est IS NULL OR sum(coalesce(x.est, 0)) OVER (ORDER BY coalesce(x.est, 0), x.i) <= ${this.limits.candidates})) AS gen
  FROM (
    SELECT u.i, u.t, u.k, ${termQuery(CONFIGS.fr)} AS qfr, ${termQuery(CONFIGS.en)} AS qen, ${termQuery(CONFIGS.s)} AS qs, ${est} AS est
    FROM unnest(${texts}::text[], ${kinds}::text[]) WITH ORDINALITY AS u(t, k, i)
  ) x
),
hits AS MATERIALIZED (
  SELECT DISTINCT ON (d.kind, d.ref_id, d.slot) d.kind, d.ref_id, d.slot, d.language, d.tsv
  FROM terms t
  JOIN search_documents d ON ${inLanguage('d', (l) => sql`d.tsv @@ ${termQ(l)}`)}
  LEFT JOIN tickets tk ON tk.id = d.ticket_id
  WHERE t.gen AND ${where}
  ORDER BY d.kind, d.ref_id, d.slot
),
combo AS MATERIALIZED (
  SELECT ${mode === 'all' ? sql`guichet_tsquery_and` : sql`guichet_tsquery_or`}(qfr) FILTER (WHERE numnode(qfr) > 0) AS qfr,
    ${mode === 'all' ? sql`guichet_tsquery_and` : sql`guichet_tsquery_or`}(qen) FILTER (WHERE numnode(qen) > 0) AS qen,
    ${mode === 'all' ? sql`guichet_tsquery_and` : sql`guichet_tsquery_or`}(qs) FILTER (WHERE numnode(qs) > 0) AS qs,
    -- A language is covered when a term that brings candidates can match its documents (with
    -- every word required, each of them holds it); the others are left to the recent window.
    bool_or(numnode(qfr) > 0) AND NOT coalesce(bool_or(gen AND numnode(qfr) > 0), false) AS wfr,
    bool_or(numnode(qen) > 0) AND NOT coalesce(bool_or(gen AND numnode(qen) > 0), false) AS wen,
    bool_or(numnode(qs) > 0) AND NOT coalesce(bool_or(gen AND numnode(qs) > 0), false) AS ws
  FROM terms
),
-- The words too frequent in a language to bring candidates there: the most recent matching
-- documents stand for the rest, read newest first among at most the ${sql.raw(String(this.limits.scan))} newest documents.
newest AS MATERIALIZED (
  SELECT d.kind, d.ref_id, d.slot, d.language, d.tsv
  FROM combo t CROSS JOIN (
    SELECT * FROM search_documents
    WHERE workspace_id = ${ws} AND (SELECT wfr OR wen OR ws FROM combo)
    ORDER BY updated_at DESC LIMIT ${this.limits.scan}
  ) d
  LEFT JOIN tickets tk ON tk.id = d.ticket_id
  WHERE ((d.language = 'fr' AND t.wfr AND ts_match_vq(d.tsv, t.qfr)) OR (d.language = 'en' AND t.wen AND ts_match_vq(d.tsv, t.qen))
      OR (d.language NOT IN ('fr', 'en') AND t.ws AND ts_match_vq(d.tsv, t.qs))) AND ${where}
  ORDER BY d.updated_at DESC
  LIMIT ${this.limits.window}
),
cand AS (SELECT * FROM hits UNION ALL SELECT * FROM newest),
pairs AS MATERIALIZED (
  SELECT c.kind, c.ref_id, c.slot, c.language, t.i, t.k,
    ts_rank('{0.1, 0.2, 0.25, 1.0}', c.tsv, CASE c.language WHEN 'fr' THEN t.qfr WHEN 'en' THEN t.qen ELSE t.qs END, 0) AS r
  FROM cand c JOIN terms t ON ${inLanguage('c', (l) => sql`c.tsv @@ ${termQ(l)}`)}
),
-- A word found nowhere may be mistyped: the titles that hold something close to it, the closest
-- first. (Not a stop word of either language: that is no typo, and it is close to everything.)
fuzzy AS (
  SELECT f.kind, f.ref_id, f.slot, f.language, t.i, t.k, f.r
  FROM terms t
  CROSS JOIN LATERAL (
    SELECT d.kind, d.ref_id, d.slot, d.language, 0.3 * word_similarity(guichet_fold(t.t), guichet_fold(d.title)) AS r
    FROM search_documents d
    LEFT JOIN tickets tk ON tk.id = d.ticket_id
    WHERE guichet_fold(t.t) <% guichet_fold(d.title) AND ${where}
    ORDER BY r DESC
    LIMIT ${this.limits.fuzzy}
  ) f
  WHERE t.k <> 'phrase' AND t.est IS NULL AND length(t.t) >= 4 AND numnode(t.qfr) > 0 AND numnode(t.qen) > 0
    AND NOT EXISTS (SELECT 1 FROM pairs p WHERE p.i = t.i)
),
allp AS (SELECT * FROM pairs UNION ALL SELECT * FROM fuzzy),
-- Documents holding each term: counted when all of them are candidates, else the estimate.
df AS MATERIALIZED (
  SELECT t.i, (CASE WHEN t.gen THEN coalesce(c.n, 0) ELSE t.est END)::float8 AS n
  FROM terms t LEFT JOIN (SELECT i, count(*) AS n FROM allp GROUP BY i) c ON c.i = t.i
),
total AS (
  SELECT greatest(coalesce(
    ${useStats ? sql`(SELECT documents FROM search_corpus_stats WHERE workspace_id = ${ws} AND sampled > 0)` : sql`NULL::bigint`},
    (SELECT count(*) FROM search_documents d LEFT JOIN tickets tk ON tk.id = d.ticket_id WHERE ${where})), 1)::float8 AS n
),
need AS (
  SELECT count(*) FILTER (WHERE numnode(qfr) > 0) AS fr, count(*) FILTER (WHERE numnode(qen) > 0) AS en, count(*) FILTER (WHERE numnode(qs) > 0) AS s,
    count(*) FILTER (WHERE k = 'phrase' AND numnode(qfr) > 0) AS pfr, count(*) FILTER (WHERE k = 'phrase' AND numnode(qen) > 0) AS pen,
    count(*) FILTER (WHERE k = 'phrase' AND numnode(qs) > 0) AS ps
  FROM terms
),
scored AS (
  SELECT p.kind, p.ref_id, p.slot, p.language,
    sum(ln(1 + greatest(tot.n - df.n + 0.5, 0.5) / (df.n + 0.5)) * p.r) AS score,
    count(DISTINCT p.i) AS hits,
    count(DISTINCT p.i) FILTER (WHERE p.k = 'phrase') AS phrase_hits
  FROM allp p JOIN df USING (i) CROSS JOIN total tot
  GROUP BY p.kind, p.ref_id, p.slot, p.language
),
ranked AS (
  SELECT s.* FROM scored s CROSS JOIN need
  WHERE ${mode === 'all'
      ? sql`s.hits >= CASE s.language WHEN 'fr' THEN need.fr WHEN 'en' THEN need.en ELSE need.s END AND s.hits > 0`
      : sql`s.phrase_hits >= CASE s.language WHEN 'fr' THEN need.pfr WHEN 'en' THEN need.pen ELSE need.ps END`}
  ORDER BY s.score DESC, s.kind, s.ref_id, s.slot
  LIMIT ${req.limit} OFFSET ${req.offset}
)
SELECT r.kind, r.ref_id, r.slot, r.score, d.language, d.created_at, d.title, ${snippet} AS snippet,
  tk.id AS ticket_id, tk.number AS ticket_number, tk.subject AS ticket_subject, tk.status AS ticket_status,
  a.id AS article_id, a.status AS article_status, a.visibility AS article_visibility, tr.slug AS article_slug,
  cu.id AS customer_id, cu.name AS customer_name, cu.email AS customer_email
FROM ranked r
JOIN search_documents d ON d.kind = r.kind AND d.ref_id = r.ref_id AND d.slot = r.slot
LEFT JOIN tickets tk ON tk.id = d.ticket_id
LEFT JOIN articles a ON a.id = d.article_id
LEFT JOIN article_translations tr ON tr.article_id = d.article_id AND tr.language = d.slot
LEFT JOIN users cu ON d.kind = 'customer' AND cu.id = d.ref_id
ORDER BY r.score DESC, r.kind, r.ref_id, r.slot`.execute(this.db);

    return rows.rows.map((r) => ({
      type: r.kind,
      id: r.ref_id,
      slot: r.slot,
      title: r.kind === 'message' ? (r.ticket_subject ?? '') : r.title,
      snippet: r.snippet ?? '',
      score: Number(r.score),
      language: r.language || null,
      createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
      ticket: r.ticket_id ? { id: r.ticket_id, number: Number(r.ticket_number), subject: r.ticket_subject, status: r.ticket_status } : null,
      article: r.article_id ? { id: r.article_id, status: r.article_status, visibility: r.article_visibility, slug: r.article_slug ?? '' } : null,
      customer: r.customer_id ? { id: r.customer_id, name: r.customer_name, email: r.customer_email } : null,
    }));
  }
}

/** One term's tsquery in one configuration: a word, a prefix (word:*), or a phrase. */
function termQuery(cfg: RawBuilder<unknown>) {
  return sql`CASE u.k
    WHEN 'phrase' THEN phraseto_tsquery(${cfg}, u.t)
    WHEN 'prefix' THEN to_tsquery(${cfg}, '''' || u.t || ''':*')
    ELSE plainto_tsquery(${cfg}, u.t) END`;
}
