
import type { FastifyInstance } from 'fastify';
import type { Deps } from '@guichet/core';
import { openDatabase, type Database } from '@guichet/db';
import type { Config } from './config.ts';
import { buildApp } from './http/app.ts';
import { createDeps } from './infra/deps.ts';
import { resolveMasterKey } from './infra/master-key.ts';
import { ensureDemoWorkspace, type DemoResult } from './seed/demo.ts';
import { startWorker, type Worker } from './worker/index.ts';
import { startSmtpListener, type SmtpListener } from './email/smtp-listener.ts';
import { testImapConnection } from './email/imap.ts';
import { startRealtime, type RealtimeHub } from './realtime/hub.ts';

export interface Running {
  app: FastifyInstance;
  database: Database;
  deps: Deps;
  url: string;
  demo: DemoResult | null;
  /** The inbound SMTP listener (smtp role). */
  smtp: SmtpListener | null;
  /** Stop taking requests, finish the ones in flight, then close the database. */
  close(): Promise<void>;
}

export async function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase(
    config.databaseUrl
      ? { url: config.databaseUrl, poolSize: config.dbPoolSize }
      : { dataDir: config.dataDir },
  );
}

/**
 * What must happen once before several processes start on one PostgreSQL database
 * (GUICHET_PROCESSES): migrations, the generated master key and the demo workspace, so that the
 * processes do not race to create them. Each process then finds them done.
 */
export async function prepareDatabase(config: Config): Promise<DemoResult | null> {
  const database = await openConfiguredDatabase(config);
  try {
    const deps = createDeps(database, config, (await resolveMasterKey(config, database)).key);
    return await ensureDemoWorkspace(deps, config);
  } finally {
    await database.close();
  }
}

export async function startServer(config: Config): Promise<Running> {
  const database = await openConfiguredDatabase(config);
  let worker: Worker | null = null;
  let smtp: SmtpListener | null = null;
  let realtime: RealtimeHub | null = null;
  try {
    const deps = createDeps(database, config, (await resolveMasterKey(config, database)).key);
    const demo = await ensureDemoWorkspace(deps, config);
    const app = await buildApp({
      deps,
      database,
      config,
      webDir: config.webDir,
      appUrl: () => config.publicUrl ?? url,
      email: { smtpAddress: () => (smtp ? { host: smtp.host, port: smtp.port } : null), testImap: testImapConnection },
    });
    // Graceful stop: `app.close()` waits for every connection to end, but a response finished
    // after the stop began leaves its keep-alive connection open until the keep-alive timeout
    // (72 s), so the process would linger. While stopping, answers say `Connection: close`, and
    // any connection left idle by a finished response is closed at once.
    let stopping = false;
    app.addHook('onSend', async (_req, reply) => {
      if (stopping) reply.header('connection', 'close');
    });
    app.addHook('onResponse', async () => {
      if (stopping) app.server.closeIdleConnections();
    });
    worker = config.roles.has('worker')
      ? await startWorker(deps, database, { log: (msg, data) => app.log.warn(data ?? {}, msg), info: (msg, data) => app.log.info(data ?? {}, msg), concurrency: config.workerConcurrency, smtpRelay: config.smtpRelay, mailOutboxDir: config.mailOutboxDir, imapPollMs: config.imapPollSeconds * 1000, ingestLimits: { maxAttachmentBytes: config.emailMaxAttachmentBytes, maxTotalAttachmentBytes: config.emailMaxAttachmentsTotalBytes } })
      : null;
    smtp = config.roles.has('smtp')
      ? await startSmtpListener(deps, {
          host: config.host,
          port: config.smtpPort,
          maxBytes: config.smtpMaxBytes,
          tlsKeyFile: config.smtpTlsKeyFile,
          tlsCertFile: config.smtpTlsCertFile,
          log: (msg, data) => app.log.warn(data ?? {}, msg),
        })
      : null;
    let url = '';
    if (config.roles.has('web')) {
      realtime = await startRealtime({ app, deps, database });
      url = await app.listen({ port: config.port, host: config.host });
    } else {
      await app.ready();
    }
    let closing: Promise<void> | null = null;
    return {
      app,
      database,
      deps,
      url,
      demo,
      smtp,
      close: () =>
        (closing ??= (async () => {
          stopping = true;
          // No new mail once stopping; a message not yet answered 250 is retried by its sender.
          await smtp?.close();
          // A client that stalls mid-request must not hold the stop forever: after the grace
          // period its connection is cut (its request was never acknowledged, so nothing is lost).
          const deadline = setTimeout(() => app.server.closeAllConnections(), config.shutdownGraceMs);
          deadline.unref();
          // Live connections are told the server goes away (the browser reconnects elsewhere).
          await realtime?.close();
          await app.close();
          clearTimeout(deadline);
          // Jobs in flight finish (or their lease lets another process take them) before the database closes.
          await worker?.stop();
          await database.close();
        })()),
    };
  } catch (e) {
    await realtime?.close();
    await smtp?.close();
    await worker?.stop();
    await database.close();
    throw e;
  }
}

