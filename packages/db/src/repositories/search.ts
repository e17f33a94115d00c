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
 */
export class KyselySearchRepository implements SearchRepository {
  constructor(private readonly db: Kysely<DB>) {}

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

    const rows = await sql<Record<string, any>>`
WITH terms AS MATERIALIZED (
  SELECT u.i, u.t, u.k,
    ${termQuery(CONFIGS.fr)} AS qfr, ${termQuery(CONFIGS.en)} AS qen, ${termQuery(CONFIGS.s)} AS qs
  FROM unnest(${texts}::text[], ${kinds}::text[]) WITH ORDINALITY AS u(t, k, i)
),
pairs AS MATERIALIZED (
  SELECT d.kind, d.ref_id, d.slot, d.language, t.i, t.k,
    ts_rank('{0.1, 0.2, 0.25, 1.0}', d.tsv, CASE d.language WHEN 'fr' THEN t.qfr WHEN 'en' THEN t.qen ELSE t.qs END, 0) AS r
  FROM terms t
  JOIN search_documents d
    ON ((d.language = 'fr' AND d.tsv @@ t.qfr) OR (d.language = 'en' AND d.tsv @@ t.qen) OR (d.language NOT IN ('fr', 'en') AND d.tsv @@ t.qs))
  LEFT JOIN tickets tk ON tk.id = d.ticket_id
  WHERE ${where}
),
fuzzy AS (
  SELECT d.kind, d.ref_id, d.slot, d.language, t.i, t.k,
    0.3 * word_similarity(guichet_fold(t.t), guichet_fold(d.title)) AS r
  FROM terms t
  JOIN search_documents d ON guichet_fold(t.t) <% guichet_fold(d.title)
  LEFT JOIN tickets tk ON tk.id = d.ticket_id
  WHERE t.k <> 'phrase' AND length(t.t) >= 4 AND NOT EXISTS (SELECT 1 FROM pairs p WHERE p.i = t.i) AND ${where}
),
allp AS (SELECT * FROM pairs UNION ALL SELECT * FROM fuzzy),
df AS (SELECT i, count(*)::float8 AS n FROM allp GROUP BY i),
total AS (SELECT greatest(count(*), 1)::float8 AS n FROM search_documents d LEFT JOIN tickets tk ON tk.id = d.ticket_id WHERE ${where}),
need AS (
  SELECT count(*) FILTER (WHERE numnode(qfr) > 0) AS fr, count(*) FILTER (WHERE numnode(qen) > 0) AS en, count(*) FILTER (WHERE numnode(qs) > 0) AS s,
    count(*) FILTER (WHERE k = 'phrase' AND numnode(qfr) > 0) AS pfr, count(*) FILTER (WHERE k = 'phrase' AND numnode(qen) > 0) AS pen,
    count(*) FILTER (WHERE k = 'phrase' AND numnode(qs) > 0) AS ps
  FROM terms
),
scored AS (
  SELECT p.kind, p.ref_id, p.slot, p.language,
    sum(ln(1 + (tot.n - df.n + 0.5) / (df.n + 0.5)) * p.r) AS score,
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
