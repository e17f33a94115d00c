/**
 * Durable intake: the raw message and the job that turns it into a ticket message commit in one
 * transaction. SMTP answers 250 (or IMAP flags the message) only after this returns.
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
  return deps.store.transaction(async (tx) => {
    const accepted = await tx.inboundEmails.accept(
      {
        id: deps.ids.uuid(),
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
    );
    if (accepted.created) {
      await tx.jobs.enqueue(
        {
          type: INGEST_JOB,
          payload: { workspaceId: mailbox.workspaceId, inboundEmailId: accepted.email.id },
          workspaceId: mailbox.workspaceId,
          dedupeKey: accepted.email.id,
        },
        now,
      );
    }
    return accepted;
  });
}
