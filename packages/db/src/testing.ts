/**
 * Test databases: the embedded PGlite (always) and a real PostgreSQL server. PostgreSQL is never
 * skipped silently: if it cannot be reached the tests fail, unless GUICHET_TEST_PG=off says so
 * out loud (and CI never sets it).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from './database.ts';

export type TestDbKind = 'pglite' | 'postgres';

export const PG_ADMIN_URL = process.env.GUICHET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function testDbKinds(): TestDbKind[] {
  if (process.env.GUICHET_TEST_PG === 'off') {
    if (process.env.CI) throw new Error('GUICHET_TEST_PG=off is not allowed in CI: the PostgreSQL suite must run.');
    console.warn('# GUICHET_TEST_PG=off: PostgreSQL tests are NOT run');
    return ['pglite'];
  }
  return ['pglite', 'postgres'];
}

/** A fresh PostgreSQL database on the test server; returns its URL and a function that drops it. */
export async function createPgDatabase(prefix = 'guichet_test'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_ADMIN_URL} (${(e as Error).message}). Start it (see .ci/run) or set GUICHET_TEST_PG_URL.`,
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Open a migrated test database of the given kind; `close()` also drops the PostgreSQL one. */
export async function openTestDatabase(kind: TestDbKind, opts: { poolSize?: number } = {}): Promise<Database> {
  if (kind === 'pglite') return openDatabase({ memory: true });
  const created = await createPgDatabase();
  const database = await openDatabase({ url: created.url, poolSize: opts.poolSize ?? 5 });
  return {
    ...database,
    async close() {
      await database.close();
      await created.drop();
    },
  };
}
