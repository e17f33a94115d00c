/**
 * Bad input of every kind gets the documented error body `{ error: { code, message, details?,
 * requestId } }` with the right status; the OpenAPI document describes every route registered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { testDbKinds } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { assertError, openApi, openApiOperations, type Operation, type Res } from './helpers.ts';

const MISSING = '01900000-0000-7000-8000-000000000000';
const forge = (position: unknown) => Buffer.from(JSON.stringify(position)).toString('base64url');

/** Every method and path the app answers, from Fastify's own route tree (HEAD routes aside). */
function registeredRoutes(t: TestApp): string[] {
  const out: string[] = [];
  const paths: string[] = []; // the full path of the last node seen at each depth
  for (const line of t.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│├└─\s]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = Math.round(m[1]!.length / 4);
    const parent = depth > 0 ? (paths[depth - 1] ?? '') : '';
    const segment = m[2]!;
    // A child continues its parent's path as printed ("/auth/password" then "-reset"); only a wildcard
    // or a parameter printed alone starts a new path segment.
    const path = parent !== '' && !parent.endsWith('/') && /^[*:]/.test(segment) ? `${parent}/${segment}` : `${parent}${segment}`;
    paths.length = depth;
    paths[depth] = path;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter((s) => s && s !== 'HEAD')) {
      out.push(`${method} ${path.replace(/\/{2,}/g, '/')}`);
    }
  }
  return out;
}

/** Path parameters other than `{id}` filled with values of the right shape that name nothing. */
const SAMPLE_PARAMS: Record<string, string> = { language: 'en', number: '1' };
function fillPath(path: string, id: string): string {
  return path.replace('{id}', encodeURIComponent(id)).replace(/\{(\w+)\}/g, (_m, name: string) => SAMPLE_PARAMS[name] ?? MISSING);
}

/** The query parameters an operation requires, each with a value its schema takes (`?a=…&b=…`, or ''). */
function requiredQuery(o: Operation): string {
  const pairs = (o.op.parameters ?? [])
    .filter((p: any) => p.in === 'query' && p.required)
    .map((p: any) => {
      const schema = p.schema ?? {};
      const value = schema.enum?.[0] ?? (schema.type === 'integer' || schema.type === 'number' ? (schema.minimum ?? 1) : 'x');
      return `${encodeURIComponent(p.name)}=${encodeURIComponent(String(value))}`;
    });
  return pairs.length ? `?${pairs.join('&')}` : '';
}

for (const kind of testDbKinds()) {
  describe(`errors and the OpenAPI document on ${kind}`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    let ops: Operation[];
    before(async () => {
      t = await startTestApp(kind);
      ws = await newWorkspace(t);
      ops = await openApiOperations(t);
    });
    after(async () => {
      await t.close();
    });

    /** A raw request as the workspace admin (API token), answered as `Res`. */
    const raw = async (opts: InjectOptions & { token?: string | null }): Promise<Res & { contentType: unknown }> => {
      const { token, ...rest } = opts;
      const headers: Record<string, string> = { ...(rest.headers as Record<string, string>) };
      if (token !== null) headers.authorization = `Bearer ${token ?? ws.admin.token}`;
      const res = await t.app.inject({ ...rest, headers });
      let body: unknown = res.body;
      try {
        body = JSON.parse(res.body);
      } catch {
        /* not JSON */
      }
      return { status: res.statusCode, body, headers: res.headers as Record<string, unknown>, contentType: res.headers['content-type'] };
    };
    const json = (method: InjectOptions['method'], url: string, payload: string, contentType = 'application/json') =>
      raw({ method, url: `/api/v1${url}`, payload, headers: { 'content-type': contentType } });
    const issue = (res: Res) => res.body.error.details.issues[0];

    it('answers a body that is not JSON with INVALID_JSON', async () => {
      for (const payload of ['{"subject": "x",', '{subject: "x"}', "{'a':1}", 'nul', '{"a":1}}', '', '   ']) {
        const r = await json('POST', '/tickets', payload);
        assertError(r, 400, 'INVALID_JSON');
        assert.match(String(r.contentType), /^application\/json/);
        assert.equal(r.body.error.details, undefined);
      }
      // Prototype poisoning is refused like any malformed body.
      assertError(await json('POST', '/tickets', '{"subject":"s","body":"b","__proto__":{"admin":true}}'), 400, 'INVALID_JSON');
      for (const payload of ['[]', '"a ticket"', '42', 'null', 'true']) {
        const r = await json('POST', '/tickets', payload);
        assertError(r, 400, 'VALIDATION_FAILED');
        assert.equal(issue(r).in, 'body');
      }
    });

    it('answers another content type with 415, and accepts JSON with a charset', async () => {
      for (const [type, payload] of [
        ['text/plain', 'subject=hello'],
        ['text/plain; charset=utf-8', '{"subject":"s","body":"b"}'],
        ['application/x-www-form-urlencoded', 'subject=s&body=b'],
        ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="subject"\r\n\r\ns\r\n--x--'],
        ['application/xml', '<ticket/>'],
        ['application/octet-stream', 'binary'],
      ] as const) {
        const r = await json('POST', '/tickets', payload, type);
        assertError(r, 415, 'UNSUPPORTED_MEDIA_TYPE');
      }
      const ok = await json('POST', '/tickets', JSON.stringify({ subject: 'Charset', body: 'é' }), 'application/json; charset=utf-8');
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.equal((await ws.admin.req('GET', `/tickets/${ok.body.number}/messages`)).body.items[0].body, 'é');
    });

    it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
      const big = JSON.stringify({ subject: 'Big', body: 'x'.repeat(1024 * 1024) });
      const r = await json('POST', '/tickets', big);
      assertError(r, 413, 'PAYLOAD_TOO_LARGE');
      assert.match(r.body.error.message, /1 MB/);
      const fits = await json('POST', '/tickets', JSON.stringify({ subject: 'Fits', body: 'x'.repeat(900 * 1024) }));
      assert.equal(fits.status, 201, 'just under the limit is fine');
    });

    it('requires a body on every operation that takes one', async () => {
      const withBody = ops.filter((o) => o.op.requestBody);
      assert.ok(withBody.length >= 20, `${withBody.length} operations take a body`);
      for (const o of withBody) {
        const r = await raw({ method: o.method as 'POST', url: `/api/v1${fillPath(o.path, MISSING)}${requiredQuery(o)}` });
        assertError(r, 400, 'VALIDATION_FAILED');
        assert.deepEqual(issue(r), { in: 'body', path: [], message: 'required' }, o.key);
      }
      // Staying silent when a body is needed does not hide a missing sign-in.
      assertError(await raw({ method: 'POST', url: '/api/v1/tickets', token: null }), 401, 'UNAUTHENTICATED');
      assertError(await raw({ method: 'POST', url: '/api/v1/tickets', token: null, payload: '{', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_JSON');
    });

    it('names the field of an unknown enum value, a wrong type or a too-long string', async () => {
      const cases: Array<[method: 'POST' | 'PATCH' | 'GET', url: string, body: unknown, where: 'body' | 'query', path: string[], code: string]> = [
        ['POST', '/tickets', { subject: 's', body: 'b', priority: 'critical' }, 'body', ['priority'], 'invalid_value'],
        ['POST', '/tickets', { subject: 's', body: 'b', channel: 'fax' }, 'body', ['channel'], 'invalid_value'],
        ['POST', '/tickets', { subject: 's', body: 'b', status: 'closed' }, 'body', ['status'], 'invalid_value'],
        ['POST', '/users', { email: 'e@x.test', name: 'n', role: 'superuser' }, 'body', ['role'], 'invalid_value'],
        ['POST', '/custom-fields', { key: 'k', label: 'l', type: 'colour' }, 'body', ['type'], 'invalid_value'],
        ['PATCH', '/workspace', { defaultLanguage: 'de' }, 'body', ['defaultLanguage'], 'invalid_value'],
        ['GET', '/tickets?status=open,bogus', undefined, 'query', ['status', '1'], 'invalid_value'],
        ['GET', '/tickets?sort=random', undefined, 'query', ['sort'], 'invalid_value'],
        ['GET', '/tickets?order=up', undefined, 'query', ['order'], 'invalid_value'],
        ['GET', '/users?role=customer', undefined, 'query', ['role'], 'invalid_value'],

        ['POST', '/tickets', { subject: 42, body: 'b' }, 'body', ['subject'], 'invalid_type'],
        ['POST', '/tickets', { subject: 's', body: 'b', tags: 'vip' }, 'body', ['tags'], 'invalid_type'],
        ['POST', '/tickets', { subject: 's', body: 'b', customFields: ['a'] }, 'body', ['customFields'], 'invalid_type'],
        ['POST', '/tickets', { subject: 's', body: 'b', requester: 'marie@example.test' }, 'body', ['requester'], 'invalid_union'],
        ['POST', '/organizations', { name: 'o', sharedTickets: 'yes' }, 'body', ['sharedTickets'], 'invalid_type'],
        ['POST', '/users', { email: 'e@x.test', name: 'n', capacity: '5' }, 'body', ['capacity'], 'invalid_type'],
        ['POST', '/api-tokens', { name: 't', expiresInDays: 1.5 }, 'body', ['expiresInDays'], 'invalid_type'],
        ['GET', '/tickets?limit=abc', undefined, 'query', ['limit'], 'invalid_type'],
        ['GET', '/tickets?limit=0', undefined, 'query', ['limit'], 'too_small'],
        ['GET', '/tickets?limit=201', undefined, 'query', ['limit'], 'too_big'],
        ['GET', '/tickets?createdAfter=yesterday', undefined, 'query', ['createdAfter'], 'invalid_format'],
        ['GET', '/tickets?assigneeId=someone', undefined, 'query', ['assigneeId'], 'invalid_format'],

        ['POST', '/tickets', { subject: 's'.repeat(501), body: 'b' }, 'body', ['subject'], 'too_big'],
        ['POST', '/tickets', { subject: 's', body: 'b', tags: ['t'.repeat(51)] }, 'body', ['tags', '0'], 'too_big'],
        ['POST', '/users', { email: 'e@x.test', name: 'n'.repeat(201) }, 'body', ['name'], 'too_big'],
        ['POST', '/users', { email: `${'a'.repeat(250)}@x.test`, name: 'n' }, 'body', ['email'], 'too_big'],
        ['POST', '/teams', { name: 't'.repeat(101) }, 'body', ['name'], 'too_big'],
        ['POST', '/customers', { name: 'c', notes: 'n'.repeat(10_001) }, 'body', ['notes'], 'too_big'],
        ['GET', `/tickets?q=${'q'.repeat(501)}`, undefined, 'query', ['q'], 'too_big'],
        ['GET', `/tickets?cursor=${'c'.repeat(513)}`, undefined, 'query', ['cursor'], 'too_big'],
      ];
      for (const [method, url, body, where, path, code] of cases) {
        const r = await ws.admin.req(method, url, body);
        assertError(r, 400, 'VALIDATION_FAILED');
        const first = issue(r);
        assert.deepEqual([first.in, first.path, first.code], [where, path, code], `${method} ${url} ${JSON.stringify(body)?.slice(0, 80)}`);
        assert.equal(typeof first.message, 'string');
        assert.ok(r.body.error.message.includes(`${where}.${path.join('.')}`), r.body.error.message);
      }
    });

    it('answers an id that is not a UUID in the path with VALIDATION_FAILED on every endpoint taking one', async () => {
      const withId = ops.filter((o) => o.path.includes('{id}'));
      assert.ok(withId.length >= 15);
      for (const o of withId) {
        for (const bad of ['not-a-uuid', '0190-1234', `${MISSING}0`, "1' OR '1'='1", '%00']) {
          const body = o.op.requestBody ? {} : undefined;
          const r = await ws.admin.req(o.method as 'GET', `${fillPath(o.path, bad)}${requiredQuery(o)}`, body);
          assertError(r, 400, 'VALIDATION_FAILED');
          assert.deepEqual([issue(r).in, issue(r).path], ['params', ['id']], `${o.key} with ${bad}`);
        }
        // A well-formed id that names nothing is a 404 of the resource's kind.
        if (o.method === 'GET') assertError(await ws.admin.req('GET', `${fillPath(o.path, MISSING)}${requiredQuery(o)}`), 404, /_NOT_FOUND$/);
      }
      assertError(await ws.admin.req('GET', '/tickets/1234567890123456'), 400, 'VALIDATION_FAILED');
      assertError(await ws.admin.req('GET', '/tickets/-1'), 400, 'VALIDATION_FAILED');
      assertError(await ws.admin.req('GET', '/tickets/999999999999999'), 404, 'TICKET_NOT_FOUND');
      assertError(await ws.admin.req('GET', `/tickets/${'-'.repeat(36)}`), 404, 'TICKET_NOT_FOUND');
    });

    it('answers a cursor it did not issue with INVALID_CURSOR on every paginated list, never a 500', async () => {
      const paged = ops.filter((o) => (o.op.parameters ?? []).some((p: any) => p.name === 'cursor'));
      assert.ok(paged.length >= 9);
      const tk = await ws.admin.req('POST', '/tickets', { subject: 'Cursor', body: 'x' });
      const article = await ws.admin.req('POST', '/articles', { translations: { en: { title: 'Cursor', body: 'x' } } });
      assert.equal(article.status, 201, JSON.stringify(article.body));
      // Each list under a record is read on a record of its kind.
      const recordOf = (path: string) => (path.startsWith('/articles/') ? article.body.id : tk.body.id);
      // For each sort: a value that fits it (to forge a bad id with) and values that do not.
      const sorts: Record<string, { fits: unknown; misfits: unknown[] }> = {
        created_at: { fits: '2024-01-01T00:00:00.000Z', misfits: ['not a date', '2024-13-45T99:00:00Z', 1e300, null] },
        updated_at: { fits: '2024-01-01T00:00:00.000Z', misfits: ['yesterday', 0, null] },
        name: { fits: 'billing', misfits: [42, null, ['x']] },
        number: { fits: 5, misfits: ['abc', 1.5, 1e300, null] },
        priority: { fits: 2, misfits: ['high', -0.5, null] },
        id: { fits: null, misfits: ['x', 12] },
      };
      const garbage = [
        'garbage!!',
        'bm90IGpzb24',
        forge({ a: 1 }),
        forge(['created_at', 'desc', null]),
        forge(['created_at', 'desc', '2024-01-01T00:00:00.000Z', MISSING, 'extra']),
        ...Object.entries(sorts).flatMap(([sort, v]) =>
          ['asc', 'desc'].flatMap((order) => [
            ...v.misfits.map((value) => forge([sort, order, value, sort === 'id' ? '12' : MISSING])),
            forge([sort, order, v.fits, sort === 'id' ? 'abc' : 'not-a-uuid']),
            forge([sort, order, v.fits, sort === 'id' ? MISSING : "1'; DROP TABLE tickets; --"]),
            forge([sort, order, v.fits, sort === 'id' ? '99999999999999999999' : `${MISSING}0`]),
          ]),
        ),
      ];
      for (const o of paged) {
        const url = fillPath(o.path, recordOf(o.path));
        const query = requiredQuery(o);
        for (const cursor of garbage) {
          const r = await ws.admin.req('GET', `${url}${query ? `${query}&` : '?'}cursor=${encodeURIComponent(cursor)}`);
          assertError(r, 400, 'INVALID_CURSOR');
        }
      }
      // A real cursor of another list or another order is refused too.
      for (let i = 0; i < 2; i++) await ws.admin.req('POST', '/teams', { name: `Cursor team ${i}` });
      const teams = await ws.admin.req('GET', '/teams?limit=1');
      assert.ok(teams.body.nextCursor);
      assertError(await ws.admin.req('GET', `/users?cursor=${teams.body.nextCursor}`), 400, 'INVALID_CURSOR');
      const byNumber = await ws.admin.req('GET', '/tickets?limit=1&sort=number');
      assertError(await ws.admin.req('GET', `/tickets?sort=number&order=asc&cursor=${byNumber.body.nextCursor}`), 400, 'INVALID_CURSOR');
      assert.equal((await ws.admin.req('GET', `/tickets?limit=1&sort=number&cursor=${byNumber.body.nextCursor}`)).status, 200);
    });

    it('answers an unknown route with 404 NOT_FOUND', async () => {
      for (const [method, url] of [
        ['GET', '/api/v1/nope'],
        ['GET', '/api/v1/tickets/1/attachments'],
        ['POST', '/api/v1/tickets/1/nope'],
        ['DELETE', '/api/v1/tickets'],
        ['PUT', '/api/v1/workspace'],
        ['GET', '/api/v2/tickets'],
        ['GET', '/nope'],
      ] as const) {
        const r = await raw({ method, url });
        assertError(r, 404, 'NOT_FOUND');
        assert.ok(r.body.error.message.includes(url), r.body.error.message);
      }
      assertError(await raw({ method: 'GET', url: '/api/v1/nope', token: null }), 404, 'NOT_FOUND');
    });

    it('echoes a valid x-request-id in the header and the error body, and replaces an invalid one', async () => {
      const given = 'req-42.abc_DEF';
      const err = await raw({ method: 'GET', url: '/api/v1/teams/not-a-uuid', headers: { 'x-request-id': given } });
      assert.equal(err.headers['x-request-id'], given);
      assertError(err, 400, 'VALIDATION_FAILED');
      assert.equal(err.body.error.requestId, given);
      const ok = await raw({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-request-id': given } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers['x-request-id'], given);
      assert.equal((await raw({ method: 'GET', url: '/healthz', headers: { 'x-request-id': given } })).headers['x-request-id'], given);
      for (const bad of ['with space', 'x'.repeat(101), 'semi;colon', '<script>']) {
        const r = await raw({ method: 'GET', url: '/api/v1/nope', headers: { 'x-request-id': bad } });
        assertError(r, 404, 'NOT_FOUND');
        assert.notEqual(r.headers['x-request-id'], bad);
        assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      }
      const a = await raw({ method: 'GET', url: '/api/v1/nope' });
      const b = await raw({ method: 'GET', url: '/api/v1/nope' });
      assert.notEqual(a.body.error.requestId, b.body.error.requestId, 'one id per request');
      // The request id also reaches the event log.
      const tk = await raw({ method: 'POST', url: '/api/v1/tickets', payload: { subject: 'Traced', body: 'x' }, headers: { 'x-request-id': 'trace-me-1' } });
      const row = await t.database.db.selectFrom('events').select('request_id').where('subject_id', '=', tk.body.id).executeTakeFirstOrThrow();
      assert.equal(row.request_id, 'trace-me-1');
    });

    it('serves an OpenAPI 3.1 document of every registered route, each with a summary and a response schema', async () => {
      const doc = await openApi(t);
      assert.equal(doc.openapi, '3.1.0');
      assert.equal(typeof doc.info.title, 'string');
      assert.equal(typeof doc.info.version, 'string');
      assert.deepEqual(doc.servers, [{ url: '/api/v1' }]);

      const registered = registeredRoutes(t)
        .filter((r) => r.split(' ')[1]!.startsWith('/api/v1/'))
        .map((r) => r.replace(' /api/v1', ' ').replace(/:(\w+)/g, '{$1}'))
        .sort();
      assert.ok(registered.length >= 40, `found ${registered.length} routes in Fastify's tree`);
      assert.deepEqual(ops.map((o) => o.key).sort(), registered, 'the document lists exactly the routes the server answers');
      for (const o of ops) {
        assert.ok(t.app.hasRoute({ method: o.method as 'GET', url: `/api/v1${o.path.replace(/\{(\w+)\}/g, ':$1')}` }), o.key);
      }

      const operationIds = new Set<string>();
      for (const o of ops) {
        const op = o.op;
        assert.equal(typeof op.summary, 'string', o.key);
        assert.ok(op.summary.trim().length >= 5, `${o.key} has a summary`);
        assert.ok(Array.isArray(op.tags) && op.tags.length === 1, `${o.key} has a tag`);
        assert.ok(op.operationId && !operationIds.has(op.operationId), `${o.key} has a unique operationId`);
        operationIds.add(op.operationId);
        const success = op.responses[String(o.success)];
        assert.ok(success.description, o.key);
        if (o.success === 204) {
          assert.equal(success.content, undefined, `${o.key}: 204 has no body`);
        } else {
          const schema = success.content?.['application/json']?.schema;
          assert.ok(schema && typeof schema === 'object' && (schema.type || schema.$ref || schema.anyOf), `${o.key} has a response schema`);
        }
        assert.deepEqual(op.responses.default.content['application/json'].schema, { $ref: '#/components/schemas/Error' }, `${o.key} documents its errors`);
        for (const name of [...o.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
          assert.ok(op.parameters?.some((p: any) => p.in === 'path' && p.name === name && p.required === true), `${o.key} declares {${name}}`);
        }
        const takesBody = ['POST', 'PUT', 'PATCH'].includes(o.method) && o.key !== 'POST /auth/logout';
        assert.equal(!!op.requestBody, takesBody, `${o.key} ${takesBody ? 'documents' : 'takes no'} body`);
        if (op.requestBody) assert.ok(op.requestBody.content['application/json'].schema, o.key);
        assert.equal(op.security !== undefined && op.security.length === 0, ['POST /auth/login', 'GET /openapi.json', 'POST /auth/password-reset', 'POST /auth/password-reset/confirm'].includes(o.key), `${o.key}: public or not`);
      }

      // Every $ref resolves, and the error schema is the documented body.
      const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
      for (const ref of new Set(refs)) {
        const target = ref.replace(/^#\//, '').split('/').reduce((node: any, key) => node?.[key], doc);
        assert.ok(target, `${ref} resolves`);
      }
      const error = doc.components.schemas.Error.properties.error;
      assert.deepEqual([...error.required].sort(), ['code', 'message', 'requestId']);
      assert.deepEqual(Object.keys(error.properties).sort(), ['code', 'details', 'message', 'requestId']);
      assert.ok(error.properties.code.enum.includes('TICKET_NOT_FOUND'));
    });
  });
}
