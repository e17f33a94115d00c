import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.ts';
import type { DemoResult } from './seed/demo.ts';
import { prepareDatabase } from './server.ts';

/**
 * GUICHET_PROCESSES=N on PostgreSQL: this process (the primary) prepares the database once, then
 * runs N Guichet processes with node:cluster. They share the HTTP and SMTP ports (the primary
 * hands connections out in turn) and the work in the database (jobs are claimed with SKIP
 * LOCKED), exactly like N servers behind a load balancer: nothing lives in one process only. It
 * lets one machine use all its cores, since one Node.js process runs JavaScript on one core.
 *
 * The primary serves nothing itself. SIGTERM or SIGINT stops every process gracefully (each
 * answers its requests in flight) and the primary exits when they all have. A process that dies
 * on its own is replaced after a second; one that fails before it is ready stops the start.
 */

/** Sent by a cluster process once it listens. */
export interface ReadyMessage {
  type: 'guichet:ready';
  url: string;
}

export function isReadyMessage(m: unknown): m is ReadyMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'guichet:ready';
}

export async function runPrimary(config: Config, announce: (url: string, demo: DemoResult | null) => void): Promise<void> {
  const demo = await prepareDatabase(config);
  let stoppingSince = 0;
  let announced = false;
  const ready = new Set<Worker>();

  const fork = () => {
    const w = cluster.fork();
    w.on('message', (m: unknown) => {
      if (!isReadyMessage(m)) return;
      ready.add(w);
      if (!announced && ready.size === config.processes) {
        announced = true;
        announce(m.url, demo);
      }
    });
    w.on('exit', (code, signal) => {
      const wasReady = ready.delete(w);
      if (stoppingSince) {
        if (code !== 0) process.exitCode = 1;
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(process.exitCode ?? 0);
        return;
      }
      if (!wasReady && !announced) {
        // It could not start (a port in use, the database away): the others would fail alike.
        console.error(`A Guichet process failed to start (${signal ?? `exit code ${code}`}); stopping.`);
        process.exitCode = 1;
        stopAll('SIGTERM');
        return;
      }
      console.error(`Guichet process ${w.process.pid} ended (${signal ?? `exit code ${code}`}); starting another.`);
      setTimeout(() => {
        if (!stoppingSince) fork();
      }, 1000).unref();
    });
  };

  const stopAll = (signal: NodeJS.Signals) => {
    if (!stoppingSince) stoppingSince = Date.now();
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    if (workers.length === 0) process.exit(process.exitCode ?? 0);
    for (const w of workers) w.process.kill(signal);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppingSince) {
      // Ctrl-C reaches every process of the group, and `npm start` forwards it again: a repeat
      // within a second is the same request. A later one means "now".
      if (Date.now() - stoppingSince < 1000) return;
      console.error(`${signal} again: exiting now.`);
      stopAll('SIGKILL');
      process.exit(1);
    }
    console.log(`${signal} received: every Guichet process finishes its requests in flight, then closes the database.`);
    stopAll('SIGTERM');
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  for (let i = 0; i < config.processes; i++) fork();
}
