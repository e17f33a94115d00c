import { sql, type Kysely } from 'kysely';

/**
 * Routing explains "solved N similar tickets in 90 days" and scores on it: for each candidate of a
 * team, the tickets they solved in that team since a date (KyselyRoutingRepository.lockCandidates).
 * Without this index the count walked every ticket the agent was ever assigned, of any status and
 * team, on each decision: with years of history, thousands of rows per candidate, 25 candidates.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE INDEX tickets_solved_by_idx ON tickets (workspace_id, assignee_id, team_id, solved_at)
  WHERE status IN ('solved', 'closed');
`.execute(db);
}
