import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, SESSION_COOKIE, type Authenticated, type Ctx, type Deps } from '@guichet/core';
import { authenticate, sessionCookieOptions } from './auth.ts';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> {
  method: Method;
  url: string;
  summary: string;
  tag: string;
  /** `none`: public; `user`: a signed-in user or an API token (default). */
  auth?: 'none' | 'user';
  params?: P;
  query?: Q;
  body?: B;
  /** The success answer, for the OpenAPI document and (in tests) for checking what goes out. */
  response?: R;
  status?: number;
  /** A larger body limit than the server's, in bytes (uploads). */
  bodyLimit?: number;
  handler(input: {
    params: z.output<P>;
    query: z.output<Q>;
    body: z.output<B>;
    deps: Deps;
    ctx: Ctx;
    auth: Authenticated | null;
    req: FastifyRequest;
    reply: FastifyReply;
  }): Promise<z.input<R> | undefined>;
}

export interface RouteDoc {
  method: Method;
  url: string;
  summary: string;
  tag: string;
  auth: 'none' | 'user';
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  status: number;
}

export interface RouteOptions {
  validateResponses: boolean;
  deps: Deps;
  secureCookies: boolean;
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: 'params' | 'query' | 'body'): z.output<T> {
  if (!schema) return undefined as z.output<T>;
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ in: where, path: i.path.map(String), message: i.message, code: i.code }));
  const first = issues[0]!;
  const at = first.path.length ? `${where}.${first.path.join('.')}` : where;
  throw new AppError('VALIDATION_FAILED', `Invalid ${at}: ${first.message}`, { issues });
}

/**
 * Register a thin route: parse with the schemas, build the context, call one use-case, answer.
 * Every route is also recorded for the OpenAPI document.
 */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  app: FastifyInstance,
  docs: RouteDoc[],
  opts: RouteOptions,
  def: RouteDef<P, Q, B, R>,
): void {
  const status = def.status ?? (def.method === 'POST' ? 201 : def.method === 'DELETE' ? 204 : 200);
  const auth = def.auth ?? 'user';
  docs.push({
    method: def.method,
    url: def.url,
    summary: def.summary,
    tag: def.tag,
    auth,
    status,
    ...(def.params ? { params: def.params } : {}),
    ...(def.query ? { query: def.query } : {}),
    ...(def.body ? { body: def.body } : {}),
    ...(def.response ? { response: def.response } : {}),
  });
  app.route({
    method: def.method,
    url: def.url.replace(/\{(\w+)\}/g, ':$1'),
    ...(def.bodyLimit ? { bodyLimit: def.bodyLimit } : {}),
    handler: async (req, reply) => {
      const authenticated = auth === 'user' ? await authenticate(opts.deps, req) : null;
      const sessionToken = authenticated?.via === 'session' ? req.cookies[SESSION_COOKIE] : undefined;
      if (sessionToken) {
        // Sliding expiry: the cookie goes out again with the session's new end, so the browser
        // keeps it as long as the server keeps the session (logout replaces it with a clearing one).
        const expires = new Date(opts.deps.clock.now().getTime() + opts.deps.settings.sessionTtlMs);
        reply.setCookie(SESSION_COOKIE, sessionToken, sessionCookieOptions(opts.secureCookies, expires));
      }
      const params = parse(def.params, req.params, 'params');
      const query = parse(def.query, req.query, 'query');
      if (def.body && (def.method === 'POST' || def.method === 'PATCH' || def.method === 'PUT') && req.body === undefined) {
        throw new AppError('VALIDATION_FAILED', 'This request needs a JSON body.', { issues: [{ in: 'body', path: [], message: 'required' }] });
      }
      const body = parse(def.body, req.body, 'body');
      const ctx: Ctx = authenticated
        ? { workspaceId: authenticated.workspace.id, actor: authenticated.actor, requestId: req.id, ip: req.ip }
        : { workspaceId: '', actor: { type: 'user', userId: null, role: 'customer', name: null, organizationId: null, via: 'session' }, requestId: req.id, ip: req.ip };
      const out = await def.handler({ params, query, body, deps: opts.deps, ctx, auth: authenticated, req, reply });
      if (reply.sent) return reply;
      if (out === undefined) return reply.code(status === 200 ? 204 : status).send();
      if (opts.validateResponses && def.response) {
        const check = def.response.safeParse(out);
        if (!check.success) {
          throw new Error(`Response of ${def.method} ${def.url} does not match its schema: ${JSON.stringify(check.error.issues.slice(0, 3))}`);
        }
      }
      return reply.code(status).send(out);
    },
  });
}

/** `route(def)`: defineRoute bound to one app, its route list and its options. */
export type Router = <P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  def: RouteDef<P, Q, B, R>,
) => void;
