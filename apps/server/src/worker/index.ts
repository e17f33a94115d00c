import { z } from 'zod';
import { KNOWLEDGE_PUBLISH_JOB, KNOWLEDGE_SWEEP_JOB, runKnowledgeSweep, runScheduledPublication, scheduleKnowledgeSweep } from '@guichet/core';
import { acceptInboundEmail, EMAIL_SEND_JOB, INGEST_JOB, MAINTENANCE_JOB, AUTOMATIONS_JOB, recomputeSla, runAutomations, runMaintenance, scheduleAutomations, scheduleMaintenance, scheduleSlaSweep, sweepSla, SLA_RECOMPUTE_JOB, SLA_SWEEP_JOB, WEBHOOK_DELIVER_JOB, type Deps, type IngestLimits, type LanguageIdentifier } from '@guichet/core';
import { createMailboxLocks, JOBS_CHANNEL, type Database } from '@guichet/db';
import { JobRunner, type RunnerOptions } from './runner.ts';
import { emailIngestHandler } from '../email/ingest-job.ts';
import { emailSendHandler } from '../email/outbound-transport.ts';
import { ImapPoller } from '../email/imap.ts';
import { loadLanguageIdentifier } from '../routing/language.ts';
import { routingHandlers, scheduleRouting } from '../routing/jobs.ts';
import { webhookDeliverHandler } from '../webhooks/deliver.ts';

export interface Worker {
  runner: JobRunner;
  stop(): Promise<void>;
}

/**
 * The worker role: runs durable jobs, wakes on NOTIFY (any process's enqueue) and polls as a
 * fallback, and asks for periodic housekeeping. Every handler is registered here.
 */
export async function startWorker(
  deps: Deps,
  database: Pick<Database, 'listen' | 'kind' | 'pool'>,
  opts: Partial<RunnerOptions> & { log?: (msg: string, data?: unknown) => void; info?: (msg: string, data?: unknown) => void; ingestLimits?: IngestLimits; smtpRelay?: string | undefined; mailOutboxDir?: string | undefined; imapPollMs?: number | false; slaSweepMs?: number } = {},
): Promise<Worker> {
  const runner = new JobRunner(deps, {
    concurrency: opts.concurrency ?? 4,
    pollMs: opts.pollMs ?? 1000,
    leaseMs: opts.leaseMs ?? 5 * 60_000,
    onError: (job, error, willRetry) =>
      opts.log?.(`job ${job.type} #${job.id} failed (attempt ${job.attempts}${willRetry ? ', will retry' : ', giving up'})`, {
        error: error instanceof Error ? error.message : String(error),
      }),
  });
  runner.register(MAINTENANCE_JOB, { payload: z.object({}), handle: async (d) => void (await runMaintenance(d)) });
  runner.register(INGEST_JOB, emailIngestHandler(opts.ingestLimits, undefined, () => runner.workerId));
  runner.register(EMAIL_SEND_JOB, emailSendHandler({ relayUrl: opts.smtpRelay, outboxDir: opts.mailOutboxDir, workerId: () => runner.workerId, ...(opts.info ? { log: opts.info } : {}) }));
  runner.register(SLA_SWEEP_JOB, { payload: z.object({}).loose(), leaseMs: 120_000, handle: async (d) => void (await sweepSla(d)) });
  runner.register(WEBHOOK_DELIVER_JOB, webhookDeliverHandler());
  runner.register(AUTOMATIONS_JOB, { payload: z.object({}).loose(), leaseMs: 600_000, handle: async (d) => void (await runAutomations(d)) });
  runner.register(SLA_RECOMPUTE_JOB, { payload: z.object({ workspaceId: z.uuid() }).loose(), handle: async (d, p) => void (await recomputeSla(d, p.workspaceId)) });
  // Routing; the language model loads in the background (tickets routed before it is ready go without).
  let languageId: LanguageIdentifier | undefined;
  loadLanguageIdentifier().then((l) => (languageId = l), (e) => opts.log?.('language identification unavailable', { error: String(e) }));
  for (const [type, handler] of Object.entries(routingHandlers(() => languageId))) runner.register(type, handler);
  runner.register(KNOWLEDGE_PUBLISH_JOB, {
    payload: z.object({ articleId: z.uuid() }),
    handle: async (d, payload, job) => void (await runScheduledPublication(d, job.workspaceId!, payload.articleId)),
  });
  runner.register(KNOWLEDGE_SWEEP_JOB, { payload: z.object({}), handle: async (d) => void (await runKnowledgeSweep(d)) });

  const unlisten = await database.listen(JOBS_CHANNEL, () => runner.wake());
  runner.start();
  // Inbound IMAP: one watcher per enabled IMAP mailbox whose lock this process holds (@guichet/db mailbox-locks.ts).
  const imap =
    opts.imapPollMs === false
      ? null
      : new ImapPoller(deps, { accept: acceptInboundEmail, pollMs: opts.imapPollMs ?? 60_000, locks: createMailboxLocks(database), log: opts.log });
  imap?.start();
  const schedule = () => Promise.all([scheduleMaintenance(deps).catch(() => {}), scheduleKnowledgeSweep(deps).catch(() => {})]);
  await schedule();
  const timer = setInterval(schedule, 5 * 60_000);
  timer.unref();
  // SLA warnings and breaches: one sweep a minute across processes (the dedupe key is the minute).
  const sweep = () => Promise.all([scheduleSlaSweep(deps), scheduleAutomations(deps)]).catch(() => {});
  await sweep();
  const sweepTimer = setInterval(sweep, opts.slaSweepMs ?? 30_000);
  sweepTimer.unref();
  const routingTimer = setInterval(() => scheduleRouting(deps).catch(() => {}), 30_000);
  routingTimer.unref();
  return {
    runner,
    async stop() {
      clearInterval(timer);
      clearInterval(sweepTimer);
      clearInterval(routingTimer);
      await imap?.stop();
      await unlisten();
      await runner.stop();
    },
  };
}
