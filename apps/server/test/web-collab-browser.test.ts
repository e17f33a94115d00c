/**
 * Browser journey (b) of issue 8, in Debian's Chromium against a real Guichet server with its
 * demo workspace, on PGlite and on PostgreSQL: an agent mentions a colleague in a note through
 * the @ autocomplete, and the colleague, signed in in another browser, sees the bell count go up
 * live and opens the ticket from the notification; then a macro is inserted from the picker
 * (keyboard only), rendered for the ticket, and its actions applied when the reply is sent.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createPgDatabase, testDbKinds } from '@guichet/db/testing';
import { ADMIN_EMAIL, Client, ROOT, Scope, login, type Guichet } from './process-helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'browser-collab-password';
const COLLEAGUE_PASSWORD = 'colleague-password-1';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

for (const kind of testDbKinds()) {
  describe(`collaboration in Chromium on ${kind}`, { timeout: 280_000 }, () => {
    const scope = new Scope();
    let server: Guichet;
    let base: string;
    let browser: Browser;
    let admin: Client;

    before(async () => {
      assert.ok(existsSync(join(ROOT, 'apps/web/dist/index.html')), 'the web app is built (npm test builds it; or npm run build:web)');
      assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (see .ci/run)`);
      const env: Record<string, string> = { GUICHET_DATA_DIR: join(scope.tempDir(), 'data'), GUICHET_ADMIN_PASSWORD: PASSWORD };
      if (kind === 'postgres') {
        const pg = await createPgDatabase('guichet_collab_web');
        scope.defer(() => pg.drop());
        env.DATABASE_URL = pg.url;
      }
      server = scope.start(env, ['--roles=web,worker']);
      base = await server.ready(180_000);
      admin = new Client(base, { cookie: (await login(base, ADMIN_EMAIL, PASSWORD)).cookie });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
      scope.defer(() => browser.close());
    });
    after(async () => {
      await scope.cleanup();
    });

    async function signIn(page: Page, email: string, password: string) {
      await page.goto(base);
      await page.getByLabel('Email address').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation').getByText('All open').waitFor();
    }

    it('mentions a colleague in a note: their bell counts it live and opens the ticket; a macro from the picker fills and acts on a reply', async () => {
      // The colleague: a new agent (so no demo assignment or SLA warning reaches their bell during the test).
      const created = await admin.req('POST', '/users', { email: 'dana.fischer@demo.guichet.test', name: 'Dana Fischer', role: 'agent', password: COLLEAGUE_PASSWORD, locale: 'en' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const colleague = created.body;
      const b = new Client(base, { cookie: (await login(base, colleague.email, COLLEAGUE_PASSWORD)).cookie });
      assert.equal((await b.req('GET', '/notifications/count')).body.unread, 0);

      const ticket = (await admin.req('GET', '/tickets?status=open&language=en&limit=1&sort=updated_at')).body.items[0];
      assert.ok(ticket, 'an open English demo ticket');

      const ctxA = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 860 } });
      const ctxB = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 860 } });
      const errors: string[] = [];
      try {
        const pageB = await ctxB.newPage();
        pageB.on('pageerror', (e) => errors.push(`B: ${e.message}`));
        await signIn(pageB, colleague.email, COLLEAGUE_PASSWORD);
        const bell = pageB.getByRole('button', { name: /^Notifications/ });
        await bell.waitFor();
        assert.equal(await pageB.locator('.bell-count').count(), 0, 'nothing unread yet');
        // B's page is live before A writes.
        await pageB.waitForFunction(() => (globalThis as any).document.documentElement.dataset.live === 'on');

        const pageA = await ctxA.newPage();
        pageA.on('pageerror', (e) => errors.push(`A: ${e.message}`));
        await signIn(pageA, ADMIN_EMAIL, PASSWORD);
        await pageA.goto(`${base}/tickets/${ticket.number}`);
        await pageA.getByRole('heading', { name: ticket.subject }).waitFor();

        // A: n opens the note; "@dana" offers Dana; Enter inserts the mention; Ctrl+Enter adds the note.
        await pageA.keyboard.press('n');
        const note = pageA.getByRole('textbox', { name: 'Internal note' });
        await note.waitFor();
        await note.pressSequentially('Could you check the refund, @dana');
        const list = pageA.getByRole('listbox', { name: 'Colleagues to mention' });
        await list.getByRole('option', { name: /Dana Fischer/ }).waitFor();
        await pageA.keyboard.press('Enter');
        assert.equal(await note.inputValue(), `Could you check the refund, @[Dana Fischer](user:${colleague.id}) `);
        await note.pressSequentially('before Friday?');
        await pageA.keyboard.press('Control+Enter');
        await pageA.locator('.msg-note .mention', { hasText: '@Dana Fischer' }).waitFor();
        const notes = (await admin.req('GET', `/tickets/${ticket.id}/messages?limit=200`)).body.items.filter((m: any) => m.visibility === 'internal');
        assert.equal(notes.at(-1).body, `Could you check the refund, @[Dana Fischer](user:${colleague.id}) before Friday?`);

        // B: the bell counts it without a reload; the panel lists it; opening it opens the ticket and reads it.
        await pageB.locator('.bell-count', { hasText: '1' }).waitFor({ timeout: 20_000 });
        await bell.click();
        const item = pageB.locator('.bell-panel .notif-list li.unread').first();
        await item.getByText(`Demo Admin mentioned you on ticket #${ticket.number}`).waitFor();
        await item.getByText('Could you check the refund, @Dana Fischer before Friday?').waitFor();
        await item.locator('a').click();
        await pageB.waitForURL(new RegExp(`/tickets/${ticket.number}$`));
        await pageB.getByRole('heading', { name: ticket.subject }).waitFor();
        await pageB.waitForFunction(() => !(globalThis as any).document.querySelector('.bell-count'));
        assert.equal((await b.req('GET', '/notifications/count')).body.unread, 0);

        // A: a reply from a macro, by keyboard: r, m, type to filter, Enter; the text is the server's rendering for this ticket.
        const macro = (await admin.req('GET', '/macros?q=429')).body.items[0];
        assert.ok(macro, 'the demo has the API 429 macro');
        const preview = (await admin.req('POST', `/tickets/${ticket.id}/macros/${macro.id}/preview`, {})).body;
        assert.ok(!preview.body.includes('{{'));
        // The caret is still in the note just sent; Escape leaves it.
        assert.equal(await pageA.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('aria-label')), 'Internal note');
        await pageA.keyboard.press('Escape');
        await pageA.keyboard.press('r');
        const reply = pageA.getByRole('textbox', { name: 'Reply' });
        await reply.waitFor();
        // r leaves the caret in the reply; Escape then only leaves the field (on the page it would go back to the inbox).
        await pageA.waitForFunction(() => (globalThis as any).document.activeElement?.getAttribute('aria-label') === 'Reply');
        await pageA.keyboard.press('Escape');
        await pageA.waitForFunction(() => (globalThis as any).document.activeElement?.tagName !== 'TEXTAREA');
        await pageA.keyboard.press('m');
        const search = pageA.getByRole('combobox', { name: 'Search macros' });
        await search.waitFor();
        await search.pressSequentially('too many');
        await pageA.getByRole('option', { name: /API : erreur 429/ }).waitFor();
        assert.equal(await pageA.getByRole('listbox', { name: 'Macros' }).getByRole('option').count(), 1, 'typing filters the list');
        await pageA.keyboard.press('Enter');
        await pageA.waitForFunction((text) => (globalThis as any).document.querySelector('textarea')?.value === text, preview.body);
        await pageA.locator('.macro-pending').getByText(/Applied when sent: API : erreur 429/).waitFor();
        const before = (await admin.req('GET', `/tickets/${ticket.id}`)).body;
        assert.ok(!before.tags.includes('rate-limit'));
        await pageA.keyboard.press('Control+Enter');
        await pageA.locator('.msg-agent .msg-body', { hasText: preview.body.split('\n')[0] }).first().waitFor();
        await pageA.waitForFunction(() => !(globalThis as any).document.querySelector('.macro-pending'));
        const afterSend = (await admin.req('GET', `/tickets/${ticket.id}`)).body;
        assert.ok(afterSend.tags.includes('rate-limit') && afterSend.tags.includes('api'), afterSend.tags.join(','));
        assert.equal((await admin.req('GET', `/macros/${macro.id}`)).body.usageCount, macro.usageCount + 1);
        const sent = (await admin.req('GET', `/tickets/${ticket.id}/messages?limit=200`)).body.items.filter((m: any) => m.visibility === 'public');
        assert.equal(sent.at(-1).body, preview.body);
        assert.deepEqual(errors, []);
      } finally {
        await ctxA.close();
        await ctxB.close();
      }
    });
  });
}
