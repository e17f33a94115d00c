import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { retryDelayMs, type Deps, type Job } from '@guichet/core';

export interface JobHandler<S extends z.ZodType = z.ZodType> {
  /** The payload schema; a payload that does not parse is a permanent failure. */
  payload: S;
  /**
   * Answers `{ completed: true }` when it completed the job itself (`tx.jobs.complete` with the
   * runner's worker id, in the transaction of its work): the runner then does not complete it again.
   */
  handle(deps: Deps, payload: z.output<S>, job: Job): Promise<void | { completed: boolean }>;
  /** Lease per attempt; a job still running past it is given to another worker. */
  leaseMs?: number;
  /**
   * Several claimed jobs of this type in one call (up to `max`): answers one outcome per item, in
   * order, as `handle` would, or the Error that fails that job alone. Under a backlog the runner
   * claims up to `max` jobs of this type for each of its free slots.
   */
  batch?: {
    max: number;
    handle(deps: Deps, items: Array<{ payload: z.output<S>; job: Job }>): Promise<Array<void | { completed: boolean } | Error>>;
  };
}

/** Thrown by a handler for a failure no retry can fix (bad data): the job goes straight to dead. */
export class PermanentJobError extends Error {}

export interface RunnerOptions {
  concurrency: number;
  /** Poll period when no notification arrives (missed notifications, retries coming due). */
  pollMs: number;
  leaseMs: number;
  onError?: (job: Job, error: unknown, willRetry: boolean) => void;
}

/**
 * Runs durable jobs from the database. Any number of runners in any number of processes may
 * share the table; each job is run by one of them at a time and retried with backoff.
 */
export class JobRunner {
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly handlers = new Map<string, JobHandler>();
  private running = 0;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private again = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly deps: Deps,
    private readonly opts: RunnerOptions,
  ) {}

  register<S extends z.ZodType>(type: string, handler: JobHandler<S>): this {
    this.handlers.set(type, handler as unknown as JobHandler);
    return this;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.wake();
  }

  /** Look for due jobs now (after an enqueue, or on a database notification). */
  wake(): void {
    if (this.stopped) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.polling = this.poll().finally(() => {
      this.polling = null;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.wake();
      } else {
        this.timer = setTimeout(() => this.wake(), this.opts.pollMs);
      }
    });
  }

  private async poll(): Promise<void> {
    const free = this.opts.concurrency - this.running;
    if (free <= 0 || this.handlers.size === 0) return;
    // One claim for every type, each job leased for its handler's lease.
    const leases: Record<string, number> = {};
    for (const [type, h] of this.handlers) leases[type] = h.leaseMs ?? this.opts.leaseMs;
    let jobs: Job[];
    try {
      jobs = await this.deps.store.jobs.claim(this.workerId, Object.keys(leases), free, this.deps.clock.now(), leases);
    } catch {
      return; // the database is away for a moment; the next poll tries again
    }
    const full = jobs.length === free;
    // Types that take batches: each slot they got carries up to `max` of their jobs (claimed
    // now when the first claim was full, so more are likely waiting).
    const batches: Job[][] = [];
    for (const [type, h] of this.handlers) {
      if (!h.batch) continue;
      const mine = jobs.filter((j) => j.type === type);
      if (!mine.length) continue;
      jobs = jobs.filter((j) => j.type !== type);
      const slots = mine.length;
      if (full && h.batch.max > 1) {
        try {
          mine.push(...(await this.deps.store.jobs.claim(this.workerId, [type], mine.length * (h.batch.max - 1), this.deps.clock.now(), leases)));
        } catch {
          // the jobs already claimed still run
        }
      }
      const size = Math.ceil(mine.length / slots);
      for (let i = 0; i < mine.length; i += size) batches.push(mine.slice(i, i + size));
    }
    const units: Array<() => Promise<void>> = [...jobs.map((job) => () => this.run(job)), ...batches.map((b) => () => this.runBatch(b))];
    for (const unit of units) {
      this.running++;
      const p = unit().finally(() => {
        this.running--;
        this.inFlight.delete(p);
        this.wake();
      });
      this.inFlight.add(p);
    }
    if (full) this.again = true;
  }

  private async runBatch(jobs: Job[]): Promise<void> {
    const handler = this.handlers.get(jobs[0]!.type)!;
    if (jobs.length === 1 || !handler.batch) {
      for (const job of jobs) await this.run(job);
      return;
    }
    const items: Array<{ payload: unknown; job: Job }> = [];
    for (const job of jobs) {
      const parsed = handler.payload.safeParse(job.payload);
      if (parsed.success) items.push({ payload: parsed.data, job });
      else await this.failed(job, new PermanentJobError(`invalid payload: ${parsed.error.issues[0]?.message ?? 'unknown'}`));
    }
    let outcomes: Array<void | { completed: boolean } | Error>;
    try {
      outcomes = await handler.batch.handle(this.deps, items);
    } catch (e) {
      outcomes = items.map(() => (e instanceof Error ? e : new Error(String(e))));
    }
    const done: number[] = [];
    for (const [i, { job }] of items.entries()) {
      const outcome = outcomes[i];
      if (outcome instanceof Error) await this.failed(job, outcome);
      else if (!outcome?.completed) done.push(job.id);
    }
    if (done.length) {
      await this.deps.store.jobs.completeMany(done, this.workerId, this.deps.clock.now()).catch(() => {
        // The leases run out and the jobs run again (they are idempotent: nothing left to do).
      });
    }
  }

  private async run(job: Job): Promise<void> {
    const handler = this.handlers.get(job.type)!;
    try {
      const parsed = handler.payload.safeParse(job.payload);
      if (!parsed.success) throw new PermanentJobError(`invalid payload: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
      const outcome = await handler.handle(this.deps, parsed.data, job);
      if (!outcome?.completed) await this.deps.store.jobs.complete(job.id, this.workerId, this.deps.clock.now());
    } catch (e) {
      await this.failed(job, e);
    }
  }

  private async failed(job: Job, e: unknown): Promise<void> {
    const permanent = e instanceof PermanentJobError;
    const willRetry = !permanent && job.attempts < job.maxAttempts;
    const now = this.deps.clock.now();
    const retryAt = willRetry ? new Date(now.getTime() + retryDelayMs(job.attempts)) : null;
    this.opts.onError?.(job, e, willRetry);
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    await this.deps.store.jobs.fail(job.id, this.workerId, message, retryAt, now).catch(() => {
      // If even that fails, the lease runs out and another attempt follows.
    });
  }

  /** Stop claiming, and wait for the jobs in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.polling;
    await Promise.allSettled([...this.inFlight]);
  }
}
