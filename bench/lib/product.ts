/**
 * The product in this process, for benchmarks that call its use-cases directly: a database of
 * either kind (PGlite in memory, or a fresh PostgreSQL database dropped at close) and the ports.
 */
import { randomBytes } from 'node:crypto';
import { createKeyring, createUuidV7, cryptoSecrets, systemClock, type Clock, type Deps } from '@guichet/core';
import { createStore, openDatabase, type Database } from '@guichet/db';
import { createPgDatabase } from '@guichet/db/testing';

export type DbKind = 'pglite' | 'pg';

export const dbLabel = (k: DbKind) => (k === 'pg' ? 'PostgreSQL' : 'PGlite');

/** The kinds named by `--only=pglite,pg` (both by default), in the order given. */
export function onlyKinds(args: string[], fallback: DbKind[] = ['pglite', 'pg']): DbKind[] {
  const a = args.find((x) => x.startsWith('--only='));
  if (!a) return fallback;
  const kinds = a.slice('--only='.length).split(',').map((k) => (k === 'postgres' ? 'pg' : k));
  for (const k of kinds) if (k !== 'pg' && k !== 'pglite') throw new Error(`--only takes pglite and/or pg, not ${k}`);
  return kinds as DbKind[];
}

/** A migrated database; `close()` also drops the PostgreSQL one. */
export async function openBenchDatabase(kind: DbKind, opts: { poolSize?: number; prefix?: string } = {}): Promise<Database> {
  if (kind === 'pglite') return openDatabase({ memory: true });
  const created = await createPgDatabase(opts.prefix ?? 'guichet_bench');
  try {
    const database = await openDatabase({ url: created.url, poolSize: opts.poolSize ?? 4 });
    return {
      ...database,
      async close() {
        try {
          await database.close();
        } finally {
          await created.drop();
        }
      },
    };
  } catch (e) {
    await created.drop();
    throw e;
  }
}

const plainHasher = { hash: async (p: string) => `plain:${p}`, verify: async (h: string, p: string) => h === `plain:${p}` };

export function benchDeps(database: Database, clock: Clock = systemClock): Deps {
  return {
    store: createStore(database.db),
    clock,
    ids: createUuidV7(clock),
    secrets: cryptoSecrets,
    keyring: createKeyring(randomBytes(32)),
    passwords: plainHasher,
    settings: { sessionTtlMs: 3_600_000, maxLoginFailures: 5, loginWindowMs: 60_000 },
  };
}

/** The p-quantile (0..1) of a sample, nearest rank. */
export function quantile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}

/** The machine's load averages, printed with every figure (the machine is shared). */
export async function loadAverage(): Promise<string> {
  const { loadavg } = await import('node:os');
  return loadavg().map((x) => x.toFixed(2)).join(' ');
}

/** `--name=N` among the arguments: a positive number, or `fallback` when absent. */
export function numArg(args: string[], name: string, fallback: number): number {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  if (!a) return fallback;
  const n = Number(a.slice(name.length + 3));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} takes a positive number`);
  return n;
}
