import { randomBytes } from 'node:crypto';
/**
 * In-process API tests: one database and one app per test file (per database kind), a fresh
 * workspace per test, and helpers to act as each role.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { bootstrapWorkspace, createUuidV7, cryptoSecrets, createKeyring, systemClock, type Clock, type Deps } from '@guichet/core';
import { createStore, type Database } from '@guichet/db';
import { openTestDatabase, type TestDbKind } from '@guichet/db/testing';
import { buildApp } from '../src/http/app.ts';
import { sanitizeApiHtml } from '../src/infra/deps.ts';

/** A cheap, deterministic stand-in for argon2 in tests that do not test hashing itself. */
export const fastHasher = {
  hash: async (p: string) => `test$${Buffer.from(p).toString('base64')}`,
  verify: async (h: string, p: string) => h === `test$${Buffer.from(p).toString('base64')}`,
};

export interface TestApp {
  kind: TestDbKind;
  app: FastifyInstance;
  database: Database;
  deps: Deps;
  close(): Promise<void>;
}

export async function startTestApp(
  kind: TestDbKind,
  opts: {
    clock?: Clock; maxLoginFailures?: number; passwords?: Deps['passwords']; webDir?: string; appUrl?: string;
    /** A database the caller opened and closes (two apps on one PostgreSQL database stand for two processes). */
    database?: Database;
  } = {},
): Promise<TestApp> {
  const database = opts.database ?? (await openTestDatabase(kind));
  const clock = opts.clock ?? systemClock;
  const deps: Deps = {
    store: createStore(database.db),
    clock,
    ids: createUuidV7(clock),
    secrets: cryptoSecrets,
    keyring: createKeyring(randomBytes(32)),
    passwords: opts.passwords ?? fastHasher,
    sanitizeHtml: sanitizeApiHtml,
    settings: { sessionTtlMs: 3_600_000, maxLoginFailures: opts.maxLoginFailures ?? 5, loginWindowMs: 15 * 60_000 },
  };
  const app = await buildApp({
    deps,
    database,
    config: { logLevel: 'silent', secureCookies: false, validateResponses: true, bodyLimitBytes: 1024 * 1024 },
    ...(opts.webDir ? { webDir: opts.webDir } : {}),
    ...(opts.appUrl ? { appUrl: () => opts.appUrl! } : {}),
  });
  await app.ready();
  return {
    kind,
    app,
    database,
    deps,
    async close() {
      await app.close();
      if (!opts.database) await database.close();
    },
  };
}

export interface Caller {
  id: string;
  email: string;
  role: string;
  token: string;
  req(method: InjectOptions['method'], url: string, body?: unknown): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
}

let counter = 0;

export interface TestWorkspace {
  id: string;
  slug: string;
  admin: Caller;
  /** Create a user of `role` and an API token for them. */
  as(role: 'admin' | 'agent' | 'light_agent' | 'customer', extra?: { organizationId?: string; email?: string }): Promise<Caller>;
  anonymous: Omit<Caller, 'id' | 'email' | 'role' | 'token'>;
}

export function caller(app: FastifyInstance, auth: { token?: string; cookie?: string }) {
  return async (method: InjectOptions['method'], url: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (auth.token) headers.authorization = `Bearer ${auth.token}`;
    if (auth.cookie) headers.cookie = auth.cookie;
    const res = await app.inject({
      method,
      url: url.startsWith('/api/') || url.startsWith('/healthz') ? url : `/api/v1${url}`,
      headers,
      ...(body !== undefined ? { payload: body as InjectOptions['payload'] } : {}),
    });
    let parsed: unknown = res.body;
    try {
      parsed = res.body ? JSON.parse(res.body) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.statusCode, body: parsed as any, headers: res.headers as Record<string, unknown> };
  };
}

/** A new workspace with an admin signed in by API token. */
export async function newWorkspace(t: TestApp): Promise<TestWorkspace> {
  const n = ++counter;
  const slug = `ws-${process.pid}-${n}-${Math.random().toString(36).slice(2, 8)}`;
  const password = 'correct horse battery';
  const { workspace, admin } = await bootstrapWorkspace(t.deps, {
    slug,
    name: `Workspace ${n}`,
    admin: { email: `admin@${slug}.test`, name: 'Ada Admin', password },
  });
  const adminToken = await tokenFor(t, admin.email!, password, slug);
  const adminCaller: Caller = { id: admin.id, email: admin.email!, role: 'admin', token: adminToken, req: caller(t.app, { token: adminToken }) };
  let users = 0;
  return {
    id: workspace.id,
    slug,
    admin: adminCaller,
    anonymous: { req: caller(t.app, {}) },
    async as(role, extra = {}) {
      const i = ++users;
      const email = extra.email ?? `${role}${i}@${slug}.test`;
      let id: string;
      if (role === 'customer') {
        const r = await adminCaller.req('POST', '/customers', { email, name: `Customer ${i}`, organizationId: extra.organizationId ?? null });
        if (r.status !== 201) throw new Error(`customer: ${JSON.stringify(r.body)}`);
        id = r.body.id;
        // Customers get a password through the portal later; tests set one directly.
        const hash = await t.deps.passwords.hash(password);
        await t.deps.store.users.update(workspace.id, id, { passwordHash: hash });
      } else {
        const r = await adminCaller.req('POST', '/users', { email, name: `${role} ${i}`, role, password });
        if (r.status !== 201) throw new Error(`user: ${JSON.stringify(r.body)}`);
        id = r.body.id;
      }
      const token = role === 'customer' ? await sessionCookie(t, email, password, slug) : await tokenFor(t, email, password, slug);
      const auth = role === 'customer' ? { cookie: token } : { token };
      return { id, email, role, token, req: caller(t.app, auth) };
    },
  };
}

export async function sessionCookie(t: TestApp, email: string, password: string, workspace?: string): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password, ...(workspace ? { workspace } : {}) } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
  const set = res.headers['set-cookie'];
  const first = Array.isArray(set) ? set[0] : set;
  return String(first).split(';')[0]!;
}

async function tokenFor(t: TestApp, email: string, password: string, workspace: string): Promise<string> {
  const cookie = await sessionCookie(t, email, password, workspace);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/api-tokens', headers: { cookie }, payload: { name: 'tests' } });
  if (res.statusCode !== 201) throw new Error(`token failed: ${res.body}`);
  return JSON.parse(res.body).token;
}

export const PASSWORD = 'correct horse battery';
export { createUuidV7 };
