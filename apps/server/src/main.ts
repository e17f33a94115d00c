import cluster from 'node:cluster';
import { runPrimary, type ReadyMessage } from './cluster.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import type { DemoResult } from './seed/demo.ts';
import { startServer } from './server.ts';

/** The start banner: where Guichet answers, on which database, and the demo admin's sign-in. */
function announce(config: Config, url: string, demo: DemoResult | null): void {
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  const processes = config.processes > 1 ? `, ${config.processes} processes (GUICHET_PROCESSES)` : '';
  const lines = [`Guichet is running at ${url || '(no web role)'} on ${where}${processes}.`];
  if (demo) {
    lines.push(`Demo workspace "${demo.workspaceSlug}": sign in as ${demo.adminEmail}`);
    if (demo.generatedPassword) {
      lines.push(`  password: ${demo.generatedPassword}   (generated now and shown only once; set GUICHET_ADMIN_PASSWORD to choose it)`);
    } else if (demo.created) {
      lines.push('  password: the value of GUICHET_ADMIN_PASSWORD');
    }
    if (demo.stats && demo.seedMs !== null) {
      const texts = demo.stats.historyTexts === 'datasets' ? 'texts from the datasets in GUICHET_DATASETS_DIR' : 'built-in texts';
      lines.push(`  seeded now: ${demo.stats.tickets} tickets (${demo.stats.historyTickets} of history, ${texts}) in ${(demo.seedMs / 1000).toFixed(1)} s, the history ${(demo.stats.historyMs / 1000).toFixed(1)} s of it`);
    }
  }
  console.log(lines.join('\n'));
}

/** `npm start`: one process with the web server (and, later, workers and SMTP) on the configured database. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`Configuration error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  if (config.processes > 1 && cluster.isPrimary) {
    // Several processes: this one prepares the database, runs them and prints the banner (cluster.ts).
    await runPrimary(config, (url, demo) => announce(config, url, demo));
    return;
  }
  const running = await startServer(config);
  if (cluster.isWorker) {
    // One of GUICHET_PROCESSES: the primary prints the banner once they all listen.
    process.send!({ type: 'guichet:ready', url: running.url } satisfies ReadyMessage);
  } else {
    announce(config, running.url, running.demo);
  }

  let stoppingSince = 0;
  const stop = (signal: string) => {
    if (stoppingSince) {
      // Ctrl-C reaches both `npm start`'s wrapper (which forwards it) and this process: a
      // repeat within a second is the same request. A later one means "now".
      if (Date.now() - stoppingSince < 1000) return;
      console.error(`${signal} again: exiting now.`);
      process.exit(1);
    }
    stoppingSince = Date.now();
    if (!cluster.isWorker) console.log(`${signal} received: finishing requests in flight, then closing the database.`);
    running.close().then(
      () => process.exit(0),
      (e) => {
        console.error('Shutdown failed:', e);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
