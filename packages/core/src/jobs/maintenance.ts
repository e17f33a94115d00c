import type { Deps } from '../deps.ts';

export const MAINTENANCE_JOB = 'maintenance.cleanup';

/** How long housekeeping keeps what it may forget. */
export const RETENTION = {
  loginAttemptsMs: 30 * 86_400_000,
  doneJobsMs: 7 * 86_400_000,
  /** Searches typed by customers and visitors may hold personal data: a year is enough for the content-gap report. */
  searchLogMs: 365 * 86_400_000,
};

/**
 * Forget expired sessions, old sign-in attempts, old finished jobs and old searches; re-estimate
 * the search term statistics of the workspaces whose documents changed much. Safe to run twice.
 */
export async function runMaintenance(deps: Deps): Promise<{ sessions: number; loginAttempts: number; jobs: number; searches: number; searchStats: number }> {
  const now = deps.clock.now();
  const sessions = await deps.store.sessions.deleteExpired(now);
  const loginAttempts = await deps.store.loginAttempts.deleteBefore(new Date(now.getTime() - RETENTION.loginAttemptsMs));
  const jobs = await deps.store.jobs.deleteDoneBefore(new Date(now.getTime() - RETENTION.doneJobsMs));
  const searches = await deps.store.contentGaps.deleteSearchesBefore(new Date(now.getTime() - RETENTION.searchLogMs));
  const searchStats = await deps.store.search.refreshStats(now);
  return { sessions, loginAttempts, jobs, searches, searchStats };
}

/** Ask for one maintenance run per hour, whichever process asks first (the dedupe key is the hour). */
export async function scheduleMaintenance(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  await deps.store.jobs.enqueue(
    { type: MAINTENANCE_JOB, payload: {}, workspaceId: null, dedupeKey: now.toISOString().slice(0, 13), maxAttempts: 3 },
    now,
  );
}
