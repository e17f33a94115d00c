import { sql, type Kysely } from 'kysely';

/**
 * What the knowledge team needs to know what to write next. search_log: one row per first page
 * of a search (API, web app, help center, portal) with how many results it found and whether
 * every word matched. suggestion_uses: what agents did with an article suggested in a ticket
 * (opened, inserted into a reply, marked as the solution).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE search_log (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  source text NOT NULL,
  audience text NOT NULL,
  query text NOT NULL,
  language text,
  results integer NOT NULL,
  matched text NOT NULL
);
CREATE INDEX search_log_ws_time_idx ON search_log (workspace_id, created_at);

CREATE TABLE suggestion_uses (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  article_id uuid NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  action text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX suggestion_uses_ticket_idx ON suggestion_uses (workspace_id, ticket_id);
CREATE INDEX suggestion_uses_article_idx ON suggestion_uses (workspace_id, article_id, created_at);
`.execute(db);
}
