import { sql, type Kysely } from 'kysely';

/**
 * One number that changes whenever anything a hot path reads of a workspace's configuration
 * changes: `workspaces.config_version`. Ticket creation, SLA clocks, triggers and routing read it
 * (one primary-key lookup) and keep what they read of the configuration under it, in memory, in
 * every process (`core/shared/config-cache.ts`), instead of reading the policies, calendars,
 * triggers, webhooks, teams and routing settings again for each ticket.
 *
 * The number comes from a sequence, so it is never given twice: not after a rollback, and not
 * twice in one transaction that changes several rows (what such a transaction read between two of
 * its changes is kept under a number nobody will read once the next change is made). Any update of
 * the workspace row takes a new one (its own settings are configuration too); a change to a row of
 * a configuration table updates the row of its workspace. Those tables change when an admin edits
 * them, not per ticket, so the workspace row is not a hot spot; its update takes a lock that
 * inserts referencing the workspace (KEY SHARE) do not wait for.
 */
const TABLES = [
  'sla_policies',
  'business_calendars',
  'triggers',
  'webhooks',
  'automations',
  'routing_settings',
  'routing_rules',
  'team_routing',
  'routing_models',
  'teams',
  'team_members',
  'skills',
  'custom_fields',
  'ticket_categories',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE SEQUENCE workspace_config_seq;
ALTER TABLE workspaces ADD COLUMN config_version bigint NOT NULL DEFAULT nextval('workspace_config_seq');

CREATE FUNCTION workspace_config_renew() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.config_version := nextval('workspace_config_seq');
  RETURN NEW;
END $$;
CREATE TRIGGER workspaces_config_version BEFORE UPDATE ON workspaces
  FOR EACH ROW EXECUTE FUNCTION workspace_config_renew();

CREATE FUNCTION workspace_config_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    UPDATE workspaces SET config_version = 0 WHERE id = NEW.workspace_id;
  END IF;
  IF TG_OP <> 'INSERT' AND (TG_OP = 'DELETE' OR OLD.workspace_id IS DISTINCT FROM NEW.workspace_id) THEN
    UPDATE workspaces SET config_version = 0 WHERE id = OLD.workspace_id;
  END IF;
  RETURN NULL;
END $$;
`.execute(db);
  for (const table of TABLES) {
    await sql`CREATE TRIGGER ${sql.id(`${table}_config_version`)} AFTER INSERT OR UPDATE OR DELETE ON ${sql.id(table)}
  FOR EACH ROW EXECUTE FUNCTION workspace_config_touch()`.execute(db);
  }
}
