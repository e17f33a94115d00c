/**
 * Browser journeys through the admin area of the agent web app, and who may not reach it, in
 * Debian's Chromium (playwright-core) against a real Guichet process with its demo workspace, on
 * PGlite and PostgreSQL. Every change made in the page is checked through the API, and axe-core
 * (injected from node_modules, no network) checks the main pages: no serious or critical
 * violation. Set GUICHET_SCREENSHOT_DIR to keep a screenshot of the admin area.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { createPgDatabase, type TestDbKind } from '@guichet/db/testing';
import { ADMIN_EMAIL, Client, ROOT, Scope, childEnv, login, type Guichet } from './process-helpers.ts';

/** Functions passed to page.evaluate run in the page, where the DOM and axe exist (this project's types are Node's). */
declare const document: any;
declare const window: any;

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'admin-browser-password';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const SHOTS = process.env.GUICHET_SCREENSHOT_DIR;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** A loopback SMTP relay that keeps the text of every mail, to read the password link a customer gets. */
class MailCatcher {
  readonly mails: Array<{ to: string[]; text: string }> = [];
  private server: SMTPServer | null = null;
  port = 0;
  async start() {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, cb) => {
        simpleParser(stream).then(
          (m) => {
            this.mails.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), text: m.text ?? '' });
            cb();
          },
          (e: Error) => cb(e),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }
  stop() {
    const s = this.server;
    this.server = null;
    return s ? new Promise<void>((resolve) => s.close(() => resolve())) : undefined;
  }
}

/** Poll a condition the page or a background job brings about; the bound only turns a hang into a failure. */
export async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** axe-core on the page as it is: no violation of impact serious or critical. */
export async function checkA11y(page: Page, where: string) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  const found: Array<{ id: string; impact: string; help: string; nodes: string[] }> = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map((n: any) => `${n.target.join(' ')}: ${n.failureSummary}`) }));
  });
  const bad = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `accessibility of ${where}:\n${JSON.stringify(bad, null, 2)}`);
}

export function adminSuite(kind: TestDbKind): void {
  describe(`admin area in Chromium on ${kind}`, { timeout: 480_000 }, () => {
    const scope = new Scope();
    const mail = new MailCatcher();
    let base: string;
    let browser: Browser;
    let api: Client;
    const customers: Record<'mine' | 'theirs', any> = { mine: null, theirs: null };
    let olgaPassword = '';
    /** The token of the last password link mailed to an address. */
    const linkFor = (address: string) => {
      const m = mail.mails.filter((x) => x.to.includes(address)).at(-1);
      const token = m && /\/reset-password\?token=([\w%-]+)/.exec(m.text)?.[1];
      return token ? decodeURIComponent(token) : null;
    };

    before(async () => {
      assert.ok(existsSync(join(ROOT, 'apps/web/dist/index.html')), 'the web app is built (npm test builds it; or npm run build:web)');
      assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (see .ci/run)`);
      await mail.start();
      scope.defer(() => mail.stop());
      const env: Record<string, string> = {
        GUICHET_DATA_DIR: join(scope.tempDir(), 'data'),
        GUICHET_ADMIN_PASSWORD: PASSWORD,
        GUICHET_SMTP_RELAY: `smtp://127.0.0.1:${mail.port}`,
      };
      if (kind === 'postgres') {
        const pg = await createPgDatabase('guichet_admin_web');
        scope.defer(() => pg.drop());
        env.DATABASE_URL = pg.url;
      }
      let server: Guichet = scope.start(env, ['--roles=web,worker']);
      base = await server.ready(180_000);
      const admin = new Client(base, { cookie: (await login(base, ADMIN_EMAIL, PASSWORD)).cookie });
      // Two customers with a ticket each. Customers get a password through the portal, which this
      // app is not: the operator command gives Olga one (on PGlite, with the server stopped, since
      // one process opens the embedded database at a time).
      for (const [key, subject, body, email, name] of [
        ['mine', 'My card is blocked', 'It stopped working this morning.', 'olga.first@customer.example', 'Olga First'],
        ['theirs', 'Confidential: my salary transfer', 'Please check the transfer of my salary.', 'paul.second@customer.example', 'Paul Second'],
      ] as const) {
        const r = await admin.req('POST', '/tickets', { subject, body, requester: { email, name }, channel: 'email' });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        customers[key] = r.body;
      }
      if (kind === 'pglite') await server.stop();
      const reset = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'apps/server/src/cli.ts'), 'user:reset-password', '--workspace', 'demo', '--email', 'olga.first@customer.example'], {
        cwd: ROOT, env: childEnv(env), encoding: 'utf8',
      });
      assert.equal(reset.status, 0, reset.stderr);
      olgaPassword = /: (\S+)\s+\(shown only once/.exec(reset.stdout)?.[1] ?? '';
      assert.ok(olgaPassword, reset.stdout);
      if (kind === 'pglite') {
        server = scope.start(env, ['--roles=web,worker']);
        base = await server.ready(180_000);
      }
      api = new Client(base, { cookie: admin.auth.cookie! });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
      scope.defer(() => browser.close());
    });
    after(async () => {
      await scope.cleanup();
    });

    /** A fresh browser; CSP is bypassed only so that axe-core can be injected as a script. */
    async function open(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1400, height: 880 }, bypassCSP: true });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // Deletions and revocations ask for a confirmation: yes.
      page.on('dialog', (d) => void d.accept());
      return { context, page, errors };
    }

    async function signIn(page: Page, email: string, password: string) {
      await page.goto(base);
      await page.getByLabel('Email address').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }

    async function section(page: Page, name: string, heading: string) {
      await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name }).click();
      await page.getByRole('heading', { name: heading, level: 2 }).waitFor();
    }

    /**
     * Switch the interface to French from the current admin screen (its heading, French or not),
     * open a section by its French name, check it, then put the admin back in English for what follows.
     */
    async function inFrench(page: Page, heading: string, sectionFr: string, check: () => Promise<void>) {
      await page.getByRole('navigation', { name: 'Inbox' }).getByLabel('Language').selectOption('fr');
      await page.getByRole('heading', { name: heading, level: 2 }).waitFor();
      await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: sectionFr }).click();
      await check();
      const meId = (await api.req('GET', '/auth/me')).body.user.id;
      await until('the French setting saved', async () => (await api.req('GET', '/auth/me')).body.user.locale === 'fr');
      assert.equal((await api.req('PATCH', `/users/${meId}`, { locale: 'en' })).status, 200);
    }

    it('an admin adds a user with a role and a skill, builds a team, manages a token, a custom field, a macro and a request category, and reads it all in the audit log', async () => {
      const { context, page, errors } = await open();
      try {
        await page.goto(base);
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
        await checkA11y(page, 'the sign-in page');
        await signIn(page, ADMIN_EMAIL, PASSWORD);
        const nav = page.getByRole('navigation').first();
        await nav.getByText('All open').click();
        await page.locator('.trow').first().waitFor();
        await checkA11y(page, 'the inbox');
        const first = (await api.req('GET', '/tickets?status=open&limit=1')).body.items[0];
        await page.goto(`${base}/tickets/${first.number}`);
        await page.getByRole('heading', { name: first.subject }).waitFor();
        await page.locator('.msg').first().waitFor();
        await checkA11y(page, 'a ticket page');

        // ---- skills ----
        await page.getByRole('link', { name: 'Admin', exact: true }).click();
        await page.waitForURL(/\/admin$/);
        await page.getByRole('heading', { name: 'Users and roles' }).waitFor();
        await section(page, 'Skills', 'Skills');
        await page.getByLabel('New skill').fill('Chargeback disputes');
        await page.getByRole('button', { name: 'Add the skill' }).click();
        await page.getByRole('cell', { name: 'Chargeback disputes', exact: true }).waitFor();
        const skill = (await api.all('/skills')).find((s) => s.name === 'Chargeback disputes');
        assert.ok(skill, 'the skill exists');
        // Rename, then delete a throwaway one (after the confirmation).
        await page.getByLabel('New skill').fill('Temporary skill');
        await page.getByRole('button', { name: 'Add the skill' }).click();
        await page.getByRole('button', { name: 'Edit Temporary skill' }).click();
        await page.getByRole('textbox', { name: 'Name' }).fill('Short-lived skill');
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await page.getByRole('button', { name: 'Delete Short-lived skill' }).click();
        await page.getByRole('cell', { name: 'Short-lived skill', exact: true }).waitFor({ state: 'detached' });
        assert.ok(!(await api.all('/skills')).some((s) => /Temporary|Short-lived/.test(s.name)), 'renamed, then deleted');
        await checkA11y(page, 'the skills screen');

        // ---- users: create with a role, then a proficiency ----
        await section(page, 'Users and roles', 'Users and roles');
        await page.getByRole('button', { name: 'New user' }).click();
        const form = page.locator('form[aria-labelledby="new-user-title"]');
        await form.getByLabel('Name').fill('Inès Duval');
        await form.getByLabel('Email address').fill('ines.duval@demo.guichet.test');
        await form.getByLabel('Role').selectOption('agent');
        await form.getByLabel('Interface language').selectOption('fr');
        await form.getByLabel('Languages spoken').fill('fr, en');
        await form.getByLabel('Set a password now and give it to them').check();
        await form.getByLabel('Initial password').fill('short');
        await form.getByRole('button', { name: 'Create the user' }).click();
        await form.getByText('The password needs 10 characters or more.').waitFor();
        await form.getByLabel('Email them a link to choose their password').check();
        await form.getByRole('button', { name: 'Create the user' }).click();
        await page.getByRole('heading', { name: 'Inès Duval', level: 3 }).waitFor();
        await page.getByText('A link to choose a password was sent to ines.duval@demo.guichet.test').waitFor();
        const ines = (await api.all('/users?q=ines.duval')).find((u) => u.email === 'ines.duval@demo.guichet.test');
        assert.ok(ines, 'the user exists');
        assert.deepEqual([ines.role, ines.locale, ines.languages, ines.status], ['agent', 'fr', ['fr', 'en'], 'active']);
        // The invitation is the password mail, through the outbox: its link lets her choose a password and sign in.
        const token = await until('the invitation mail', async () => linkFor('ines.duval@demo.guichet.test'));
        assert.equal((await new Client(base).req('POST', '/auth/password-reset/confirm', { token, password: 'ines chose this one' })).status, 204);
        await login(base, 'ines.duval@demo.guichet.test', 'ines chose this one');
        // Creating the same address again shows the API's refusal.
        await page.getByRole('button', { name: 'New user' }).click();
        await form.getByLabel('Name').fill('Someone else');
        await form.getByLabel('Email address').fill('ines.duval@demo.guichet.test');
        await form.getByRole('button', { name: 'Create the user' }).click();
        await form.getByRole('alert').filter({ hasText: 'already uses ines.duval@demo.guichet.test' }).waitFor();
        await form.getByRole('button', { name: 'Cancel' }).click();

        await page.getByRole('button', { name: 'Inès Duval' }).click();
        const skills = page.locator('form[aria-labelledby="skills-title"]');
        await skills.getByLabel('Chargeback disputes').selectOption('4');
        await skills.getByLabel('Card payments').selectOption('2');
        await skills.getByRole('button', { name: 'Save the skills' }).click();
        await until('the proficiencies', async () => {
          const u = (await api.req('GET', `/users/${ines.id}`)).body;
          return u.skills.length === 2 && u.skills.find((s: any) => s.skillId === skill.id)?.proficiency === 4;
        });
        const avail = page.locator('form[aria-labelledby="avail-title"]');
        await avail.getByLabel('Working hours (in their time zone)').check();
        await avail.getByLabel('From').fill('08:30');
        await avail.getByLabel('To').fill('17:00');
        await avail.getByRole('button', { name: 'Save the availability' }).click();
        await until('the working hours', async () => (await api.req('GET', `/users/${ines.id}/availability`)).body.workingHours?.start === '08:30');
        await checkA11y(page, 'the users screen with a user open');
        if (SHOTS) {
          mkdirSync(SHOTS, { recursive: true });
          await page.locator('.admin-panel').evaluate((el: any) => el.scrollTo(0, 0));
          await page.screenshot({ path: join(SHOTS, 'admin.png') });
        }
        // Deactivated accounts are listed apart.
        await page.getByRole('button', { name: 'Deactivate the account' }).click();
        await page.getByRole('button', { name: 'Reactivate the account' }).waitFor();
        assert.equal((await api.req('GET', `/users/${ines.id}`)).body.status, 'suspended');
        await page.getByLabel('Status', { exact: true }).selectOption('suspended');
        await page.locator('.admin-table').getByRole('button', { name: 'Inès Duval' }).waitFor();
        await page.getByRole('button', { name: 'Reactivate the account' }).click();
        await page.getByRole('button', { name: 'Deactivate the account' }).waitFor();
        assert.equal((await api.req('GET', `/users/${ines.id}`)).body.status, 'active');

        // ---- teams ----
        await section(page, 'Teams', 'Teams');
        await page.getByLabel('New team').fill('Disputes');
        await page.getByRole('button', { name: 'Create the team' }).click();
        await page.getByRole('heading', { name: 'Disputes', level: 3 }).waitFor();
        const members = page.locator('form[aria-labelledby="members-title"]');
        await members.getByLabel('Inès Duval').check();
        await members.getByRole('button', { name: 'Save the members' }).click();
        const team = await until('the team and its member', async () => {
          const tm = (await api.all('/teams')).find((x) => x.name === 'Disputes');
          return tm?.members.some((m: any) => m.userId === ines.id) ? tm : null;
        });
        const routing = page.locator('form[aria-labelledby="routing-title"]');
        await routing.getByLabel('How tickets reach an agent').selectOption('load_balanced');
        await routing.getByRole('button', { name: 'Save the routing' }).click();
        await until('the routing mode', async () => (await api.req('GET', `/teams/${team.id}/routing`)).body.mode === 'load_balanced');
        await checkA11y(page, 'the teams screen');

        // ---- API token: the secret once, then revoked ----
        await section(page, 'API tokens', 'API tokens');
        await page.getByLabel('Token name').fill('Nightly export');
        await page.getByRole('button', { name: 'Create a token' }).click();
        const secretBox = page.getByRole('textbox', { name: 'The new token' });
        await secretBox.waitFor();
        const secret = await secretBox.inputValue();
        assert.match(secret, /^gch_/);
        assert.equal((await new Client(base, { token: secret }).req('GET', '/auth/me')).status, 200, 'the token shown works');
        await checkA11y(page, 'the API tokens screen with a new secret');
        await page.getByRole('button', { name: 'I have copied it' }).click();
        await secretBox.waitFor({ state: 'detached' });
        await page.reload();
        await page.getByRole('cell', { name: 'Nightly export', exact: true }).waitFor();
        assert.ok(!(await page.content()).includes(secret), 'the secret is never shown again');
        await page.getByRole('button', { name: 'Revoke the token Nightly export' }).click();
        await page.getByRole('cell', { name: 'Nightly export', exact: true }).waitFor({ state: 'detached' });
        assert.equal((await new Client(base, { token: secret }).req('GET', '/auth/me')).status, 401, 'the revoked token no longer works');

        // ---- custom field ----
        await section(page, 'Custom fields', 'Custom fields');
        await page.getByRole('button', { name: 'Product', exact: true }).click();
        const field = page.locator('form[aria-labelledby="field-title"]');
        await field.getByLabel('Label').fill('Product line');
        const options = field.getByLabel('Options');
        await options.fill(`${await options.inputValue()}\nCrypto wallet`);
        await field.getByLabel('Required').check();
        await field.getByRole('button', { name: 'Save', exact: true }).click();
        await field.getByText('Saved').waitFor();
        const product = (await api.req('GET', '/custom-fields')).body.items.find((f: any) => f.key === 'product');
        assert.equal(product.label, 'Product line');
        assert.equal(product.required, true);
        assert.ok(product.options.includes('Crypto wallet'));
        await checkA11y(page, 'the custom fields screen');

        // ---- a shared macro (the server names an unknown placeholder first) and a request category ----
        await section(page, 'Macros', 'Macros');
        await page.getByRole('button', { name: 'New macro' }).click();
        const macro = page.locator('form[aria-labelledby="macro-title"]');
        await macro.getByLabel('Title').fill('Card unblocked');
        await macro.getByLabel('English text').fill('Hello {{customer.firstname}}, your card works again.');
        await macro.getByLabel('Set the status').selectOption('solved');
        await macro.getByLabel('Add tags').fill('cards, unblocked');
        await macro.getByRole('button', { name: 'Create the macro' }).click();
        await macro.getByRole('alert').filter({ hasText: 'unknown placeholder: {{customer.firstname}}' }).waitFor();
        await macro.getByLabel('English text').fill('Hello {{customer.first_name}}, your card works again.');
        await macro.getByLabel('French text').fill('Bonjour {{customer.first_name}}, votre carte fonctionne de nouveau.');
        await macro.getByRole('button', { name: 'Create the macro' }).click();
        await page.getByRole('heading', { name: 'Card unblocked', level: 3 }).waitFor();
        const made = (await api.req('GET', '/macros?scope=shared')).body.items.find((m: any) => m.title === 'Card unblocked');
        assert.ok(made, 'the shared macro exists');
        assert.deepEqual([made.bodyEn, made.bodyFr, made.actions], ['Hello {{customer.first_name}}, your card works again.', 'Bonjour {{customer.first_name}}, votre carte fonctionne de nouveau.', { status: 'solved', addTags: ['cards', 'unblocked'] }]);
        await page.locator('.admin-table').getByRole('button', { name: 'Card unblocked' }).waitFor();
        await checkA11y(page, 'the macros screen');
        await section(page, 'Request categories', 'Request categories');
        await page.getByRole('button', { name: 'New category' }).click();
        const category = page.locator('form[aria-labelledby="category-title"]');
        await category.getByLabel('English name').fill('Savings accounts');
        await category.getByLabel('French name').fill('Comptes d’épargne');
        await category.getByLabel('Key').fill('savings');
        await category.getByRole('button', { name: 'Create the category' }).click();
        await page.getByRole('heading', { name: 'Savings accounts', level: 3 }).waitFor();
        const savings = (await api.req('GET', '/ticket-categories?includeInactive=true')).body.items.find((c: any) => c.key === 'savings');
        assert.deepEqual([savings?.names, savings?.active], [{ en: 'Savings accounts', fr: 'Comptes d’épargne' }, true]);
        await checkA11y(page, 'the request categories screen');

        // ---- organizations and customers ----
        await section(page, 'Organizations', 'Organizations');
        await page.getByRole('button', { name: 'New organization' }).click();
        const org = page.locator('form[aria-labelledby="org-title"]');
        await org.getByLabel('Name').fill('Nordwind Logistics');
        await org.getByLabel('Email domains').fill('not a domain');
        await org.getByRole('button', { name: 'Create the organization' }).click();
        await org.getByRole('alert').filter({ hasText: 'domain' }).waitFor();
        await org.getByLabel('Email domains').fill('nordwind.example, nordwind-logistics.example');
        await org.getByRole('button', { name: 'Create the organization' }).click();
        await page.getByRole('heading', { name: 'Nordwind Logistics', level: 3 }).waitFor();
        const nordwind = (await api.all('/organizations?q=nordwind'))[0];
        assert.deepEqual(nordwind.domains, ['nordwind.example', 'nordwind-logistics.example']);
        await checkA11y(page, 'the organizations screen');
        const someone = (await api.req('POST', '/customers', { name: 'Greta Lindqvist', email: 'greta@freelance.example' })).body;
        await section(page, 'Customers', 'Customers');
        await page.getByRole('searchbox', { name: 'Search customers' }).fill('greta');
        await page.getByRole('button', { name: 'Greta Lindqvist' }).click();
        const cust = page.locator('form[aria-labelledby="customer-title"]');
        await cust.getByLabel('Organization').selectOption({ label: 'Nordwind Logistics' });
        await cust.getByLabel('Interface language').selectOption('fr');
        await cust.getByRole('button', { name: 'Save', exact: true }).click();
        await cust.getByText('Saved').waitFor();
        const greta = (await api.req('GET', `/customers/${someone.id}`)).body;
        assert.deepEqual([greta.organizationId, greta.locale], [nordwind.id, 'fr']);
        await checkA11y(page, 'the customers screen');

        // ---- workspace settings ----
        await section(page, 'Workspace', 'Workspace');
        const general = page.locator('form.admin-form').first();
        await general.getByLabel('Default language').selectOption('fr');
        await general.getByRole('button', { name: 'Save', exact: true }).click();
        await general.getByText('Saved').waitFor();
        assert.equal((await api.req('GET', '/workspace')).body.defaultLanguage, 'fr');
        // Back to English: the next journey's new customers take the workspace's language.
        assert.equal((await api.req('PATCH', '/workspace', { defaultLanguage: 'en' })).status, 200);
        // The help center's colour and logo.
        const brand = page.getByRole('form', { name: 'Help center and portal' });
        await brand.getByLabel('Use Guichet’s colours').uncheck();
        await brand.getByLabel('Brand colour').fill('#0b3d91');
        await brand.getByRole('button', { name: 'Save', exact: true }).click();
        await brand.getByText('Saved').waitFor();
        assert.equal((await api.req('GET', '/workspace')).body.brandColor, '#0b3d91');
        const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
        await brand.getByLabel('Logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
        await brand.getByRole('img', { name: 'Current logo' }).waitFor();
        const logoUrl = (await api.req('GET', '/workspace')).body.logoUrl as string;
        assert.ok(logoUrl);
        const help = await (await fetch(`${base}/help/demo?lang=en`)).text();
        assert.ok(help.includes(`<img src="${logoUrl}"`) && help.includes('header{background:#0b3d91'), 'the help center wears them');
        await checkA11y(page, 'the workspace screen');
        await brand.getByRole('button', { name: 'Remove the logo' }).click();
        await brand.getByText('No logo.').waitFor();
        assert.equal((await api.req('PATCH', '/workspace', { brandColor: null })).status, 200);

        // ---- routing: settings, a rule, training, the triage queue ----
        await section(page, 'Routing', 'Routing');
        const before = (await api.req('GET', '/routing/settings')).body;
        const settingsForm = page.getByRole('form', { name: 'Automatic assignment' });
        await settingsForm.getByLabel('Least confidence to route').fill('0.6');
        await settingsForm.getByRole('button', { name: 'Save', exact: true }).click();
        await settingsForm.getByText('Saved').waitFor();
        assert.equal((await api.req('GET', '/routing/settings')).body.minConfidence, 0.6);
        const ruleForm = page.getByRole('form', { name: 'New rule' });
        await ruleForm.getByLabel('Name', { exact: true }).fill('Chargebacks');
        await ruleForm.getByLabel('Words or phrases').fill('chargeback, litige bancaire');
        await ruleForm.getByLabel('Email').check();
        await ruleForm.getByLabel('Team', { exact: true }).selectOption({ index: 1 });
        await ruleForm.getByRole('button', { name: 'Add the rule' }).click();
        await page.getByRole('cell', { name: 'words: chargeback, litige bancaire · channel: Email' }).waitFor();
        const rule = (await api.req('GET', '/routing/rules')).body.items.find((r: any) => r.name === 'Chargebacks');
        assert.deepEqual([rule.conditions.keywords, rule.conditions.channels], [['chargeback', 'litige bancaire'], ['email']]);
        await page.getByRole('button', { name: 'Train a new model' }).click();
        await page.getByText('Training started in the background').waitFor();
        await page.getByRole('heading', { name: /^Triage queue \(\d+\)$/ }).waitFor();
        await checkA11y(page, 'the routing screen');
        await page.getByRole('button', { name: 'Delete the rule Chargebacks' }).click();
        await page.getByRole('cell', { name: 'words: chargeback, litige bancaire · channel: Email' }).waitFor({ state: 'detached' });
        assert.equal((await api.req('PATCH', '/routing/settings', { minConfidence: before.minConfidence })).status, 200);

        // ---- the audit log shows all of it ----
        await section(page, 'Audit log', 'Audit log');
        for (const action of ['skill.created', 'skill.updated', 'skill.deleted', 'user.created', 'user.skills_set', 'user.updated', 'team.created', 'team.members_set', 'team.routing_updated', 'api_token.created', 'api_token.revoked', 'custom_field.updated', 'workspace.updated']) {
          await page.locator(`tr[data-action="${action}"]`).first().waitFor();
        }
        await page.locator('tr[data-action="user.created"]').filter({ hasText: 'ines.duval@demo.guichet.test' }).getByText('Demo Admin').waitFor();
        await checkA11y(page, 'the audit log');
        await page.getByLabel('Kind of action').selectOption('team.');
        await page.locator('tr[data-action="user.created"]').first().waitFor({ state: 'detached' });
        const kinds = await page.locator('tbody tr').evaluateAll((rows: any[]) => rows.map((r) => r.dataset.action));
        assert.ok(kinds.length >= 3 && kinds.every((k: string) => k.startsWith('team.')), kinds.join(','));

        // In French, the admin area speaks French too.
        await inFrench(page, 'Journal d’audit', 'Utilisateurs et rôles', async () => {
          await page.getByRole('button', { name: 'Nouvel utilisateur' }).waitFor();
          await checkA11y(page, 'the users screen in French');
        });
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });

    it('an admin sets up the promise-keeping engine: a calendar with a lunch break and holidays, an SLA policy on it, a trigger tried by a dry run, an automation and a webhook', async () => {
      // A receiver for the webhook: keeps each request's signature and body.
      const received: Array<{ signature: string; body: string }> = [];
      const receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString('utf8')));
        req.on('end', () => {
          received.push({ signature: String(req.headers['x-guichet-signature'] ?? ''), body });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
      const { context, page, errors } = await open();
      try {
        await signIn(page, ADMIN_EMAIL, PASSWORD);
        await page.getByRole('navigation').first().getByText('All open').waitFor();
        await page.goto(`${base}/admin/business-calendars`);
        await page.getByRole('heading', { name: 'Business calendars', level: 2 }).waitFor();

        // ---- a business calendar: lunch break, a holiday typed and one imported ----
        await page.getByRole('button', { name: 'New calendar' }).click();
        const cal = page.locator('form[aria-labelledby="calendar-title"]');
        await cal.getByLabel('Name', { exact: true }).fill('Paris office');
        await cal.getByLabel('Time zone').fill('Mars/Olympus_Mons');
        await cal.getByLabel('Monday, period 1: to').fill('12:00');
        await cal.getByRole('button', { name: 'Add a period to Monday' }).click();
        await cal.getByLabel('Monday, period 2: from').fill('14:00');
        await cal.getByLabel('Monday, period 2: to').fill('18:00');
        await cal.getByRole('button', { name: 'Copy Monday to Tuesday–Friday' }).click();
        await cal.getByLabel('Holiday date').fill('2026-12-25');
        await cal.getByLabel('Holiday name').fill('Christmas');
        await cal.getByLabel('Every year on this date').check();
        await cal.getByRole('button', { name: 'Add the holiday' }).click();
        await cal.getByRole('button', { name: 'Create the calendar' }).click();
        // The server refuses the zone; nothing typed is lost, and fixing the zone is enough.
        await cal.getByRole('alert').filter({ hasText: 'time zone' }).waitFor();
        assert.equal(await cal.getByLabel('Friday, period 2: from').inputValue(), '14:00');
        await checkA11y(page, 'the calendar form with an error');
        await cal.getByLabel('Time zone').fill('Europe/Paris');
        await cal.getByRole('button', { name: 'Create the calendar' }).click();
        await page.getByRole('heading', { name: 'Paris office', level: 3 }).waitFor();
        const paris = (await api.req('GET', '/business-calendars')).body.items.find((c: any) => c.name === 'Paris office');
        assert.ok(paris, 'the calendar exists');
        const lunch = [{ start: '09:00', end: '12:00' }, { start: '14:00', end: '18:00' }];
        assert.deepEqual([paris.timeZone, paris.weekly.mon, paris.weekly.fri, paris.weekly.sat], ['Europe/Paris', lunch, lunch, []]);
        assert.deepEqual(paris.holidays, [{ date: '2026-12-25', name: 'Christmas', yearly: true }]);
        const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:ny@test', 'DTSTART;VALUE=DATE:20270101', 'DTEND;VALUE=DATE:20270102', 'SUMMARY:New Year', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n');
        await page.getByLabel('iCalendar text').fill(ics);
        await page.getByRole('button', { name: 'Import', exact: true }).click();
        await page.getByText('1 holidays added.').waitFor();
        await page.getByRole('button', { name: 'Remove the holiday New Year (2027-01-01)' }).waitFor();
        const imported = (await api.req('GET', `/business-calendars/${paris.id}`)).body.holidays.map((h: any) => `${h.date} ${h.name}`);
        assert.deepEqual(imported, ['2026-12-25 Christmas', '2027-01-01 New Year']);
        await checkA11y(page, 'the business calendars screen');
        if (SHOTS) {
          mkdirSync(SHOTS, { recursive: true });
          await page.screenshot({ path: join(SHOTS, 'admin-calendar.png'), fullPage: true });
        }

        // ---- an SLA policy on that calendar, then the order and the switch ----
        await section(page, 'SLA policies', 'SLA policies');
        await page.getByRole('button', { name: 'New policy' }).click();
        const pol = page.locator('form[aria-labelledby="policy-title"]');
        await pol.getByLabel('Name', { exact: true }).fill('Urgent cards');
        await pol.getByRole('group', { name: 'Priority' }).getByLabel('Urgent').check();
        await pol.getByLabel('Business calendar').selectOption({ label: 'Paris office' });
        await pol.getByLabel('Resolution: hours').fill('8');
        await pol.getByLabel('First response: minutes').fill('30');
        await pol.getByLabel('First response: hours').fill('0');
        await pol.getByLabel('Periodic update', { exact: true }).check();
        await pol.getByLabel('Periodic update: counted in').selectOption('calendar');
        await pol.getByRole('button', { name: 'Create the policy' }).click();
        await page.getByRole('heading', { name: 'Urgent cards', level: 3 }).waitFor();
        const policy = (await api.req('GET', '/sla-policies')).body.items.find((p: any) => p.name === 'Urgent cards');
        assert.ok(policy, 'the policy exists');
        assert.deepEqual(
          [policy.calendarId, policy.conditions, policy.targets, policy.pauseStatuses, policy.warnings, policy.enabled],
          [paris.id, { priorities: ['urgent'] }, { first_response: { minutes: 30, businessHours: true }, periodic_update: { minutes: 60, businessHours: false }, resolution: { minutes: 480, businessHours: true } }, ['pending', 'on_hold'], [{ share: 0.75 }], true],
        );
        const other = await api.req('POST', '/sla-policies', { name: 'Everyone else', targets: { first_response: { minutes: 480 } } });
        assert.equal(other.status, 201, JSON.stringify(other.body));
        await page.reload();
        await page.getByRole('button', { name: 'Move Everyone else up' }).click();
        await until('the new order', async () => {
          const names = (await api.req('GET', '/sla-policies')).body.items.map((p: any) => p.name);
          return names.indexOf('Everyone else') < names.indexOf('Urgent cards');
        });
        await page.getByRole('button', { name: 'Disable Everyone else' }).click();
        await page.getByRole('button', { name: 'Enable Everyone else' }).waitFor();
        assert.equal((await api.req('GET', `/sla-policies/${other.body.id}`)).body.enabled, false);
        await page.getByRole('button', { name: 'Urgent cards', exact: true }).click();
        await page.getByRole('heading', { name: 'Urgent cards', level: 3 }).waitFor();
        await checkA11y(page, 'the SLA policies screen');
        if (SHOTS) await page.screenshot({ path: join(SHOTS, 'admin-sla.png'), fullPage: true });

        // ---- a trigger: the API's refusal shown, then a dry run on recent tickets, then saved ----
        await section(page, 'Triggers', 'Triggers');
        await page.getByRole('button', { name: 'New trigger' }).click();
        const trig = page.locator('form[aria-labelledby="trigger-title"]');
        await trig.getByLabel('Name', { exact: true }).fill('Card problems are urgent');
        await trig.getByRole('group', { name: 'All of these conditions' }).getByRole('button', { name: 'Add a condition' }).click();
        await trig.getByLabel('Condition 1: field').selectOption('ticket.subject');
        await trig.getByLabel('Condition 1: test').selectOption('contains');
        await trig.getByLabel('Condition 1: value').fill('card');
        await trig.getByRole('button', { name: 'Create the trigger' }).click();
        await trig.getByRole('alert').filter({ hasText: 'actions.0.tags' }).waitFor();
        await trig.getByLabel('Action 1: tags').fill('cards, urgent-review');
        await trig.getByRole('button', { name: 'Add an action' }).click();
        await trig.getByLabel('Action 2', { exact: true }).selectOption('set_priority');
        await trig.getByLabel('Action 2: priority').selectOption('urgent');
        await page.getByRole('button', { name: 'Try it on recent tickets' }).click();
        const dry = page.locator('.dry-run');
        await dry.getByText(/\d+ of \d+ tickets tried would match\./).waitFor();
        const row = dry.locator('tr').filter({ hasText: 'My card is blocked' });
        await row.getByText('priority: normal → urgent').waitFor();
        await row.getByText(/tags: .*→ .*urgent-review/).waitFor();
        assert.equal(await dry.locator('tr').filter({ hasText: 'salary transfer' }).count(), 0, 'a ticket without “card” does not match');
        assert.equal((await api.req('GET', `/tickets/${customers.mine.id}`)).body.priority, 'normal', 'the dry run changed nothing');
        await checkA11y(page, 'the triggers screen with a dry run');
        if (SHOTS) {
          await page.locator('.admin-panel').evaluate((el: any) => el.scrollTo(0, el.scrollHeight));
          await page.screenshot({ path: join(SHOTS, 'admin-trigger.png') });
        }
        await trig.getByRole('button', { name: 'Create the trigger' }).click();
        await page.getByRole('heading', { name: 'Card problems are urgent', level: 3 }).waitFor();
        const trigger = (await api.req('GET', '/triggers')).body.items.find((x: any) => x.name === 'Card problems are urgent');
        assert.ok(trigger, 'the trigger exists');
        assert.deepEqual(
          [trigger.events, trigger.conditions, trigger.actions, trigger.stop],
          [['ticket.created'], { all: [{ field: 'ticket.subject', op: 'contains', value: 'card' }], any: [] }, [{ type: 'add_tags', tags: ['cards', 'urgent-review'] }, { type: 'set_priority', value: 'urgent' }], false],
        );

        // ---- an automation (the API asks for a time condition first) ----
        await section(page, 'Automations', 'Automations');
        await page.getByRole('button', { name: 'New automation' }).click();
        const auto = page.locator('form[aria-labelledby="automation-title"]');
        await auto.getByLabel('Name', { exact: true }).fill('Solve forgotten pending tickets');
        await auto.getByRole('button', { name: 'Create the automation' }).click();
        await auto.getByRole('alert').filter({ hasText: 'needs a time condition' }).waitFor();
        await auto.getByLabel('Hours in the current status').fill('168');
        await auto.getByRole('button', { name: 'Create the automation' }).click();
        await page.getByRole('heading', { name: 'Solve forgotten pending tickets', level: 3 }).waitFor();
        const automation = (await api.req('GET', '/automations')).body.items.find((x: any) => x.name === 'Solve forgotten pending tickets');
        assert.deepEqual([automation?.conditions, automation?.actions], [{ statuses: ['pending'], hoursInStatus: 168, all: [] }, [{ type: 'set_status', value: 'solved' }]]);
        await checkA11y(page, 'the automations screen');

        // ---- a webhook: the secret once, a delivery in the log, signed with that secret ----
        await section(page, 'Webhooks', 'Webhooks');
        await page.getByRole('button', { name: 'New webhook' }).click();
        const hook = page.locator('form[aria-labelledby="webhook-title"]');
        await hook.getByLabel('Name', { exact: true }).fill('CRM sync');
        await hook.getByLabel('URL').fill(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/guichet`);
        await hook.getByRole('button', { name: 'Create the webhook' }).click();
        const secretBox = page.getByRole('textbox', { name: 'The signing secret' });
        await secretBox.waitFor();
        const secret = await secretBox.inputValue();
        assert.match(secret, /^whsec_/);
        await checkA11y(page, 'the webhooks screen with a new secret');
        await page.getByRole('button', { name: 'I have copied it' }).click();
        await secretBox.waitFor({ state: 'detached' });
        const created = await api.req('POST', '/tickets', { subject: 'Card declined abroad', body: 'My card was declined in Lisbon.', requester: { email: 'olga.first@customer.example' }, channel: 'email' });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const got = await until('the webhook delivery', async () => received.find((r) => r.body.includes(created.body.id)));
        const [, ts, sig] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(got.signature) ?? [];
        assert.equal(sig, createHmac('sha256', secret).update(`${ts}.${got.body}`).digest('hex'), 'signed with the secret shown');
        // The trigger made on the page ran on the new ticket.
        const after = (await api.req('GET', `/tickets/${created.body.id}`)).body;
        assert.deepEqual([after.priority, after.tags.includes('urgent-review')], ['urgent', true]);
        await until('the delivery in the log', async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return (await page.locator('tr[data-status="delivered"]').count()) > 0;
        });
        assert.ok(!(await page.content()).includes(secret), 'the secret is not shown again');
        await checkA11y(page, 'the webhook with its deliveries');
        // A past delivery sent again: queued, then a new entry in the log naming the one it repeats,
        // and the receiver gets the same event (same id) a second time.
        const first = page.locator('tr[data-status="delivered"]').last();
        const firstId = await first.getAttribute('data-delivery');
        const firstBody = got.body;
        await first.getByRole('button', { name: 'Redeliver' }).click();
        await page.getByRole('status').filter({ hasText: 'Redelivery queued' }).waitFor();
        const redelivered = page.locator(`tr[data-redelivery-of="${firstId}"]`);
        await redelivered.getByText('Redelivery of the delivery of').waitFor();
        await until('the redelivery at the receiver', async () => received.filter((r) => r.body === firstBody).length === 2);
        await until('the redelivery delivered in the log', async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return (await redelivered.getAttribute('data-status')) === 'delivered';
        });
        await checkA11y(page, 'the webhook log with a redelivery');
        // A lost secret is replaced: the new one once, and it signs from now on.
        await page.getByRole('button', { name: 'Replace the signing secret' }).click();
        await page.getByRole('heading', { name: 'New signing secret for “CRM sync”' }).waitFor();
        const replaced = await secretBox.inputValue();
        assert.match(replaced, /^whsec_/);
        assert.notEqual(replaced, secret);
        await page.getByRole('button', { name: 'I have copied it' }).click();
        const again = await api.req('POST', '/tickets', { subject: 'Card stolen', body: 'My card was stolen.', requester: { email: 'olga.first@customer.example' }, channel: 'email' });
        const next = await until('the delivery after the new secret', async () => received.find((r) => r.body.includes(again.body.id)));
        const [, ts2, sig2] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(next.signature) ?? [];
        assert.equal(sig2, createHmac('sha256', replaced).update(`${ts2}.${next.body}`).digest('hex'), 'signed with the replaced secret');

        await inFrench(page, 'Webhooks', 'Calendriers ouvrés', async () => {
          await page.getByRole('button', { name: 'Nouveau calendrier' }).click();
          await page.getByLabel('Lundi, plage 1 : de').waitFor();
          await checkA11y(page, 'the calendar form in French');
        });
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
        await new Promise((r) => receiver.close(r));
      }
    });

    it('keeps a light agent out of the admin area, and a customer out of another customer’s ticket', async () => {
      // A light agent (an employee helping out): no Admin link, and the address typed by hand says "not allowed".
      const light = await api.req('POST', '/users', { name: 'Noé Perrin', email: 'noe.perrin@demo.guichet.test', role: 'light_agent', password: 'light agent password' });
      assert.equal(light.status, 201, JSON.stringify(light.body));
      let { context, page, errors } = await open();
      try {
        await signIn(page, 'noe.perrin@demo.guichet.test', 'light agent password');
        await page.getByRole('navigation').first().getByText('All open').waitFor();
        assert.equal(await page.getByRole('link', { name: 'Admin', exact: true }).count(), 0, 'no Admin link for a light agent');
        await page.goto(`${base}/admin/users`);
        await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
        await page.getByText('Your role does not give access to this page').waitFor();
        assert.equal(await page.getByRole('button', { name: 'New user' }).count(), 0);
        await checkA11y(page, 'the not-allowed page');
        // The server agrees: its API refuses the admin changes.
        const lightApi = new Client(base, { cookie: (await login(base, 'noe.perrin@demo.guichet.test', 'light agent password')).cookie });
        assert.equal((await lightApi.req('POST', '/skills', { name: 'Sneaky' })).status, 403);
        assert.equal((await lightApi.req('GET', '/audit-log')).status, 403);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }

      // Two customers (set up before the tests: Olga has a password).
      const { mine, theirs } = customers;
      const olga = new Client(base, { cookie: (await login(base, 'olga.first@customer.example', olgaPassword)).cookie });
      assert.equal((await olga.req('GET', `/tickets/${mine.id}`)).status, 200);
      assert.equal((await olga.req('GET', `/tickets/${theirs.id}`)).status, 404, 'another customer’s ticket is not found');
      assert.equal((await olga.req('GET', `/tickets/${theirs.number}`)).status, 404);

      ({ context, page, errors } = await open());
      try {
        await signIn(page, 'olga.first@customer.example', olgaPassword);
        await page.getByRole('heading', { name: 'This is the agents’ workspace' }).waitFor();
        await page.goto(`${base}/tickets/${theirs.number}`);
        await page.getByText('This ticket does not exist, or you may not see it.').waitFor();
        assert.ok(!(await page.content()).includes('salary'), 'nothing of the ticket shows');
        await checkA11y(page, 'a customer on another customer’s ticket address');
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  });
}
