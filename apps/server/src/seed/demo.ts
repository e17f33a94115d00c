import { randomBytes } from 'node:crypto';
import type { Deps, Repositories, Store } from '@guichet/core';
import type { Config } from '../config.ts';
import { DEMO_STAFF_DOMAIN } from './demo-content.ts';
import { seedDemoWorkspace, type DemoStats } from './demo-seed.ts';
import { loadHistoryTexts } from './demo-history-texts.ts';

export interface DemoResult {
  workspaceSlug: string;
  adminEmail: string;
  created: boolean;
  /** Only when generated at this start; shown once and never stored in clear. */
  generatedPassword: string | null;
  /** What was seeded, when created at this start. */
  stats: DemoStats | null;
  /** How long seeding took, in milliseconds, when created at this start. */
  seedMs: number | null;
}

export const DEMO_SLUG = 'demo';
/** Tickets of the history around the sixty hand-written ones: about three hundred in all. */
export const DEMO_HISTORY_TICKETS = 240;

/**
 * The demo workspace, created on first start (unless GUICHET_DEMO=0) and left alone afterwards,
 * so restarts are idempotent and never overwrite what people changed.
 *
 * It is a working helpdesk: teams, staff with skills, organizations, customers, custom fields,
 * about sixty hand-written tickets with their conversations, created through the use-cases, and
 * a history of a few hundred more over the last 90 days, imported in bulk (demo-seed.ts,
 * demo-history.ts) from the public datasets beside the repository when present, else from
 * built-in texts (`config.demoDatasetsDir`; undefined: built-in).
 * Everything is written in one transaction, so a start that crashes half-way leaves no demo
 * workspace at all, and the next start seeds it again from the beginning.
 */
export async function ensureDemoWorkspace(
  deps: Deps,
  config: Pick<Config, 'demo' | 'adminEmail' | 'adminPassword'> & { demoDatasetsDir?: string | undefined },
): Promise<DemoResult | null> {
  if (!config.demo) return null;
  const adminEmail = (config.adminEmail ?? `admin@${DEMO_STAFF_DOMAIN}`).toLowerCase();
  const untouched: DemoResult = { workspaceSlug: DEMO_SLUG, adminEmail, created: false, generatedPassword: null, stats: null, seedMs: null };
  if (await deps.store.workspaces.findBySlug(DEMO_SLUG)) return untouched;
  const generatedPassword = config.adminPassword ? null : randomBytes(12).toString('base64url');
  const started = performance.now();
  let stats: DemoStats;
  try {
    ({ stats } = await deps.store.transaction((tx) =>
      seedDemoWorkspace(
        { ...deps, store: withinTransaction(tx) },
        {
          slug: DEMO_SLUG,
          name: 'Guichet Demo',
          mailDomain: DEMO_STAFF_DOMAIN,
          adminEmail,
          adminPassword: config.adminPassword ?? generatedPassword!,
          now: deps.clock.now(),
          history: { texts: loadHistoryTexts(config.demoDatasetsDir), count: DEMO_HISTORY_TICKETS },
        },
      ),
    ));
  } catch (e) {
    // Another process seeded it at the same moment (two servers on one PostgreSQL): its
    // transaction committed first, ours rolled back whole.
    if ((e as { code?: string }).code === 'NAME_TAKEN' && (await deps.store.workspaces.findBySlug(DEMO_SLUG))) return untouched;
    throw e;
  }
  return { workspaceSlug: DEMO_SLUG, adminEmail, created: true, generatedPassword, stats, seedMs: Math.round(performance.now() - started) };
}

/**
 * A store whose every read, write and unit of work goes to one open transaction: the use-cases
 * keep their own `store.transaction` calls, which all join this one.
 */
function withinTransaction(tx: Repositories): Store {
  return {
    ...tx,
    transaction<T>(work: (r: Repositories) => Promise<T>): Promise<T> {
      return work(tx);
    },
  };
}
