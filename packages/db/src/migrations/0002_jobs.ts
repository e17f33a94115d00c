import { sql, type Kysely } from 'kysely';

/**
 * Durable background jobs. Any process claims due jobs with FOR UPDATE SKIP LOCKED, so several
 * Guichet processes on one PostgreSQL share the work; a claim is a lease, and a job whose
 * worker died is claimed again once the lease runs out.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id uuid REFERENCES workspaces(id) ON DELETE CASCADE,
  type text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 10,
  run_at timestamptz NOT NULL,
  locked_by text,
  locked_until timestamptz,
  last_error text,
  dedupe_key text,
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE status = 'pending';
CREATE INDEX jobs_lease_idx ON jobs (locked_until) WHERE status = 'running';
CREATE UNIQUE INDEX jobs_dedupe_uq ON jobs (type, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE status = 'done';
`.execute(db);
}
