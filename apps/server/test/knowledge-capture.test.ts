/**
 * What support learns goes back into the knowledge base: the content-gap report (searches of the
 * API and the help center that found nothing or only weak matches, and solved tickets where no
 * suggested article was used, grouped by topic; who may read it and record suggestion use;
 * nothing of another workspace), and a reply turned into an article draft in one step.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDbKinds } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type Caller, type TestApp } from './harness.ts';
import { assertError } from './helpers.ts';

for (const kind of testDbKinds()) {
  describe(`content gaps on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(async () => {
      await t.close();
    });

    const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
      const r = await p;
      assert.equal(r.status, status, JSON.stringify(r.body));
      return r.body;
    };
    const search = (c: Caller, q: string) => ok(c.req('GET', `/search?q=${encodeURIComponent(q)}`));
    const helpSearch = async (slug: string, q: string) => {
      const r = await t.app.inject({ method: 'GET', url: `/help/${slug}/search?q=${encodeURIComponent(q)}&lang=en` });
      assert.equal(r.statusCode, 200);
    };
    const ticket = async (c: Caller, subject: string, solve: boolean) => {
      const tk = await ok(c.req('POST', '/tickets', { subject, body: `${subject}. Can you help?`, requester: { email: 'dana@example.test' }, language: 'en' }), 201);
      if (solve) await ok(c.req('PATCH', `/tickets/${tk.id}`, { status: 'solved' }));
      return tk;
    };

    async function world() {
      const ws = await newWorkspace(t);
      const admin = ws.admin;
      const agent = await ws.as('agent');
      const light = await ws.as('light_agent');
      const alice = await ws.as('customer', { email: 'alice@example.test' });
      const art = await ok(admin.req('POST', '/articles', {
        visibility: 'public',
        translations: { en: { title: 'Reset your password', body: 'Use the "Forgot your password?" link on the sign-in page.' } },
      }), 201);
      await ok(admin.req('POST', `/articles/${art.id}/publish`, {}));
      return { ws, admin, agent, light, alice, art };
    }

    it('groups failed searches of the API and the help center by topic, and counts the ones that found something', async () => {
      const w = await world();
      const before = new Date().toISOString();
      assert.equal((await search(w.agent, 'passport renewal')).items.length, 0);
      assert.equal((await search(w.agent, 'Passport  Renewal')).items.length, 0);
      assert.equal((await search(w.alice, 'renew my passport')).items.length, 0);
      assert.ok((await search(w.agent, 'reset password')).items.length > 0);
      await helpSearch(w.ws.slug, 'invoice pdf');
      await helpSearch(w.ws.slug, 'download invoices');
      await helpSearch(w.ws.slug, 'password');
      // Some words match ("password"), not all: a weak result, counted as partial.
      assert.equal((await search(w.agent, 'password vpn')).matched, 'any');

      const r = await ok(w.admin.req('GET', `/knowledge/content-gaps?from=${encodeURIComponent(before)}`));
      assert.equal(r.searches.total, 8);
      assert.equal(r.searches.noResults, 5);
      assert.equal(r.searches.partial, 1);
      const byLabel = new Map<string, any>(r.searches.topics.map((x: any) => [x.label, x]));
      // "passport renewal" twice (case and spacing ignored) and "renew my passport": one topic.
      const passport = byLabel.get('passport renewal') ?? byLabel.get('Passport Renewal');
      assert.ok(passport, JSON.stringify(r.searches.topics));
      assert.equal(passport.count, 3);
      assert.equal(passport.noResults, 3);
      assert.deepEqual(passport.queries.map((q: any) => q.count), [2, 1]);
      assert.equal(passport.queries[1].query, 'renew my passport');
      // The help center's searches are there too, invoices stemmed together.
      const invoice = r.searches.topics.find((x: any) => x.queries.some((q: any) => q.query === 'invoice pdf'));
      assert.deepEqual(invoice.queries.map((q: any) => q.query).sort(), ['download invoices', 'invoice pdf']);
      assert.equal(r.searches.topics.reduce((n: number, x: any) => n + x.count, 0), 6);
      assert.ok(!r.searches.topics.some((x: any) => x.queries.some((q: any) => q.query === 'reset password')), 'a search that found everything is no gap');

      // A period before all this holds nothing.
      const empty = await ok(w.admin.req('GET', `/knowledge/content-gaps?to=${encodeURIComponent(before)}`));
      assert.deepEqual([empty.searches.total, empty.searches.topics.length, empty.tickets.solved], [0, 0, 0]);
    });

    it('lists solved tickets where no suggestion was used, grouped by topic, and records suggestion use', async () => {
      const w = await world();
      const a = await ticket(w.agent, 'VPN drops every hour', true);
      const b = await ticket(w.agent, 'The VPN will not connect from home', true);
      const c = await ticket(w.agent, 'Password reset link expired', true);
      await ticket(w.agent, 'VPN client crashes', false);
      assert.equal((await w.light.req('POST', `/tickets/${c.id}/suggestions/uses`, { articleId: w.art.id, action: 'inserted' })).status, 204);

      const r = await ok(w.admin.req('GET', '/knowledge/content-gaps'));
      assert.equal(r.tickets.solved, 3);
      assert.equal(r.tickets.withoutSuggestionUsed, 2);
      assert.equal(r.tickets.topics.length, 1);
      assert.ok(r.tickets.topics[0].terms.includes('vpn'));
      assert.equal(r.tickets.topics[0].count, 2);
      assert.deepEqual(r.tickets.topics[0].tickets.map((x: any) => x.number).sort(), [a.number, b.number].sort());

      // Bad input: a clear error, nothing recorded.
      assertError(await w.agent.req('POST', `/tickets/${a.id}/suggestions/uses`, { articleId: w.art.id, action: 'liked' }), 400, 'VALIDATION_FAILED');
      assertError(await w.agent.req('POST', `/tickets/${a.id}/suggestions/uses`, { articleId: '01900000-0000-7000-8000-000000000000', action: 'opened' }), 404, 'ARTICLE_NOT_FOUND');
      const tk = await ok(w.alice.req('POST', '/tickets', { subject: 'Mine', body: 'Hello' }), 201);
      assertError(await w.alice.req('POST', `/tickets/${tk.id}/suggestions/uses`, { articleId: w.art.id, action: 'solved' }), 403, 'FORBIDDEN');
      assert.equal((await ok(w.admin.req('GET', '/knowledge/content-gaps'))).tickets.withoutSuggestionUsed, 2);
    });

    it('turns an agent\'s reply into an article draft in one step, in the ticket\'s language', async () => {
      const w = await world();
      const tk = await ok(w.alice.req('POST', '/tickets', { subject: 'Carte bloquée après trois codes faux', body: 'Bonjour, ma carte est bloquée, que faire ?', language: 'fr' }), 201);
      const reply = await ok(w.agent.req('POST', `/tickets/${tk.id}/messages`, { body: 'Elle se débloque seule à minuit ; sinon, demandez un nouveau code dans l\'application.' }), 201);
      const draft = await ok(w.light.req('POST', `/tickets/${tk.number}/messages/${reply.id}/article-draft`, {}), 201);
      assert.equal(draft.status, 'draft');
      assert.equal(draft.visibility, 'internal');
      assert.equal(draft.translations.fr.title, 'Carte bloquée après trois codes faux');
      assert.match(draft.translations.fr.body, /^## La question\n\nBonjour, ma carte est bloquée, que faire \?\n\n## La réponse\n\nElle se débloque seule à minuit/);
      assert.deepEqual(draft.missingTranslations, ['en']);
      // A chosen title, language and visibility; knowledge managers take it from there.
      const en = await ok(w.agent.req('POST', `/tickets/${tk.id}/messages/${reply.id}/article-draft`, { language: 'en', title: 'Card blocked after three wrong PINs', visibility: 'public' }), 201);
      assert.equal(en.translations.en.title, 'Card blocked after three wrong PINs');
      assert.equal(en.visibility, 'public');

      // The customer's own message, a message of another ticket, a customer: refused, nothing written.
      const before = (await ok(w.admin.req('GET', '/articles?limit=100'))).items.length;
      const mine = (await ok(w.admin.req('GET', `/tickets/${tk.id}/messages`))).items[0];
      assertError(await w.agent.req('POST', `/tickets/${tk.id}/messages/${mine.id}/article-draft`, {}), 400, 'VALIDATION_FAILED');
      const other = await ok(w.agent.req('POST', '/tickets', { subject: 'Other', body: 'Hello', requester: { email: 'x@example.test' } }), 201);
      assertError(await w.agent.req('POST', `/tickets/${other.id}/messages/${reply.id}/article-draft`, {}), 404, 'MESSAGE_NOT_FOUND');
      assertError(await w.alice.req('POST', `/tickets/${tk.id}/messages/${reply.id}/article-draft`, {}), 403, 'FORBIDDEN');
      assertError(await w.agent.req('POST', `/tickets/${tk.id}/messages/${reply.id}/article-draft`, { language: 'de' }), 400, 'VALIDATION_FAILED');
      assert.equal((await ok(w.admin.req('GET', '/articles?limit=100'))).items.length, before);
    });

    it('is for admins and knowledge managers, validates its period, and never mixes workspaces', async () => {
      const w = await world();
      const other = await world();
      await search(other.agent, 'warranty extension');
      await ticket(other.agent, 'Warranty extension request', true);
      const oTicket = await ticket(other.agent, 'Warranty claim', false);

      assertError(await w.agent.req('GET', '/knowledge/content-gaps'), 403, 'FORBIDDEN');
      await ok(w.admin.req('PUT', `/knowledge-managers/${w.agent.id}`, {}), 204);
      const mine = await ok(w.agent.req('GET', '/knowledge/content-gaps'));
      assert.deepEqual([mine.searches.total, mine.tickets.solved], [0, 0]);
      assertError(await w.admin.req('GET', '/knowledge/content-gaps?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'), 400, 'VALIDATION_FAILED');
      assertError(await w.admin.req('GET', '/knowledge/content-gaps?from=yesterday'), 400, 'VALIDATION_FAILED');
      // Another workspace's ticket or article cannot be used.
      assertError(await w.agent.req('POST', `/tickets/${oTicket.id}/suggestions/uses`, { articleId: w.art.id, action: 'opened' }), 404, 'TICKET_NOT_FOUND');
      const own = await ticket(w.agent, 'Mine', false);
      assertError(await w.agent.req('POST', `/tickets/${own.id}/suggestions/uses`, { articleId: other.art.id, action: 'opened' }), 404, 'ARTICLE_NOT_FOUND');
      const theirs = await ok(other.admin.req('GET', '/knowledge/content-gaps'));
      assert.deepEqual([theirs.searches.total, theirs.tickets.solved], [1, 1]);
    });
  });
}
