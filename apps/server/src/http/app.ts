import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import { z } from 'zod';
import { statusForCode, type ErrorBody, type ErrorCode } from '@guichet/contracts';
import { AppError, type Deps } from '@guichet/core';
import type { Database } from '@guichet/db';
import type { Config } from '../config.ts';
import { buildOpenApi } from './openapi.ts';
import { defineRoute, type RouteDoc, type Router } from './route.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { peopleRoutes } from './routes/people.ts';
import { ticketRoutes } from './routes/tickets.ts';
import { emailRoutes, type EmailRouteOptions } from './routes/email.ts';
import { slaRoutes } from './routes/sla.ts';
import { triggerRoutes } from './routes/triggers.ts';
import { routingRoutes } from './routes/routing.ts';
import { webApp } from './web-app.ts';
import { savedViewRoutes } from './routes/saved-views.ts';
import { knowledgeRoutes } from './routes/knowledge.ts';
import { collabRoutes } from './routes/collab.ts';
import { searchRoutes } from './routes/search.ts';
import { registerHelpCenter } from './help-center.ts';
import { portalRoutes } from './routes/portal.ts';
import { registerPortal } from './portal.ts';

export const API_PREFIX = '/api/v1';
export const VERSION = '0.1.0';

export interface AppOptions {
  /** The email routes' view of this process (SMTP listener address, IMAP test). */
  email?: EmailRouteOptions;
  deps: Deps;
  database: Pick<Database, 'kind' | 'ping'>;
  config: Pick<Config, 'logLevel' | 'secureCookies' | 'validateResponses' | 'bodyLimitBytes'>;
  logger?: FastifyServerOptions['logger'];
  /** The built agent web app (apps/web/dist); without it `/` explains how to build it. */
  webDir?: string;
  /** The address people open the app at (links in emails). */
  appUrl?: () => string;
}

/** Fastify's own error codes for bad requests, mapped to ours. */
const FASTIFY_ERRORS: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
};

function errorBody(code: ErrorCode, message: string, requestId: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details !== undefined ? { details } : {}), requestId } };
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? {
      level: opts.config.logLevel,
      // Secrets never reach the logs: no auth header, no cookie, no body is logged.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    // One line per request would dominate the logs at a few thousand requests a second; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.config.bodyLimitBytes,
    return503OnClosing: true,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
  });
  await app.register(cookie);
  // The API speaks JSON only: any other body (Fastify also parses text/plain) answers 415.
  app.removeContentTypeParser('text/plain');

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
  });

  app.setErrorHandler((err: Error, req, reply) => {
    if (err instanceof AppError) {
      if (err.code === 'RATE_LIMITED') {
        const after = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
        if (after) reply.header('retry-after', String(after));
      }
      return reply.code(statusForCode(err.code)).send(errorBody(err.code, err.message, req.id, err.details));
    }
    const fcode = (err as { code?: string }).code;
    const mapped = fcode ? FASTIFY_ERRORS[fcode] : undefined;
    if (mapped) {
      const msg =
        mapped === 'INVALID_JSON'
          ? 'The request body is not valid JSON.'
          : mapped === 'PAYLOAD_TOO_LARGE'
            ? `The request body is larger than ${Math.round(opts.config.bodyLimitBytes / 1048576)} MB.`
            : mapped === 'UNSUPPORTED_MEDIA_TYPE'
              ? 'Send the body as application/json.'
              : err.message;
      return reply.code(statusForCode(mapped)).send(errorBody(mapped, msg, req.id));
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send(errorBody('VALIDATION_FAILED', err.message, req.id));
    }
    if (status === 503) return reply.code(503).send(errorBody('UNAVAILABLE', 'The server is shutting down; try again.', req.id));
    req.log.error({ err, url: req.url, method: req.method }, 'unexpected error');
    return reply.code(500).send(errorBody('INTERNAL', 'Something went wrong on our side; the error is logged with this request id.', req.id));
  });

  const web = webApp(opts.webDir, notBuiltPage);
  app.setNotFoundHandler(async (req, reply) => {
    // The web app's paths are whatever no route owns (the SPA routes itself); see web-app.ts.
    if (await web.handle(req, reply)) return reply;
    return reply.code(404).send(errorBody('NOT_FOUND', `No endpoint ${req.method} ${req.url.split('?')[0]}.`, req.id));
  });

  app.get('/healthz', async (_req, reply) => {
    try {
      await opts.database.ping();
      return { status: 'ok', database: opts.database.kind, version: VERSION };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: opts.database.kind });
    }
  });

  const docs: RouteDoc[] = [];
  let openapi: Record<string, unknown> | null = null;
  await app.register(
    async (api) => {
      const routeOptions = { deps: opts.deps, validateResponses: opts.config.validateResponses, secureCookies: opts.config.secureCookies };
      const route: Router = (def) => defineRoute(api, docs, routeOptions, def);
      authRoutes(route, { secure: opts.config.secureCookies, ...(opts.appUrl ? { appUrl: opts.appUrl } : {}) });
      ticketRoutes(route);
      peopleRoutes(route);
      adminRoutes(route);
      emailRoutes(route, opts.email);
      slaRoutes(route);
      triggerRoutes(route);
      routingRoutes(route);
      savedViewRoutes(route);
      knowledgeRoutes(route);
      searchRoutes(route);
      collabRoutes(route);
      portalRoutes(route);
      // Registered like every other route, so the document lists itself too.
      route({
        method: 'GET', url: '/openapi.json', tag: 'Meta', auth: 'none',
        summary: 'This OpenAPI 3.1 document',
        response: z.record(z.string(), z.unknown()),
        handler: async () => (openapi ??= buildOpenApi(docs, VERSION)),
      });
    },
    { prefix: API_PREFIX },
  );

  registerHelpCenter(app, opts.deps);
  registerPortal(app, opts.deps, { secure: opts.config.secureCookies, appUrl: opts.appUrl });

  return app;
}

function notBuiltPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Guichet</title></head>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto;line-height:1.5">
<h1>Guichet is running</h1>
<p>The web app is not built: <code>npm start</code> builds it, or run <code>npm run build:web</code>.
The REST API lives under <code>${API_PREFIX}</code>; its OpenAPI document is at
<a href="${API_PREFIX}/openapi.json">${API_PREFIX}/openapi.json</a>. Health: <a href="/healthz">/healthz</a>.</p>
</body></html>`;
}
