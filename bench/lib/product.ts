/**
 * The product in this process, for benchmarks that call its use-cases directly: a database of
 * either kind (PGlite in memory, or a fresh PostgreSQL database dropped at close) and the ports.
 */
import { randomBytes } from 'node:crypto';
import { createKeyring, createUuidV7, cryptoSecrets, systemClock, type Clock, type Deps } from '@guichet/core';
import { createStore, openDatabase, type Database } from '@guichet/db';
import { createPgDatabase } from '@guichet/db/testing';
import { startPgCounter, type PgCounter } from './pg-counter.ts';

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
/**
 * A fresh database for a bench (dropped on close). With `counter`, PostgreSQL is reached through
 * a counting proxy (`pg-counter.ts`) whose counts the bench can read: statements, not seconds,
 * so they do not depend on the machine's load.
 */
export async function openBenchDatabase(kind: DbKind, opts: { poolSize?: number; prefix?: string; counter?: boolean } = {}): Promise<Database & { counter?: PgCounter }> {
  if (kind === 'pglite') return openDatabase({ memory: true });
  const created = await createPgDatabase(opts.prefix ?? 'guichet_bench');
  let counter: PgCounter | undefined;
  try {
    if (opts.counter) counter = await startPgCounter(created.url);
    const database = await openDatabase({ url: counter?.url ?? created.url, poolSize: opts.poolSize ?? 4 });
    return {
      ...database,
      ...(counter ? { counter } : {}),
      async close() {
        try {
          await database.close();
          await counter?.close();
        } finally {
          await created.drop();
        }
      },
    };
  } catch (e) {
    await counter?.close();
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
