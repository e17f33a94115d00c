import type { ContentGapRepository, LoggedQuery, SearchLogEntry, SolvedTicketSignal, SuggestionUse } from '@guichet/core';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../schema.ts';

/** The words of `text` as the search stems them in `language` (fr, en, else accent-folded only). */
const lexemesOf = (language: ReturnType<typeof sql>, text: ReturnType<typeof sql>) =>
  sql`tsvector_to_array(to_tsvector(CASE ${language} WHEN 'fr' THEN 'public.guichet_fr'::regconfig WHEN 'en' THEN 'public.guichet_en'::regconfig ELSE 'public.guichet_simple'::regconfig END, ${text}))`;

export class KyselyContentGapRepository implements ContentGapRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async logSearch(e: SearchLogEntry): Promise<void> {
    await this.db
      .insertInto('search_log')
      .values({
        id: e.id,
        workspace_id: e.workspaceId,
        created_at: e.createdAt,
        source: e.source,
        audience: e.audience,
        query: e.query,
        language: e.language,
        results: e.results,
        matched: e.matched,
      })
      .execute();
  }

  async deleteSearchesBefore(before: Date): Promise<number> {
    const r = await this.db.deleteFrom('search_log').where('created_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async insertSuggestionUse(u: SuggestionUse): Promise<void> {
    await this.db
      .insertInto('suggestion_uses')
      .values({ id: u.id, workspace_id: u.workspaceId, ticket_id: u.ticketId, article_id: u.articleId, user_id: u.userId, action: u.action, created_at: u.createdAt })
      .execute();
  }

  async queriesInPeriod(workspaceId: string, from: Date, to: Date, defaultLanguage: string, max: number): Promise<LoggedQuery[]> {
    const r = await sql<{ query: string; count: number; no_results: number; partial: number; last_at: Date; lexemes: string[] }>`
WITH g AS (
  SELECT (array_agg(query ORDER BY created_at DESC))[1] AS query,
         (array_agg(language ORDER BY created_at DESC))[1] AS language,
         count(*)::int AS count,
         (count(*) FILTER (WHERE matched = 'none'))::int AS no_results,
         (count(*) FILTER (WHERE matched = 'any'))::int AS partial,
         max(created_at) AS last_at
  FROM search_log
  WHERE workspace_id = ${workspaceId} AND created_at >= ${from} AND created_at < ${to}
  GROUP BY lower(query)
  ORDER BY count(*) DESC, lower(query)
  LIMIT ${max}
)
SELECT query, count, no_results, partial, last_at, ${lexemesOf(sql`coalesce(language, ${defaultLanguage})`, sql`query`)} AS lexemes
FROM g`.execute(this.db);
    return r.rows.map((x) => ({ query: x.query, count: x.count, noResults: x.no_results, partial: x.partial, lastAt: new Date(x.last_at), lexemes: x.lexemes }));
  }

  async solvedTicketsInPeriod(workspaceId: string, from: Date, to: Date, defaultLanguage: string, max: number): Promise<SolvedTicketSignal[]> {
    const r = await sql<{ id: string; number: number; subject: string; used: boolean; lexemes: string[] }>`
SELECT t.id, t.number, t.subject,
       EXISTS (SELECT 1 FROM suggestion_uses u WHERE u.workspace_id = t.workspace_id AND u.ticket_id = t.id) AS used,
       ${lexemesOf(sql`coalesce(t.language, ${defaultLanguage})`, sql`t.subject`)} AS lexemes
FROM tickets t
WHERE t.workspace_id = ${workspaceId} AND t.status IN ('solved', 'closed')
  AND coalesce(t.solved_at, t.closed_at) >= ${from} AND coalesce(t.solved_at, t.closed_at) < ${to}
ORDER BY coalesce(t.solved_at, t.closed_at) DESC, t.id
LIMIT ${max}`.execute(this.db);
    return r.rows.map((x) => ({ id: x.id, number: Number(x.number), subject: x.subject, suggestionUsed: x.used, lexemes: x.lexemes }));
  }
}
