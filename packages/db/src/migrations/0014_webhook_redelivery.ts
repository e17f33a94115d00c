import { sql, type Kysely } from 'kysely';

/**
 * Redelivering a webhook delivery: an admin sends a past delivery's payload again (after fixing
 * their receiver); the new delivery row names the one it repeats. A deleted original (its webhook
 * deleted) cascades anyway, so SET NULL only guards the link.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE webhook_deliveries ADD COLUMN redelivery_of uuid REFERENCES webhook_deliveries(id) ON DELETE SET NULL;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE webhook_deliveries DROP COLUMN redelivery_of;`.execute(db);
}
