/** The `email.ingest` job handler: parse and ingest one accepted message (idempotent). */
import { z } from 'zod';
import { DEFAULT_INGEST_LIMITS, ingestInboundEmail, type EmailParser, type IngestLimits } from '@guichet/core';
import type { JobHandler } from '../worker/runner.ts';
import { createEmailParser } from './parse.ts';

const payload = z.object({ workspaceId: z.string().uuid(), inboundEmailId: z.string().uuid() });

export function emailIngestHandler(limits: IngestLimits = DEFAULT_INGEST_LIMITS, parser: EmailParser = createEmailParser()): JobHandler<typeof payload> {
  return {
    payload,
    // Short: a crashed worker's messages are taken again soon (parsing is bounded to 15 s per message).
    leaseMs: 30_000,
    handle: async (deps, p) => void (await ingestInboundEmail(deps, parser, p, limits)),
  };
}
