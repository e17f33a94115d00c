import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql, type Migration } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
import type { DB } from './schema.ts';
import * as m0001 from './migrations/0001_foundation.ts';
import * as m0002 from './migrations/0002_jobs.ts';
import * as m0003 from './migrations/0003_email.ts';
import * as m0005 from './migrations/0005_sla.ts';
import * as m0006 from './migrations/0006_routing.ts';
import * as m0007 from './migrations/0007_web.ts';
import * as m0004 from './migrations/0004_knowledge.ts';
import * as m0009 from './migrations/0009_collab.ts';
import * as m0008 from './migrations/0008_portal.ts';
import * as m0010 from './migrations/0010_content_gaps.ts';
import * as m0011 from './migrations/0011_sla_inbox.ts';
import * as m0012 from './migrations/0012_branding.ts';
import * as m0013 from './migrations/0013_inbox_indexes.ts';
import * as m0014 from './migrations/0014_webhook_redelivery.ts';
import * as m0015 from './migrations/0015_search_stats.ts';
import * as m0016 from './migrations/0016_routing_solved_idx.ts';
import * as m0017 from './migrations/0017_ticket_merge.ts';
import * as m0018 from './migrations/0018_config_version.ts';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';

export interface DatabaseOptions {
  /** PostgreSQL server; when absent, the embedded PGlite database is used. */
  url?: string | undefined;
  /** PGlite data folder; `memory://` or undefined with `memory: true` keeps it in memory. */
  dataDir?: string | undefined;
  memory?: boolean;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Kysely<DB>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Call `onNotify` for every NOTIFY on `channel` (from any process on a PostgreSQL server).
   * Resolves to a function that stops listening. Best effort: a lost connection is re-opened.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** NOTIFY `channel` with `payload` (at most 7,900 bytes): every process LISTENing on it hears it, this one too. */
  notify(channel: string, payload: string): Promise<void>;
  /** PostgreSQL only: the pool, for LISTEN/NOTIFY and advisory locks. */
  pool?: pg.Pool;
}

const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_jobs': m0002,
  '0003_email': m0003,
  '0005_sla': m0005,
  '0006_routing': m0006,
  '0007_web': m0007,
  '0004_knowledge': m0004,
  '0009_collab': m0009,
  '0008_portal': m0008,
  '0010_content_gaps': m0010,
  '0011_sla_inbox': m0011,
  '0012_branding': m0012,
  '0013_inbox_indexes': m0013,
  '0014_webhook_redelivery': m0014,
  '0015_search_stats': m0015,
  '0016_routing_solved_idx': m0016,
  '0017_ticket_merge': m0017,
  '0018_config_version': m0018,
};

/**
 * Search looks for a mistyped word in titles by trigram word similarity (pg_trgm's <% operator,
 * index-backed); its default threshold (0.6) misses one-letter slips in short words ("refnd").
 */
const SEARCH_SESSION_SETTINGS = 'SET pg_trgm.word_similarity_threshold = 0.45';

// int8 (ids of append-only logs, counts) as JS numbers: they stay far below 2^53 here.
const INT8 = 20;
const NUMERIC = 1700;

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  const database = opts.url ? openPostgres(opts.url, opts.poolSize ?? 10) : await openPGlite(opts);
  try {
    await migrate(database.db);
  } catch (e) {
    await database.close();
    throw e;
  }
  return database;
}

function openPostgres(url: string, poolSize: number): Database {
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format);
    },
  };
  // No JIT compilation: Guichet's statements are short, and one whose estimated cost crosses
  // jit_above_cost (a search whose plan holds a count it never runs) spent ~100 ms compiling
  // for a few milliseconds of work (bench/search-latency). A URL's own `options` still win.
  let own: string | null = null;
  try {
    own = new URL(url).searchParams.get('options');
  } catch {
    /* not a URL: pg reads it as it can */
  }
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: types as pg.CustomTypesConfig, options: own ?? '-c jit=off' });
  // A dropped idle connection is replaced by the pool; log nothing that could hold a secret.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    prepareStatements(client);
    void client.query(SEARCH_SESSION_SETTINGS).catch(() => {});
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    pool,
    async ping() {
      await sql`select 1`.execute(db);
    },
    notify: (channel, payload) => notifyOn(db, channel, payload),
    async close() {
      await db.destroy();
    },
    async listen(channel, onNotify) {
      checkChannel(channel);
      let client: pg.Client | null = null;
      let stopped = false;
      const retry = () => {
        if (!stopped) setTimeout(connect, 1000).unref();
      };
      const connect = async () => {
        if (stopped) return;
        const c = new pg.Client({ connectionString: url });
        c.on('notification', (n) => {
          if (n.channel === channel) onNotify(n.payload ?? '');
        });
        c.on('error', () => {
          c.end().catch(() => {});
          if (client === c) client = null;
          retry();
        });
        try {
          await c.connect();
          await c.query(`LISTEN ${channel}`);
          client = c;
        } catch {
          c.end().catch(() => {});
          retry();
        }
      };
      await connect();
      return async () => {
        stopped = true;
        await client?.end().catch(() => {});
      };
    },
  };
}

/**
 * Send parameterised statements as named prepared statements, so each connection parses and
 * plans a given statement once instead of on every call (about 40% of a small INSERT's cost on
 * the server). Names come from the statement text; the number of distinct statements one
 * process prepares is bounded, past which statements run unnamed as before.
 */
const MAX_PREPARED = 2000;
const statementNames = new Map<string, string>();

function statementName(text: string): string | null {
  let name = statementNames.get(text);
  if (name) return name;
  if (statementNames.size >= MAX_PREPARED) return null;
  name = `g_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
  statementNames.set(text, name);
  return name;
}

function prepareStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (text: unknown, values?: unknown, cb?: unknown) => {
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && cb === undefined) {
      const name = statementName(text);
      if (name) return query({ name, text, values });
    }
    return query(text, values, cb);
  };
}

async function notifyOn(db: Kysely<DB>, channel: string, payload: string): Promise<void> {
  checkChannel(channel);
  if (Buffer.byteLength(payload) > 7900) throw new Error(`NOTIFY payload too large (${Buffer.byteLength(payload)} bytes)`);
  await sql`SELECT pg_notify(${channel}, ${payload})`.execute(db);
}

function checkChannel(channel: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid channel name "${channel}"`);
}

async function openPGlite(opts: DatabaseOptions): Promise<Database> {
  const inMemory = opts.memory || !opts.dataDir || opts.dataDir.startsWith('memory://');
  let unlock = () => {};
  if (!inMemory) {
    mkdirSync(opts.dataDir!, { recursive: true });
    unlock = lockDataDir(opts.dataDir!);
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(inMemory ? undefined : join(opts.dataDir!, 'pg'), {
      parsers: { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v) },
      // Search needs accent folding and trigrams (migration 0004); PostgreSQL ships both in contrib.
      extensions: { pg_trgm, unaccent },
    });
  } catch (e) {
    unlock();
    throw e;
  }
  await pglite.exec(SEARCH_SESSION_SETTINGS);
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  let closed = false;
  return {
    kind: 'pglite',
    db,
    async ping() {
      await sql`select 1`.execute(db);
    },
    notify: (channel, payload) => notifyOn(db, channel, payload),
    async listen(channel, onNotify) {
      checkChannel(channel);
      const unsubscribe = await pglite.listen(channel, onNotify);
      return async () => {
        if (!closed) await unsubscribe();
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await pglite.close();
      unlock();
    },
  };
}

/** Data folders this process holds: its pid in the lock file cannot tell a second open from the first. */
const heldDataDirs = new Set<string>();

/**
 * PGlite is one process's database: two processes on one folder would corrupt it, and so would two
 * instances in one process. A lock file holding the owner's pid keeps another process out, the set
 * above keeps this one from opening a folder twice; a lock left by a dead process is taken over.
 */
function lockDataDir(dir: string): () => void {
  const key = realpathSync(dir);
  if (heldDataDirs.has(key)) {
    throw new Error(`The data folder ${dir} is already open in this process; close it before opening it again.`);
  }
  const file = join(dir, 'guichet.lock');
  // Created exclusively, so two processes starting at the same instant cannot both get in.
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let pid = 0;
    try {
      pid = Number(readFileSync(file, 'utf8').trim());
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    // Our own pid on a folder we do not hold was left by an earlier process that had it (pid 1 in a container).
    if (attempt > 0 || (pid && pid !== process.pid && isAlive(pid))) {
      throw new Error(
        `The data folder ${dir} is in use by another Guichet process (pid ${pid || 'unknown'}). Stop it first, or use PostgreSQL (DATABASE_URL) to run several processes.`,
      );
    }
    rmSync(file, { force: true }); // a stale lock: take it over
  }
  heldDataDirs.add(key);
  return () => {
    heldDataDirs.delete(key);
    rmSync(file, { force: true });
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function migrate(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'guichet_migrations',
    migrationLockTableName: 'guichet_migrations_lock',
    // Work done side by side lands in any order: a data folder that already ran a later-numbered
    // migration still runs an earlier-numbered one it has not seen (they never depend on each other's order).
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
}
