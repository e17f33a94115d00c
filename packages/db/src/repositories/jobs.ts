import { sql, type Kysely } from 'kysely';
import type { Job, JobRepository, NewJob } from '@guichet/core';
import type { DB } from '../schema.ts';
import { json } from './mappers.ts';

export const JOBS_CHANNEL = 'guichet_jobs';

export class KyselyJobRepository implements JobRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async enqueue(job: NewJob, now: Date): Promise<number | null> {
    // The NOTIFY goes in the same statement, only when a row was inserted; it is delivered at
    // commit, so a worker never wakes for a job it cannot see yet.
    const r = await sql<{ id: number }>`
      WITH ins AS (
        INSERT INTO jobs (workspace_id, type, payload, run_at, dedupe_key, max_attempts, created_at)
        VALUES (${job.workspaceId}, ${job.type}, ${JSON.stringify(job.payload)}::jsonb, ${job.runAt ?? now},
          ${job.dedupeKey ?? null}, ${job.maxAttempts ?? 10}, ${now})
        ON CONFLICT (type, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
        RETURNING id, type)
      SELECT id, pg_notify(${JOBS_CHANNEL}, type) FROM ins`.execute(this.db);
    const id = r.rows[0]?.id ?? null;
    return id === null ? null : Number(id);
  }

  async enqueueMany(jobs: NewJob[], now: Date): Promise<number> {
    if (!jobs.length) return 0;
    if (jobs.length === 1) return (await this.enqueue(jobs[0]!, now)) === null ? 0 : 1;
    const rows = jobs.map((j) => ({
      workspace_id: j.workspaceId,
      type: j.type,
      payload: j.payload,
      run_at: (j.runAt ?? now).toISOString(),
      dedupe_key: j.dedupeKey ?? null,
      max_attempts: j.maxAttempts ?? 10,
    }));
    // One NOTIFY per job type inserted, not per job.
    const r = await sql<{ n: number }>`
      WITH ins AS (
        INSERT INTO jobs (workspace_id, type, payload, run_at, dedupe_key, max_attempts, created_at)
        SELECT r.workspace_id, r.type, r.payload, r.run_at, r.dedupe_key, r.max_attempts, ${now}
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          AS r(workspace_id uuid, type text, payload jsonb, run_at timestamptz, dedupe_key text, max_attempts int)
        ON CONFLICT (type, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
        RETURNING type),
      woken AS (SELECT pg_notify(${JOBS_CHANNEL}, t.type) FROM (SELECT DISTINCT type FROM ins) t)
      SELECT (SELECT count(*) FROM ins)::int AS n, (SELECT count(*) FROM woken)::int AS w`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0);
  }

  async claim(workerId: string, types: string[], limit: number, now: Date, leaseMs: number | Readonly<Record<string, number>>): Promise<Job[]> {
    if (!types.length) return [];
    const leases = types.map((t) => {
      const ms = typeof leaseMs === 'number' ? leaseMs : leaseMs[t];
      if (ms === undefined) throw new Error(`no lease given for job type ${t}`);
      return Math.round(ms);
    });
    // One statement whatever the leases: each job's lease comes from its type.
    const r = await sql<Record<string, unknown>>`
      UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ${workerId},
        locked_until = ${now}::timestamptz + (
          (${leases}::bigint[])[array_position(${types}::text[], jobs.type)] * interval '1 millisecond')
      WHERE id IN (
        SELECT id FROM jobs
        WHERE type = ANY(${types}::text[])
          AND ((status = 'pending' AND run_at <= ${now}) OR (status = 'running' AND locked_until < ${now}))
        ORDER BY run_at, id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING id, type, payload, workspace_id, attempts, max_attempts, run_at, created_at`.execute(this.db);
    return r.rows
      .map((row) => ({
        id: Number(row.id),
        type: String(row.type),
        payload: json<Record<string, unknown>>(row.payload, {}),
        workspaceId: (row.workspace_id as string | null) ?? null,
        attempts: Number(row.attempts),
        maxAttempts: Number(row.max_attempts),
        runAt: new Date(row.run_at as string),
        createdAt: new Date(row.created_at as string),
      }))
      .sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || a.id - b.id);
  }

  complete(id: number, workerId: string, now: Date): Promise<void> {
    return this.completeMany([id], workerId, now);
  }

  async completeMany(ids: number[], workerId: string, now: Date): Promise<void> {
    if (!ids.length) return;
    await this.db
      .updateTable('jobs')
      .set({ status: 'done', finished_at: now, locked_by: null, locked_until: null, last_error: null })
      .where('id', 'in', ids)
      .where('locked_by', '=', workerId)
      .execute();
  }

  async fail(id: number, workerId: string, error: string, retryAt: Date | null, now: Date): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        status: retryAt ? 'pending' : 'dead',
        run_at: retryAt ?? now,
        finished_at: retryAt ? null : now,
        locked_by: null,
        locked_until: null,
        last_error: error.slice(0, 4000),
      })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .execute();
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async deleteDoneBefore(before: Date): Promise<number> {
    const r = await this.db.deleteFrom('jobs').where('status', '=', 'done').where('finished_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
