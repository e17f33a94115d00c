/**
 * Browser journeys through the knowledge area of the agent web app (`/knowledge`), in Debian's
 * Chromium (playwright-core) against a real Guichet process with its demo workspace, on PGlite
 * and PostgreSQL: an admin writes an article in English, adds the missing French translation,
 * publishes it, edits it (a new version), compares two versions and restores the first, verifies
 * it and reads the reports; a light agent proposes an edit, which the admin accepts after reading
 * what it would change against the article's current text (changed since). Every change
 * made in the page is checked through the API, and axe-core checks the screens. Then the admin
 * names a knowledge manager, who arranges categories and sections (made, reordered by keyboard,
 * a section moved, one deleted) and files an article in a section; the light agent finds the
 * outcome of the proposal in "For me" and opening it marks it read.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createPgDatabase, type TestDbKind } from '@guichet/db/testing';
import { ADMIN_EMAIL, Client, ROOT, Scope, login } from './process-helpers.ts';
import { checkA11y, until } from './web-admin-suite.ts';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'knowledge-browser-password';
const LIGHT = { email: 'lea.light@demo.guichet.test', password: 'light agent password', name: 'Léa Light' };
const CURATOR = { email: 'marc.curator@demo.guichet.test', password: 'curator password', name: 'Marc Curator' };
const SHOTS = process.env.GUICHET_SCREENSHOT_DIR;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

export function knowledgeSuite(kind: TestDbKind): void {
  describe(`knowledge area in Chromium on ${kind}`, { timeout: 480_000 }, () => {
    const scope = new Scope();
    let base: string;
    let browser: Browser;
    let api: Client;
    let articleId = '';
    let lightId = '';
    let curatorId = '';

    before(async () => {
      assert.ok(existsSync(join(ROOT, 'apps/web/dist/index.html')), 'the web app is built (npm test builds it; or npm run build:web)');
      assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (see .ci/run)`);
      const env: Record<string, string> = { GUICHET_DATA_DIR: join(scope.tempDir(), 'data'), GUICHET_ADMIN_PASSWORD: PASSWORD };
      if (kind === 'postgres') {
        const pg = await createPgDatabase('guichet_knowledge_web');
        scope.defer(() => pg.drop());
        env.DATABASE_URL = pg.url;
      }
      base = await scope.start(env, ['--roles=web,worker']).ready(180_000);
      api = new Client(base, { cookie: (await login(base, ADMIN_EMAIL, PASSWORD)).cookie });
      const r = await api.req('POST', '/users', { email: LIGHT.email, name: LIGHT.name, role: 'light_agent', password: LIGHT.password, locale: 'fr' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      lightId = r.body.id;
      const c = await api.req('POST', '/users', { email: CURATOR.email, name: CURATOR.name, role: 'agent', password: CURATOR.password, locale: 'en' });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      curatorId = c.body.id;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
      scope.defer(() => browser.close());
    });
    after(async () => {
      await scope.cleanup();
    });

    /** Signed in (the sign-in page speaks the browser's English; then the app speaks the user's language). */
    async function signedIn(email: string, password: string, knowledgeLink = 'Knowledge base'): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
      // CSP is bypassed only so that axe-core can be injected as a script.
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 900 }, bypassCSP: true });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('dialog', (d) => void d.accept());
      await page.goto(base);
      await page.getByLabel('Email address').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: knowledgeLink }).waitFor();
      return { page, errors, close: () => context.close() };
    }
    /** With GUICHET_SCREENSHOT_DIR set, keep a picture of the screen. */
    async function shot(page: Page, name: string) {
      if (!SHOTS) return;
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, `knowledge-${name}-${kind}.png`), fullPage: true });
    }
    const article = async () => (await api.req('GET', `/articles/${articleId}`)).body;

    it('an admin writes an article in English and French, publishes, edits, compares and restores versions, verifies it and reads the reports', async () => {
      const { page, errors, close } = await signedIn(ADMIN_EMAIL, PASSWORD);
      try {
        await page.getByRole('link', { name: 'Knowledge base' }).click();
        await page.waitForURL(/\/knowledge$/);
        await page.getByRole('heading', { name: 'Articles', level: 2 }).waitFor();
        await page.locator('.kb-table tbody tr').first().waitFor();
        await checkA11y(page, 'the article list');
        await shot(page, 'list');

        // ---- a new article, in English only at first ----
        await page.getByRole('main').getByRole('link', { name: 'New article' }).first().click();
        await page.getByRole('heading', { name: 'New article', level: 2 }).waitFor();
        await page.getByRole('button', { name: 'Create the draft' }).click();
        await page.getByText('Write a title and text in at least one language.').waitFor();
        // A template starts both texts with its headings; the headings alone are no article yet.
        await page.getByLabel('Template').selectOption('feature_breakdown');
        assert.match(await page.getByLabel('Text (English)').inputValue(), /^## What it is[\s\S]*## Who it is for[\s\S]*## Launch date/);
        assert.match(await page.getByLabel('Text (French)').inputValue(), /^## De quoi s'agit-il[\s\S]*## Pour qui/);
        await page.getByLabel('Template').selectOption('how_to');
        assert.match(await page.getByLabel('Text (French)').inputValue(), /^## Avant de commencer/, 'an untouched template text follows the choice');
        await page.getByRole('button', { name: 'Create the draft' }).click();
        await page.getByText('Write a title and text in at least one language.').waitFor();
        await page.getByLabel('Title (English)').fill('Replacing a lost badge');
        await page.getByLabel('Text (English)').fill('Ask the front desk for a new badge.\nBring an identity document.\nThe old badge stops working at once.');
        await page.getByLabel('Visibility').selectOption('public');
        await page.getByLabel('Tags').fill('badge, security');
        await page.getByLabel('Verify every (days)').fill('30');
        await page.getByLabel('Preview').first().check();
        const preview = page.getByRole('region', { name: 'Preview of the English text' });
        await preview.getByText('Bring an identity document.').waitFor();
        // The preview renders markdown as the help center does, and never a script address as a link.
        await page.getByLabel('Preview').first().uncheck();
        const body = await page.getByLabel('Text (English)').inputValue();
        await page.getByLabel('Text (English)').fill('## Steps\n\n- **Call** [us](https://example.com/help)\n- [click](javascript:alert(1)) <b>raw</b>');
        await page.getByLabel('Preview').first().check();
        assert.equal(await preview.getByRole('heading', { level: 3 }).innerText(), 'Steps', '## sits under the article title, as in the help center');
        assert.equal(await preview.locator('li strong').innerText(), 'Call');
        assert.equal(await preview.locator('a').count(), 1);
        assert.equal(await preview.locator('a').getAttribute('href'), 'https://example.com/help');
        assert.equal(await preview.locator('b').count(), 0);
        assert.match(await preview.innerText(), /\[click\]\(javascript:alert\(1\)\) <b>raw<\/b>/);
        await page.getByLabel('Preview').first().uncheck();
        await page.getByLabel('Text (English)').fill(body);
        await checkA11y(page, 'the new-article form');
        await shot(page, 'new');
        await page.getByRole('button', { name: 'Create the draft' }).click();
        await page.waitForURL(/\/knowledge\/articles\/[0-9a-f-]{36}$/);
        articleId = /articles\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
        await page.getByRole('heading', { name: 'Replacing a lost badge', level: 2 }).waitFor();
        let a = await article();
        assert.deepEqual([a.status, a.visibility, a.tags, a.missingTranslations, a.verification.intervalDays, a.template], ['draft', 'public', ['badge', 'security'], ['fr'], 30, 'how_to']);

        // ---- the missing French translation is visible, and written from its tab ----
        await page.getByText('No French translation', { exact: true }).waitFor();
        await page.getByRole('tab', { name: /French/ }).click();
        await page.getByText('This article has no French translation yet.').waitFor();
        await page.getByRole('button', { name: 'Write the French translation' }).click();
        await page.getByLabel('Title (French)').fill('Remplacer un badge perdu');
        await page.getByLabel('Text (French)').fill('Demandez un nouveau badge à l’accueil.');
        await page.getByRole('button', { name: 'Add the French translation' }).click();
        await until('the French translation', async () => (await article()).translations.fr?.title === 'Remplacer un badge perdu');
        await page.getByText('No French translation', { exact: true }).waitFor({ state: 'detached' });
        assert.deepEqual((await article()).missingTranslations, []);
        await checkA11y(page, 'an article page');
        await shot(page, 'article');

        // ---- schedule, cancel, then publish now ----
        const later = new Date(Date.now() + 30 * 86_400_000);
        const local = new Date(later.getTime() - later.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
        await page.getByLabel('Publish on').fill(local);
        await page.getByRole('button', { name: 'Schedule' }).click();
        await page.getByRole('status').filter({ hasText: 'The publication is scheduled.' }).waitFor();
        a = await article();
        assert.equal(a.status, 'draft');
        assert.ok(Math.abs(Date.parse(a.publishAt) - later.getTime()) < 60_000, a.publishAt);
        await page.locator('.kb-badges').getByText(/Draft · scheduled for/).waitFor();
        await page.getByRole('button', { name: 'Cancel the scheduled publication' }).click();
        await page.getByRole('status').filter({ hasText: 'The article is a draft again.' }).waitFor();
        assert.equal((await article()).publishAt, null);
        // ---- publish now ----
        await page.getByRole('button', { name: 'Publish now' }).click();
        await page.getByRole('status').filter({ hasText: 'The article is published.' }).waitFor();
        assert.equal((await article()).status, 'published');

        // ---- edit the English text: a new version ----
        await page.getByRole('tab', { name: /English/ }).click();
        await page.getByLabel('Text (English)').fill('Ask the front desk for a new badge.\nBring an identity document or a passport.\nThe old badge stops working at once.');
        // A look at the other language keeps what was typed (the tabs work with the arrow keys too).
        await page.getByRole('tab', { name: /English/ }).press('ArrowRight');
        await page.getByRole('tab', { name: /French/, selected: true }).waitFor();
        await page.getByRole('tab', { name: /French/ }).press('ArrowLeft');
        await page.getByRole('tab', { name: /English/, selected: true }).waitFor();
        assert.match(await page.getByLabel('Text (English)').inputValue(), /or a passport/);
        await page.getByRole('tabpanel').getByLabel('What changed (optional)').fill('Passports work too');
        await page.getByRole('button', { name: 'Save as a new version' }).click();
        await until('version 2', async () => (await article()).translations.en.versionNumber === 2);
        await page.getByText('Version 2,').waitFor();

        // ---- the difference between versions 1 and 2, then restore version 1 ----
        const history = page.locator('section[aria-labelledby="kb-history-title"]');
        await history.getByRole('cell', { name: 'Passports work too' }).waitFor();
        await page.getByLabel('From version').selectOption('1');
        await page.getByLabel('To version').selectOption('2');
        await page.getByRole('button', { name: 'Show the difference' }).click();
        const diff = page.getByRole('region', { name: 'Difference between version 1 and version 2' });
        await diff.getByText('0 lines added, 0 removed, 1 changed.').waitFor();
        assert.equal((await diff.locator('ins').allInnerTexts()).join('').replace(/added:\s*/, '').trim(), 'or a passport');
        assert.match(await diff.locator('tr.kb-del').innerText(), /before/);
        await checkA11y(page, 'the difference between two versions');
        await shot(page, 'diff');
        await page.getByRole('button', { name: 'Restore version 1' }).click();
        await page.getByRole('status').filter({ hasText: 'Version 1 is restored as a new version.' }).waitFor();
        a = await article();
        assert.equal(a.translations.en.versionNumber, 3);
        assert.equal(a.translations.en.body, 'Ask the front desk for a new badge.\nBring an identity document.\nThe old badge stops working at once.');
        await history.getByRole('cell', { name: 'Restored from version 1' }).waitFor();

        // ---- verify ----
        const me = (await api.req('GET', '/auth/me')).body;
        await page.getByLabel('Verification note (optional)').fill('Checked with the front desk');
        await page.getByRole('button', { name: 'Verify', exact: true }).click();
        await page.getByRole('status').filter({ hasText: 'The article is verified.' }).waitFor();
        a = await article();
        assert.equal(a.verification.state, 'verified');
        assert.equal(a.verification.verifiedBy, me.user.id);
        assert.ok(Date.now() - Date.parse(a.verification.verifiedAt) < 120_000);

        // ---- the list: filters and states ----
        await page.getByRole('link', { name: 'Articles', exact: true }).click();
        await page.getByLabel('Status').selectOption('published');
        await page.getByLabel('Verification').selectOption('verified');
        const row = page.locator('.kb-table tbody tr').filter({ hasText: 'Replacing a lost badge' });
        await row.waitFor();
        assert.match(await row.innerText(), /Published[\s\S]*Public[\s\S]*Verified/);
        await page.getByLabel('Status').selectOption('draft');
        await row.waitFor({ state: 'detached' });
        await page.getByLabel('Status').selectOption('');
        await page.getByLabel('Search').fill('lost badge');
        await row.waitFor();

        // ---- reports: a search nobody could answer shows in the content gaps ----
        for (let i = 0; i < 2; i++) assert.equal((await api.req('GET', `/search?q=${encodeURIComponent('quarterly parking refund')}`)).status, 200);
        await page.getByRole('link', { name: 'Reports' }).click();
        await page.getByRole('heading', { name: 'Content gaps', level: 3 }).waitFor();
        const gaps = page.locator('section[aria-labelledby="kb-gaps-title"]');
        await gaps.getByText('quarterly parking refund', { exact: true }).waitFor();
        await page.getByRole('heading', { name: 'Portal deflection' }).waitFor();
        await page.locator('section[aria-labelledby="kb-verif-title"] p').first().waitFor();
        await page.getByRole('button', { name: 'Last 7 days' }).click();
        await gaps.getByText('quarterly parking refund', { exact: true }).waitFor();
        await checkA11y(page, 'the reports');
        await shot(page, 'reports');
        assert.deepEqual(errors, []);
      } finally {
        await close();
      }
    });

    it('a light agent, in French, proposes an edit instead of editing and writes a draft; the admin accepts the proposal', async () => {
      assert.ok(articleId, 'the first journey made the article');
      const light = await signedIn(LIGHT.email, LIGHT.password, 'Base de connaissances');
      try {
        const { page } = light;
        await page.getByRole('link', { name: 'Base de connaissances' }).click();
        await page.getByRole('heading', { name: 'Articles', level: 2 }).waitFor();
        // The manager screens are not offered, and are refused by address too.
        assert.equal(await page.getByRole('link', { name: 'Rapports' }).count(), 0);
        assert.equal(await page.getByRole('link', { name: 'Modifications proposées' }).count(), 0);
        await page.goto(`${base}/knowledge/reports`);
        await page.getByRole('heading', { name: 'Accès non autorisé' }).waitFor();
        assert.equal((await new Client(base, { cookie: (await login(base, LIGHT.email, LIGHT.password)).cookie }).req('GET', '/knowledge/content-gaps')).status, 403);

        // Someone else's article: the French title first, no publication, the edit becomes a proposal.
        await page.goto(`${base}/knowledge/articles/${articleId}`);
        await page.getByRole('heading', { name: 'Remplacer un badge perdu', level: 2 }).waitFor();
        assert.equal(await page.getByRole('button', { name: 'Publier maintenant' }).count(), 0);
        assert.equal(await page.getByRole('button', { name: 'Archiver' }).count(), 0);
        await page.getByRole('tab', { name: /Anglais/ }).click();
        await page.getByRole('tabpanel').getByText('Vous ne pouvez pas modifier cet article directement').waitFor();
        await page.getByLabel('Texte (anglais)').fill('Ask the front desk for a new badge.\nBring an identity document.\nThe old badge stops working within the hour.');
        await page.getByRole('button', { name: 'Proposer cette modification' }).click();
        await page.getByRole('status').filter({ hasText: 'Votre proposition est envoyée aux gestionnaires de la base.' }).waitFor();
        await checkA11y(page, 'an article page for a light agent, in French');

        // Their own draft: they write it and may edit it, not publish it.
        await page.getByRole('main').getByRole('link', { name: 'Nouvel article' }).first().click();
        await page.getByLabel('Titre (français)').fill('Prêter son badge');
        await page.getByLabel('Texte (français)').fill('Un badge ne se prête pas.');
        await page.getByRole('button', { name: 'Créer le brouillon' }).click();
        await page.getByRole('heading', { name: 'Prêter son badge', level: 2 }).waitFor();
        await page.getByRole('button', { name: 'Enregistrer une nouvelle version' }).waitFor();
        assert.equal(await page.getByRole('button', { name: 'Publier maintenant' }).count(), 0);
        const draftId = /articles\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
        const draft = (await api.req('GET', `/articles/${draftId}`)).body;
        assert.deepEqual([draft.status, draft.missingTranslations, draft.createdBy], ['draft', ['en'], lightId]);
        assert.deepEqual(light.errors, []);
      } finally {
        await light.close();
      }
      const open = await api.all(`/article-proposals?status=open&articleId=${articleId}`);
      assert.equal(open.length, 1);
      assert.equal((await article()).translations.en.versionNumber, 3, 'a proposal changes nothing yet');
      // The article changes after the proposal: the review says so, and shows the difference against the new text.
      const a3 = (await article()).translations.en;
      assert.equal((await api.req('PUT', `/articles/${articleId}/translations/en`, { title: a3.title, body: `${a3.body}\nOpen from 8 to 18.` })).status, 200);

      const admin = await signedIn(ADMIN_EMAIL, PASSWORD);
      try {
        const { page } = admin;
        await page.getByRole('link', { name: 'Knowledge base' }).click();
        await page.getByRole('link', { name: 'Proposed edits' }).click();
        const item = page.locator('.kb-proposal').filter({ hasText: 'Léa Light' });
        await item.waitFor();
        await item.getByText('The article changed since this proposal was written (from version 3; it is at version 4 now).', { exact: false }).waitFor();
        const changes = item.getByRole('region', { name: 'What accepting would change, against version 4 of the English text' });
        await changes.getByText('0 lines added, 1 removed, 1 changed.').waitFor();
        assert.equal((await changes.locator('ins').allInnerTexts()).join(' ').replace(/added:\s*/g, '').replace(/\s+/g, ' ').trim(), 'within the hour');
        assert.match(await changes.locator('tr.kb-del').allInnerTexts().then((x) => x.join(' ')), /Open from 8 to 18\./);
        await checkA11y(page, 'the proposals');
        await shot(page, 'proposals');
        await item.getByLabel('Note for the author (optional)').fill('Thanks');
        await item.getByRole('button', { name: 'Accept' }).click();
        await item.getByText('Accepted').waitFor();
        const a = await until('the accepted proposal', async () => {
          const x = await article();
          return x.translations.en.versionNumber === 5 && x;
        });
        assert.match(a.translations.en.body, /within the hour/);
        await page.goto(`${base}/knowledge/articles/${articleId}`);
        await page.getByRole('button', { name: 'Archive' }).click();
        await page.getByRole('status').filter({ hasText: 'The article is archived.' }).waitFor();
        assert.equal((await article()).status, 'archived');
        assert.deepEqual(admin.errors, []);
      } finally {
        await admin.close();
      }
    });

    it('an admin names a knowledge manager, who arranges categories and sections and files an article; "For me" shows the light agent what became of the proposal', async () => {
      // ---- the admin makes an agent a knowledge manager ----
      const admin = await signedIn(ADMIN_EMAIL, PASSWORD);
      try {
        const { page } = admin;
        await page.getByRole('link', { name: 'Knowledge base' }).click();
        await page.getByRole('link', { name: 'Managers' }).click();
        await page.getByRole('heading', { name: 'Managers', level: 2 }).waitFor();
        await page.getByLabel('Staff member').selectOption({ label: `${CURATOR.name} (${CURATOR.email})` });
        await page.getByRole('button', { name: 'Make knowledge manager' }).click();
        await page.getByRole('status').filter({ hasText: `${CURATOR.name} is a knowledge manager.` }).waitFor();
        await page.getByRole('cell', { name: CURATOR.email }).waitFor();
        assert.ok((await api.req('GET', '/knowledge-managers')).body.items.some((m: any) => m.userId === curatorId));
        await checkA11y(page, 'the knowledge managers');
        await shot(page, 'managers');
        assert.deepEqual(admin.errors, []);
      } finally {
        await admin.close();
      }

      // ---- the manager arranges the categories ----
      const curator = await signedIn(CURATOR.email, CURATOR.password);
      const dialogs: string[] = [];
      try {
        const { page } = curator;
        page.on('dialog', (d) => dialogs.push(d.message()));
        await page.getByRole('link', { name: 'Knowledge base' }).click();
        // A knowledge manager reads the list of managers but does not change it.
        await page.getByRole('link', { name: 'Managers' }).click();
        await page.getByText('Only an admin adds or removes knowledge managers.').waitFor();
        assert.equal(await page.getByLabel('Staff member').count(), 0);

        await page.getByRole('link', { name: 'Categories' }).click();
        await page.getByRole('heading', { name: 'Categories', level: 2 }).waitFor();
        const categories = async () => (await api.req('GET', '/article-categories')).body.items as Array<{ id: string; parentId: string | null; names: { en: string | null }; position: number }>;
        const byName = async (name: string) => (await categories()).find((c) => c.names.en === name);
        const create = async (button: string, name: string, description = '') => {
          await page.getByRole('button', { name: button }).click();
          await page.getByLabel('Name (English)').fill(name);
          if (description) await page.getByLabel('Description (English)').fill(description);
          await page.getByRole('button', { name: /^Create the (category|section)$/ }).click();
          await until(name, () => byName(name));
          await page.getByRole('heading', { name, level: 3 }).waitFor();
        };
        await create('New category', 'Badges', 'Access badges and visitors');
        await create('New category', 'Parking');
        await create('Add a section to “Badges”', 'Lost badges');
        await create('Add a section to “Badges”', 'Visitors');
        const badges = (await byName('Badges'))!;
        const lost = (await byName('Lost badges'))!;
        assert.equal(lost.parentId, badges.id);
        await checkA11y(page, 'the categories and sections');
        await shot(page, 'categories');

        // ---- reorder from the keyboard: the focus stays on the moved item ----
        // The demo workspace has categories of its own: only the order of ours is looked at.
        const ours = ['Badges', 'Parking', 'Lost badges', 'Visitors'];
        const order = async (parentId: string | null) => (await categories()).filter((c) => c.parentId === parentId && ours.includes(c.names.en ?? '')).map((c) => c.names.en);
        const shown = () => page.locator('.kb-cats > li > .kb-cat-row .link').allInnerTexts().then((names) => names.filter((n) => ours.includes(n)).join());
        const parkingUp = page.getByRole('button', { name: 'Move “Parking” up' });
        await parkingUp.focus();
        await page.keyboard.press('Enter');
        await until('Parking first', async () => (await order(null)).join() === 'Parking,Badges');
        await until('Parking shown first', async () => (await shown()) === 'Parking,Badges');
        // The list is drawn again in the new order; the focus is still on the button that moved Parking.
        await until('the focus on the moved category', async () => (await page.locator(':focus').getAttribute('aria-label')) === 'Move “Parking” up');
        await page.keyboard.press('Enter');
        await until('Parking one more up', async () => (await order(null)).join() === 'Parking,Badges' && (await categories()).findIndex((c) => c.names.en === 'Parking') < (await categories()).findIndex((c) => c.names.en === 'Badges') - 1);
        await page.getByRole('button', { name: 'Move “Visitors” up' }).click();
        await until('Visitors first', async () => (await order(badges.id)).join() === 'Visitors,Lost badges');
        await page.getByRole('list', { name: 'Sections of “Badges”' }).getByRole('listitem').first().getByRole('button', { name: 'Visitors', exact: true }).waitFor();

        // ---- a section moves to another category ----
        await page.getByRole('button', { name: 'Visitors', exact: true }).click();
        await page.getByLabel('In the category').selectOption({ label: 'Parking' });
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        const parking = (await byName('Parking'))!;
        await until('Visitors in Parking', async () => (await byName('Visitors'))?.parentId === parking.id);
        await page.getByRole('list', { name: 'Sections of “Parking”' }).getByRole('button', { name: 'Visitors', exact: true }).waitFor();

        // ---- an article goes in a section: the picker and the list's filter know it at once ----
        const made = await api.req('POST', '/articles', { translations: { en: { title: 'Badge left at home', body: 'Ask the front desk for a day badge.' } } });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        await page.goto(`${base}/knowledge/articles/${made.body.id}`);
        await page.getByRole('heading', { name: 'Badge left at home', level: 2 }).waitFor();
        await page.getByLabel('Category').selectOption({ label: 'Badges › Lost badges' });
        await page.getByRole('button', { name: 'Save the settings' }).click();
        await until('the article in its section', async () => (await api.req('GET', `/articles/${made.body.id}`)).body.categoryId === lost.id);
        await page.getByRole('link', { name: 'Articles', exact: true }).click();
        await page.getByLabel('Category').selectOption({ label: 'Badges › Lost badges' });
        const row = page.locator('.kb-table tbody tr').filter({ hasText: 'Badge left at home' });
        await row.waitFor();
        assert.match(await row.innerText(), /Badges › Lost badges/);
        await until('only the filed article', async () => (await page.locator('.kb-table tbody tr').count()) === 1);
        await page.getByLabel('Category').selectOption({ label: 'Parking' });
        await row.waitFor({ state: 'detached' });

        // ---- deleting a category says its articles keep no category ----
        await page.getByRole('link', { name: 'Categories' }).click();
        await page.getByRole('button', { name: 'Parking', exact: true }).click();
        await page.getByRole('button', { name: 'Delete' }).click();
        await until('Parking deleted', async () => !(await byName('Parking')) && !(await byName('Visitors')));
        assert.deepEqual(dialogs, ['Delete the category “Parking” and its sections? Their articles are kept, with no category.']);
        await page.getByRole('button', { name: 'Parking', exact: true }).waitFor({ state: 'detached' });
        await page.getByRole('link', { name: 'Articles', exact: true }).click();
        await page.getByLabel('Category').locator('option', { hasText: 'Parking' }).waitFor({ state: 'detached' });
        assert.deepEqual(curator.errors, []);
      } finally {
        await curator.close();
      }

      // ---- the light agent reads what became of the proposal, in French ----
      const lightApi = new Client(base, { cookie: (await login(base, LIGHT.email, LIGHT.password)).cookie });
      const notes = async () => (await lightApi.req('GET', '/knowledge/notifications')).body.items as Array<{ kind: string; articleId: string; readAt: string | null }>;
      const accepted = (await notes()).find((n) => n.kind === 'article.proposal_accepted');
      assert.ok(accepted && accepted.readAt === null && accepted.articleId === articleId, JSON.stringify(await notes()));
      const light = await signedIn(LIGHT.email, LIGHT.password, 'Base de connaissances');
      try {
        const { page } = light;
        await page.getByRole('link', { name: 'Base de connaissances' }).click();
        // The manager screens stay hidden; the tab says how many are unread.
        assert.equal(await page.getByRole('link', { name: 'Catégories' }).count(), 0);
        await page.getByRole('link', { name: /^Pour moi\s*1 à lire$/ }).click();
        await page.getByRole('heading', { name: 'Pour moi', level: 2 }).waitFor();
        const item = page.locator('.kb-note.unread');
        await item.getByText('Nouveau', { exact: true }).waitFor();
        const link = item.getByRole('link', { name: /a accepté votre modification de « Remplacer un badge perdu »/ });
        await link.waitFor();
        await checkA11y(page, 'the notifications (For me)');
        await shot(page, 'for-me');
        await link.click();
        await page.waitForURL(new RegExp(`/knowledge/articles/${articleId}$`));
        await until('the notification read', async () => (await notes()).find((n) => n.kind === 'article.proposal_accepted')?.readAt);
        await page.getByRole('link', { name: 'Pour moi', exact: true }).click();
        await page.locator('.kb-note').first().waitFor();
        assert.equal(await page.locator('.kb-note.unread').count(), 0);
        assert.deepEqual(light.errors, []);
      } finally {
        await light.close();
      }
    });
  });
}
