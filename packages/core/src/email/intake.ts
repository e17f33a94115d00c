/**
 * Durable intake: the raw message and the job that turns it into a ticket message commit together
 * (one statement). SMTP answers 250 (or IMAP flags the message) only after this returns.
 */
import { createHash } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { bracketed, rawMessageId } from './headers.ts';
import type { InboundEmail, InboundEnvelope, Mailbox } from './types.ts';

export const INGEST_JOB = 'email.ingest';

export async function acceptInboundEmail(
  deps: Deps,
  input: { mailbox: Pick<Mailbox, 'id' | 'workspaceId'>; source: InboundEmail['source']; raw: Buffer; envelope: InboundEnvelope },
): Promise<{ email: InboundEmail; created: boolean }> {
  const { mailbox, raw } = input;
  const now = deps.clock.now();
  const messageId = rawMessageId(raw);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const envelope: InboundEnvelope = {
    ...input.envelope,
    from: input.envelope.from.trim().toLowerCase(),
    rcptTo: input.envelope.rcptTo.map((r) => r.trim().toLowerCase()),
  };
  // One statement outside a transaction: the raw message and, when it is new, its ingest job
  // (enqueued with the message, and committed with it, by the repository).
  const id = deps.ids.uuid();
  return deps.store.inboundEmails.accept(
    {
      id,
      workspaceId: mailbox.workspaceId,
      mailboxId: mailbox.id,
      source: input.source,
      sha256,
      rfcMessageId: messageId ? bracketed(messageId) : null,
      sizeBytes: raw.length,
      envelope,
      receivedAt: now,
    },
    raw,
    { type: INGEST_JOB, payload: { workspaceId: mailbox.workspaceId, inboundEmailId: id }, workspaceId: mailbox.workspaceId, dedupeKey: id },
  );
}
