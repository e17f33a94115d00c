/**
 * One search over tickets, messages, customers and articles: French and English stemming with
 * accents folded (by the document's language), typos and partial words, title above body,
 * highlighted snippets, filters, phrases and exclusions, permissions (customers, internal notes,
 * internal articles, other workspaces), and content searchable as soon as it is written.
 * Relevance on the shared StackFAQ set: search-relevance.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDbKinds } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type Caller, type TestApp } from './harness.ts';
import { assertError } from './helpers.ts';

for (const kind of testDbKinds()) {
  describe(`search on ${kind}`, () => {
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
    const find = async (c: Caller, query: string) => (await ok(c.req('GET', `/search?${query}`))).items;
    const ids = async (c: Caller, query: string) => (await find(c, query)).map((h: any) => `${h.type}:${h.ticket?.number ?? h.article?.slug ?? h.customer?.id}`);

    async function world() {
      const ws = await newWorkspace(t);
      const admin = ws.admin;
      const light = await ws.as('light_agent');
      const alice = await ws.as('customer', { email: 'alice@example.test' });
      const bob = await ws.as('customer', { email: 'bob@example.test' });
      const team = await ok(admin.req('POST', '/teams', { name: 'Billing' }), 201);
      const tk = async (c: Caller, subject: string, body: string, extra: Record<string, unknown> = {}) => ok(c.req('POST', '/tickets', { subject, body, ...extra }), 201);
      const a1 = await tk(alice, 'Remboursement de ma commande', 'Bonjour, je voudrais être remboursée pour la commande 4521, les chaussures sont arrivées abîmées.', { language: 'fr' });
      const a2 = await tk(alice, 'Card declined at checkout', 'Hello, my credit card was declined twice when paying the yearly plan.', { language: 'en' });
      const b1 = await tk(bob, 'Refund for my order', 'I was charged twice for the same order and want a refund.', { language: 'en' });
      await ok(admin.req('PATCH', `/tickets/${b1.id}`, { teamId: team.id, status: 'pending' }));
      await ok(admin.req('POST', `/tickets/${a2.id}/messages`, { body: 'Internal: the issuing bank flags this merchant, escalate to payments.', visibility: 'internal' }), 201);
      await ok(admin.req('POST', `/tickets/${a2.id}/messages`, { body: 'Could you try another card while we look into the payment provider?' }), 201);
      const pub = await ok(admin.req('POST', '/articles', {
        visibility: 'public',
        tags: ['paiement'],
        translations: {
          fr: { title: 'Demander un remboursement', body: 'Vous pouvez être remboursé sous 14 jours. Les remboursements arrivent en 5 jours ouvrés.' },
          en: { title: 'Request a refund', body: 'You can get refunded within 14 days. Refunds reach your card in 5 business days.' },
        },
      }), 201);
      await ok(admin.req('POST', `/articles/${pub.id}/publish`, {}));
      const internal = await ok(admin.req('POST', '/articles', {
        translations: { en: { title: 'Refund approval limits', body: 'Agents approve refunds up to 50 EUR; above, ask a lead.' } },
      }), 201);
      await ok(admin.req('POST', `/articles/${internal.id}/publish`, {}));
      const bodyOnly = await ok(admin.req('POST', '/articles', {
        visibility: 'public',
        translations: { en: { title: 'Billing questions', body: 'Where to find invoices. A refund is processed by the billing team.' } },
      }), 201);
      await ok(admin.req('POST', `/articles/${bodyOnly.id}/publish`, {}));
      return { ws, admin, light, alice, bob, team, a1, a2, b1, pub, internal, bodyOnly };
    }

    it('stems French and English by the document\'s language and folds accents', async () => {
      const w = await world();
      // "remboursements" and "rembourse" reach "Remboursement"/"remboursée"/"remboursé" (French stemming, accents folded).
      assert.deepEqual(await ids(w.admin, 'q=rembourse&type=ticket'), [`ticket:${w.a1.number}`]);
      const fr = await ids(w.admin, 'q=remboursements&type=article');
      assert.deepEqual(fr, ['article:demander-un-remboursement']);
      assert.deepEqual(await ids(w.admin, 'q=ABIMEES&type=message'), [`message:${w.a1.number}`]);
      // English: "refunding" -> "refund"; both English articles and the English ticket.
      const en = await ids(w.admin, 'q=refunding');
      assert.ok(en.includes(`ticket:${w.b1.number}`) && en.includes('article:request-a-refund') && en.includes('article:refund-approval-limits'), String(en));
      const hits = await find(w.admin, 'q=declined&type=ticket,message');
      assert.equal(hits[0].type, 'ticket', 'a title match ranks above a body match');
      assert.match(hits.find((h: any) => h.type === 'message').snippet, /<mark>declined<\/mark>/);
    });

    it('finds typos and partial words, phrases, exclusions, and applies filters', async () => {
      const w = await world();
      const refnd = await ids(w.admin, 'q=refnd&type=article');
      assert.ok(refnd.includes('article:request-a-refund') && refnd.includes('article:refund-approval-limits'), `typo: ${refnd}`);
      const typo = await ids(w.admin, 'q=remboursment&type=article');
      assert.ok(typo.includes('article:demander-un-remboursement'), `typo: ${typo}`);
      const partial = await ids(w.admin, 'q=checko&type=ticket');
      assert.deepEqual(partial, [`ticket:${w.a2.number}`], 'the last word matches as a prefix');
      assert.deepEqual(await ids(w.admin, `q=${encodeURIComponent('"charged twice"')}`), [`message:${w.b1.number}`]);
      assert.deepEqual(await ids(w.admin, `q=${encodeURIComponent('"twice charged"')}`), [], 'a phrase keeps its order');
      const noCard = await ids(w.admin, `q=${encodeURIComponent('refund -card')}&type=article`);
      assert.ok(!noCard.includes('article:request-a-refund') && noCard.includes('article:refund-approval-limits'), String(noCard));
      assert.deepEqual(await ids(w.admin, `q=refund&type=ticket,message&teamId=${w.team.id}`), [`ticket:${w.b1.number}`, `message:${w.b1.number}`]);
      assert.deepEqual(await ids(w.admin, 'q=refund&type=ticket&status=pending'), [`ticket:${w.b1.number}`]);
      assert.deepEqual(await ids(w.admin, 'q=refund&type=ticket&status=new'), []);
      assert.deepEqual(await ids(w.admin, 'q=rembourser&type=article&language=fr'), ['article:demander-un-remboursement']);
      const future = new Date(Date.now() + 86_400_000).toISOString();
      assert.deepEqual(await ids(w.admin, `q=refund&from=${encodeURIComponent(future)}`), []);
      assert.deepEqual(await ids(w.admin, 'q=alice&type=customer'), [`customer:${w.alice.id}`]);
      // Every word must match (all); when no document has them all, any of them (ranked).
      const all = await ok(w.admin.req('GET', '/search?q=refund%20order&type=ticket'));
      assert.equal(all.matched, 'all');
      const any = await ok(w.admin.req('GET', '/search?q=refund%20xylophone&type=article'));
      assert.equal(any.matched, 'any');
      assert.ok(any.items.length >= 2);
      assertError(await w.admin.req('GET', '/search?q=-card'), 400, 'VALIDATION_FAILED');
      assertError(await w.admin.req('GET', '/search'), 400, 'VALIDATION_FAILED');
      assertError(await w.admin.req('GET', '/search?q=x&type=invoices'), 400, 'VALIDATION_FAILED');
      assertError(await w.admin.req('GET', '/search?q=refund&cursor=bogus'), 400, 'INVALID_CURSOR');
      // Pages.
      const p1 = await ok(w.admin.req('GET', '/search?q=refund&limit=2'));
      assert.equal(p1.items.length, 2);
      const p2 = await ok(w.admin.req('GET', `/search?q=refund&limit=2&cursor=${p1.nextCursor}`));
      assert.ok(p2.items.length >= 1);
      assert.ok(!p2.items.some((h: any) => p1.items.some((x: any) => x.id === h.id && x.type === h.type)));
    });

    it('respects permissions: customers find only their own tickets, never internal notes or internal articles', async () => {
      const w = await world();
      const everything = 'q=refund%20card%20declined%20issuing%20bank%20remboursement%20commande&match=any';
      const seenBy = async (c: Caller) => (await find(c, everything)).map((h: any) => `${h.type}:${h.ticket?.number ?? h.article?.slug ?? h.customer?.id}`);
      const alice = await seenBy(w.alice);
      assert.ok(alice.includes(`ticket:${w.a2.number}`) && alice.includes(`ticket:${w.a1.number}`), String(alice));
      assert.ok(!alice.some((x: string) => x.endsWith(`:${w.b1.number}`)), 'never another customer\'s ticket');
      assert.ok(!alice.includes('article:refund-approval-limits'), 'internal articles reach staff only');
      assert.ok(!alice.some((x: string) => x.startsWith('customer:')), 'customers do not search customers');
      assert.deepEqual(await ids(w.alice, 'q=issuing%20bank'), [], 'internal notes reach staff only');
      assert.deepEqual(await ids(w.light, 'q=issuing%20bank'), [`message:${w.a2.number}`]);
      assert.deepEqual(await ids(w.bob, 'q=remboursement&type=ticket,message'), []);
      assert.deepEqual(await ids(w.alice, 'q=refund&type=customer'), []);
      const staff = await seenBy(w.light);
      assert.ok(staff.includes(`ticket:${w.b1.number}`) && staff.includes('article:refund-approval-limits'));
      // Drafts and archived articles are for staff too.
      const draft = await ok(w.admin.req('POST', '/articles', { visibility: 'public', translations: { en: { title: 'Refund draft', body: 'Not yet.' } } }), 201);
      assert.deepEqual(await ids(w.alice, 'q=draft'), []);
      assert.deepEqual(await ids(w.light, 'q=draft&type=article'), ['article:refund-draft']);
      assert.deepEqual(await ids(w.light, 'q=draft&type=article&status=published'), []);
      await ok(w.admin.req('POST', `/articles/${w.pub.id}/archive`, {}));
      assert.ok(!(await ids(w.alice, 'q=refund')).includes('article:request-a-refund'), 'archived articles leave the customer\'s results at once');
      void draft;
      // Another workspace never finds any of it.
      const other = await newWorkspace(t);
      assert.deepEqual(await find(other.admin, everything), []);
      // Staff see the verification state of articles; customers do not.
      const hit = (await find(w.light, 'q=approval&type=article'))[0];
      assert.equal(hit.article.verification, 'verified');
      const forAlice = (await find(w.alice, 'q=billing&type=article'))[0];
      assert.ok(!('verification' in forAlice.article));
    });

    it('makes new and changed content searchable at once, with HTML escaped in snippets', async () => {
      const w = await world();
      const tk = await ok(w.alice.req('POST', '/tickets', { subject: 'Zygomorphic <script>alert(1)</script> widget', body: 'The zygomorphic widget <b>broke</b>.', language: 'en' }), 201);
      const hits = await find(w.admin, 'q=zygomorphic');
      assert.deepEqual(hits.map((h: any) => h.type).sort(), ['message', 'ticket']);
      for (const h of hits) assert.ok(!h.snippet.includes('<script') && !h.snippet.includes('<b>'), h.snippet);
      await ok(w.admin.req('PATCH', `/tickets/${tk.id}`, { subject: 'Quasiperiodic gadget' }));
      assert.deepEqual(await ids(w.admin, 'q=quasiperiodic'), [`ticket:${tk.number}`]);
      assert.deepEqual(await ids(w.admin, 'q=zygomorphic&type=ticket'), []);
      const art = await ok(w.admin.req('POST', '/articles', { translations: { en: { title: 'Fresh article', body: 'Nebulous content.' } } }), 201);
      assert.equal((await find(w.admin, 'q=nebulous')).length, 1);
      await ok(w.admin.req('PUT', `/articles/${art.id}/translations/en`, { title: 'Fresh article', body: 'Luminous content.' }));
      assert.equal((await find(w.admin, 'q=nebulous')).length, 0);
      assert.equal((await find(w.admin, 'q=luminous')).length, 1);
      await ok(w.admin.req('PATCH', `/customers/${w.bob.id}`, { name: 'Robert Pélissier' }));
      assert.deepEqual(await ids(w.admin, 'q=pelissier&type=customer'), [`customer:${w.bob.id}`]);
    });

    it('suggests the articles relevant to a ticket and similar solved tickets (staff only)', async () => {
      const w = await world();
      await ok(w.admin.req('PATCH', `/tickets/${w.b1.id}`, { status: 'solved' }));
      const tk = await ok(w.alice.req('POST', '/tickets', { subject: 'Need a refund', body: 'I was charged for an order I cancelled, can I get a refund?', language: 'en' }), 201);
      const s = await ok(w.light.req('GET', `/tickets/${tk.id}/suggestions`));
      const slugs = s.articles.map((h: any) => h.article.slug);
      assert.ok(slugs.includes('request-a-refund'), String(slugs));
      assert.ok(!slugs.includes('refund-draft'));
      assert.equal(new Set(s.articles.map((h: any) => h.id)).size, s.articles.length, 'one suggestion per article');
      assert.ok(s.articles.every((h: any) => h.article.verification), 'the verification state is shown');
      assert.deepEqual(s.solvedTickets.map((h: any) => h.ticket.number), [w.b1.number]);
      assertError(await w.alice.req('GET', `/tickets/${tk.id}/suggestions`), 403, 'FORBIDDEN');
      assertError(await w.bob.req('GET', `/tickets/${tk.id}/suggestions`), 404, 'TICKET_NOT_FOUND');
    });
  });
}
