/** The `email.ingest` job handler: parse and ingest one accepted message (idempotent). */
import { z } from 'zod';
import { DEFAULT_INGEST_LIMITS, ingestInboundEmail, ingestInboundEmails, type EmailParser, type IngestLimits } from '@guichet/core';
import type { JobHandler } from '../worker/runner.ts';
import { createEmailParser } from './parse.ts';

const payload = z.object({ workspaceId: z.string().uuid(), inboundEmailId: z.string().uuid() });

/**
 * `workerId` is the runner's id: given it, the handler completes its job in the transaction that
 * marks the message processed (one round trip less per message, and the job can never look
 * unfinished once the message is processed).
 */
export function emailIngestHandler(
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
  parser: EmailParser = createEmailParser(),
  workerId?: () => string,
): JobHandler<typeof payload> {
  return {
    payload,
    // Short: a crashed worker's messages are taken again soon (parsing is bounded to 15 s per message).
    leaseMs: 30_000,
    handle: async (deps, p, job) => {
      const result = await ingestInboundEmail(deps, parser, { ...p, ...(workerId ? { job: { id: job.id, workerId: workerId() } } : {}) }, limits);
      // Null: nothing was processed (already done), so nothing completed the job; the runner does.
      return { completed: workerId !== undefined && result !== null };
    },
    // A burst: one transaction (and one commit) for up to 16 messages; see ingestInboundEmails.
    batch: {
      max: 16,
      handle: async (deps, items) => {
        const results = await ingestInboundEmails(
          deps,
          parser,
          items.map(({ payload: p, job }) => ({ ...p, ...(workerId ? { job: { id: job.id, workerId: workerId() } } : {}) })),
          limits,
        );
        return results.map((r) => (r instanceof Error ? r : { completed: workerId !== undefined && r !== null }));
      },
    },
  };
}
