import { sql, type Kysely } from 'kysely';

/**
 * Routing: trained triage models (the active one per workspace, older ones kept with their
 * metrics), admin rules, per-team routing settings, agents' availability (also the row an
 * assignment locks, so capacity holds under concurrency), and each ticket's routing decision.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE routing_settings (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  auto_assign boolean NOT NULL DEFAULT false,
  min_confidence real NOT NULL DEFAULT 0.6 CHECK (min_confidence BETWEEN 0 AND 1),
  category_field text,
  training_window_days integer NOT NULL DEFAULT 365 CHECK (training_window_days BETWEEN 7 AND 3650),
  updated_at timestamptz NOT NULL
);

CREATE TABLE routing_models (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  version integer NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'retired', 'rejected')),
  model bytea NOT NULL,
  metrics jsonb NOT NULL DEFAULT '{}',
  validation jsonb NOT NULL DEFAULT '{}',
  window_from timestamptz,
  window_to timestamptz,
  examples integer NOT NULL,
  created_at timestamptz NOT NULL,
  activated_at timestamptz,
  UNIQUE (workspace_id, version)
);
CREATE UNIQUE INDEX routing_models_active_uq ON routing_models (workspace_id) WHERE status = 'active';

CREATE TABLE routing_rules (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  position integer NOT NULL DEFAULT 0,
  enabled boolean NOT NULL DEFAULT true,
  conditions jsonb NOT NULL,
  team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  priority text CHECK (priority IS NULL OR priority IN ('low', 'normal', 'high', 'urgent')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX routing_rules_ws_idx ON routing_rules (workspace_id, position, created_at);

CREATE TABLE team_routing (
  team_id uuid PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  mode text NOT NULL DEFAULT 'skills' CHECK (mode IN ('skills', 'round_robin', 'load_balanced', 'manual')),
  skill_id uuid REFERENCES skills(id) ON DELETE SET NULL,
  reassign_when_away boolean NOT NULL DEFAULT true,
  overflow_team_id uuid REFERENCES teams(id) ON DELETE SET NULL,
  overflow_after_minutes integer CHECK (overflow_after_minutes IS NULL OR overflow_after_minutes BETWEEN 1 AND 100000),
  updated_at timestamptz NOT NULL
);

CREATE TABLE agent_availability (
  user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'away', 'offline')),
  out_of_office_until timestamptz,
  working_hours jsonb,
  last_assigned_at timestamptz,
  updated_at timestamptz NOT NULL
);

CREATE TABLE ticket_routing (
  ticket_id uuid PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  state text NOT NULL CHECK (state IN ('assigned', 'queued', 'triage', 'manual', 'skipped', 'triaged')),
  team_id uuid REFERENCES teams(id) ON DELETE SET NULL,
  team_source text,
  confidence real,
  predictions jsonb NOT NULL DEFAULT '{}',
  assignee_id uuid REFERENCES users(id) ON DELETE SET NULL,
  first_assignee_id uuid REFERENCES users(id) ON DELETE SET NULL,
  rule_id uuid REFERENCES routing_rules(id) ON DELETE SET NULL,
  model_version integer,
  explanation_en text NOT NULL DEFAULT '',
  explanation_fr text NOT NULL DEFAULT '',
  queued_at timestamptz,
  decided_at timestamptz NOT NULL
);
CREATE INDEX ticket_routing_queue_idx ON ticket_routing (workspace_id, team_id, queued_at) WHERE state = 'queued';
CREATE INDEX ticket_routing_triage_idx ON ticket_routing (workspace_id, decided_at) WHERE state = 'triage';
`.execute(db);
}
