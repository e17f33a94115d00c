import { z } from 'zod';
import { deliverWebhook } from '@guichet/core';
import type { JobHandler } from '../worker/runner.ts';

const payload = z.object({ workspaceId: z.uuid(), deliveryId: z.uuid() });

/** POST with a 10-second limit; redirects are not followed (a 3xx counts as a failure). */
async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number }> {
  const res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel().catch(() => {});
  return { status: res.status };
}

/** Job `webhook.deliver`: one attempt; a failure throws so the runner retries with backoff. */
export function webhookDeliverHandler(send = post): JobHandler<typeof payload> {
  return {
    payload,
    leaseMs: 60_000,
    handle: async (deps, p, job) => deliverWebhook(deps, p, job.attempts, send),
  };
}
