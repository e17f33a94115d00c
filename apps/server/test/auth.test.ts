/**
 * Authentication: password sign-in, the session cookie and its lifetime, rate limiting, suspended
 * accounts, personal API tokens, cross-site writes, and the real argon2 hasher.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Clock, PasswordHasher } from '@guichet/core';
import { testDbKinds } from '@guichet/db/testing';
import { argon2Hasher } from '../src/infra/passwords.ts';
import { PASSWORD, caller, fastHasher, newWorkspace, startTestApp, type TestApp } from './harness.ts';
import { assertError, assertNoSecrets, recordResponses, type Res } from './helpers.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface Cookie {
  name: string;
  value: string;
  attrs: Map<string, string>;
}

function setCookies(res: { headers: Record<string, unknown> }): Cookie[] {
  const h = res.headers['set-cookie'];
  const list = h === undefined ? [] : Array.isArray(h) ? h : [h];
  return list.map((line) => {
    const [pair, ...attrs] = String(line).split(';').map((s) => s.trim());
    const eq = pair!.indexOf('=');
    return {
      name: pair!.slice(0, eq),
      value: pair!.slice(eq + 1),
      attrs: new Map(attrs.map((a) => [a.split('=')[0]!.toLowerCase(), a.split('=').slice(1).join('=')])),
    };
  });
}

for (const kind of testDbKinds()) {
  describe(`authentication on ${kind}`, () => {
    let t: TestApp;
    let seen: ReturnType<typeof recordResponses>;
    // Time moves only forward, when a test says so; every test makes its own users and sessions.
    let offset = 0;
    const clock: Clock = { now: () => new Date(Date.now() + offset) };
    const travel = (ms: number) => {
      offset += ms;
    };
    // The fast test hasher, or argon2 for the one test about hashing; each hash is checked by its own kind.
    let hashWithArgon2 = false;
    const passwords: PasswordHasher = {
      hash: (p) => (hashWithArgon2 ? argon2Hasher : fastHasher).hash(p),
      verify: (h, p) => (h.startsWith('$argon2') ? argon2Hasher : fastHasher).verify(h, p),
    };
    const secretsShownOnce: string[] = [];

    before(async () => {
      t = await startTestApp(kind, { clock, passwords });
      seen = recordResponses(t);
    });
    after(async () => {
      await t.close();
    });

    const login = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: body, headers }).then((r) => ({
        status: r.statusCode,
        body: JSON.parse(r.body || 'null'),
        headers: r.headers as Record<string, unknown>,
      }));
    const cookieOf = (res: { headers: Record<string, unknown> }) => {
      const c = setCookies(res).find((x) => x.name === 'guichet_session');
      assert.ok(c, 'a session cookie is set');
      return `${c.name}=${c.value}`;
    };
    const me = (auth: { cookie?: string; token?: string }) => caller(t.app, auth)('GET', '/auth/me');

    it('signs in with the right password; a wrong password and an unknown address get the same answer', async () => {
      const ws = await newWorkspace(t);
      const ok = await login({ email: ws.admin.email, password: PASSWORD });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.user.email, ws.admin.email);
      assert.equal(ok.body.user.role, 'admin');
      assert.equal(ok.body.workspace.slug, ws.slug);
      assert.equal(ok.body.via, 'session');
      assert.ok(ok.body.permissions.includes('users:manage'));
      assert.equal((await me({ cookie: cookieOf(ok) })).body.user.id, ws.admin.id);

      const wrong = await login({ email: ws.admin.email, password: 'not the password' });
      const unknown = await login({ email: `nobody@${ws.slug}.test`, password: 'not the password' });
      const customer = await ws.admin.req('POST', '/customers', { name: 'No password', email: `nopass@${ws.slug}.test` });
      const noPassword = await login({ email: customer.body.email, password: 'anything at all' });
      for (const r of [wrong, unknown, noPassword]) {
        assertError(r, 401, 'INVALID_CREDENTIALS');
        assert.equal(r.body.error.message, wrong.body.error.message);
        assert.equal(r.body.error.details, undefined);
        assert.deepEqual(setCookies(r), [], 'no cookie on a failed sign-in');
      }

      for (const email of [ws.admin.email.toUpperCase(), `  ${ws.admin.email.replace('admin', 'AdMiN')}  `]) {
        const r = await login({ email, password: PASSWORD });
        assert.equal(r.status, 200, `${email}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.user.id, ws.admin.id);
      }
      assertError(await login({ email: ws.admin.email, password: PASSWORD.toUpperCase() }), 401, 'INVALID_CREDENTIALS');
      assertError(await login({ email: ws.admin.email }), 400, 'VALIDATION_FAILED');
      assertError(await login({ email: 'not an address', password: PASSWORD }), 400, 'VALIDATION_FAILED');
    });

    it('asks which workspace when an address has accounts in two, and the workspace field settles it', async () => {
      const one = await newWorkspace(t);
      const two = await newWorkspace(t);
      const email = `consultant-${one.slug}@example.test`;
      await one.admin.req('POST', '/users', { email, name: 'Consultant', role: 'agent', password: PASSWORD });
      await two.admin.req('POST', '/users', { email: email.toUpperCase(), name: 'Consultant', role: 'light_agent', password: PASSWORD });

      const ambiguous = await login({ email, password: PASSWORD });
      assertError(ambiguous, 400, 'WORKSPACE_REQUIRED');
      assert.deepEqual([...ambiguous.body.error.details.workspaces].sort(), [one.slug, two.slug].sort());
      assert.deepEqual(setCookies(ambiguous), []);

      const inTwo = await login({ email, password: PASSWORD, workspace: two.slug });
      assert.equal(inTwo.status, 200, JSON.stringify(inTwo.body));
      assert.equal(inTwo.body.workspace.slug, two.slug);
      assert.equal(inTwo.body.user.role, 'light_agent');
      const inOne = await login({ email, password: PASSWORD, workspace: one.slug });
      assert.equal(inOne.body.workspace.slug, one.slug);
      assert.equal(inOne.body.user.role, 'agent');
      assertError(await login({ email, password: PASSWORD, workspace: 'no-such-workspace' }), 401, 'INVALID_CREDENTIALS');
      assertError(await login({ email, password: 'wrong password', workspace: one.slug }), 401, 'INVALID_CREDENTIALS');

      // With a different password in each, the password alone says which account it is.
      const solo = `solo-${one.slug}@example.test`;
      await one.admin.req('POST', '/users', { email: solo, name: 'Solo', password: 'first password here' });
      await two.admin.req('POST', '/users', { email: solo, name: 'Solo', password: 'second password here' });
      assert.equal((await login({ email: solo, password: 'second password here' })).body.workspace.slug, two.slug);
    });

    it('sets an HttpOnly, SameSite=Lax, Path=/ session cookie, and logout ends that session only', async () => {
      const ws = await newWorkspace(t);
      const first = await login({ email: ws.admin.email, password: PASSWORD, workspace: ws.slug });
      const [c] = setCookies(first);
      assert.equal(c!.name, 'guichet_session');
      assert.ok(c!.value.length >= 40, 'a long random secret');
      assert.ok(c!.attrs.has('httponly'), 'HttpOnly');
      assert.equal(c!.attrs.get('samesite'), 'Lax');
      assert.equal(c!.attrs.get('path'), '/');
      assert.ok(!c!.attrs.has('domain'), 'host-only');
      assert.ok(!c!.attrs.has('secure'), 'not Secure unless GUICHET_SECURE_COOKIES=1');
      const expires = Date.parse(c!.attrs.get('expires')!);
      assert.ok(Math.abs(expires - (clock.now().getTime() + HOUR)) < 5 * MINUTE, 'expires after the session lifetime');
      assert.ok(!JSON.stringify(first.body).includes(c!.value), 'the secret is only in the cookie');

      const cookie = cookieOf(first);
      const other = cookieOf(await login({ email: ws.admin.email, password: PASSWORD }));
      assert.equal((await me({ cookie })).body.via, 'session');

      const out = await caller(t.app, { cookie })('POST', '/auth/logout');
      assert.equal(out.status, 204);
      const cleared = setCookies(out).find((x) => x.name === 'guichet_session')!;
      assert.equal(cleared.value, '');
      assert.ok(cleared.attrs.get('max-age') === '0' || Date.parse(cleared.attrs.get('expires')!) <= Date.now());
      assertError(await me({ cookie }), 401, 'UNAUTHENTICATED');
      assertError(await caller(t.app, { cookie })('POST', '/auth/logout'), 401, 'UNAUTHENTICATED');
      assert.equal((await me({ cookie: other })).status, 200, 'the other session lives on');

      // Logging out with an API token ends no session and keeps the token.
      assert.equal((await ws.admin.req('POST', '/auth/logout')).status, 204);
      assert.equal((await ws.admin.req('GET', '/auth/me')).status, 200);
      assert.equal((await me({ cookie: other })).status, 200);
    });

    it('ends an idle session after its lifetime; activity extends it, cookie included', async () => {
      const ws = await newWorkspace(t);
      const idle = cookieOf(await login({ email: ws.admin.email, password: PASSWORD }));
      const res = await login({ email: ws.admin.email, password: PASSWORD });
      const active = cookieOf(res);
      const firstExpiry = Date.parse(setCookies(res)[0]!.attrs.get('expires')!);

      travel(50 * MINUTE);
      const used = await me({ cookie: active });
      assert.equal(used.status, 200);
      travel(50 * MINUTE); // 100 minutes after sign-in, 50 after the last request
      const again = await me({ cookie: active });
      assert.equal(again.status, 200, 'activity slides the expiry');
      const refreshed = setCookies(again).find((x) => x.name === 'guichet_session');
      assert.ok(refreshed, 'the cookie is sent again with the new expiry');
      assert.equal(`${refreshed.name}=${refreshed.value}`, active, 'same session');
      assert.ok(Date.parse(refreshed.attrs.get('expires')!) > firstExpiry, 'the browser keeps the cookie as long as the session lives');
      assert.ok(refreshed.attrs.has('httponly'));
      assert.equal(refreshed.attrs.get('samesite'), 'Lax');

      assertError(await me({ cookie: idle }), 401, 'SESSION_EXPIRED');
      assertError(await me({ cookie: idle }), 401, 'UNAUTHENTICATED'); // and it is gone

      travel(HOUR + MINUTE);
      assertError(await me({ cookie: active }), 401, 'SESSION_EXPIRED');
      assert.equal((await ws.admin.req('GET', '/auth/me')).status, 200, 'API tokens without expiry are not sessions');
    });

    it('rate-limits failed sign-ins per address with Retry-After; a success resets the count', async () => {
      const ws = await newWorkspace(t); // the harness allows 5 failures per 15 minutes
      const email = ws.admin.email;
      for (let i = 0; i < 5; i++) assertError(await login({ email, password: `wrong ${i}` }), 401, 'INVALID_CREDENTIALS');
      const limited = await login({ email: email.toUpperCase(), password: PASSWORD });
      assertError(limited, 429, 'RATE_LIMITED');
      assert.equal(limited.headers['retry-after'], '900');
      assert.equal(limited.body.error.details.retryAfterSeconds, 900);
      assert.deepEqual(setCookies(limited), []);
      assertError(await login({ email, password: 'wrong again' }), 429, 'RATE_LIMITED');
      assert.equal((await ws.admin.req('GET', '/auth/me')).status, 200, 'existing sessions and tokens are not affected');
      const colleague = await ws.as('agent');
      assert.equal((await login({ email: colleague.email, password: PASSWORD })).status, 200, 'other addresses are not limited');

      travel(16 * MINUTE);
      assert.equal((await login({ email, password: PASSWORD })).status, 200, 'the window has passed');

      // A success resets the count: 4 + 4 failures around it never reach the limit of 5.
      for (let i = 0; i < 4; i++) await login({ email, password: 'wrong' });
      assert.equal((await login({ email, password: PASSWORD })).status, 200);
      for (let i = 0; i < 4; i++) await login({ email, password: 'wrong' });
      assert.equal((await login({ email, password: PASSWORD })).status, 200);
      for (let i = 0; i < 5; i++) await login({ email, password: 'wrong' });
      assertError(await login({ email, password: PASSWORD }), 429, 'RATE_LIMITED');

      // An unknown address is limited the same way, so the limit tells nothing about accounts.
      const nobody = `nobody-${ws.slug}@example.test`;
      for (let i = 0; i < 5; i++) assertError(await login({ email: nobody, password: 'guess' }), 401, 'INVALID_CREDENTIALS');
      assertError(await login({ email: nobody, password: 'guess' }), 429, 'RATE_LIMITED');
    });

    it('a suspended user loses every session and token and cannot sign in', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const cookie = cookieOf(await login({ email: agent.email, password: PASSWORD }));
      assert.equal((await agent.req('GET', '/auth/me')).status, 200);
      assert.equal((await me({ cookie })).status, 200);

      const r = await ws.admin.req('PATCH', `/users/${agent.id}`, { status: 'suspended' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.status, 'suspended');
      assertError(await agent.req('GET', '/auth/me'), 401, 'UNAUTHENTICATED');
      assertError(await me({ cookie }), 401, 'UNAUTHENTICATED');
      assertError(await login({ email: agent.email, password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
      const db = t.database.db;
      assert.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', agent.id).execute()).length, 0);
      const tokens = await db.selectFrom('api_tokens').select('revoked_at').where('user_id', '=', agent.id).execute();
      assert.ok(tokens.length > 0 && tokens.every((x) => x.revoked_at !== null), 'their tokens are revoked');

      // Back to active: a fresh sign-in works, the old session and token stay dead.
      await ws.admin.req('PATCH', `/users/${agent.id}`, { status: 'active' });
      assertError(await agent.req('GET', '/auth/me'), 401, 'UNAUTHENTICATED');
      assertError(await me({ cookie }), 401, 'UNAUTHENTICATED');
      assert.equal((await login({ email: agent.email, password: PASSWORD })).status, 200);

      // The same for a customer.
      const customer = await ws.as('customer');
      assert.equal((await customer.req('GET', '/tickets')).status, 200);
      await ws.admin.req('PATCH', `/customers/${customer.id}`, { status: 'suspended' });
      assertError(await customer.req('GET', '/tickets'), 401, 'UNAUTHENTICATED');
      assertError(await login({ email: customer.email, password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
    });

    it('API tokens: the secret is shown once and never listed; tokens can be revoked and expire', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const created = await agent.req('POST', '/api-tokens', { name: 'CI', expiresInDays: 2 });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const secret: string = created.body.token;
      secretsShownOnce.push(secret);
      assert.match(secret, /^gch_[A-Za-z0-9_-]{40,}$/);
      assert.equal(created.body.prefix, secret.slice(0, 10));
      assert.equal(created.body.name, 'CI');
      assert.ok(Math.abs(Date.parse(created.body.expiresAt) - (clock.now().getTime() + 2 * DAY)) < 5 * MINUTE);

      const list = await agent.req('GET', '/api-tokens');
      const item = list.body.items.find((i: any) => i.id === created.body.id);
      assert.deepEqual(Object.keys(item).sort(), ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix']);
      assert.ok(!JSON.stringify(list.body).includes(secret), 'the list never shows a secret');
      const stored = await t.database.db.selectFrom('api_tokens').select('token_hash').where('id', '=', created.body.id).executeTakeFirstOrThrow();
      assert.equal(stored.token_hash, createHash('sha256').update(secret).digest('hex'), 'only a hash is stored');

      const withToken = caller(t.app, { token: secret });
      const who = await withToken('GET', '/auth/me');
      assert.equal(who.status, 200);
      assert.equal(who.body.via, 'api_token');
      assert.equal(who.body.user.id, agent.id);
      const used = (await agent.req('GET', '/api-tokens')).body.items.find((i: any) => i.id === created.body.id);
      assert.ok(used.lastUsedAt, 'use is recorded');
      assert.ok(!(await ws.admin.req('GET', '/api-tokens')).body.items.some((i: any) => i.id === created.body.id), 'each lists their own');

      // Revoked: refused at once, gone from the list, not revocable twice; others' tokens are not found.
      const other = await agent.req('POST', '/api-tokens', { name: 'laptop' });
      secretsShownOnce.push(other.body.token);
      const colleague = await ws.as('agent');
      assertError(await colleague.req('DELETE', `/api-tokens/${other.body.id}`), 404, 'API_TOKEN_NOT_FOUND');
      assert.equal((await agent.req('DELETE', `/api-tokens/${other.body.id}`)).status, 204);
      assertError(await caller(t.app, { token: other.body.token })('GET', '/auth/me'), 401, 'UNAUTHENTICATED');
      assertError(await agent.req('DELETE', `/api-tokens/${other.body.id}`), 404, 'API_TOKEN_NOT_FOUND');
      assert.ok(!(await agent.req('GET', '/api-tokens')).body.items.some((i: any) => i.id === other.body.id));
      const audit = await ws.admin.req('GET', '/audit-log?action=api_token.revoked');
      assert.equal(audit.body.items[0].targetId, other.body.id);

      // Expired: refused after its lifetime.
      travel(2 * DAY + MINUTE);
      const expired = await withToken('GET', '/auth/me');
      assertError(expired, 401, 'UNAUTHENTICATED');
      assert.match(expired.body.error.message, /expired/);
      assert.equal((await agent.req('GET', '/auth/me')).status, 200, 'tokens without expiry keep working');
    });

    it('refuses a malformed Authorization header, even next to a valid session cookie', async () => {
      const ws = await newWorkspace(t);
      const cookie = cookieOf(await login({ email: ws.admin.email, password: PASSWORD }));
      const token = ws.admin.token;
      for (const authorization of [
        'Basic YWRtaW46cGFzc3dvcmQ=',
        'Bearer',
        'Bearer ',
        `Bearer ${token} extra`,
        `Token ${token}`,
        `Bearer ${token.slice(0, -1)}`,
        `Bearer ${token.slice(4)}`,
        'Bearer gch_',
        `Bearer ${'x'.repeat(5000)}`,
      ]) {
        for (const headers of [{ authorization }, { authorization, cookie }]) {
          const r = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
          assertError({ status: r.statusCode, body: JSON.parse(r.body), headers: r.headers }, 401, 'UNAUTHENTICATED');
        }
      }
      const lower = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `bearer ${token}` } });
      assert.equal(lower.statusCode, 200, 'the scheme is case-insensitive');
    });

    it('refuses cookie-authenticated writes from another site; same-site, safe and token requests pass', async () => {
      const ws = await newWorkspace(t);
      const cookie = cookieOf(await login({ email: ws.admin.email, password: PASSWORD }));
      let n = 0;
      const send = async (method: 'GET' | 'POST', headers: Record<string, string>): Promise<Res> => {
        const r = await t.app.inject({
          method,
          url: method === 'GET' ? '/api/v1/teams' : '/api/v1/teams',
          headers: { host: 'help.example.test', ...headers },
          ...(method === 'POST' ? { payload: { name: `Team ${++n}` } } : {}),
        });
        return { status: r.statusCode, body: JSON.parse(r.body), headers: r.headers };
      };
      for (const origin of ['https://evil.example.test', 'http://help.example.test.evil.test', 'http://help.example.test:8080', 'null', 'not a url']) {
        assertError(await send('POST', { cookie, origin }), 403, 'FORBIDDEN');
      }
      assert.equal((await send('POST', { cookie, origin: 'http://help.example.test' })).status, 201, 'same origin');
      assert.equal((await send('POST', { cookie, origin: 'https://help.example.test' })).status, 201, 'same host over https');
      assert.equal((await send('POST', { cookie })).status, 201, 'no Origin: not a browser cross-site request');
      assert.equal((await send('GET', { cookie, origin: 'https://evil.example.test' })).status, 200, 'reads are not writes');
      assert.equal((await send('POST', { authorization: `Bearer ${ws.admin.token}`, origin: 'https://evil.example.test' })).status, 201, 'tokens are not ambient');
      const logout = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { host: 'help.example.test', cookie, origin: 'https://evil.example.test' } });
      assert.equal(logout.statusCode, 403, 'no cross-site logout either');
      assert.equal((await me({ cookie })).status, 200);
    });

    it('hashes passwords with argon2id and never stores the password (real hasher)', async () => {
      hashWithArgon2 = true;
      try {
        const ws = await newWorkspace(t);
        const password = 'Un mot de passe tres long 42';
        const u = await ws.admin.req('POST', '/users', { email: `argon@${ws.slug}.test`, name: 'Argon', role: 'agent', password });
        assert.equal(u.status, 201, JSON.stringify(u.body));
        const hashOf = async (id: string) =>
          (await t.database.db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow()).password_hash!;
        for (const id of [u.body.id, ws.admin.id]) {
          const h = await hashOf(id);
          assert.match(h, /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
          assert.ok(!h.includes(id === u.body.id ? password : PASSWORD));
          assert.ok(!h.includes(Buffer.from(id === u.body.id ? password : PASSWORD).toString('base64')));
        }
        const first = await hashOf(u.body.id);
        assert.equal((await login({ email: u.body.email, password })).status, 200);
        assertError(await login({ email: u.body.email, password: `${password}!` }), 401, 'INVALID_CREDENTIALS');

        const newPassword = 'Another long passphrase 7';
        assert.equal((await ws.admin.req('PATCH', `/users/${u.body.id}`, { password: newPassword })).status, 200);
        const second = await hashOf(u.body.id);
        assert.match(second, /^\$argon2id\$/);
        assert.notEqual(second, first);
        assert.ok(!second.includes(newPassword));
        assertError(await login({ email: u.body.email, password }), 401, 'INVALID_CREDENTIALS');
        assert.equal((await login({ email: u.body.email, password: newPassword })).status, 200);
        // Two accounts with the same password get different hashes (salted).
        const twin = await ws.admin.req('POST', '/users', { email: `twin@${ws.slug}.test`, name: 'Twin', password: newPassword });
        assert.notEqual(await hashOf(twin.body.id), second);
      } finally {
        hashWithArgon2 = false;
      }
    });

    it('never answers with a password, a password hash or a token hash; token secrets appear once', () => {
      assertNoSecrets(seen, [PASSWORD, 'Un mot de passe tres long 42', 'Another long passphrase 7', '$argon2']);
      for (const secret of secretsShownOnce) {
        assert.equal(seen.filter((r) => r.body.includes(secret)).length, 1, 'a token secret is in its creation answer only');
      }
    });
  });
}
