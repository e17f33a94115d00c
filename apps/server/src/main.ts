import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './server.ts';

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
  const running = await startServer(config);
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  const lines = [`Guichet is running at ${running.url || '(no web role)'} on ${where}.`];
  if (running.demo) {
    lines.push(`Demo workspace "${running.demo.workspaceSlug}": sign in as ${running.demo.adminEmail}`);
    if (running.demo.generatedPassword) {
      lines.push(`  password: ${running.demo.generatedPassword}   (generated now and shown only once; set GUICHET_ADMIN_PASSWORD to choose it)`);
    } else if (running.demo.created) {
      lines.push('  password: the value of GUICHET_ADMIN_PASSWORD');
    }
  }
  console.log(lines.join('\n'));

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
    console.log(`${signal} received: finishing requests in flight, then closing the database.`);
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
