import { sql, type Kysely } from 'kysely';

/**
 * Search at a million tickets (bench/search-latency). A search weighs each word by how many
 * documents hold it (its IDF); counting them for a common word ("card", "account") read hundreds
 * of thousands of rows per search, and so did ranking every document holding it.
 *
 * These tables keep, per workspace, the number of documents and an estimate of how many hold each
 * frequent lexeme, from a sample of the documents, refreshed by the hourly maintenance when the
 * corpus has grown or aged (KyselySearchRepository.refreshStats). A lexeme absent from the table
 * is rare in that workspace: its documents are few enough to be read and counted exactly.
 * `guichet_term_documents` is the estimate for one search term in one text-search configuration:
 * a word its lexeme's, a phrase its rarest lexeme's, a prefix the sum over the lexemes it starts;
 * NULL when the term is rare.
 *
 * `search_documents_recent_idx` lets a search whose words are all frequent read the most recent
 * matching documents first instead of every match.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE search_corpus_stats (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  documents bigint NOT NULL,
  sampled integer NOT NULL,
  computed_at timestamptz NOT NULL
);
CREATE TABLE search_term_stats (
  workspace_id uuid NOT NULL REFERENCES search_corpus_stats(workspace_id) ON DELETE CASCADE,
  lexeme text NOT NULL,
  documents bigint NOT NULL,
  PRIMARY KEY (workspace_id, lexeme)
);
CREATE INDEX search_documents_recent_idx ON search_documents (workspace_id, updated_at DESC);

CREATE FUNCTION guichet_term_documents(ws uuid, cfg regconfig, term text, kind text) RETURNS bigint LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  lexemes text[] := tsvector_to_array(to_tsvector(cfg, term));
  n bigint;
BEGIN
  -- PL/pgSQL keeps these plans for the session: a search calls this three times per word.
  IF kind = 'prefix' THEN
    SELECT sum(s.documents)::bigint INTO n FROM unnest(lexemes) AS l(lexeme)
      JOIN search_term_stats s ON s.workspace_id = ws AND s.lexeme LIKE replace(replace(replace(l.lexeme, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%';
  ELSIF kind = 'phrase' THEN
    SELECT CASE WHEN bool_and(s.documents IS NOT NULL) THEN min(s.documents) END INTO n FROM unnest(lexemes) AS l(lexeme)
      LEFT JOIN search_term_stats s ON s.workspace_id = ws AND s.lexeme = l.lexeme;
  ELSE
    SELECT max(s.documents) INTO n FROM search_term_stats s WHERE s.workspace_id = ws AND s.lexeme = ANY(lexemes);
  END IF;
  RETURN n;
END
$fn$;

-- Every word of a search as one query, per configuration (for the recent-window path).
CREATE AGGREGATE guichet_tsquery_and(tsquery) (SFUNC = tsquery_and, STYPE = tsquery);
CREATE AGGREGATE guichet_tsquery_or(tsquery) (SFUNC = tsquery_or, STYPE = tsquery);
`.execute(db);
}
