/**
 * Password reset by email: the link goes through the outbox (email.send job), holds a secret
 * stored only as a hash, works once within the hour, ends the account's sessions, and the request
 * never tells whether an address has an account.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import type { Clock } from '@guichet/core';
import { testDbKinds } from '@guichet/db/testing';
import { PASSWORD, newWorkspace, sessionCookie, startTestApp, caller, type TestApp } from './harness.ts';
import { assertError } from './helpers.ts';

const APP_URL = 'https://support.example.test';

for (const kind of testDbKinds()) {
  describe(`password reset by email on ${kind}`, () => {
    let t: TestApp;
    let offset = 0;
    const clock: Clock = { now: () => new Date(Date.now() + offset) };
    before(async () => {
      t = await startTestApp(kind, { clock, appUrl: APP_URL });
    });
    after(async () => {
      await t.close();
    });

    const outbox = (to: string) =>
      t.database.db.selectFrom('outbound_emails').selectAll().where(sql<boolean>`${to} = ANY(to_addresses)`).orderBy('created_at').execute();
    const tokenOf = (text: string) => {
      const m = /\/reset-password\?token=([\w-]+)/.exec(text);
      assert.ok(m, `a reset link in: ${text}`);
      return decodeURIComponent(m[1]!);
    };
    const anon = () => caller(t.app, {});

    it('mails a single-use link that sets the password and ends every session', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const cookie = await sessionCookie(t, agent.email, PASSWORD, ws.slug);
      const r = await anon()('POST', '/auth/password-reset', { email: agent.email.toUpperCase() });
      assert.equal(r.status, 204, JSON.stringify(r.body));

      const mails = await outbox(agent.email);
      assert.equal(mails.length, 1);
      const mail = mails[0]!;
      assert.equal(mail.kind, 'notification');
      assert.match(mail.subject, /password/i);
      assert.ok(mail.text_body.includes(`${APP_URL}/reset-password?token=`), 'the link uses the configured address, not the Host header');
      const token = tokenOf(mail.text_body);
      const job = await t.database.db.selectFrom('jobs').select(['type', 'payload']).where('dedupe_key', '=', mail.id).executeTakeFirstOrThrow();
      assert.equal(job.type, 'email.send');

      // Only the hash is stored.
      const rows = await t.database.db.selectFrom('password_reset_tokens').selectAll().where('user_id', '=', agent.id).execute();
      assert.equal(rows.length, 1);
      assert.notEqual(rows[0]!.token_hash, token);
      assert.equal(rows[0]!.token_hash, createHash('sha256').update(token).digest('hex'));
      assert.ok(!JSON.stringify(rows).includes(token));

      assertError(await anon()('POST', '/auth/password-reset/confirm', { token, password: 'short' }), 400, 'VALIDATION_FAILED');
      const ok = await anon()('POST', '/auth/password-reset/confirm', { token, password: 'a brand new passphrase' });
      assert.equal(ok.status, 204, JSON.stringify(ok.body));
      // The old session is over; the old password no longer works, the new one does.
      assert.equal((await caller(t.app, { cookie })('GET', '/auth/me')).status, 401);
      assertError(await anon()('POST', '/auth/login', { email: agent.email, password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
      assert.equal((await anon()('POST', '/auth/login', { email: agent.email, password: 'a brand new passphrase' })).status, 200);
      // Once only.
      assertError(await anon()('POST', '/auth/password-reset/confirm', { token, password: 'another new passphrase' }), 400, 'RESET_TOKEN_INVALID');
      const audit = await ws.admin.req('GET', '/audit-log?action=user.password_reset');
      assert.equal(audit.body.items.length, 1);
    });

    it('answers the same for unknown addresses, refuses expired links, and limits requests per hour', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const unknown = await anon()('POST', '/auth/password-reset', { email: `nobody@${ws.slug}.test` });
      assert.equal(unknown.status, 204);
      assert.equal((await outbox(`nobody@${ws.slug}.test`)).length, 0);
      assertError(await anon()('POST', '/auth/password-reset/confirm', { token: 'x'.repeat(43), password: 'a brand new passphrase' }), 400, 'RESET_TOKEN_INVALID');

      for (let i = 0; i < 5; i++) assert.equal((await anon()('POST', '/auth/password-reset', { email: agent.email })).status, 204);
      const mails = await outbox(agent.email);
      assert.equal(mails.length, 3, 'three links per hour at most');

      // An hour later the links are dead.
      offset += 61 * 60_000;
      try {
        assertError(await anon()('POST', '/auth/password-reset/confirm', { token: tokenOf(mails[0]!.text_body), password: 'a brand new passphrase' }), 400, 'RESET_TOKEN_INVALID');
        assertError(await anon()('POST', '/auth/login', { email: agent.email, password: 'a brand new passphrase' }), 401, 'INVALID_CREDENTIALS');
        // And new ones can be asked for; a used link retires the others.
        assert.equal((await anon()('POST', '/auth/password-reset', { email: agent.email })).status, 204);
        assert.equal((await anon()('POST', '/auth/password-reset', { email: agent.email })).status, 204);
        const fresh = (await outbox(agent.email)).slice(3);
        assert.equal(fresh.length, 2);
        assert.equal((await anon()('POST', '/auth/password-reset/confirm', { token: tokenOf(fresh[1]!.text_body), password: 'a brand new passphrase' })).status, 204);
        assertError(await anon()('POST', '/auth/password-reset/confirm', { token: tokenOf(fresh[0]!.text_body), password: 'yet another passphrase' }), 400, 'RESET_TOKEN_INVALID');
      } finally {
        offset = 0;
      }
    });

    it('is confined to the workspace named, writes French to French speakers, and skips suspended accounts', async () => {
      const a = await newWorkspace(t);
      const b = await newWorkspace(t);
      const email = `shared-${Math.random().toString(36).slice(2, 8)}@example.test`;
      const inA = await a.as('agent', { email });
      await b.as('agent', { email });
      assert.equal((await a.admin.req('PATCH', `/users/${inA.id}`, { locale: 'fr' })).status, 200);
      assert.equal((await anon()('POST', '/auth/password-reset', { email, workspace: a.slug })).status, 204);
      const mails = await outbox(email);
      assert.equal(mails.length, 1);
      assert.equal(mails[0]!.workspace_id, a.id);
      assert.match(mails[0]!.subject, /Réinitialisation/);
      // Without a workspace, each account gets its own link.
      assert.equal((await anon()('POST', '/auth/password-reset', { email })).status, 204);
      assert.deepEqual((await outbox(email)).map((m) => m.workspace_id).sort(), [a.id, a.id, b.id].sort());

      const suspended = await a.as('agent');
      assert.equal((await a.admin.req('PATCH', `/users/${suspended.id}`, { status: 'suspended' })).status, 200);
      assert.equal((await anon()('POST', '/auth/password-reset', { email: suspended.email })).status, 204);
      assert.equal((await outbox(suspended.email)).length, 0);
    });
  });
}
