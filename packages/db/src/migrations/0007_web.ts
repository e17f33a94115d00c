import { sql, type Kysely } from 'kysely';

/**
 * The web app's tables. password_reset_tokens: a link sent by email to choose a new password,
 * usable once before it expires; only the SHA-256 of its secret is stored. saved_views: named
 * inbox queries, an agent's own or shared with the workspace.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE password_reset_tokens (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  requested_ip text
);
CREATE UNIQUE INDEX password_reset_tokens_hash_uq ON password_reset_tokens (token_hash);
CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (workspace_id, user_id, created_at);

CREATE TABLE saved_views (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  owner_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name text NOT NULL,
  query jsonb NOT NULL,
  shared boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX saved_views_name_uq ON saved_views (workspace_id, owner_id, lower(name));
CREATE INDEX saved_views_shared_idx ON saved_views (workspace_id) WHERE shared;

-- Real time: each ticket event is announced on the guichet_events channel at commit, whichever
-- process wrote it; web processes LISTEN and tell the browsers of that workspace
-- (apps/server/src/realtime/hub.ts). The payload names the change only, never its content.
CREATE FUNCTION guichet_notify_event() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_notify('guichet_events', json_build_object('w', NEW.workspace_id, 't', NEW.type, 'i', NEW.subject_id, 'e', NEW.id)::text);
  RETURN NULL;
END
$fn$;
CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH ROW WHEN (NEW.subject_type = 'ticket') EXECUTE FUNCTION guichet_notify_event();
`.execute(db);
}

