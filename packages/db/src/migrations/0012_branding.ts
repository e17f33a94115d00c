import { sql, type Kysely } from 'kysely';

/**
 * Help-center and portal branding: a colour on the workspace row, the logo in a table of its own
 * (so the many reads of a workspace never carry its bytes). `logo_sha256` on the workspace names
 * the current logo: its address changes with it, so browsers may keep it for a year.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE workspaces ADD COLUMN brand_color text;
ALTER TABLE workspaces ADD COLUMN logo_sha256 text;

CREATE TABLE workspace_logos (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  content bytea NOT NULL,
  content_type text NOT NULL,
  sha256 text NOT NULL,
  updated_at timestamptz NOT NULL
);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE workspace_logos; ALTER TABLE workspaces DROP COLUMN logo_sha256; ALTER TABLE workspaces DROP COLUMN brand_color;`.execute(db);
}
