/**
 * What the agent web app needs from the server: the built app served at `/` with a SPA fallback
 * that never shadows the API, the inbox views' counts, and the "my teams" filter.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testDbKinds } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type TestApp } from './harness.ts';
import { assertError } from './helpers.ts';

const INDEX = '<!doctype html><title>Guichet app</title><div id="root"></div>';

for (const kind of testDbKinds()) {
  describe(`web app support on ${kind}`, () => {
    let t: TestApp;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'guichet-web-'));
      mkdirSync(join(dir, 'assets'));
      writeFileSync(join(dir, 'index.html'), INDEX);
      writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
      writeFileSync(join(dir, 'secret.txt.bak'), 'no');
      t = await startTestApp(kind, { webDir: dir });
    });
    after(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const get = (url: string, method: 'GET' | 'HEAD' | 'POST' = 'GET') => t.app.inject({ method, url });

    it('serves the app at / and its own routes, with a CSP, and hashed assets with a long cache', async () => {
      for (const url of ['/', '/tickets/42', '/views/unassigned', '/reset-password?token=abc']) {
        const r = await get(url);
        assert.equal(r.statusCode, 200, url);
        assert.match(String(r.headers['content-type']), /^text\/html/);
        assert.equal(r.body, INDEX, url);
        assert.equal(r.headers['cache-control'], 'no-cache');
        assert.match(String(r.headers['content-security-policy']), /script-src 'self'/);
      }
      const js = await get('/assets/index-abc123.js');
      assert.equal(js.statusCode, 200);
      assert.match(String(js.headers['content-type']), /^text\/javascript/);
      assert.match(String(js.headers['cache-control']), /immutable/);
      assert.equal(js.body, 'console.log(1)');
      assert.equal((await get('/', 'HEAD')).statusCode, 200);
    });

    it('never shadows the API, /healthz, /help or /portal, and serves no file outside the build', async () => {
      for (const url of ['/api/v1/nope', '/api/v2/tickets', '/api', '/healthz/x']) {
        const r = await get(url);
        assert.equal(r.statusCode, 404, url);
        assert.equal(JSON.parse(r.body).error.code, 'NOT_FOUND', url);
      }
      // The help center owns /help: an unknown help center is its own not-found page, never the app.
      // So does the customer portal /portal.
      for (const url of ['/help', '/help/no-such-workspace', '/help/no-such-workspace/articles/x', '/portal', '/portal/no-such-workspace', '/portal/tickets/1', '/portal/no-such-workspace/requests/1']) {
        const r = await get(url);
        assert.equal(r.statusCode, 404, url);
        assert.notEqual(r.body, INDEX, url);
        assert.match(String(r.headers['content-type']), /^text\/html/, url);
      }
      assert.equal((await get('/healthz')).statusCode, 200);
      assert.equal((await get('/api/v1/auth/me')).statusCode, 401);
      for (const url of ['/assets/missing.js', '/assets/../index.html', '/%2e%2e/%2e%2e/etc/passwd', '/assets/%2e%2e%2fsecret.txt.bak', '/.env', '/assets/a/b.js']) {
        const r = await get(url);
        assert.ok(r.statusCode === 404 || (r.statusCode === 200 && r.body === INDEX), `${url}: ${r.statusCode} ${r.body.slice(0, 80)}`);
        assert.doesNotMatch(r.body, /root:|no$/);
      }
      // Other methods on app paths are not the app's.
      assert.equal((await get('/tickets/42', 'POST')).statusCode, 404);
    });

    it('without a build, answers / with how to build it and every other path with the JSON 404', async () => {
      const bare = await startTestApp(kind);
      try {
        const home = await bare.app.inject({ method: 'GET', url: '/' });
        assert.equal(home.statusCode, 200);
        assert.match(home.body, /npm run build:web/);
        const other = await bare.app.inject({ method: 'GET', url: '/tickets/42' });
        assert.equal(other.statusCode, 404);
        assert.equal(JSON.parse(other.body).error.code, 'NOT_FOUND');
      } finally {
        await bare.close();
      }
    });

    it('counts the inbox views for the caller, and lists "my teams"', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const other = await ws.as('agent');
      const team = (await ws.admin.req('POST', '/teams', { name: 'Billing' })).body;
      const otherTeam = (await ws.admin.req('POST', '/teams', { name: 'Tech' })).body;
      assert.equal((await ws.admin.req('PUT', `/teams/${team.id}/members`, { members: [{ userId: agent.id }] })).status, 200);
      assert.equal((await ws.admin.req('PUT', `/teams/${otherTeam.id}/members`, { members: [{ userId: other.id }] })).status, 200);
      const mk = async (extra: Record<string, unknown>) => {
        const r = await ws.admin.req('POST', '/tickets', { subject: 'Card declined', body: 'Hello', requester: { email: 'c@example.com' }, ...extra });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body;
      };
      await mk({ assigneeId: agent.id, teamId: team.id });
      await mk({ assigneeId: agent.id });
      const solved = await mk({ assigneeId: agent.id });
      assert.equal((await agent.req('PATCH', `/tickets/${solved.id}`, { status: 'solved' })).status, 200);
      await mk({ teamId: team.id });
      await mk({ teamId: otherTeam.id, assigneeId: other.id });
      await mk({});

      const c = await agent.req('GET', '/tickets/counts');
      assert.equal(c.status, 200, JSON.stringify(c.body));
      assert.deepEqual(c.body, { mine: 2, unassigned: 2, myTeams: 2, open: 5, recent: 6 });
      const o = await other.req('GET', '/tickets/counts');
      assert.deepEqual(o.body, { mine: 1, unassigned: 2, myTeams: 1, open: 5, recent: 6 });

      const mine = await agent.req('GET', '/tickets?teamId=mine');
      assert.equal(mine.status, 200);
      assert.equal(mine.body.items.length, 2);
      assert.ok(mine.body.items.every((x: any) => x.teamId === team.id));
      assert.equal((await other.req('GET', '/tickets?teamId=mine')).body.items.length, 1);
      const lonely = await ws.as('agent');
      assert.deepEqual((await lonely.req('GET', '/tickets?teamId=mine')).body.items, []);

      // Another workspace's tickets are never counted.
      const ws2 = await newWorkspace(t);
      const c2 = await ws2.admin.req('GET', '/tickets/counts');
      assert.deepEqual(c2.body, { mine: 0, unassigned: 0, myTeams: 0, open: 0, recent: 0 });
      const customer = await ws.as('customer');
      assertError(await customer.req('GET', '/tickets/counts'), 403, 'FORBIDDEN');
    });

    it('saves inbox views: personal ones stay private, admins share, names are unique per owner, queries are checked', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const colleague = await ws.as('agent');
      const mine = await agent.req('POST', '/views', { name: 'My urgent billing', query: { priority: ['urgent'], tag: ['billing'], assigneeId: 'me', sort: 'updated_at' } });
      assert.equal(mine.status, 201, JSON.stringify(mine.body));
      assert.deepEqual(mine.body.query, { priority: ['urgent'], tag: ['billing'], assigneeId: 'me', sort: 'updated_at' });
      assert.equal(mine.body.permissions.update, true);
      assertError(await agent.req('POST', '/views', { name: 'my URGENT billing', query: {} }), 409, 'NAME_TAKEN');
      assert.equal((await colleague.req('POST', '/views', { name: 'My urgent billing', query: {} })).status, 201, 'another owner may use the name');
      assertError(await agent.req('POST', '/views', { name: 'Bad', query: { status: ['lost'] } }), 400, 'VALIDATION_FAILED');
      assertError(await agent.req('POST', '/views', { name: 'Bad', query: { sql: 'drop' } }), 400, 'VALIDATION_FAILED');
      assertError(await agent.req('POST', '/views', { name: 'Team', query: {}, shared: true }), 403, 'FORBIDDEN');

      const shared = await ws.admin.req('POST', '/views', { name: 'Escalations', query: { tag: ['escalated'], status: ['open', 'pending'] }, shared: true });
      assert.equal(shared.status, 201);
      const list = await agent.req('GET', '/views');
      assert.deepEqual(list.body.items.map((v: any) => [v.name, v.shared, v.permissions.update]), [['Escalations', true, false], ['My urgent billing', false, true]]);
      // A colleague's personal view is invisible, and answers like one that does not exist.
      assertError(await colleague.req('PATCH', `/views/${mine.body.id}`, { name: 'Mine now' }), 404, 'SAVED_VIEW_NOT_FOUND');
      assertError(await agent.req('PATCH', `/views/${shared.body.id}`, { name: 'Mine now' }), 403, 'FORBIDDEN');
      const renamed = await ws.admin.req('PATCH', `/views/${shared.body.id}`, { name: 'Escalated', query: { tag: ['escalated'] } });
      assert.equal(renamed.status, 200);
      assert.deepEqual(renamed.body.query, { tag: ['escalated'] });
      assert.equal((await agent.req('DELETE', `/views/${mine.body.id}`)).status, 204);
      assertError(await agent.req('DELETE', `/views/${mine.body.id}`), 404, 'SAVED_VIEW_NOT_FOUND');
      assert.deepEqual((await agent.req('GET', '/views')).body.items.map((v: any) => v.name), ['Escalated']);
      // Another workspace sees none of them.
      const ws2 = await newWorkspace(t);
      assert.deepEqual((await ws2.admin.req('GET', '/views')).body.items, []);
      assertError(await ws2.admin.req('PATCH', `/views/${shared.body.id}`, { name: 'x' }), 404, 'SAVED_VIEW_NOT_FOUND');
    });
  });
}
