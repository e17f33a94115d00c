/** Routing job handlers: route one ticket, drain team queues, train a model, schedule training. */
import { z } from 'zod';
import { drainQueues, reassignAway, routeTicket, scheduleTraining, trainRoutingModel, type Deps, type LanguageIdentifier } from '@guichet/core';
import type { JobHandler } from '../worker/runner.ts';

const ticketPayload = z.object({ workspaceId: z.string().uuid(), ticketId: z.string().uuid() });
const workspacePayload = z.object({ workspaceId: z.string().uuid() });

/** Let requests and other jobs run between chunks of a long training (the event loop yields). */
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

export function routingHandlers(language: () => LanguageIdentifier | undefined): Record<string, JobHandler> {
  const withLanguage = (d: Deps): Deps => {
    const languageId = language();
    return languageId ? { ...d, languageId } : d;
  };
  return {
    'routing.route': {
      payload: ticketPayload,
      leaseMs: 60_000,
      handle: async (d, p) => void (await routeTicket(withLanguage(d), p as z.infer<typeof ticketPayload>)),
    } as JobHandler,
    'routing.drain': {
      // Without a workspace (the half-minute schedule): every workspace with a queue.
      payload: z.object({ workspaceId: z.string().uuid().optional() }),
      leaseMs: 60_000,
      handle: async (d, p) => {
        const one = (p as { workspaceId?: string }).workspaceId;
        for (const ws of one ? [one] : await d.store.routing.workspacesWithQueue()) await drainQueues(withLanguage(d), ws);
      },
    } as JobHandler,
    'routing.reassign': {
      payload: z.object({ workspaceId: z.string().uuid(), userId: z.string().uuid() }),
      leaseMs: 5 * 60_000,
      handle: async (d, p) => void (await reassignAway(withLanguage(d), p as { workspaceId: string; userId: string })),
    } as JobHandler,
    'routing.train': {
      payload: workspacePayload,
      leaseMs: 15 * 60_000,
      handle: async (d, p) => void (await trainRoutingModel(d, { ...(p as z.infer<typeof workspacePayload>), pause })),
    } as JobHandler,
    'routing.train.schedule': {
      payload: z.object({}),
      handle: async (d) => scheduleTraining(d, await d.store.routing.workspacesWithRouting()),
    } as JobHandler,
  };
}

/** Ask for a queue drain every half minute and a training schedule once a day (dedupe keys make it once across processes). */
export async function scheduleRouting(d: Deps): Promise<void> {
  const now = d.clock.now();
  const half = Math.floor(now.getTime() / 30_000);
  await d.store.jobs.enqueue({ type: 'routing.drain', payload: {}, workspaceId: null, dedupeKey: `drain:${half}`, maxAttempts: 1 }, now);
  await d.store.jobs.enqueue({ type: 'routing.train.schedule', payload: {}, workspaceId: null, dedupeKey: `train-schedule:${now.toISOString().slice(0, 10)}`, maxAttempts: 3 }, now);
}
