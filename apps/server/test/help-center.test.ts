/**
 * The public help center: server-rendered pages without JavaScript, FR/EN, categories, search,
 * sitemap, "did this help?" feedback, and nothing internal or unpublished ever shown.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDbKinds } from '@guichet/db/testing';
import { sql } from 'kysely';
import { renderMarkdown } from '../src/http/help-center.ts';
import { newWorkspace, startTestApp, type TestApp } from './harness.ts';

describe('help center markdown', () => {
  it('escapes HTML and renders headings, lists, emphasis, code and safe links', () => {
    const html = renderMarkdown('# Title\n\nHello **you** <script>x</script>\n\n- one\n- two [doc](https://example.com) [bad](javascript:alert(1)) [next](/help/acme/articles/42)\n\n1. first\n\n`code`\n\n## Steps');
    assert.ok(html.includes('<h2>Title</h2>'), 'a # heading sits under the page title');
    assert.ok(html.includes('<h3>Steps</h3>'));
    assert.ok(html.includes('<strong>you</strong> &lt;script&gt;x&lt;/script&gt;'));
    assert.ok(html.includes('<ul><li>one</li>'));
    assert.ok(html.includes('<a href="https://example.com" rel="noopener noreferrer nofollow" target="_blank">doc</a>'));
    assert.ok(html.includes('<a href="/help/acme/articles/42">next</a>'), 'a link within the site opens in place');
    assert.ok(!html.includes('href="javascript'));
    assert.ok(html.includes('<ol><li>first</li></ol>'));
    assert.ok(html.includes('<code>code</code>'));
  });
});

for (const kind of testDbKinds()) {
  describe(`help center on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(async () => {
      await t.close();
    });
    const get = async (url: string) => t.app.inject({ method: 'GET', url });
    const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
      const r = await p;
      assert.equal(r.status, status, JSON.stringify(r.body));
      return r.body;
    };

    it('shows published public articles by category in both languages, searches them, takes feedback, and never shows internal ones', async () => {
      const ws = await newWorkspace(t);
      const admin = ws.admin;
      const cat = await ok(admin.req('POST', '/article-categories', { names: { en: 'Cards', fr: 'Cartes' } }), 201);
      const pub = await ok(admin.req('POST', '/articles', {
        visibility: 'public', categoryId: cat.id,
        translations: { en: { title: 'Card declined', body: 'Check your **limits**.' }, fr: { title: 'Carte refusée', body: 'Vérifiez vos **plafonds**.' } },
      }), 201);
      await ok(admin.req('POST', `/articles/${pub.id}/publish`, {}));
      const internal = await ok(admin.req('POST', '/articles', { translations: { en: { title: 'Secret refund limits', body: 'Internal.' } } }), 201);
      await ok(admin.req('POST', `/articles/${internal.id}/publish`, {}));
      const draft = await ok(admin.req('POST', '/articles', { visibility: 'public', translations: { en: { title: 'Upcoming card feature', body: 'Soon.' } } }), 201);

      const home = await get(`/help/${ws.slug}?lang=en`);
      assert.equal(home.statusCode, 200);
      assert.match(String(home.headers['content-type']), /text\/html/);
      assert.ok(home.body.includes('<h2>Cards</h2>') && home.body.includes('Card declined'));
      assert.ok(home.body.includes('<title>Help center · Workspace'));
      assert.ok(!home.body.includes('<script'), 'no JavaScript');
      assert.ok(home.body.includes(`<a href="/portal/${ws.slug}/requests/new?lang=en">Contact support</a>`), 'a way to the request form');
      for (const hidden of ['Secret refund limits', 'Upcoming card feature']) assert.ok(!home.body.includes(hidden), hidden);
      const fr = await get(`/help/${ws.slug}?lang=fr`);
      assert.ok(fr.body.includes('<html lang="fr">') && fr.body.includes('<h2>Cartes</h2>') && fr.body.includes('Carte refusée'));

      const page = await get(`/help/${ws.slug}/articles/${pub.id}/carte-refusee?lang=fr`);
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes('<h1>Carte refusée</h1>') && page.body.includes('<strong>plafonds</strong>'));
      assert.ok(page.body.includes('<meta name="description" content="Vérifiez vos plafonds'));
      assert.ok(page.body.includes('Cet article vous a-t-il aidé ?'), page.body.slice(-700));
      for (const id of [internal.id, draft.id, '01900000-0000-7000-8000-000000000000']) {
        assert.equal((await get(`/help/${ws.slug}/articles/${id}/x`)).statusCode, 404);
      }
      assert.equal((await get(`/help/no-such-workspace`)).statusCode, 404);

      const search = await get(`/help/${ws.slug}/search?q=refus&lang=fr`);
      assert.ok(search.body.includes('Carte refusée'));
      const inBody = await get(`/help/${ws.slug}/search?q=plafond&lang=fr`);
      assert.ok(inBody.body.includes('Vérifiez vos <mark>plafonds</mark>'), inBody.body);
      const secret = await get(`/help/${ws.slug}/search?q=secret%20refund&lang=en`);
      assert.ok(!secret.body.includes('Secret refund limits'), 'internal articles are never found');
      assert.ok((await get(`/help/${ws.slug}/search?q=xylophone&lang=en`)).body.includes('No article matches'));

      const sitemap = await get(`/help/${ws.slug}/sitemap.xml`);
      assert.match(String(sitemap.headers['content-type']), /application\/xml/);
      assert.ok(sitemap.body.includes(`/articles/${pub.id}/card-declined?lang=en`) && sitemap.body.includes(`/articles/${pub.id}/carte-refusee?lang=fr`));
      assert.ok(!sitemap.body.includes(internal.id) && !sitemap.body.includes(draft.id));

      const fb = await t.app.inject({
        method: 'POST', url: `/help/${ws.slug}/articles/${pub.id}/feedback?lang=en`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'helpful=no&language=en&comment=I+need+the+limit+for+ATMs',
      });
      assert.equal(fb.statusCode, 200);
      assert.ok(fb.body.includes('Thank you for your feedback.'));
      const bad = await t.app.inject({ method: 'POST', url: `/help/${ws.slug}/articles/${internal.id}/feedback`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'helpful=yes&language=en' });
      assert.equal(bad.statusCode, 404, 'no feedback on what visitors cannot read');
      const rows = await sql<{ helpful: boolean; comment: string }>`SELECT helpful, comment FROM article_feedback WHERE article_id = ${pub.id}`.execute(t.database.db);
      assert.deepEqual(rows.rows, [{ helpful: false, comment: 'I need the limit for ATMs' }]);
      const events = (await ok(admin.req('GET', `/articles/${pub.id}/events`))).items.map((e: any) => e.type);
      assert.ok(events.includes('article.feedback'));
    });

    it('shows the workspace colour and logo on the help center and the portal; refuses a wrong colour or a non-bitmap logo', async () => {
      const ws = await newWorkspace(t);
      const admin = ws.admin;
      const plain = await get(`/help/${ws.slug}?lang=en`);
      assert.ok(!plain.body.includes('<img'), 'no logo yet');

      // A light yellow gets black text; a dark blue white text.
      const yellow = await ok(admin.req('PATCH', '/workspace', { brandColor: '#FFD60A' }));
      assert.equal(yellow.brandColor, '#ffd60a');
      assert.ok((await get(`/help/${ws.slug}?lang=en`)).body.includes('header{background:#ffd60a;color:#000000'));
      await ok(admin.req('PATCH', '/workspace', { brandColor: '#0b3d91' }));
      const blue = (await get(`/help/${ws.slug}?lang=en`)).body;
      assert.ok(blue.includes('header{background:#0b3d91;color:#ffffff'));
      assert.ok((await get(`/portal/${ws.slug}?lang=en`)).body.includes('header{background:#0b3d91'), 'the portal too');

      const bad = await admin.req('PATCH', '/workspace', { brandColor: 'red;}body{display:none' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
      assert.match(JSON.stringify(bad.body.error), /#rrggbb/);

      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
      const set = await ok(admin.req('PUT', '/workspace/logo', { contentBase64: png.toString('base64') }));
      assert.match(set.logoUrl, new RegExp(`^/help/${ws.slug}/logo\\?v=[0-9a-f]{16}$`));
      const home = (await get(`/help/${ws.slug}?lang=fr`)).body;
      assert.ok(home.includes(`<img src="${set.logoUrl}" alt=""`), 'the logo in the header');
      const logo = await get(set.logoUrl);
      assert.equal(logo.statusCode, 200);
      assert.equal(logo.headers['content-type'], 'image/png');
      assert.equal(logo.headers['x-content-type-options'], 'nosniff');
      assert.match(String(logo.headers['cache-control']), /immutable/);
      assert.deepEqual(logo.rawPayload, png);

      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      const refused = await admin.req('PUT', '/workspace/logo', { contentBase64: svg.toString('base64') });
      assert.equal(refused.status, 415);
      assert.equal(refused.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
      const big = await admin.req('PUT', '/workspace/logo', { contentBase64: Buffer.concat([png, Buffer.alloc(300 * 1024)]).toString('base64') });
      assert.equal(big.status, 400, 'over 256 kB');
      assert.equal((await get(set.logoUrl)).statusCode, 200, 'a refused upload keeps the logo there was');

      await ok(admin.req('DELETE', '/workspace/logo'), 204);
      assert.equal((await ok(admin.req('GET', '/workspace'))).logoUrl, null);
      assert.equal((await get(set.logoUrl)).statusCode, 404);
      assert.ok(!(await get(`/help/${ws.slug}?lang=en`)).body.includes('<img'));
      const audit = (await ok(admin.req('GET', '/audit-log'))).items.map((e: any) => e.action);
      assert.ok(audit.includes('workspace.logo_set') && audit.includes('workspace.logo_removed'));
    });
  });
}
