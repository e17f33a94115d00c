import { sql, type Kysely } from 'kysely';

/**
 * SLAs: business-hours calendars (per workspace or team), ordered SLA policies, each ticket's SLA
 * clocks with the next moment the scheduler must look at it (indexed, so a sweep reads only what
 * is due), in-app notifications (one per dedupe key, so a warning is never sent twice), and
 * triggers (ordered rules run on ticket and SLA events).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE business_calendars (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  team_id uuid REFERENCES teams(id) ON DELETE CASCADE,
  is_default boolean NOT NULL DEFAULT false,
  time_zone text NOT NULL,
  weekly jsonb NOT NULL,
  holidays jsonb NOT NULL DEFAULT '[]',
  special_days jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX business_calendars_name_uq ON business_calendars (workspace_id, lower(name));
CREATE UNIQUE INDEX business_calendars_team_uq ON business_calendars (workspace_id, team_id) WHERE team_id IS NOT NULL;
CREATE UNIQUE INDEX business_calendars_default_uq ON business_calendars (workspace_id) WHERE is_default;

CREATE TABLE sla_policies (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  position integer NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  conditions jsonb NOT NULL DEFAULT '{}',
  calendar_id uuid REFERENCES business_calendars(id) ON DELETE RESTRICT,
  targets jsonb NOT NULL DEFAULT '{}',
  pause_statuses text[] NOT NULL DEFAULT '{pending,on_hold}',
  warnings jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX sla_policies_name_uq ON sla_policies (workspace_id, lower(name));
CREATE INDEX sla_policies_order_idx ON sla_policies (workspace_id, position, created_at);

CREATE TABLE ticket_sla (
  ticket_id uuid PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  policy_id uuid,
  calendar_id uuid,
  state jsonb NOT NULL,
  next_due_at timestamptz,
  updated_at timestamptz NOT NULL
);
CREATE INDEX ticket_sla_due_idx ON ticket_sla (next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX ticket_sla_calendar_idx ON ticket_sla (workspace_id, calendar_id, ticket_id) WHERE next_due_at IS NOT NULL;
CREATE INDEX ticket_sla_policy_idx ON ticket_sla (workspace_id, policy_id, ticket_id) WHERE next_due_at IS NOT NULL;

CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  ticket_id uuid REFERENCES tickets(id) ON DELETE CASCADE,
  kind text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}',
  dedupe_key text NOT NULL,
  created_at timestamptz NOT NULL,
  read_at timestamptz
);
CREATE UNIQUE INDEX notifications_dedupe_uq ON notifications (workspace_id, user_id, dedupe_key);
CREATE INDEX notifications_user_idx ON notifications (workspace_id, user_id, created_at DESC, id DESC);

CREATE TABLE triggers (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  position integer NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  events text[] NOT NULL,
  conditions jsonb NOT NULL DEFAULT '{"all":[],"any":[]}',
  actions jsonb NOT NULL DEFAULT '[]',
  stop boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX triggers_name_uq ON triggers (workspace_id, lower(name));
CREATE INDEX triggers_order_idx ON triggers (workspace_id, position, created_at) WHERE enabled;

CREATE TABLE automations (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  position integer NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  conditions jsonb NOT NULL,
  actions jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX automations_name_uq ON automations (workspace_id, lower(name));
CREATE INDEX automations_enabled_idx ON automations (workspace_id) WHERE enabled;

-- One row per firing: (automation, ticket, period) at most once.
CREATE TABLE automation_runs (
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  automation_id uuid NOT NULL REFERENCES automations(id) ON DELETE CASCADE,
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  period_key text NOT NULL,
  fired_at timestamptz NOT NULL,
  PRIMARY KEY (automation_id, ticket_id, period_key)
);

CREATE TABLE webhooks (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  url text NOT NULL,
  events text[] NOT NULL,
  secret_sealed text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX webhooks_ws_idx ON webhooks (workspace_id) WHERE enabled;

CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  webhook_id uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL,
  delivered_at timestamptz
);
CREATE INDEX webhook_deliveries_hook_idx ON webhook_deliveries (workspace_id, webhook_id, created_at DESC);
`.execute(db);
}
