import type { Deps } from '../deps.ts';

export const MAINTENANCE_JOB = 'maintenance.cleanup';

/** How long housekeeping keeps what it may forget. */
export const RETENTION = {
  loginAttemptsMs: 30 * 86_400_000,
  doneJobsMs: 7 * 86_400_000,
};

/** Forget expired sessions, old sign-in attempts and old finished jobs. Safe to run twice. */
export async function runMaintenance(deps: Deps): Promise<{ sessions: number; loginAttempts: number; jobs: number }> {
  const now = deps.clock.now();
  const sessions = await deps.store.sessions.deleteExpired(now);
  const loginAttempts = await deps.store.loginAttempts.deleteBefore(new Date(now.getTime() - RETENTION.loginAttemptsMs));
  const jobs = await deps.store.jobs.deleteDoneBefore(new Date(now.getTime() - RETENTION.doneJobsMs));
  return { sessions, loginAttempts, jobs };
}

/** Ask for one maintenance run per hour, whichever process asks first (the dedupe key is the hour). */
export async function scheduleMaintenance(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  await deps.store.jobs.enqueue(
    { type: MAINTENANCE_JOB, payload: {}, workspaceId: null, dedupeKey: now.toISOString().slice(0, 13), maxAttempts: 3 },
    now,
  );
}
