/**
 * suggestArticlesForText: the articles suggested while someone types a question (portal form,
 * help center), through the same search as everything else: published articles only, public
 * ones only for customers and anonymous visitors, one hit per article, a language filter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createArticle, publishArticle, suggestArticlesForText, systemActor, type Ctx } from '@guichet/core';
import { testDbKinds } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type TestApp } from './harness.ts';

for (const kind of testDbKinds()) {
  describe(`article suggestions for typed text on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(async () => {
      await t.close();
    });

    it('suggests published articles by relevance, within the caller scope, one per article', async () => {
      const ws = await newWorkspace(t);
      const sys: Ctx = { workspaceId: ws.id, actor: systemActor, requestId: 'test' };
      const article = async (visibility: 'public' | 'internal', translations: Record<string, { title: string; body: string }>, publish = true) => {
        const r = await createArticle(t.deps, sys, {
          categoryId: null, visibility, tags: [], template: null, ownerUserId: null, ownerTeamId: null, verifyIntervalDays: 365, translations,
        } as never);
        if (publish) await publishArticle(t.deps, sys, r.view.article.id, {});
        return r.view.article.id;
      };
      const refund = await article('public', {
        en: { title: 'Request a refund', body: 'You can get a refund for an order within 14 days. Refunds reach your card in 5 business days.' },
        fr: { title: 'Demander un remboursement', body: 'Vous pouvez être remboursé pour une commande sous 14 jours.' },
      });
      const password = await article('public', { en: { title: 'Reset your password', body: 'Use the link on the sign-in page to choose a new password.' } });
      const internal = await article('internal', { en: { title: 'Refund approval limits', body: 'Agents approve refunds of an order up to 50 EUR.' } });
      const draft = await article('public', { en: { title: 'Refund policy draft', body: 'Refunds for orders, being rewritten.' } }, false);

      const customer = await ws.as('customer');
      const customerCtx: Ctx = { workspaceId: ws.id, actor: { type: 'user', userId: customer.id, role: 'customer', name: null, organizationId: null, via: 'session' }, requestId: 'test' };
      const anonymous: Ctx = { workspaceId: ws.id, actor: { type: 'user', userId: null, role: 'customer', name: null, organizationId: null, via: 'session' }, requestId: 'test' };
      const staff: Ctx = { workspaceId: ws.id, actor: { type: 'user', userId: ws.admin.id, role: 'admin', name: null, organizationId: null, via: 'session' }, requestId: 'test' };
      const ids = async (ctx: Ctx, text: string, extra: { language?: 'en' | 'fr'; limit?: number } = {}) =>
        (await suggestArticlesForText(t.deps, ctx, { text, ...extra })).map((h) => h.id);

      const question = 'How do I get a refund for my order? It arrived broken';
      for (const ctx of [customerCtx, anonymous]) {
        const got = await ids(ctx, question);
        assert.equal(got[0], refund, 'the refund article first');
        assert.ok(!got.includes(internal) && !got.includes(draft), 'no internal article, no draft');
      }
      const forStaff = await ids(staff, question);
      assert.ok(forStaff.includes(refund) && forStaff.includes(internal), 'staff also get internal articles');
      assert.ok(!forStaff.includes(draft), 'drafts are never suggested');
      assert.equal(new Set(forStaff).size, forStaff.length, 'one suggestion per article');

      // While typing: the last word is a prefix. Syntax characters are plain punctuation.
      assert.deepEqual(await ids(anonymous, 'forgot my passw'), [password]);
      assert.deepEqual(await ids(anonymous, 'password -reset "sign-in'), [password]);
      // A long question keeps its last words (the search box keeps 12; suggestions 24).
      const long = 'hello there I have been trying all week long without any luck at all so how can one change the password';
      assert.equal((await ids(anonymous, long))[0], password);
      // Language filter, limit, nothing to search for.
      const fr = await suggestArticlesForText(t.deps, anonymous, { text: 'remboursement de ma commande', language: 'fr' });
      assert.deepEqual(fr.map((h) => [h.id, h.language]), [[refund, 'fr']]);
      assert.equal((await ids(staff, question, { limit: 1 })).length, 1);
      assert.deepEqual(await ids(anonymous, ' -- "" '), []);
    });
  });
}
