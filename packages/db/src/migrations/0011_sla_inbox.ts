import { sql, type Kysely } from 'kysely';

/**
 * The inbox filters and sorts tickets by SLA without reading the clocks' JSON: each ticket_sla
 * row carries its summary (core sla/engine.ts `summarizeSla`), written with the clocks.
 * - due_at: the earliest deadline of an open target, or the one it already missed; the index
 *   serves "closest to the SLA deadline" and the breached/at-risk/ok filters, per workspace.
 * - warn_at: the earliest warning moment of the running targets; paused: clocks stopped with a
 *   target still open.
 * Existing rows are filled from their JSON. A warning the sweep already recorded is known only
 * to be past: such a row takes its last write time, which is past too (only "is it past" is
 * ever asked of warn_at); an unrecorded warning is the sweep's next moment when that comes
 * before every deadline.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE ticket_sla
  ADD COLUMN due_at timestamptz,
  ADD COLUMN warn_at timestamptz,
  ADD COLUMN paused boolean NOT NULL DEFAULT false;
CREATE INDEX ticket_sla_list_due_idx ON ticket_sla (workspace_id, due_at, ticket_id) WHERE due_at IS NOT NULL;
`.execute(db);
  await backfillSlaSummary(db);
}

/** Fill the summary of rows written before it existed, from their JSON (tested against the engine). */
export async function backfillSlaSummary(db: Kysely<any>): Promise<void> {
  await sql`
WITH open_targets AS (
  SELECT s.ticket_id, c.value AS v
  FROM ticket_sla s, jsonb_each(s.state -> 'clocks') AS c
  WHERE c.value ->> 'fulfilledAt' IS NULL AND c.value ->> 'targetMinutes' IS NOT NULL
), summary AS (
  SELECT ticket_id,
    min(COALESCE(v ->> 'breachedAt', v ->> 'deadline')::timestamptz) AS due_at,
    bool_or(v ->> 'breachedAt' IS NULL AND v ->> 'deadline' IS NOT NULL AND v ->> 'since' IS NOT NULL
            AND jsonb_array_length(COALESCE(v -> 'warned', '[]'::jsonb)) > 0) AS warned
  FROM open_targets
  GROUP BY ticket_id
)
UPDATE ticket_sla s SET
  due_at = summary.due_at,
  paused = COALESCE((s.state ->> 'paused')::boolean, false),
  warn_at = CASE WHEN summary.warned THEN s.updated_at
                 WHEN s.next_due_at < summary.due_at THEN s.next_due_at END
FROM summary
WHERE summary.ticket_id = s.ticket_id;
`.execute(db);
}
