import { sql, type Kysely } from 'kysely';

/**
 * The customer portal. ticket_categories: the list the admin maintains for the portal's request
 * form (names in French and English, ordered, retired with `active`), carried by tickets in
 * `category_id`. portal_tokens: single-use links mailed by the portal (sign-in, confirmation of
 * an anonymous request); only the SHA-256 of the secret is stored. deflection_events: what the
 * portal's suggestions did (shown, clicked, "this solved it", a request sent after seeing them).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE ticket_categories (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  key text NOT NULL,
  names jsonb NOT NULL,
  position integer NOT NULL DEFAULT 0,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX ticket_categories_key_uq ON ticket_categories (workspace_id, lower(key));

ALTER TABLE tickets ADD COLUMN category_id uuid REFERENCES ticket_categories(id) ON DELETE SET NULL;
CREATE INDEX tickets_category_idx ON tickets (workspace_id, category_id) WHERE category_id IS NOT NULL;

CREATE TABLE portal_tokens (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('sign_in', 'confirm')),
  ticket_id uuid REFERENCES tickets(id) ON DELETE CASCADE,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  requested_ip text
);
CREATE UNIQUE INDEX portal_tokens_hash_uq ON portal_tokens (token_hash);
CREATE INDEX portal_tokens_user_idx ON portal_tokens (workspace_id, user_id, created_at);
CREATE INDEX portal_tokens_ip_idx ON portal_tokens (workspace_id, requested_ip, created_at);
CREATE INDEX portal_tokens_ticket_idx ON portal_tokens (ticket_id) WHERE ticket_id IS NOT NULL;

CREATE TABLE deflection_events (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('shown', 'clicked', 'solved', 'submitted')),
  article_id uuid REFERENCES articles(id) ON DELETE CASCADE,
  ticket_id uuid REFERENCES tickets(id) ON DELETE SET NULL,
  visit text,
  query text,
  language text,
  created_at timestamptz NOT NULL
);
CREATE INDEX deflection_events_time_idx ON deflection_events (workspace_id, created_at);
-- Once per visit, kind and article: typing that shows the same suggestion again counts it once.
CREATE UNIQUE INDEX deflection_events_once_uq ON deflection_events (workspace_id, visit, kind, article_id)
  WHERE visit IS NOT NULL AND article_id IS NOT NULL;
`.execute(db);
}
