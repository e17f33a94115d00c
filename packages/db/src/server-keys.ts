import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

/** A named server key kept in the database, created at first use; every process of a cluster reads the same one. */
export async function loadOrCreateServerKey(db: Kysely<DB>, name: string, bytes = 32): Promise<Buffer> {
  await sql`INSERT INTO server_keys (name, value, created_at) VALUES (${name}, ${randomBytes(bytes)}, now()) ON CONFLICT (name) DO NOTHING`.execute(db);
  const r = await sql<{ value: Buffer | Uint8Array }>`SELECT value FROM server_keys WHERE name = ${name}`.execute(db);
  return Buffer.from(r.rows[0]!.value);
}
