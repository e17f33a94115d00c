/**
 * Shared checks for the API suites: the error-body contract, the operations of the OpenAPI
 * document, cursor walking, and a recorder of every response an app sends.
 */
import assert from 'node:assert/strict';
import { ERROR_CODES, statusForCode, type ErrorCode } from '@guichet/contracts';
import type { Caller, TestApp } from './harness.ts';

export type Res = { status: number; body: any; headers: Record<string, unknown> };

/**
 * The documented error answer: `{ error: { code, message, details?, requestId } }`, nothing
 * else, with the status the catalogue gives the code and the request id of the x-request-id header.
 */
/** A clock the test moves (the product reads time only through its clock port). */
export function movableClock(start: string) {
  let now = Date.parse(start);
  return { now: () => new Date(now), set: (iso: string) => void (now = Date.parse(iso)) };
}

export function assertError(res: Res, status: number, code?: ErrorCode | RegExp): void {
  const where = JSON.stringify(res.body);
  assert.equal(res.status, status, where);
  assert.ok(res.body && typeof res.body === 'object' && res.body.error, `an error body: ${where}`);
  assert.deepEqual(Object.keys(res.body), ['error'], where);
  const e = res.body.error;
  for (const k of Object.keys(e)) assert.ok(['code', 'message', 'details', 'requestId'].includes(k), `unexpected key ${k}: ${where}`);
  assert.ok((ERROR_CODES as string[]).includes(e.code), `a catalogued code: ${where}`);
  assert.equal(statusForCode(e.code), status, `the catalogue's status for ${e.code}`);
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0);
  assert.equal(typeof e.requestId, 'string');
  assert.ok(e.requestId.length > 0);
  assert.equal(e.requestId, res.headers['x-request-id'], 'the body names the request id of the header');
  if (code instanceof RegExp) assert.match(e.code, code, where);
  else if (code) assert.equal(e.code, code, where);
}

export interface Operation {
  /** "GET /tickets/{id}" */
  key: string;
  method: string;
  path: string;
  op: any;
  /** The documented success status (200, 201 or 204). */
  success: number;
}

export async function openApi(t: TestApp): Promise<any> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  assert.equal(res.statusCode, 200);
  return JSON.parse(res.body);
}

/** Every operation of the OpenAPI document the server serves. */
export async function openApiOperations(t: TestApp): Promise<Operation[]> {
  const doc = await openApi(t);
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const codes = Object.keys(op.responses ?? {}).filter((c) => /^2\d\d$/.test(c));
      assert.equal(codes.length, 1, `${method} ${path} documents one success status`);
      out.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, op, success: Number(codes[0]) });
    }
  }
  return out;
}

/** Follow `nextCursor` to the end; fails on a repeated item. */
export async function walkPages(req: Caller['req'], url: string, key: (item: any) => unknown = (i) => i.id) {
  const items: any[] = [];
  const seen = new Set<unknown>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const r: Res = await req('GET', cursor ? `${url}${sep}cursor=${encodeURIComponent(cursor)}` : url);
    assert.equal(r.status, 200, `${url}: ${JSON.stringify(r.body)}`);
    for (const it of r.body.items) {
      assert.ok(!seen.has(key(it)), `${url}: ${String(key(it))} repeated`);
      seen.add(key(it));
      items.push(it);
    }
    cursor = r.body.nextCursor;
    pages++;
    assert.ok(pages < 1000, 'the cursor walk ends');
  } while (cursor);
  return { items, pages };
}

/**
 * Record the body of every response the app sends through `inject` (which the harness's callers
 * use), so a suite can check at its end that no secret ever left the server.
 */
export function recordResponses(t: TestApp): Array<{ url: string; status: number; body: string; setCookie: unknown }> {
  const seen: Array<{ url: string; status: number; body: string; setCookie: unknown }> = [];
  const inject = t.app.inject.bind(t.app) as (o: any) => Promise<any>;
  (t.app as { inject: unknown }).inject = async (opts: any) => {
    const res = await inject(opts);
    seen.push({ url: typeof opts === 'string' ? opts : String(opts?.url), status: res.statusCode, body: res.body, setCookie: res.headers['set-cookie'] });
    return res;
  };
  return seen;
}

/** Fields that must never leave the server, whatever the endpoint. */
export const SECRET_FIELDS = ['passwordHash', 'password_hash', 'tokenHash', 'token_hash'];

export function assertNoSecrets(seen: Array<{ url: string; body: string }>, alsoForbidden: string[] = []): void {
  assert.ok(seen.length > 0, 'responses were recorded');
  for (const r of seen) {
    for (const s of [...SECRET_FIELDS, ...alsoForbidden]) {
      assert.ok(!r.body.includes(s), `${r.url} answered with "${s}"`);
    }
  }
}
