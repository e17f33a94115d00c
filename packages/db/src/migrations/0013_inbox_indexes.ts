import { sql, type Kysely } from 'kysely';

/**
 * The inbox at a million tickets (bench/web). Its views read the tickets that are not solved
 * (new, open, pending, on hold: a few percent of a workspace), newest change first; the older
 * indexes lead with the status or end with it, so a view read thousands of rows and sorted them
 * for each page, and the live counts visited every row of the backlog in the table.
 * These indexes hold only unsolved tickets, in each view's order with the id as tie-breaker (the
 * keyset cursor), so a page is one ordered index range; and they carry the columns the counts
 * test, so the counts are index-only scans (GET /tickets/counts, KyselyTicketRepository.countViews).
 * - all open, and the counts per assignee and per team: (updated_at, id) with assignee and team;
 * - mine / an agent's open tickets: per assignee, by updated_at;
 * - unassigned, oldest first: by created_at;
 * - a team's open tickets: per team, by updated_at;
 * - an agent's tickets of any status, by updated_at;
 * - tags among the unsolved tickets (the GIN index over every ticket's tags made a tag filter on
 *   an open view read every ticket with that tag, most of them long closed);
 * - the open tickets by priority: the expression is the list's sort key (PRIORITY_RANK in
 *   repositories/tickets.ts; the two must stay the same text for the planner to match them).
 * Lists filtered by other columns (channel, language, priority…) walk one of these in order and
 * check the rest on each row, which stays cheap while the backlog is a few percent of the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE INDEX tickets_open_updated_idx ON tickets (workspace_id, updated_at DESC, id DESC) INCLUDE (assignee_id, team_id)
  WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX tickets_open_assignee_idx ON tickets (workspace_id, assignee_id, updated_at DESC, id DESC)
  WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX tickets_open_unassigned_idx ON tickets (workspace_id, created_at, id)
  WHERE status IN ('new', 'open', 'pending', 'on_hold') AND assignee_id IS NULL;
CREATE INDEX tickets_open_team_idx ON tickets (workspace_id, team_id, updated_at DESC, id DESC)
  WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX tickets_assignee_updated_idx ON tickets (workspace_id, assignee_id, updated_at DESC, id DESC);
CREATE INDEX tickets_open_tags_idx ON tickets USING gin (tags)
  WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX tickets_open_priority_idx ON tickets (workspace_id, (CASE priority WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 ELSE 3 END) DESC, id DESC)
  WHERE status IN ('new', 'open', 'pending', 'on_hold');
`.execute(db);
}
