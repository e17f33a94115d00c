import { sql, type Kysely } from 'kysely';

/**
 * Ticket merge (tickets/merge-ticket.ts): a merged ticket is closed and keeps a pointer to the
 * ticket that took its conversation, so its page links there and mail threaded on it (signed
 * reply address, `[#n]` in the subject) lands there too (email/threading.ts follows the pointer).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE tickets ADD COLUMN merged_into_id uuid REFERENCES tickets(id) ON DELETE SET NULL;
`.execute(db);
}
