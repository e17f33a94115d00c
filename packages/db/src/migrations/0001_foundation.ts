import { sql, type Kysely } from 'kysely';

/**
 * The foundation schema. Every table carries workspace_id and every query filters on it.
 * events and audit_log are append-only: a trigger refuses UPDATE and DELETE on them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE workspaces (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  mail_domain text,
  default_language text NOT NULL DEFAULT 'en',
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE organizations (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  domains text[] NOT NULL DEFAULT '{}',
  notes text,
  shared_tickets boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX organizations_name_uq ON organizations (workspace_id, lower(name));
CREATE INDEX organizations_domains_idx ON organizations USING gin (domains);

CREATE TABLE users (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('admin', 'agent', 'light_agent', 'customer')),
  email text,
  name text NOT NULL,
  password_hash text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  locale text NOT NULL DEFAULT 'en',
  time_zone text NOT NULL DEFAULT 'UTC',
  languages text[] NOT NULL DEFAULT '{}',
  organization_id uuid REFERENCES organizations(id) ON DELETE SET NULL,
  phone text,
  notes text,
  capacity integer CHECK (capacity IS NULL OR capacity >= 0),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  last_login_at timestamptz
);
CREATE UNIQUE INDEX users_email_uq ON users (workspace_id, lower(email)) WHERE email IS NOT NULL;
CREATE INDEX users_login_idx ON users (lower(email)) WHERE password_hash IS NOT NULL;
CREATE INDEX users_role_idx ON users (workspace_id, role, created_at DESC, id DESC);
CREATE INDEX users_org_idx ON users (workspace_id, organization_id) WHERE organization_id IS NOT NULL;

CREATE TABLE teams (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX teams_name_uq ON teams (workspace_id, lower(name));

CREATE TABLE team_members (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  is_lead boolean NOT NULL DEFAULT false,
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);

CREATE TABLE skills (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX skills_name_uq ON skills (workspace_id, lower(name));

CREATE TABLE user_skills (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  skill_id uuid NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
  proficiency smallint NOT NULL CHECK (proficiency BETWEEN 1 AND 5),
  PRIMARY KEY (user_id, skill_id)
);
CREATE INDEX user_skills_skill_idx ON user_skills (skill_id);

CREATE TABLE custom_fields (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  key text NOT NULL,
  label text NOT NULL,
  type text NOT NULL CHECK (type IN ('text', 'number', 'checkbox', 'date', 'select', 'multiselect')),
  options jsonb NOT NULL DEFAULT '[]',
  required boolean NOT NULL DEFAULT false,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (workspace_id, key)
);

CREATE TABLE tickets (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  number bigint NOT NULL,
  subject text NOT NULL,
  status text NOT NULL CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
  priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  channel text NOT NULL CHECK (channel IN ('email', 'web', 'portal', 'chat', 'api', 'phone')),
  requester_id uuid NOT NULL REFERENCES users(id),
  organization_id uuid REFERENCES organizations(id) ON DELETE SET NULL,
  assignee_id uuid REFERENCES users(id) ON DELETE SET NULL,
  team_id uuid REFERENCES teams(id) ON DELETE SET NULL,
  tags text[] NOT NULL DEFAULT '{}',
  custom_fields jsonb NOT NULL DEFAULT '{}',
  language text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  solved_at timestamptz,
  closed_at timestamptz,
  search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', subject)) STORED,
  UNIQUE (workspace_id, number)
);
CREATE INDEX tickets_created_idx ON tickets (workspace_id, created_at DESC, id DESC);
CREATE INDEX tickets_updated_idx ON tickets (workspace_id, updated_at DESC, id DESC);
CREATE INDEX tickets_status_idx ON tickets (workspace_id, status, updated_at DESC);
CREATE INDEX tickets_assignee_idx ON tickets (workspace_id, assignee_id, status);
CREATE INDEX tickets_team_idx ON tickets (workspace_id, team_id, status);
CREATE INDEX tickets_requester_idx ON tickets (workspace_id, requester_id, created_at DESC);
CREATE INDEX tickets_org_idx ON tickets (workspace_id, organization_id) WHERE organization_id IS NOT NULL;
CREATE INDEX tickets_tags_idx ON tickets USING gin (tags);
CREATE INDEX tickets_search_idx ON tickets USING gin (search_vector);

CREATE TABLE messages (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  author_id uuid REFERENCES users(id) ON DELETE SET NULL,
  visibility text NOT NULL CHECK (visibility IN ('public', 'internal')),
  channel text NOT NULL,
  body_text text NOT NULL,
  body_html text,
  created_at timestamptz NOT NULL,
  search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', left(body_text, 100000))) STORED
);
CREATE INDEX messages_ticket_idx ON messages (ticket_id, created_at, id);
CREATE INDEX messages_search_idx ON messages USING gin (search_vector);

CREATE TABLE attachments (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  filename text NOT NULL,
  content_type text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  sha256 text,
  storage_key text,
  inline boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL
);
CREATE INDEX attachments_message_idx ON attachments (message_id);

CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  subject_type text NOT NULL,
  subject_id uuid NOT NULL,
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'system', 'rule')),
  actor_id uuid,
  type text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}',
  request_id text,
  created_at timestamptz NOT NULL
);
CREATE INDEX events_subject_idx ON events (workspace_id, subject_type, subject_id, id);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  actor_type text NOT NULL,
  actor_id uuid,
  action text NOT NULL,
  target_type text,
  target_id text,
  data jsonb NOT NULL DEFAULT '{}',
  ip text,
  request_id text,
  created_at timestamptz NOT NULL
);
CREATE INDEX audit_log_ws_idx ON audit_log (workspace_id, id DESC);

CREATE FUNCTION guichet_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION guichet_append_only();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION guichet_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION guichet_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION guichet_append_only();

CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (workspace_id, user_id);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (workspace_id, user_id);

CREATE TABLE login_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  ip text,
  succeeded boolean NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, created_at DESC);
`.execute(db);
}
