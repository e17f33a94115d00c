export interface NewJob {
  type: string;
  payload: Record<string, unknown>;
  workspaceId: string | null;
  /** Not before this time (default: now). */
  runAt?: Date;
  /** At most one job per (type, dedupeKey) ever: enqueueing again is a no-op. */
  dedupeKey?: string;
  maxAttempts?: number;
}

export interface Job {
  id: number;
  type: string;
  payload: Record<string, unknown>;
  workspaceId: string | null;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  createdAt: Date;
}

export interface JobRepository {
  /** Returns the new job's id, or null when a job with the same dedupe key already exists. */
  enqueue(job: NewJob, now: Date): Promise<number | null>;
  /** Many jobs in one statement (and one wake-up per type); answers how many were new. */
  enqueueMany(jobs: NewJob[], now: Date): Promise<number>;
  /**
   * Lease up to `limit` due jobs of these types to `workerId` until `now + leaseMs`; `leaseMs`
   * may give a lease per type (every type in `types` must have one), all in one statement.
   */
  claim(workerId: string, types: string[], limit: number, now: Date, leaseMs: number | Readonly<Record<string, number>>): Promise<Job[]>;
  complete(id: number, workerId: string, now: Date): Promise<void>;
  /** `complete` for several jobs in one statement. */
  completeMany(ids: number[], workerId: string, now: Date): Promise<void>;
  /** Record a failure: retry at `retryAt`, or give up (status dead) when it is null. */
  fail(id: number, workerId: string, error: string, retryAt: Date | null, now: Date): Promise<void>;
  countByStatus(): Promise<Record<string, number>>;
  /** Housekeeping: forget jobs that finished successfully before `before`; returns how many. */
  deleteDoneBefore(before: Date): Promise<number>;
}

/** Exponential backoff with jitter: 2s, 4s, 8s… capped at one hour. */
export function retryDelayMs(attempts: number, random: number = Math.random()): number {
  const base = Math.min(3_600_000, 1000 * 2 ** Math.max(1, attempts));
  return Math.round(base * (0.75 + 0.5 * random));
}
