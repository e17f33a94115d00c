/**
 * Browser journeys through the agent web app, in real Chromium (Debian's /usr/bin/chromium driven
 * by playwright-core; no browser is downloaded), against a real Guichet server process with its
 * demo workspace, on PGlite and on PostgreSQL. What the page shows is checked against the API.
 * Set GUICHET_SCREENSHOT_DIR to keep screenshots of the inbox and the ticket page.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createPgDatabase, type TestDbKind } from '@guichet/db/testing';
import { ADMIN_EMAIL, Client, ROOT, Scope, login, type Guichet } from './process-helpers.ts';
import { checkA11y } from './web-admin-suite.ts';

/** Functions passed to page.evaluate run in the page, where the DOM exists (this project's types are Node's). */
declare const document: any;

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'browser-tests-password';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const SHOTS = process.env.GUICHET_SCREENSHOT_DIR;

async function launch(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (see .ci/run)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

async function shot(page: Page, name: string) {
  const dir = SHOTS ?? mkdtempSync(join(tmpdir(), 'guichet-shots-'));
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/** The journeys on one kind of database (one test file per kind, so each has its own time budget). */
export function browserSuite(kind: TestDbKind): void {
  describe(`agent web app in Chromium on ${kind}`, { timeout: 280_000 }, () => {
    const scope = new Scope();
    let server: Guichet;
    let base: string;
    let browser: Browser;
    let api: Client;
    let me: any;
    let other: Guichet | null = null;
    let otherApi: Client | null = null;

    before(async () => {
      assert.ok(existsSync(join(ROOT, 'apps/web/dist/index.html')), 'the web app is built (npm test builds it; or npm run build:web)');
      const env: Record<string, string> = { GUICHET_DATA_DIR: join(scope.tempDir(), 'data'), GUICHET_ADMIN_PASSWORD: PASSWORD };
      if (kind === 'postgres') {
        const pg = await createPgDatabase('guichet_web');
        scope.defer(() => pg.drop());
        env.DATABASE_URL = pg.url;
      }
      // No SMTP listener: these tests do not use it, and parallel test files would contend for its port.
      server = scope.start(env, ['--roles=web,worker']);
      base = await server.ready(180_000);
      const session = await login(base, ADMIN_EMAIL, PASSWORD);
      api = new Client(base, { cookie: session.cookie });
      me = session.me;
      if (kind === 'postgres') {
        // A second process on the same database: what it writes must reach browsers connected to the first.
        other = scope.start({ ...env, GUICHET_DATA_DIR: join(scope.tempDir(), 'unused') }, ['--roles=web']);
        otherApi = new Client(await other.ready(180_000), { cookie: (await login(other.url, ADMIN_EMAIL, PASSWORD)).cookie });
      }
      browser = await launch();
      scope.defer(() => browser.close());
    });
    after(async () => {
      await scope.cleanup();
    });

    async function signIn(page: Page) {
      await page.goto(base);
      await page.getByLabel('Email address').fill(ADMIN_EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation').getByText('All open').waitFor();
    }

    it('signs in (refusing a wrong password), shows the views with their counts, filters, and opens a ticket', async () => {
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 860 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(base);
        await page.getByLabel('Email address').fill(ADMIN_EMAIL);
        await page.getByLabel('Password').fill('not the password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();

        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        const nav = page.getByRole('navigation');
        await nav.getByText('All open').waitFor();

        // Counts in the sidebar are the API's.
        const counts = (await api.req('GET', '/tickets/counts')).body;
        assert.ok(counts.open > 0, 'the demo has open tickets');
        await page.locator('[data-view="open"] .n').filter({ hasText: String(counts.open) }).waitFor();
        assert.equal(await page.locator('[data-view="unassigned"] .n').textContent(), String(counts.unassigned));

        await nav.getByText('All open').click();
        await page.waitForURL(/\/views\/open$/);
        const open = await api.all('/tickets?status=new,open,pending,on_hold&sort=updated_at');
        const rows = page.locator('.trow');
        await rows.first().waitFor();
        const firstSubject = await rows.first().locator('.subject').textContent();
        assert.equal(firstSubject, open[0].subject, 'the list is in the API order (last updated first)');
        await page.getByRole('heading', { name: /All open/ }).getByText(String(counts.open)).waitFor();
        if (SHOTS) await shot(page, 'inbox');

        // A filter: only pending tickets remain, and as many as the API lists.
        await page.locator('.filters').getByLabel('Status', { exact: true }).selectOption('pending');
        const pending = open.filter((t) => t.status === 'pending');
        await page.waitForFunction((n) => document.querySelectorAll('.trow').length === n || (n === 0 && !!document.querySelector('.empty')), Math.min(pending.length, 60));
        const badges = await page.locator('.trow .badge').allTextContents();
        assert.ok(badges.every((b) => b === 'Pending'), badges.join(','));
        // Saved as a personal view (the admin declines to share it): it joins the sidebar and lists the same tickets.
        page.once('dialog', (d) => void d.accept('Waiting on customers'));
        page.on('dialog', (d) => void (d.type() === 'confirm' ? d.dismiss() : undefined));
        await page.getByRole('button', { name: 'Save as view' }).click();
        await page.waitForURL(/\/views\/s-[0-9a-f-]+$/);
        await nav.getByText('Waiting on customers').waitFor();
        await page.getByRole('heading', { name: 'Waiting on customers' }).waitFor();
        const views = (await api.req('GET', '/views')).body.items;
        assert.deepEqual(views.map((v: any) => [v.name, v.shared, v.query.status]), [['Waiting on customers', false, ['pending']]]);
        await page.waitForFunction((n) => document.querySelectorAll('.trow').length === n, Math.min(pending.length, 60));
        await nav.getByText('All open').click();
        await page.waitForFunction((s) => document.querySelector('.trow .subject')?.textContent === s, open[0].subject);

        // Keyboard: j moves down, Enter opens that ticket.
        await page.keyboard.press('j');
        await page.keyboard.press('Enter');
        await page.waitForURL(new RegExp(`/tickets/${open[1].number}$`));
        await page.getByRole('heading', { name: open[1].subject }).waitFor();
        const msgs = await api.all(`/tickets/${open[1].id}/messages`);
        await page.locator('.msg').nth(msgs.length - 1).waitFor();
        assert.equal(await page.locator('.msg').count(), msgs.length, 'every message of the conversation is shown');
        assert.equal(await page.locator('.msg-note').count(), msgs.filter((m) => m.visibility === 'internal').length, 'internal notes look different');

        // k on the ticket page goes to the previous ticket of the list; ? opens the help.
        await page.keyboard.press('k');
        await page.waitForURL(new RegExp(`/tickets/${open[0].number}$`));
        await page.keyboard.press('?');
        await page.getByRole('dialog').getByText('Keyboard shortcuts').waitFor();
        await page.keyboard.press('Escape');
        await page.getByRole('dialog').waitFor({ state: 'detached' });
        if (SHOTS) {
          // For the documentation: the open ticket with the longest conversation.
          let best = { n: 0, number: open[1].number };
          for (const tk of open.slice(0, 20)) {
            const n = (await api.all(`/tickets/${tk.id}/messages`)).length;
            if (n > best.n) best = { n, number: tk.number };
          }
          await page.goto(`${base}/tickets/${best.number}`);
          await page.locator('.msg').nth(best.n - 1).waitFor();
          await shot(page, 'ticket');
        }
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });

    it('replies with send-and-set-status and with files, adds a note, changes status and assignee, keeps drafts, and survives an expired session', async () => {
      // CSP is bypassed only so that axe-core can be injected as a script.
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 900 }, bypassCSP: true });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // Playwright turns file-chooser interception on when the first 'filechooser' listener is added,
      // without waiting for the browser to confirm; a key pressed right after can open the chooser
      // before interception is on, and the event never comes. Listening from the start, long before the
      // composer's step, leaves interception on for the whole journey.
      page.on('filechooser', () => {});
      try {
        // Given to a colleague at creation, so the demo's automatic routing leaves it alone while
        // the page is open (a background assignment would make the page's next change a version conflict).
        const colleague = (await api.all('/users?role=agent')).find((u: any) => u.id !== me.user.id);
        assert.ok(colleague, 'the demo has agents');
        const created = await api.req('POST', '/tickets', {
          subject: 'Refund for a double charge',
          body: 'Hello, I was charged twice for my March invoice. Can you refund one of them?',
          requester: { email: 'lena.martin@example.com', name: 'Lena Martin' },
          channel: 'email',
          tags: ['billing'],
          assigneeId: colleague.id,
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const tk = created.body;
        await signIn(page);
        await page.goto(`${base}/tickets/${tk.number}`);
        await page.getByRole('heading', { name: 'Refund for a double charge' }).waitFor();
        await page.getByText('I was charged twice').waitFor();
        await page.locator('.customer').getByText('lena.martin@example.com').waitFor();

        // Reply (r), send and set pending.
        await page.keyboard.press('r');
        const reply = page.getByRole('textbox', { name: 'Reply' });
        await reply.waitFor();
        assert.ok(await reply.evaluate((el) => el === document.activeElement), 'r focuses the reply box');
        await reply.fill('Hello Lena, I have refunded the second charge; it shows within 3 days.');
        await page.getByLabel('Status after sending').selectOption('pending');
        await page.getByRole('button', { name: 'Send and set Pending' }).click();
        await page.locator('.msg-agent').filter({ hasText: 'I have refunded the second charge' }).waitFor();
        await page.locator('.ticket-title .badge').filter({ hasText: 'Pending' }).waitFor();
        let now = (await api.req('GET', `/tickets/${tk.id}`)).body;
        assert.equal(now.status, 'pending');
        let msgs = await api.all(`/tickets/${tk.id}/messages`);
        assert.equal(msgs.at(-1).visibility, 'public');
        assert.match(msgs.at(-1).body, /refunded the second charge/);

        // A reply with files: one picked with the keyboard-reachable button, one dropped on the composer;
        // a file over the limit is refused on the spot with the limit said, and removed.
        await page.keyboard.press('r');
        await page.getByRole('textbox', { name: 'Reply' }).fill('Here is the corrected invoice and the statement.');
        const attach = page.getByRole('button', { name: 'Attach files' });
        await attach.focus();
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
        await chooser.setFiles([{ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') }]);
        const dropped = await page.evaluateHandle(`(() => {
          const d = new DataTransfer();
          d.items.add(new File(['month,amount\\n03,42\\n'], 'statement.csv', { type: 'text/csv' }));
          return d;
        })()`);
        await page.locator('form.composer').dispatchEvent('drop', { dataTransfer: dropped });
        const [chooser2] = await Promise.all([page.waitForEvent('filechooser'), attach.click()]);
        await chooser2.setFiles([{ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(10 * 1024 * 1024 + 1) }]);
        const files = page.getByRole('list', { name: 'Files to send' });
        await files.getByText('larger than 10 MB').waitFor();
        await files.getByText('invoice.pdf').waitFor();
        await files.getByText('statement.csv').waitFor();
        await checkA11y(page, 'the composer with files');
        await page.getByRole('button', { name: 'Remove huge.bin' }).click();
        await page.waitForFunction(() => !document.querySelector('.composer-files progress'));
        await page.getByRole('button', { name: /^Send/ }).click();
        const withFiles = page.locator('.msg-agent').filter({ hasText: 'corrected invoice' });
        await withFiles.getByRole('link', { name: /invoice\.pdf/ }).waitFor();
        await withFiles.getByRole('link', { name: /statement\.csv/ }).waitFor();
        msgs = await api.all(`/tickets/${tk.id}/messages`);
        assert.deepEqual(
          msgs.at(-1).attachments.map((a: any) => [a.filename, a.contentType]).sort(),
          [['invoice.pdf', 'application/pdf'], ['statement.csv', 'text/csv']],
        );
        assert.equal(await page.locator('.composer-files').count(), 0, 'the sent files leave the composer');

        // A formatted reply: bold from the toolbar, a list from its shortcut that continues on Enter,
        // checked in the preview, then shown formatted in the conversation and stored as markdown.
        await page.keyboard.press('r');
        const rich = page.getByRole('textbox', { name: 'Reply' });
        await rich.fill('Steps to follow');
        await rich.press('Control+a');
        await page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: /^Bold/ }).click();
        await page.waitForFunction(() => (document.activeElement as any)?.value === '**Steps to follow**');
        await rich.press('End');
        await rich.press('Enter');
        await rich.press('Enter');
        await rich.press('Control+Shift+Digit8');
        await rich.pressSequentially('Open the app');
        await rich.press('Enter');
        await rich.pressSequentially('Tap Cards');
        assert.equal(await rich.inputValue(), '**Steps to follow**\n\n- Open the app\n- Tap Cards');
        await page.getByRole('button', { name: 'Preview' }).click();
        const preview = page.getByRole('region', { name: 'Preview of the message' });
        await preview.locator('strong').filter({ hasText: 'Steps to follow' }).waitFor();
        await preview.locator('ul > li').filter({ hasText: 'Tap Cards' }).waitFor();
        if (SHOTS) await shot(page, 'composer-formatting');
        await rich.press('Control+Enter');
        const formatted = page.locator('.msg-agent').filter({ hasText: 'Tap Cards' });
        await formatted.locator('.msg-body strong').filter({ hasText: 'Steps to follow' }).waitFor();
        assert.equal(await formatted.locator('.msg-body ul > li').count(), 2);
        msgs = await api.all(`/tickets/${tk.id}/messages`);
        assert.equal(msgs.at(-1).body, '**Steps to follow**\n\n- Open the app\n- Tap Cards');
        assert.match(msgs.at(-1).bodyHtml, /<ul><li>Open the app<\/li><li>Tap Cards<\/li><\/ul>/);

        // Note (n), sent with Ctrl+Enter: shown as an internal note.
        await page.locator('body').click({ position: { x: 5, y: 5 } });
        await page.keyboard.press('n');
        const note = page.getByRole('textbox', { name: 'Internal note' });
        await note.waitFor();
        await note.fill('Checked with finance: the duplicate came from the retry bug.');
        await note.press('Control+Enter');
        await page.locator('.msg-note').filter({ hasText: 'retry bug' }).waitFor();
        assert.equal(await page.locator('.msg-note').filter({ hasText: 'retry bug' }).locator('.note-label').textContent(), 'Internal note');
        msgs = await api.all(`/tickets/${tk.id}/messages`);
        assert.equal(msgs.at(-1).visibility, 'internal');

        // Status and assignee from the side panel; the history shows them.
        await page.locator('.side').getByLabel('Status', { exact: true }).selectOption('solved');
        await page.locator('.sysline').filter({ hasText: 'from Pending to Solved' }).waitFor();
        // The history line can arrive through the live channel before the change's own answer: wait
        // for the page to hold the new version, or the next change is (rightly) a version conflict.
        await page.locator('.ticket-title .badge').filter({ hasText: 'Solved' }).waitFor();
        await page.waitForLoadState('networkidle');
        await page.getByRole('button', { name: /Assign to me/ }).click();
        await page.locator('.sysline').filter({ hasText: `assigned it to ${me.user.name}` }).waitFor();
        now = (await api.req('GET', `/tickets/${tk.id}`)).body;
        assert.equal(now.status, 'solved');
        assert.equal(now.assigneeId, me.user.id);
        // Tags.
        await page.getByLabel('Add a tag and press Enter').fill('refund');
        await page.getByLabel('Add a tag and press Enter').press('Enter');
        await page.locator('.side .tag').filter({ hasText: 'refund' }).waitFor();
        assert.deepEqual((await api.req('GET', `/tickets/${tk.id}`)).body.tags.sort(), ['billing', 'refund']);

        // Draft autosave: a reload keeps what was typed. (Escape leaves the tag field first.)
        await page.keyboard.press('Escape');
        await page.keyboard.press('r');
        await reply.fill('A draft that must survive');
        await page.getByText('Draft saved').waitFor();
        await page.reload();
        await page.getByRole('textbox', { name: 'Reply' }).waitFor();
        assert.equal(await page.getByRole('textbox', { name: 'Reply' }).inputValue(), 'A draft that must survive');

        // The session ends on the server (signed out elsewhere) while the page still holds its cookie:
        // sending shows the sign-in over the page, the text is kept, and it sends after. A live
        // refresh of this ticket (a background job's event) may meet the 401 first and show the
        // sign-in before the click: then the button is covered, and that is right too.
        const cookie = (await context.cookies(base)).find((c) => c.name === 'guichet_session');
        assert.ok(cookie, 'the browser holds a session cookie');
        assert.equal((await new Client(base, { cookie: `${cookie.name}=${cookie.value}` }).req('POST', '/auth/logout')).status, 204);
        const ended = page.getByText('Your session has ended');
        await page.getByRole('button', { name: /^Send/ }).click({ timeout: 5_000 }).catch(async (e: unknown) => {
          if (!(await ended.isVisible())) throw e;
        });
        await ended.waitFor();
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('Your session has ended').waitFor({ state: 'detached' });
        assert.equal(await page.getByRole('textbox', { name: 'Reply' }).inputValue(), 'A draft that must survive');
        await page.getByRole('button', { name: /^Send/ }).click();
        await page.locator('.msg-agent').filter({ hasText: 'A draft that must survive' }).waitFor();
        assert.equal(await page.getByRole('textbox', { name: 'Reply' }).inputValue(), '');

        // A ticket that does not exist: a clear page, not a blank one.
        await page.goto(`${base}/tickets/999999`);
        await page.getByText('This ticket does not exist').waitFor();
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });

    it('shows changes made elsewhere without a reload (through another process on PostgreSQL), and refuses the live channel to strangers', async () => {
      const writer = otherApi ?? api;
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1300, height: 800 } });
      const page = await context.newPage();
      try {
        await signIn(page);
        await page.getByRole('navigation').getByText('All open').click();
        await page.locator('.trow').first().waitFor();
        await page.waitForFunction(() => document.documentElement.dataset.live === 'on');
        const before = (await api.req('GET', '/tickets/counts')).body.open;
        await page.locator('[data-view="open"] .n').filter({ hasText: String(before) }).waitFor();

        const created = await writer.req('POST', '/tickets', {
          subject: 'Live: app crashes on login', body: 'Since the update the app closes when I sign in.', requester: { email: 'omar@example.com', name: 'Omar Haddad' }, channel: 'web',
        });
        assert.equal(created.status, 201);
        await page.getByRole('button', { name: '1 new — show' }).waitFor();
        await page.locator('[data-view="open"] .n').filter({ hasText: String(before + 1) }).waitFor();
        await page.getByRole('button', { name: '1 new — show' }).click();
        await page.locator('.trow .subject').filter({ hasText: 'Live: app crashes on login' }).waitFor();

        // A ticket open on this page gets a message and a status change from elsewhere.
        await page.goto(`${base}/tickets/${created.body.number}`);
        await page.getByRole('heading', { name: 'Live: app crashes on login' }).waitFor();
        await page.waitForFunction(() => document.documentElement.dataset.live === 'on');
        assert.equal((await writer.req('POST', `/tickets/${created.body.id}/messages`, { body: 'Could you tell us which version you run?', status: 'pending' })).status, 201);
        await page.locator('.msg').filter({ hasText: 'which version you run' }).waitFor();
        await page.locator('.ticket-title .badge').filter({ hasText: 'Pending' }).waitFor();
      } finally {
        await context.close();
      }
      // The live channel answers only signed-in staff, and only pages of this site.
      const { default: WebSocket } = await import('ws');
      const attempt = (headers: Record<string, string>) =>
        new Promise<number | 'open'>((resolve) => {
          const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/realtime`, { headers });
          ws.on('open', () => {
            ws.close();
            resolve('open');
          });
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('error', () => resolve(0));
        });
      assert.equal(await attempt({}), 401);
      assert.equal(await attempt({ cookie: api.auth.cookie! }), 'open');
      assert.equal(await attempt({ cookie: api.auth.cookie!, origin: 'https://evil.example' }), 401);
    });

    it('warns when a colleague views or replies to the same ticket (the colleague on the other process on PostgreSQL)', async () => {
      const colleague = { email: `claire.${kind}@demo.guichet.test`, name: 'Claire Vasseur', password: 'colleague-password-1' };
      assert.equal((await api.req('POST', '/users', { ...colleague, role: 'agent' })).status, 201);
      const tk = (await api.req('POST', '/tickets', {
        subject: 'Presence: refund twice', body: 'I was refunded twice, should I send it back?', requester: { email: 'nadia@example.com' }, assigneeId: me.user.id,
      })).body;
      const mine = await browser.newContext({ locale: 'en-GB' });
      const theirs = await browser.newContext({ locale: 'en-GB' });
      try {
        const a = await mine.newPage();
        await signIn(a);
        await a.goto(`${base}/tickets/${tk.number}`);
        await a.waitForFunction(() => document.documentElement.dataset.live === 'on');
        const b = await theirs.newPage();
        const farBase = other?.url ?? base;
        await b.goto(farBase);
        await b.getByLabel('Email address').fill(colleague.email);
        await b.getByLabel('Password').fill(colleague.password);
        await b.getByRole('button', { name: 'Sign in' }).click();
        await b.getByRole('navigation').getByText('All open').waitFor();
        await b.goto(`${farBase}/tickets/${tk.number}`);
        await b.getByRole('heading', { name: 'Presence: refund twice' }).waitFor();
        // Each sees the other; typing a reply turns it into a warning.
        await a.getByTestId('presence').filter({ hasText: 'Claire Vasseur is also viewing this ticket.' }).waitFor();
        await b.getByTestId('presence').filter({ hasText: `${me.user.name} is also viewing this ticket.` }).waitFor();
        await b.getByRole('textbox', { name: 'Reply' }).fill('No need, we will cancel the second refund.');
        await a.getByTestId('presence').filter({ hasText: 'Claire Vasseur is replying to this ticket: check before you send.' }).waitFor();
        // She leaves: the warning goes.
        await b.goto(`${farBase}/`);
        await a.getByTestId('presence').waitFor({ state: 'detached' });
      } finally {
        await mine.close();
        await theirs.close();
      }
    });

    it('suggests articles inside the ticket, puts one in the reply in one step, and turns the reply into an article draft', async () => {
      const art = (await api.req('POST', '/articles', {
        visibility: 'public',
        translations: { en: { title: 'Lost luggage voucher refund', body: 'Send the voucher number and we refund it within 5 days.' } },
      })).body;
      assert.equal((await api.req('POST', `/articles/${art.id}/publish`, {})).status, 200);
      const tk = (await api.req('POST', '/tickets', {
        subject: 'Refund of my lost luggage voucher', body: 'How do I get the voucher refunded?', requester: { email: 'ines@example.com' }, assigneeId: me.user.id, language: 'en',
      })).body;
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 900 } });
      try {
        const page = await context.newPage();
        await signIn(page);
        await page.goto(`${base}/tickets/${tk.number}`);
        const panel = page.getByRole('region', { name: 'Suggested articles' });
        const item = panel.getByRole('listitem').filter({ hasText: 'Lost luggage voucher refund' });
        await item.waitFor();
        await page.keyboard.press('r');
        await item.getByRole('button', { name: 'Insert link' }).click();
        const reply = page.getByRole('textbox', { name: 'Reply' });
        await page.waitForFunction((id) => (document.querySelector('textarea[aria-label="Reply"]') as any)?.value.includes(`/help/`) && (document.querySelector('textarea[aria-label="Reply"]') as any).value.includes(id), art.id);
        assert.match(await reply.inputValue(), new RegExp(`^Lost luggage voucher refund: http://127\\.0\\.0\\.1:\\d+/help/[\\w-]+/articles/${art.id}/`));
        await page.getByRole('button', { name: /^Send/ }).click();
        const sent = page.locator('.msg-agent').filter({ hasText: 'Lost luggage voucher refund' });
        await sent.waitFor();
        await sent.getByRole('button', { name: 'Make an article' }).click();
        await page.getByText('Draft article “Refund of my lost luggage voucher” created for review.').waitFor();
        const drafts = (await api.req('GET', '/articles?status=draft&limit=200')).body.items;
        const draft = drafts.find((a: any) => a.translations.en?.title === 'Refund of my lost luggage voucher');
        assert.ok(draft, 'the draft exists');
        assert.match(draft.translations.en.body, /## The question\n\nHow do I get the voucher refunded\?/);
      } finally {
        await context.close();
      }
    });

    it('merges two selected tickets from the inbox bulk bar (x, j, x), links the merged one, and merges from a ticket page', async () => {
      // CSP is bypassed only so that axe-core can be injected as a script.
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 860 }, bypassCSP: true });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        const word = `zeppelin${kind}`;
        const make = async (subject: string) => {
          const r = await api.req('POST', '/tickets', { subject: `${subject} ${word}`, body: `About the ${word}.`, requester: { email: `${word}@client.example` } });
          assert.equal(r.status, 201, JSON.stringify(r.body));
          return r.body;
        };
        const first = await make('Order lost');
        const second = await make('Order still lost');
        await signIn(page);
        await page.getByRole('navigation').getByText('All open').click();
        await page.waitForURL(/\/views\/open$/);
        const search = page.getByPlaceholder('Search tickets');
        await search.fill(word);
        await page.waitForFunction(() => document.querySelectorAll('.trow').length === 2);
        await search.blur();
        await page.keyboard.press('x');
        await page.keyboard.press('j');
        await page.keyboard.press('x');
        const bar = page.getByRole('toolbar');
        await bar.getByText('2 selected').waitFor();
        await bar.getByRole('button', { name: 'Merge…' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByRole('heading', { name: 'Merge tickets' }).waitFor();
        assert.ok(await dialog.getByRole('radio', { name: new RegExp(`#${first.number} `) }).isChecked(), 'the oldest is kept by default');
        await checkA11y(page, 'the merge dialog');
        await dialog.getByRole('button', { name: 'Merge', exact: true }).click();
        await page.getByRole('status').filter({ hasText: `Merged 1 ticket(s) into #${first.number}` }).waitFor();
        await page.waitForFunction(() => document.querySelectorAll('.trow').length === 1);
        const merged = (await api.req('GET', `/tickets/${second.id}`)).body;
        assert.equal(merged.mergedIntoId, first.id);
        assert.equal(merged.status, 'closed');

        // The merged ticket says where its conversation went, and links there.
        await page.goto(`${base}/tickets/${second.number}`);
        const banner = page.getByRole('note');
        await banner.getByRole('link', { name: new RegExp(`#${first.number}`) }).waitFor();
        await checkA11y(page, 'a merged ticket');
        await banner.getByRole('link').click();
        await page.waitForURL(new RegExp(`/tickets/${first.number}$`));
        assert.ok((await api.all(`/tickets/${first.id}/messages`)).some((m: any) => m.body === `About the ${word}.` && m.createdAt === second.createdAt));

        // From a ticket page: "Merge into…" finds the kept ticket by its number.
        const third = await make('Order lost, third time');
        await page.goto(`${base}/tickets/${third.number}`);
        await page.getByRole('button', { name: 'Merge into…' }).click();
        await page.getByRole('dialog').getByLabel('Ticket number or subject').fill(String(first.number));
        await page.getByRole('dialog').getByRole('radio', { name: new RegExp(`#${first.number} `) }).waitFor();
        await page.getByRole('dialog').getByRole('button', { name: 'Merge', exact: true }).click();
        await page.waitForURL(new RegExp(`/tickets/${first.number}$`));
        assert.equal((await api.req('GET', `/tickets/${third.id}`)).body.mergedIntoId, first.id);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });

    it('shows a ticket\'s SLA in a ticking panel that follows changes, and filters and sorts the inbox by SLA', async () => {
      // A policy tried first for tickets tagged sla-browser: its warning (1,200 minutes before) has
      // already come for the 600-minute first response, not yet for the 1,440-minute resolution.
      const policy = await api.req('POST', '/sla-policies', {
        name: 'Browser SLA', position: 0, conditions: { tagsAny: ['sla-browser'] },
        targets: { first_response: { minutes: 600, businessHours: false }, resolution: { minutes: 1440, businessHours: false } },
        warnings: [{ minutesBefore: 1200 }],
      });
      assert.equal(policy.status, 201, JSON.stringify(policy.body));
      const mk = async (subject: string) => {
        const r = await api.req('POST', '/tickets', { subject, body: 'Hello', tags: ['sla-browser'], requester: { email: 'sla-browser@example.com' }, firstMessageVisibility: 'internal' });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body;
      };
      const risky = await mk('SLA journey: at risk');
      const waiting = await mk('SLA journey: waiting');
      assert.equal((await api.req('PATCH', `/tickets/${waiting.number}`, { status: 'pending' })).status, 200);
      assert.equal((await api.req('GET', `/tickets/${risky.number}/sla`)).body.state, 'warning');

      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 860 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await signIn(page);
        await page.goto(`${base}/tickets/${risky.number}`);
        const panel = page.locator('section.sla-panel');
        await panel.getByRole('heading', { name: /SLA\s*At risk/ }).waitFor();
        await panel.getByText('Browser SLA').waitFor();
        const first = panel.locator('[data-target="first_response"]');
        await panel.locator('[data-target="first_response"][data-status="warning"]').waitFor();
        assert.match(await first.locator('.sla-status').innerText(), /At risk/);
        await first.getByText('Target: 10 h 00 min · round the clock').waitFor();
        assert.match(await first.locator('.sla-left').innerText(), /^9 h 5\d min left$/);
        await panel.locator('[data-target="resolution"][data-status="running"]').getByText('Running').waitFor();
        // The time left goes down by itself.
        const leftMs = async () => Number(await first.locator('.sla-left').getAttribute('data-left-ms'));
        const a = await leftMs();
        await page.waitForTimeout(2200);
        const b = await leftMs();
        assert.ok(b < a - 1000 && b > a - 5000, `ticking: ${a} then ${b}`);
        const deadline = (await api.req('GET', `/tickets/${risky.number}/sla`)).body.targets.find((x: any) => x.target === 'first_response').deadline;
        assert.equal(await first.locator('dd time').first().getAttribute('datetime'), deadline);
        if (SHOTS) await shot(page, 'ticket-sla');

        // Someone answers elsewhere: the panel shows the first response met, with its moment.
        assert.equal((await api.req('POST', `/tickets/${risky.id}/messages`, { body: 'We are on it.' })).status, 201);
        await panel.locator('[data-target="first_response"][data-status="met"]').getByText('Met').waitFor();
        await first.getByText('Completed').waitFor();
        await panel.getByRole('heading', { name: /SLA\s*On track/ }).waitFor();

        // The inbox: a badge per row, the SLA filter and the closest-deadline sort, as the API lists them.
        await page.goto(`${base}/views/all`);
        await page.locator('.trow').first().waitFor();
        await page.locator('.filters').getByLabel('SLA', { exact: true }).selectOption('paused');
        const paused = await api.all('/tickets?sla=paused&sort=created_at');
        assert.ok(paused.some((x: any) => x.id === waiting.id));
        await page.waitForFunction(
          (n) => {
            const rows = [...document.querySelectorAll('.trow')];
            return rows.length >= n && rows.every((r: any) => r.querySelector('.sla-badge')?.dataset.sla === 'paused');
          },
          Math.min(paused.length, 3),
        );
        const shown = await page.locator('.trow').evaluateAll((rows: any[]) => rows.map((r) => Number(r.dataset.ticket)));
        assert.deepEqual(shown, paused.slice(0, shown.length).map((x: any) => x.number));
        const badges = await page.locator('.trow .sla-badge').allInnerTexts();
        assert.ok(badges.length === shown.length && badges.every((x) => x.includes('Paused')), badges.join(','));

        await page.locator('.filters').getByLabel('SLA', { exact: true }).selectOption('');
        await page.locator('.sort select').selectOption('sla_due_at');
        const closest = (await api.req('GET', '/tickets?sort=sla_due_at&order=asc&limit=5')).body.items;
        await page.waitForFunction((n) => document.querySelector('.trow')?.getAttribute('data-ticket') === String(n), closest[0].number);
        const top = page.locator('.trow').first();
        const state = closest[0].sla.state;
        assert.equal(await top.locator('.sla-badge').getAttribute('data-sla'), state);
        if (SHOTS) await shot(page, 'inbox-sla');
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
        await api.req('DELETE', `/sla-policies/${policy.body.id}`);
      }
    });

    it('asks for a password-reset link without telling whether the address exists, and explains a dead link', async () => {
      const context = await browser.newContext({ locale: 'en-GB' });
      const page = await context.newPage();
      try {
        await page.goto(base);
        await page.getByRole('button', { name: 'Forgot your password?' }).click();
        await page.getByLabel('Email address').fill('nobody@example.com');
        await page.getByRole('button', { name: 'Send the link' }).click();
        await page.getByText('If an account uses this address, a link is on its way').waitFor();
        await page.goto(`${base}/reset-password?token=${'x'.repeat(43)}`);
        await page.getByLabel(/New password/).fill('a brand new passphrase');
        await page.getByRole('button', { name: 'Save the new password' }).click();
        await page.getByRole('alert').filter({ hasText: 'expired or was already used' }).waitFor();
        // The admin's password still works.
        assert.equal((await api.req('GET', '/auth/me')).status, 200);
      } finally {
        await context.close();
      }
    });

    it('speaks French when the agent chooses it, and keeps the choice in their settings', async () => {
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      try {
        await signIn(page);
        await page.getByRole('navigation').getByLabel('Language').selectOption('fr');
        await page.getByRole('navigation').getByText('Tous les ouverts').waitFor();
        await page.waitForFunction(() => document.documentElement.lang === 'fr');
        await page.getByRole('navigation').getByText('Tous les ouverts').click();
        await page.locator('.trow').first().waitFor();
        if (SHOTS) await shot(page, 'inbox-fr');
        // Saved on the user: a new browser (English) opens in French.
        for (let i = 0; i < 50 && (await api.req('GET', '/auth/me')).body.user.locale !== 'fr'; i++) await new Promise((r) => setTimeout(r, 100));
        assert.equal((await api.req('GET', '/auth/me')).body.user.locale, 'fr');
        const fresh = await browser.newContext({ locale: 'en-US' });
        const p2 = await fresh.newPage();
        await p2.goto(base);
        await p2.getByLabel('Email address').fill(ADMIN_EMAIL);
        await p2.getByLabel('Password').fill(PASSWORD);
        await p2.getByRole('button', { name: 'Sign in' }).click();
        await p2.getByRole('navigation').getByText('Boîte de réception').waitFor();
        await p2.getByRole('button', { name: 'Se déconnecter' }).click();
        await p2.getByRole('button', { name: 'Se connecter' }).waitFor();
        await fresh.close();
        // Back to English for the other tests' sake.
        assert.equal((await api.req('PATCH', `/users/${me.user.id}`, { locale: 'en' })).status, 200);
      } finally {
        await context.close();
      }
    });

    it('opens a ticket for a customer from New ticket: a refused email keeps everything typed, then it is created, formatted and assigned', async () => {
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 }, bypassCSP: true });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await signIn(page);
        await page.getByRole('link', { name: '+ New ticket' }).click();
        await page.waitForURL(/\/tickets\/new$/);
        const form = page.getByRole('form', { name: 'New ticket' });
        const address = `walk-in-${Date.now()}@example.com`;
        await form.getByLabel('Email address').fill(address);
        await form.getByLabel('Name').fill('Inès Walker');
        await form.getByLabel('Subject').fill('Card blocked after travel');
        await form.getByLabel('Channel').selectOption('email');
        assert.ok(await form.getByLabel(/Email this message to the customer now/).isChecked(), 'an email ticket offers to mail the message');
        await form.getByRole('textbox', { name: 'Message' }).fill('Your card is **unblocked** again.');
        await checkA11y(page, 'the new-ticket form');
        if (SHOTS) await shot(page, 'new-ticket');
        // The demo has no mailbox: the mail cannot go, said plainly, and nothing typed is lost.
        await form.getByRole('button', { name: 'Create and email' }).click();
        await form.getByRole('alert').filter({ hasText: 'cannot be emailed' }).waitFor();
        assert.equal(await form.getByLabel('Subject').inputValue(), 'Card blocked after travel');
        assert.equal(await form.getByRole('textbox', { name: 'Message' }).inputValue(), 'Your card is **unblocked** again.');
        await form.getByLabel(/Email this message to the customer now/).uncheck();
        await form.getByRole('button', { name: 'Create ticket' }).click();
        await page.waitForURL(/\/tickets\/\d+$/);
        await page.getByRole('heading', { name: 'Card blocked after travel' }).waitFor();
        await page.locator('.msg .msg-body strong').filter({ hasText: 'unblocked' }).waitFor();
        const number = Number(new URL(page.url()).pathname.split('/').pop());
        const tk = (await api.req('GET', `/tickets/${number}`)).body;
        assert.deepEqual([tk.requester.email, tk.requester.name, tk.channel, tk.assigneeId], [address, 'Inès Walker', 'email', me.user.id]);
        const [first] = await api.all(`/tickets/${tk.id}/messages`);
        assert.equal(first.visibility, 'public');
        assert.match(first.bodyHtml, /<strong>unblocked<\/strong>/);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });

    it('lets an agent set their own profile and change their password from My account, giving the current one', async () => {
      // A colleague of their own, so the admin of the other tests keeps their password and sessions.
      const email = `account-${Date.now()}@demo.guichet.test`;
      const first = 'first passphrase 1';
      const made = await api.req('POST', '/users', { email, name: 'Noor Haddad', role: 'agent', password: first });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 860 }, bypassCSP: true });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(base);
        await page.getByLabel('Email address').fill(email);
        await page.getByLabel('Password').fill(first);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('link', { name: /My account/ }).click();
        await page.waitForURL(/\/account$/);
        await page.getByRole('heading', { name: 'My account', level: 1 }).waitFor();

        const profile = page.locator('form', { has: page.getByRole('heading', { name: 'Profile' }) });
        await profile.getByLabel('Name').fill('Noor Haddad-Martin');
        await profile.getByLabel('Time zone').fill('Europe/Paris');
        await profile.getByLabel('Languages spoken').fill('ar, fr, en');
        await profile.getByLabel('Also send me my notifications by email').check();
        await profile.getByRole('button', { name: 'Save' }).click();
        await profile.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
        const saved = (await api.req('GET', `/users/${made.body.id}`)).body;
        assert.deepEqual([saved.name, saved.timeZone, saved.languages, saved.emailNotifications], ['Noor Haddad-Martin', 'Europe/Paris', ['ar', 'fr', 'en'], true]);
        await page.locator('.me-name').getByText('Noor Haddad-Martin').waitFor();
        await checkA11y(page, 'my account');
        if (SHOTS) await shot(page, 'account');

        // The password: a wrong current one is said so on the spot; two different new ones never leave the page.
        const pw = page.locator('form', { has: page.getByRole('heading', { name: 'Password' }) });
        await pw.getByLabel('Current password').fill('not my password');
        await pw.getByLabel('New password', { exact: true }).fill('second passphrase 2');
        await pw.getByLabel('New password again').fill('second passphrase 3');
        await pw.getByRole('button', { name: 'Change password' }).click();
        await pw.getByRole('alert').filter({ hasText: 'The two new passwords differ.' }).waitFor();
        await pw.getByLabel('New password again').fill('second passphrase 2');
        await pw.getByRole('button', { name: 'Change password' }).click();
        await pw.getByRole('alert').filter({ hasText: 'The current password is wrong.' }).waitFor();
        await pw.getByLabel('Current password').fill(first);
        await pw.getByRole('button', { name: 'Change password' }).click();
        await pw.getByRole('status').filter({ hasText: 'Password changed.' }).waitFor();
        assert.equal(await pw.getByLabel('Current password').inputValue(), '', 'the fields are emptied');

        // This session stays; the new password signs in, the old one no longer does.
        await page.reload();
        await page.getByRole('heading', { name: 'My account', level: 1 }).waitFor();
        await login(base, email, 'second passphrase 2');
        await assert.rejects(login(base, email, first));
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  });
}
