/**
 * The customer portal, driven like a browser: HTML pages and form posts with a cookie jar, the
 * links read from the outbox. Sign-in by link (single use, expiry) and by password, requests with
 * a category and a file, anonymous requests confirmed by email, isolation (another customer, the
 * organization's sharing, another workspace), reply and close, CSRF refusal, bad input that keeps
 * what was typed, and the deflection events and report. The request categories API too.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { authenticateSession, routeTicket, type Clock } from '@guichet/core';
import { testDbKinds } from '@guichet/db/testing';
import { PASSWORD, caller, newWorkspace, sessionCookie, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { assertError } from './helpers.ts';
import { MultipartError, boundaryOf, parseMultipart } from '../src/http/multipart.ts';

const APP_URL = 'https://support.example.test';
const PORTAL_COOKIE = 'guichet_portal_session';

interface Page {
  status: number;
  body: string;
  headers: Record<string, unknown>;
}

/** A browser of sorts: a cookie jar, GET, form posts (urlencoded or multipart) with the page's CSRF token. */
class Browser {
  readonly jar = new Map<string, string>();
  csrf = '';
  constructor(private readonly t: TestApp) {}

  private remember(set: unknown) {
    for (const c of ([] as string[]).concat((set as string | string[] | undefined) ?? [])) {
      const [pair, ...attrs] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const gone = !value || attrs.some((a) => /max-age=0/i.test(a) || (/expires=/i.test(a) && new Date(a.split('=')[1]!) < new Date()));
      if (gone) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  private cookieHeader() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private async send(method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, payload?: string | Buffer): Promise<Page> {
    const res = await this.t.app.inject({ method, url, headers: { cookie: this.cookieHeader(), ...headers }, ...(payload !== undefined ? { payload } : {}) });
    this.remember(res.headers['set-cookie']);
    const m = /name="csrf" value="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1]!;
    return { status: res.statusCode, body: res.body, headers: res.headers as Record<string, unknown> };
  }

  get(url: string) {
    return this.send('GET', url);
  }

  post(url: string, fields: Record<string, string>, opts: { csrf?: string | null; origin?: string } = {}) {
    const csrf = opts.csrf === undefined ? this.csrf : opts.csrf;
    const body = new URLSearchParams({ ...(csrf !== null ? { csrf } : {}), ...fields }).toString();
    return this.send('POST', url, { 'content-type': 'application/x-www-form-urlencoded', ...(opts.origin ? { origin: opts.origin } : {}) }, body);
  }

  postMultipart(url: string, fields: Record<string, string>, files: Array<{ name: string; filename: string; type: string; content: Buffer }> = []) {
    const boundary = `----guichet${Math.random().toString(16).slice(2)}`;
    const parts: Buffer[] = [];
    for (const [k, v] of Object.entries({ csrf: this.csrf, ...fields })) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    }
    for (const f of files) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`), f.content, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return this.send('POST', url, { 'content-type': `multipart/form-data; boundary=${boundary}` }, Buffer.concat(parts));
  }
}

describe('portal form bodies (multipart)', () => {
  const part = (headers: string, content: string | Buffer) => [Buffer.from(`--XyZ\r\n${headers}\r\n\r\n`), Buffer.from(content), Buffer.from('\r\n')];
  it('splits fields and files, keeps bytes exactly, and leaves out an empty file input', () => {
    const bytes = Buffer.from([0, 13, 10, 45, 45, 88, 255, 13, 10]);
    const body = Buffer.concat([
      ...part('Content-Disposition: form-data; name="subject"', 'Hé, « ça » marche\r\nligne 2'),
      ...part('Content-Disposition: form-data; name="attachments"; filename="a.bin"\r\nContent-Type: application/octet-stream', bytes),
      ...part('Content-Disposition: form-data; name="attachments"; filename=""\r\nContent-Type: application/octet-stream', ''),
      Buffer.from('--XyZ--\r\n'),
    ]);
    assert.equal(boundaryOf('multipart/form-data; boundary=XyZ'), 'XyZ');
    assert.equal(boundaryOf('multipart/form-data; boundary="XyZ"'), 'XyZ');
    assert.equal(boundaryOf('multipart/form-data'), null);
    const form = parseMultipart(body, 'XyZ');
    assert.deepEqual(form.fields, { subject: 'Hé, « ça » marche\r\nligne 2' });
    assert.equal(form.files.length, 1);
    assert.equal(form.files[0]!.filename, 'a.bin');
    assert.ok(form.files[0]!.content.equals(bytes));
  });
  it('refuses a body that is not what it claims', () => {
    assert.throws(() => parseMultipart(Buffer.from('hello'), 'XyZ'), MultipartError);
    assert.throws(() => parseMultipart(Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end'), 'XyZ'), MultipartError);
  });
});

for (const kind of testDbKinds()) {
  describe(`customer portal on ${kind}`, () => {
    let t: TestApp;
    let offset = 0;
    const clock: Clock = { now: () => new Date(Date.now() + offset) };
    before(async () => {
      t = await startTestApp(kind, { clock, appUrl: APP_URL });
    });
    after(async () => {
      await t.close();
    });

    const outbox = async (to: string) =>
      (await t.database.db.selectFrom('outbound_emails').selectAll().where(sql<boolean>`${to} = ANY(to_addresses)`).orderBy('created_at').execute()).map((m) => m.text_body);
    const linkIn = (text: string, path: string) => {
      const m = new RegExp(`${APP_URL.replace(/\./g, '\\.')}(/portal/[\\w-]+/${path})\\?token=([\\w%-]+)`).exec(text);
      assert.ok(m, `a ${path} link in: ${text}`);
      return { path: m[1]!, token: decodeURIComponent(m[2]!) };
    };
    const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
      const r = await p;
      assert.equal(r.status, status, JSON.stringify(r.body));
      return r.body;
    };
    const ticketCount = async (ws: TestWorkspace) =>
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM tickets WHERE workspace_id = ${ws.id}`.execute(t.database.db)).rows[0]!.n);

    /** Sign a customer in by password through the portal's form. */
    async function signedIn(ws: TestWorkspace, email: string): Promise<Browser> {
      const b = new Browser(t);
      await b.get(`/portal/${ws.slug}?lang=en`);
      const r = await b.post(`/portal/${ws.slug}/sign-in/password?lang=en`, { email, password: PASSWORD });
      assert.equal(r.status, 303, r.body);
      assert.ok(b.jar.has(PORTAL_COOKIE));
      return b;
    }

    /** Send a request through the form; answers its number. */
    async function send(b: Browser, ws: TestWorkspace, fields: Record<string, string>, files: Parameters<Browser['postMultipart']>[2] = []) {
      await b.get(`/portal/${ws.slug}/requests/new?lang=en`);
      const r = await b.postMultipart(`/portal/${ws.slug}/requests?lang=en`, { intent: 'send', ...fields }, files);
      assert.equal(r.status, 303, r.body.slice(0, 2000));
      const m = /\/requests\/(\d+)\?/.exec(String(r.headers.location));
      assert.ok(m, String(r.headers.location));
      return Number(m[1]);
    }

    it('lets the admin maintain request categories in French and English, which tickets carry and routing rules name', async () => {
      const ws = await newWorkspace(t);
      const admin = ws.admin;
      const customer = await ws.as('customer');
      const billing = await ok(admin.req('POST', '/ticket-categories', { key: 'Billing', names: { en: 'Billing', fr: 'Facturation' }, position: 2 }), 201);
      assert.equal(billing.key, 'billing', 'keys are lower-case');
      const cards = await ok(admin.req('POST', '/ticket-categories', { key: 'cards', names: { fr: 'Cartes' }, position: 1 }), 201);
      const old = await ok(admin.req('POST', '/ticket-categories', { key: 'fax', names: { en: 'Fax' }, active: false }), 201);
      assertError(await admin.req('POST', '/ticket-categories', { key: 'billing', names: { en: 'Again' } }), 409, 'KEY_TAKEN');
      assertError(await admin.req('POST', '/ticket-categories', { key: 'x', names: {} }), 400, 'VALIDATION_FAILED');
      assertError(await admin.req('POST', '/ticket-categories', { key: 'has space', names: { en: 'X' } }), 400, 'VALIDATION_FAILED');

      const listed = (await ok(customer.req('GET', '/ticket-categories?includeInactive=true'))).items;
      assert.deepEqual(listed.map((c: any) => c.key), ['cards', 'billing'], 'in order, active ones only for customers');
      assert.deepEqual(listed[0].names, { en: null, fr: 'Cartes' });
      assert.equal((await ok(admin.req('GET', '/ticket-categories?includeInactive=true'))).items.length, 3);

      // A ticket carries its category, set at creation and changed by staff.
      const mine = await ok(customer.req('POST', '/tickets', { subject: 'Double charge', body: 'Charged twice.', categoryId: billing.id }), 201);
      assert.equal(mine.categoryId, billing.id);
      assertError(await customer.req('POST', '/tickets', { subject: 'Old', body: 'Fax?', categoryId: old.id }), 404, 'TICKET_CATEGORY_NOT_FOUND');
      assertError(await customer.req('POST', '/tickets', { subject: 'Nope', body: 'x', categoryId: '01900000-0000-7000-8000-000000000000' }), 404, 'TICKET_CATEGORY_NOT_FOUND');
      const changed = await ok(admin.req('PATCH', `/tickets/${mine.id}`, { categoryId: cards.id }));
      assert.equal(changed.categoryId, cards.id);
      const events = (await ok(admin.req('GET', `/tickets/${mine.id}/events`))).items;
      assert.ok(events.some((e: any) => e.type === 'ticket.updated' && e.data.changes.categoryId?.to === cards.id));

      // Another workspace sees none of it.
      const other = await newWorkspace(t);
      assert.equal((await ok(other.admin.req('GET', '/ticket-categories'))).items.length, 0);
      assertError(await other.admin.req('PATCH', `/ticket-categories/${billing.id}`, { position: 0 }), 404, 'TICKET_CATEGORY_NOT_FOUND');
      assertError(await other.admin.req('POST', '/tickets', { subject: 'x', body: 'y', categoryId: billing.id }), 404, 'TICKET_CATEGORY_NOT_FOUND');

      // A routing rule's "category" condition matches the chosen category's key.
      const team = await ok(admin.req('POST', '/teams', { name: 'Billing team' }), 201);
      await ok(admin.req('POST', '/routing/rules', { name: 'Billing form', conditions: { category: 'billing' }, teamId: team.id }), 201);
      const routed = await ok(customer.req('POST', '/tickets', { subject: 'Invoice', body: 'Where is my invoice?', categoryId: billing.id }), 201);
      const decision = await routeTicket(t.deps, { workspaceId: ws.id, ticketId: routed.id });
      assert.equal(decision?.teamId, team.id);
      assert.equal(decision?.teamSource, 'rule');

      // Retired, renamed, deleted: tickets keep no category once it is deleted.
      const renamed = await ok(admin.req('PATCH', `/ticket-categories/${cards.id}`, { names: { en: 'Cards', fr: 'Cartes' }, active: false }));
      assert.equal(renamed.active, false);
      await ok(admin.req('DELETE', `/ticket-categories/${cards.id}`), 204);
      assert.equal((await ok(admin.req('GET', `/tickets/${mine.id}`))).categoryId, null);
      assertError(await admin.req('DELETE', `/ticket-categories/${cards.id}`), 404, 'TICKET_CATEGORY_NOT_FOUND');
    });

    it('signs a customer in with a single-use link that expires, answering the same for unknown addresses', async () => {
      const ws = await newWorkspace(t);
      const customer = await ws.as('customer');
      const b = new Browser(t);
      const home = await b.get(`/portal/${ws.slug}?lang=en`);
      assert.equal(home.status, 200);
      assert.match(String(home.headers['content-type']), /text\/html/);
      assert.ok(home.body.includes('<label for="link-email">Email address</label>'), 'labelled fields');
      const fr = await b.get(`/portal/${ws.slug}?lang=fr`);
      assert.ok(fr.body.includes('<html lang="fr">') && fr.body.includes('Connectez-vous pour suivre vos demandes'));

      const known = await b.post(`/portal/${ws.slug}/sign-in/email?lang=en`, { email: customer.email.toUpperCase() });
      const unknown = await b.post(`/portal/${ws.slug}/sign-in/email?lang=en`, { email: `nobody@${ws.slug}.test` });
      assert.equal(known.status, 200);
      assert.equal(unknown.status, 200);
      const said = (p: Page) => /<main id="main">([\s\S]*)<\/main>/.exec(p.body)![1];
      assert.equal(said(known), said(unknown), 'the same answer whether or not the address has an account');
      assert.equal((await outbox(`nobody@${ws.slug}.test`)).length, 0);
      const mails = await outbox(customer.email);
      assert.equal(mails.length, 1);
      const link = linkIn(mails[0]!, 'sign-in/link');
      const stored = await t.database.db.selectFrom('portal_tokens').selectAll().where('user_id', '=', customer.id).execute();
      assert.equal(stored.length, 1);
      assert.equal(stored[0]!.token_hash, createHash('sha256').update(link.token).digest('hex'), 'only the hash is stored');

      // Opening the link does not use it (mail scanners fetch links); the button does.
      const landing = await b.get(`${link.path}?token=${encodeURIComponent(link.token)}`);
      assert.ok(landing.body.includes('Sign in to the customer portal'));
      const signed = await b.post(`/portal/${ws.slug}/sign-in/link?lang=en`, { token: link.token });
      assert.equal(signed.status, 303, signed.body);
      const mine = await b.get(`/portal/${ws.slug}?lang=en`);
      assert.ok(mine.body.includes('<h1>My requests</h1>'), mine.body.slice(0, 1500));
      assert.ok(mine.body.includes('You have not sent any request yet.'));

      // Single use.
      const again = new Browser(t);
      await again.get(`${link.path}?token=${encodeURIComponent(link.token)}`);
      const reused = await again.post(`/portal/${ws.slug}/sign-in/link?lang=en`, { token: link.token });
      assert.equal(reused.status, 400);
      assert.ok(reused.body.includes('expired or was already used'));
      assert.ok(!again.jar.has(PORTAL_COOKIE));

      // Expiry: a fresh link is dead after 15 minutes.
      await b.post(`/portal/${ws.slug}/sign-in/email?lang=en`, { email: customer.email });
      const late = linkIn((await outbox(customer.email))[1]!, 'sign-in/link');
      offset = 16 * 60_000;
      try {
        const c = new Browser(t);
        await c.get(`${late.path}?token=${encodeURIComponent(late.token)}`);
        assert.equal((await c.post(`/portal/${ws.slug}/sign-in/link?lang=en`, { token: late.token })).status, 400);
      } finally {
        offset = 0;
      }

      // Rate limit: a handful of links per address and hour, then silence (same answer).
      for (let i = 0; i < 6; i++) assert.equal((await b.post(`/portal/${ws.slug}/sign-in/email?lang=en`, { email: customer.email })).status, 200);
      assert.equal((await outbox(customer.email)).length, 5);

      // Sign out ends the session.
      const out = await b.post(`/portal/${ws.slug}/sign-out?lang=en`, {});
      assert.equal(out.status, 303);
      assert.ok(!b.jar.has(PORTAL_COOKIE));
      assert.ok((await b.get(`/portal/${ws.slug}?lang=en`)).body.includes('Sign in to follow your requests'));
    });

    it('signs in by password, refuses a wrong one, and sends staff to the agent app', async () => {
      const ws = await newWorkspace(t);
      const customer = await ws.as('customer');
      const b = new Browser(t);
      await b.get(`/portal/${ws.slug}?lang=en`);
      const wrong = await b.post(`/portal/${ws.slug}/sign-in/password?lang=en`, { email: customer.email, password: 'not it' });
      assert.equal(wrong.status, 401);
      assert.ok(wrong.body.includes('The email address or the password is wrong.'));
      assert.ok(!b.jar.has(PORTAL_COOKIE));
      await signedIn(ws, customer.email);
      const agent = await ws.as('agent');
      const staff = new Browser(t);
      await staff.get(`/portal/${ws.slug}?lang=en`);
      const r = await staff.post(`/portal/${ws.slug}/sign-in/password?lang=en`, { email: agent.email, password: PASSWORD });
      assert.equal(r.status, 303);
      assert.equal(r.headers.location, '/');
      assert.ok(staff.jar.has('guichet_session') && !staff.jar.has(PORTAL_COOKIE), 'staff get the agent app’s session, not a portal one');
      const note = await staff.get(`/portal/${ws.slug}?lang=en`);
      assert.ok(note.body.includes('The portal is for customers'));
      assert.ok(!note.body.includes('/sign-out'), 'the portal offers staff no sign-out: their session is the agent app’s');
    });

    it('takes a request with a category and a file, shows the public conversation, takes replies and closes', async () => {
      const ws = await newWorkspace(t);
      const customer = await ws.as('customer');
      const billing = await ok(ws.admin.req('POST', '/ticket-categories', { key: 'billing', names: { en: 'Billing', fr: 'Facturation' } }), 201);
      const b = await signedIn(ws, customer.email);
      const form = await b.get(`/portal/${ws.slug}/requests/new?lang=fr`);
      assert.ok(form.body.includes('<option value="' + billing.id + '">Facturation</option>'));
      assert.ok(form.body.includes('<label for="f-subject">Objet</label>'));
      assert.match(String(form.headers['content-security-policy']), /script-src 'nonce-/);

      const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2000, 0x41)]);
      const number = await send(b, ws, { categoryId: billing.id, subject: 'Invoice <b>missing</b>', description: 'I cannot find my March invoice.\n\nThanks!' }, [
        { name: 'attachments', filename: 'statement.pdf', type: 'application/pdf', content: pdf },
      ]);
      const page = await b.get(`/portal/${ws.slug}/requests/${number}?lang=en&sent=1`);
      assert.equal(page.status, 200);
      assert.ok(page.body.includes('Your request was sent.'));
      assert.ok(page.body.includes(`#${number} Invoice &lt;b&gt;missing&lt;/b&gt;`), 'escaped');
      assert.ok(page.body.includes('<strong>Category:</strong> Billing'));
      const download = /href="([^"]+\/attachments\/[^"]+)">statement\.pdf<\/a>/.exec(page.body);
      assert.ok(download, page.body.slice(0, 3000));
      const file = await t.app.inject({ method: 'GET', url: download[1]!, headers: { cookie: [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      assert.equal(file.statusCode, 200);
      assert.equal(file.headers['content-type'], 'application/pdf');
      assert.ok(file.rawPayload.equals(pdf), 'the bytes come back');

      const api = (await ok(ws.admin.req('GET', `/tickets?q=invoice`))).items[0];
      assert.equal(api.number, number);
      assert.equal(api.channel, 'portal');
      assert.equal(api.categoryId, billing.id);

      // The agent's public answer shows; an internal note never does.
      await ok(ws.admin.req('POST', `/tickets/${api.id}/messages`, { body: 'Here it is, attached to your account.', visibility: 'public' }), 201);
      await ok(ws.admin.req('POST', `/tickets/${api.id}/messages`, { body: 'SECRET note: customer is on a legacy plan', visibility: 'internal' }), 201);
      await ok(ws.admin.req('POST', `/tickets/${api.id}/messages`, { body: '**Next:** open *Billing*\n\n- then Invoices <now>', format: 'markdown', visibility: 'public' }), 201);
      const answered = await b.get(`/portal/${ws.slug}/requests/${number}?lang=en`);
      assert.ok(answered.body.includes('Here it is, attached to your account.'));
      assert.ok(answered.body.includes('<p><strong>Next:</strong> open <em>Billing</em></p>\n<ul><li>then Invoices &lt;now&gt;</li></ul>'), 'a formatted reply shows formatted');
      assert.ok(!answered.body.includes('SECRET note'), 'never internal notes');

      // Reply, then close, then a reply reopens.
      const replied = await b.postMultipart(`/portal/${ws.slug}/requests/${number}/reply?lang=en`, { body: 'Found it, thank you.' });
      assert.equal(replied.status, 303);
      assert.ok((await b.get(`/portal/${ws.slug}/requests/${number}?lang=en`)).body.includes('Found it, thank you.'));
      const empty = await b.postMultipart(`/portal/${ws.slug}/requests/${number}/reply?lang=en`, { body: '   ' });
      assert.equal(empty.status, 400);
      assert.ok(empty.body.includes('Write a reply before sending.'));
      const closed = await b.post(`/portal/${ws.slug}/requests/${number}/close?lang=en`, {});
      assert.equal(closed.status, 303);
      assert.equal((await ok(ws.admin.req('GET', `/tickets/${api.id}`))).status, 'solved');
      const solvedPage = await b.get(`/portal/${ws.slug}/requests/${number}?lang=en&closed=1`);
      assert.ok(solvedPage.body.includes('This request is solved.') && !solvedPage.body.includes('Close this request</button>'));
      await b.postMultipart(`/portal/${ws.slug}/requests/${number}/reply?lang=en`, { body: 'Actually, one more question.' });
      assert.equal((await ok(ws.admin.req('GET', `/tickets/${api.id}`))).status, 'open', 'a customer reply reopens, as everywhere');
      const list = await b.get(`/portal/${ws.slug}?lang=en`);
      assert.ok(list.body.includes(`#${number} Invoice`) && list.body.includes('In progress'));
    });

    it('refuses bad input with a clear message and keeps what was typed, and refuses forged forms', async () => {
      const ws = await newWorkspace(t);
      const customer = await ws.as('customer');
      const b = await signedIn(ws, customer.email);
      const before = await ticketCount(ws);
      await b.get(`/portal/${ws.slug}/requests/new?lang=en`);
      const empty = await b.postMultipart(`/portal/${ws.slug}/requests?lang=en`, { intent: 'send', subject: '  ', description: 'My long description that must survive.' });
      assert.equal(empty.status, 400);
      assert.ok(empty.body.includes('Give your request a subject.'));
      assert.ok(empty.body.includes('My long description that must survive.'), 'nothing typed is lost');
      assert.ok(empty.body.includes('aria-invalid="true"'));

      const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x61);
      const tooLarge = await b.postMultipart(`/portal/${ws.slug}/requests?lang=en`, { intent: 'send', subject: 'Logs', description: 'Here are the logs.' }, [
        { name: 'attachments', filename: 'huge.log', type: 'text/plain', content: big },
      ]);
      assert.equal(tooLarge.status, 413);
      assert.ok(tooLarge.body.includes('The file &quot;huge.log&quot; is larger than 10 MB'), tooLarge.body.slice(0, 3000));
      assert.ok(tooLarge.body.includes('value="Logs"') && tooLarge.body.includes('Here are the logs.'));

      // CSRF: no token, a wrong token, another site.
      const noToken = await b.post(`/portal/${ws.slug}/requests?lang=en`, { intent: 'send', subject: 'x', description: 'y' }, { csrf: null });
      assert.equal(noToken.status, 403);
      assert.ok(noToken.body.includes('This form has expired.'));
      assert.equal((await b.post(`/portal/${ws.slug}/requests?lang=en`, { intent: 'send', subject: 'x', description: 'y' }, { csrf: 'A'.repeat(32) })).status, 403);
      await b.get(`/portal/${ws.slug}/requests/new?lang=en`);
      assert.equal((await b.post(`/portal/${ws.slug}/requests?lang=en`, { intent: 'send', subject: 'x', description: 'y' }, { origin: 'https://evil.example' })).status, 403);
      const garbled = await t.app.inject({
        method: 'POST', url: `/portal/${ws.slug}/requests?lang=en`,
        headers: { cookie: [...b.jar].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'multipart/form-data; boundary=nope' }, payload: 'not a form',
      });
      assert.equal(garbled.statusCode, 400);
      assert.match(String(garbled.headers['content-type']), /text\/html/);
      assert.ok(garbled.body.includes('The form could not be read.'));
      assert.equal(await ticketCount(ws), before, 'nothing was created');
    });

    it('shows a customer only their own requests, their organization’s when it shares, and nothing of another workspace', async () => {
      const ws = await newWorkspace(t);
      const org = await ok(ws.admin.req('POST', '/organizations', { name: 'Acme' }), 201);
      const alice = await ws.as('customer', { organizationId: org.id });
      const bob = await ws.as('customer', { organizationId: org.id });
      const eve = await ws.as('customer');
      const a = await signedIn(ws, alice.email);
      const number = await send(a, ws, { subject: 'Acme contract renewal', description: 'Renewal terms?' });

      const b = await signedIn(ws, bob.email);
      const e = await signedIn(ws, eve.email);
      for (const who of [b, e]) {
        const page = await who.get(`/portal/${ws.slug}/requests/${number}?lang=en`);
        assert.equal(page.status, 404);
        assert.ok(page.body.includes('This page does not exist, or you cannot see it.'));
        assert.ok(!page.body.includes('Acme contract renewal'), 'never data');
        assert.ok(!(await who.get(`/portal/${ws.slug}?lang=en`)).body.includes('Acme contract renewal'));
        const reply = await who.postMultipart(`/portal/${ws.slug}/requests/${number}/reply?lang=en`, { body: 'Let me in' });
        assert.equal(reply.status, 404);
      }

      await ok(ws.admin.req('PATCH', `/organizations/${org.id}`, { sharedTickets: true }));
      const shared = await b.get(`/portal/${ws.slug}/requests/${number}?lang=en`);
      assert.equal(shared.status, 200);
      assert.ok(shared.body.includes('Acme contract renewal') && shared.body.includes('From your organization'));
      assert.ok(!shared.body.includes('Close this request</button>'), 'only the requester closes');
      assert.ok((await b.get(`/portal/${ws.slug}?lang=en`)).body.includes('Acme contract renewal'));
      assert.equal((await e.get(`/portal/${ws.slug}/requests/${number}?lang=en`)).status, 404, 'another organization still sees nothing');

      // Another workspace: its portal does not know this session, and its numbers are its own.
      const other = await newWorkspace(t);
      const asOther = await a.get(`/portal/${other.slug}?lang=en`);
      assert.ok(asOther.body.includes('Sign in to follow your requests'), 'not signed in there');
      const stranger = await signedIn(other, (await other.as('customer')).email);
      const cross = await stranger.get(`/portal/${other.slug}/requests/${number}?lang=en`);
      assert.equal(cross.status, 404);
      assert.ok(!cross.body.includes('Acme contract renewal'));
      assert.equal((await stranger.get(`/portal/no-such-workspace-${Date.now()}`)).status, 404);
      assert.equal((await stranger.get(`/portal/${other.slug}/nothing/here`)).status, 404);
    });

    it('takes an anonymous request, shows it only after the address is confirmed by email, and limits floods', async () => {
      const ws = await newWorkspace(t);
      const v = new Browser(t);
      await v.get(`/portal/${ws.slug}/requests/new?lang=en`);
      const visitor = `visitor@${ws.slug}.test`;
      const badEmail = await v.postMultipart(`/portal/${ws.slug}/requests?lang=en`, { intent: 'send', email: 'not-an-address', subject: 'Hello', description: 'Question' });
      assert.equal(badEmail.status, 400);
      assert.ok(badEmail.body.includes('Give a valid email address'));
      const sent = await v.postMultipart(`/portal/${ws.slug}/requests?lang=en`, { intent: 'send', email: visitor, name: 'Vera Visitor', subject: 'Delivery late', description: 'My parcel is late.' });
      assert.equal(sent.status, 200, sent.body.slice(0, 2000));
      assert.ok(sent.body.includes('Check your inbox') && sent.body.includes(visitor));
      assert.ok(!v.jar.has(PORTAL_COOKIE), 'not signed in before confirming');

      // Agents see it at once, marked; the requester's portal does not show it yet.
      const [ticket] = (await ok(ws.admin.req('GET', '/tickets?q=parcel'))).items;
      assert.ok(ticket.tags.includes('portal-unconfirmed'));
      assert.equal(ticket.channel, 'portal');
      assert.equal(ticket.requester.name, 'Vera Visitor');
      const hash = await t.deps.passwords.hash(PASSWORD);
      await t.deps.store.users.update(ws.id, ticket.requester.id, { passwordHash: hash });
      const early = await signedIn(ws, visitor);
      assert.ok(!(await early.get(`/portal/${ws.slug}?lang=en`)).body.includes('Delivery late'));
      assert.equal((await early.get(`/portal/${ws.slug}/requests/${ticket.number}?lang=en`)).status, 404);
      // Nor through the API (list, filters, search, the ticket, its messages), as if it did not exist.
      const api = caller(t.app, { cookie: await sessionCookie(t, visitor, PASSWORD, ws.slug) });
      assert.deepEqual((await ok(api('GET', '/tickets'))).items, []);
      assert.deepEqual((await ok(api('GET', '/tickets?tag=portal-unconfirmed'))).items, []);
      assert.deepEqual((await ok(api('GET', '/tickets?q=parcel'))).items, []);
      assert.deepEqual((await ok(api('GET', '/search?q=parcel'))).items, []);
      assertError(await api('GET', `/tickets/${ticket.id}`), 404, 'TICKET_NOT_FOUND');
      assertError(await api('GET', `/tickets/${ticket.number}/messages`), 404, 'TICKET_NOT_FOUND');
      assertError(await api('POST', `/tickets/${ticket.id}/messages`, { body: 'me too', visibility: 'public' }), 404, 'TICKET_NOT_FOUND');
      // Another request of theirs, made signed in, shows as usual.
      const own = await ok(api('POST', '/tickets', { subject: 'Invoice copy', body: 'Please send the invoice.' }), 201);
      assert.deepEqual((await ok(api('GET', '/tickets'))).items.map((i: any) => i.id), [own.id]);
      // Staff see it, marked by its tag, in lists, filters and search.
      assert.ok((await ok(ws.admin.req('GET', '/tickets?tag=portal-unconfirmed'))).items.some((i: any) => i.id === ticket.id));
      assert.ok((await ok(ws.admin.req('GET', '/search?q=parcel'))).items.some((i: any) => i.ticket?.id === ticket.id || i.id === ticket.id));

      const link = linkIn((await outbox(visitor))[0]!, 'confirm');
      await v.get(`${link.path}?token=${encodeURIComponent(link.token)}`);
      const confirmed = await v.post(`/portal/${ws.slug}/confirm?lang=en`, { token: link.token });
      assert.equal(confirmed.status, 303);
      assert.ok(v.jar.has(PORTAL_COOKIE), 'confirming signs the visitor in');
      const page = await v.get(String(confirmed.headers.location));
      assert.equal(page.status, 200);
      assert.ok(page.body.includes('Delivery late') && page.body.includes('My parcel is late.'));
      assert.ok(!(await ok(ws.admin.req('GET', `/tickets/${ticket.id}`))).tags.includes('portal-unconfirmed'));
      assert.deepEqual(new Set((await ok(api('GET', '/tickets'))).items.map((i: any) => i.id)), new Set([own.id, ticket.id]), 'confirmed: in the API too');
      assert.equal((await ok(api('GET', `/tickets/${ticket.id}`))).number, ticket.number);
      assert.ok((await ok(api('GET', '/search?q=parcel'))).items.length > 0);
      const twice = new Browser(t);
      await twice.get(`${link.path}?token=${encodeURIComponent(link.token)}`);
      assert.equal((await twice.post(`/portal/${ws.slug}/confirm?lang=en`, { token: link.token })).status, 400);

      // Floods: three unconfirmed requests per address and hour; the fourth is refused, text kept.
      const flood = new Browser(t);
      await flood.get(`/portal/${ws.slug}/requests/new?lang=en`);
      const before = await ticketCount(ws);
      for (let i = 0; i < 2; i++) {
        assert.equal((await flood.postMultipart(`/portal/${ws.slug}/requests?lang=en`, { intent: 'send', email: visitor, subject: `Spam ${i}`, description: 'spam' })).status, 200);
      }
      const refused = await flood.postMultipart(`/portal/${ws.slug}/requests?lang=en`, { intent: 'send', email: visitor, subject: 'Spam 3', description: 'keep me' });
      assert.equal(refused.status, 429);
      assert.ok(refused.body.includes('keep me'));
      assert.equal(await ticketCount(ws), before + 2);
    });

    /** The value of a cookie set by this answer, with its attributes. */
    const setCookie = (p: Page, name: string) =>
      ([] as string[]).concat((p.headers['set-cookie'] as string | string[] | undefined) ?? []).find((c) => c.startsWith(`${name}=`));

    it('keeps the portal session apart from the agent app: its own cookie under /portal, never the API, separate sign-outs', async () => {
      const ws = await newWorkspace(t);
      const customer = await ws.as('customer');
      const b = new Browser(t);
      await b.get(`/portal/${ws.slug}?lang=en`);
      const signed = await b.post(`/portal/${ws.slug}/sign-in/password?lang=en`, { email: customer.email, password: PASSWORD });
      assert.equal(signed.status, 303);
      const cookie = setCookie(signed, PORTAL_COOKIE);
      assert.ok(cookie, JSON.stringify(signed.headers['set-cookie']));
      assert.match(cookie, /; Path=\/portal(;|$)/);
      assert.match(cookie, /; HttpOnly/);
      assert.match(cookie, /; SameSite=Lax/);
      assert.ok(!setCookie(signed, 'guichet_session'), 'no agent-app cookie for a customer');
      const token = b.jar.get(PORTAL_COOKIE)!;

      // The portal session is nobody to the API and the realtime socket, under either cookie name.
      assertError(await caller(t.app, { cookie: `guichet_session=${token}` })('GET', '/auth/me'), 401, 'UNAUTHENTICATED');
      assertError(await caller(t.app, { cookie: `${PORTAL_COOKIE}=${token}` })('GET', '/tickets'), 401, 'UNAUTHENTICATED');
      await assert.rejects(authenticateSession(t.deps, token), /Sign in/, 'the WebSocket authenticates app sessions only');
      assert.equal((await authenticateSession(t.deps, token, 'portal')).user.id, customer.id);

      // An API session of the same customer does not sign them in to the portal.
      const appCookie = await sessionCookie(t, customer.email, PASSWORD, ws.slug);
      await assert.rejects(authenticateSession(t.deps, appCookie.split('=')[1]!, 'portal'), /Sign in/);
      const stranger = new Browser(t);
      stranger.jar.set('guichet_session', appCookie.split('=')[1]!);
      assert.ok((await stranger.get(`/portal/${ws.slug}?lang=en`)).body.includes('Sign in to follow your requests'));

      // Signing out of the portal leaves the API session alone, and the other way round.
      const api = caller(t.app, { cookie: appCookie });
      assert.equal((await b.post(`/portal/${ws.slug}/sign-out?lang=en`, {})).status, 303);
      assert.ok(!b.jar.has(PORTAL_COOKIE));
      assert.equal((await ok(api('GET', '/auth/me'))).user.id, customer.id, 'still signed in to the API');
      const again = await signedIn(ws, customer.email);
      assert.equal((await api('POST', '/auth/logout')).status, 204);
      assertError(await api('GET', '/auth/me'), 401, 'UNAUTHENTICATED');
      assert.ok((await again.get(`/portal/${ws.slug}?lang=en`)).body.includes('<h1>My requests</h1>'), 'still signed in to the portal');

      // Staff signed in to the agent app: the portal tells them it is for customers, and cannot end their session.
      const agent = await ws.as('agent');
      const staffCookie = await sessionCookie(t, agent.email, PASSWORD, ws.slug);
      const staff = new Browser(t);
      staff.jar.set('guichet_session', staffCookie.split('=')[1]!);
      assert.ok((await staff.get(`/portal/${ws.slug}?lang=en`)).body.includes('The portal is for customers'));
      staff.csrf = staff.jar.get('guichet_portal_csrf')!;
      assert.equal((await staff.post(`/portal/${ws.slug}/sign-out?lang=en`, {})).status, 303);
      assert.equal((await ok(caller(t.app, { cookie: staffCookie })('GET', '/auth/me'))).user.id, agent.id);
    });

    it('lets a customer set a password, then change it with the current one, signing out their other sessions', async () => {
      const ws = await newWorkspace(t);
      const email = `nopass-${ws.slug}@example.test`;
      await ok(ws.admin.req('POST', '/customers', { email, name: 'Nora Nopass' }), 201);
      // Signed in by a link: no password yet, so the form does not ask for one.
      const b = new Browser(t);
      await b.get(`/portal/${ws.slug}?lang=en`);
      await b.post(`/portal/${ws.slug}/sign-in/email?lang=en`, { email });
      const link = linkIn((await outbox(email))[0]!, 'sign-in/link');
      await b.get(`${link.path}?token=${encodeURIComponent(link.token)}`);
      assert.equal((await b.post(`/portal/${ws.slug}/sign-in/link?lang=en`, { token: link.token })).status, 303);
      const account = await b.get(`/portal/${ws.slug}/account?lang=en`);
      assert.equal(account.status, 200);
      assert.ok(account.body.includes('Choose a password to sign in with it too.'));
      assert.ok(!account.body.includes('name="current"'));
      const fr = await b.get(`/portal/${ws.slug}/account?lang=fr`);
      assert.ok(fr.body.includes('<label for="new-password">Nouveau mot de passe (10 caractères au moins)</label>'));

      const differ = await b.post(`/portal/${ws.slug}/account/password?lang=en`, { password: 'first password 1', repeat: 'first password 2' });
      assert.equal(differ.status, 400);
      assert.ok(differ.body.includes('The two new passwords differ.'));
      const short = await b.post(`/portal/${ws.slug}/account/password?lang=en`, { password: 'short', repeat: 'short' });
      assert.equal(short.status, 400);
      assert.ok(short.body.includes('at least 10 characters'));
      assert.equal((await b.post(`/portal/${ws.slug}/account/password?lang=en`, { password: 'x', repeat: 'x' }, { csrf: null })).status, 403, 'forged form');
      const set = await b.post(`/portal/${ws.slug}/account/password?lang=en`, { password: 'first password 1', repeat: 'first password 1' });
      assert.equal(set.status, 303, set.body.slice(0, 1500));
      assert.ok((await b.get(String(set.headers.location))).body.includes('Your password is saved.'));
      const user = (await t.database.db.selectFrom('users').select('password_hash').where('email', '=', email).where('workspace_id', '=', ws.id).executeTakeFirstOrThrow());
      assert.ok(user.password_hash && !user.password_hash.includes('first password 1'), 'stored hashed');

      // Now it signs in by password, and changing it needs the current one.
      const other = new Browser(t);
      await other.get(`/portal/${ws.slug}?lang=en`);
      assert.equal((await other.post(`/portal/${ws.slug}/sign-in/password?lang=en`, { email, password: 'first password 1' })).status, 303);
      const form = await b.get(`/portal/${ws.slug}/account?lang=en`);
      assert.ok(form.body.includes('name="current"'));
      const wrong = await b.post(`/portal/${ws.slug}/account/password?lang=en`, { current: 'not it at all', password: 'second password 2', repeat: 'second password 2' });
      assert.equal(wrong.status, 403);
      assert.ok(wrong.body.includes('The current password is wrong.'));
      const none = await b.post(`/portal/${ws.slug}/account/password?lang=en`, { password: 'second password 2', repeat: 'second password 2' });
      assert.equal(none.status, 403, 'no current password given');
      const changed = await b.post(`/portal/${ws.slug}/account/password?lang=en`, { current: 'first password 1', password: 'second password 2', repeat: 'second password 2' });
      assert.equal(changed.status, 303);
      assert.ok((await b.get(`/portal/${ws.slug}?lang=en`)).body.includes('<h1>My requests</h1>'), 'this session stays');
      assert.ok((await other.get(`/portal/${ws.slug}?lang=en`)).body.includes('Sign in to follow your requests'), 'the other one ended');
      const old = new Browser(t);
      await old.get(`/portal/${ws.slug}?lang=en`);
      assert.equal((await old.post(`/portal/${ws.slug}/sign-in/password?lang=en`, { email, password: 'first password 1' })).status, 401);
      assert.equal((await old.post(`/portal/${ws.slug}/sign-in/password?lang=en`, { email, password: 'second password 2' })).status, 303);

      // Guessing the current password is limited like sign-ins (5 failures since the last success, in the window, here).
      let last: Page | null = null;
      for (let i = 0; i < 6; i++) last = await b.post(`/portal/${ws.slug}/account/password?lang=en`, { current: `guess ${i} guess`, password: 'third password 3', repeat: 'third password 3' });
      assert.equal(last!.status, 429);
      assert.ok(last!.body.includes('Too many attempts.'));
      const refused = await b.post(`/portal/${ws.slug}/account/password?lang=en`, { current: 'second password 2', password: 'third password 3', repeat: 'third password 3' });
      assert.equal(refused.status, 429, 'even the right one, until the window passes');

      // Only a signed-in customer has an account page.
      const anon = new Browser(t);
      assert.equal((await anon.get(`/portal/${ws.slug}/account?lang=en`)).status, 401);
    });

    it('mails a customer a reset link from the sign-in page, with the same answer for any address, once per link, a few per hour', async () => {
      const ws = await newWorkspace(t);
      const customer = await ws.as('customer');
      const agent = await ws.as('agent');
      const signedInBefore = await signedIn(ws, customer.email);
      const b = new Browser(t);
      const home = await b.get(`/portal/${ws.slug}?lang=fr`);
      assert.ok(home.body.includes(`href="/portal/${ws.slug}/forgot-password?lang=fr">Mot de passe oublié ?</a>`));
      const form = await b.get(`/portal/${ws.slug}/forgot-password?lang=en`);
      assert.ok(form.body.includes('<label for="reset-email">Email address</label>'));
      const said = (p: Page) => /<main id="main">([\s\S]*)<\/main>/.exec(p.body)![1];
      const known = await b.post(`/portal/${ws.slug}/forgot-password?lang=en`, { email: customer.email });
      const unknown = await b.post(`/portal/${ws.slug}/forgot-password?lang=en`, { email: `nobody@${ws.slug}.test` });
      const staff = await b.post(`/portal/${ws.slug}/forgot-password?lang=en`, { email: agent.email });
      assert.equal(known.status, 200);
      assert.equal(said(known), said(unknown));
      assert.equal(said(known), said(staff));
      assert.ok(said(known)!.includes('a link to choose a new password is on its way'));
      assert.equal((await outbox(agent.email)).length, 0, 'staff reset their password in the agent app');
      assert.equal((await b.post(`/portal/${ws.slug}/forgot-password?lang=en`, { email: 'nope' })).status, 400);
      const mails = await outbox(customer.email);
      assert.equal(mails.length, 1);
      const link = linkIn(mails[0]!, 'reset-password');

      const page = await b.get(`${link.path}?token=${encodeURIComponent(link.token)}&lang=en`);
      assert.ok(page.body.includes('Choose a new password'));
      const differ = await b.post(`/portal/${ws.slug}/reset-password?lang=en`, { token: link.token, password: 'brand new pass 1', repeat: 'brand new pass 2' });
      assert.equal(differ.status, 400);
      const short = await b.post(`/portal/${ws.slug}/reset-password?lang=en`, { token: link.token, password: 'short', repeat: 'short' });
      assert.equal(short.status, 400);
      assert.ok(short.body.includes('at least 10 characters'));
      const done = await b.post(`/portal/${ws.slug}/reset-password?lang=en`, { token: link.token, password: 'brand new pass 1', repeat: 'brand new pass 1' });
      assert.equal(done.status, 200);
      assert.ok(done.body.includes('Your new password is saved.'));
      assert.ok((await signedInBefore.get(`/portal/${ws.slug}?lang=en`)).body.includes('Sign in to follow your requests'), 'every session ended');
      const reused = await b.post(`/portal/${ws.slug}/reset-password?lang=en`, { token: link.token, password: 'another pass 12', repeat: 'another pass 12' });
      assert.equal(reused.status, 400);
      assert.ok(reused.body.includes('This link is expired or was already used.'));
      const c = new Browser(t);
      await c.get(`/portal/${ws.slug}?lang=en`);
      assert.equal((await c.post(`/portal/${ws.slug}/sign-in/password?lang=en`, { email: customer.email, password: 'brand new pass 1' })).status, 303);

      // Three links per account and hour, like the staff's; then the same answer and no mail.
      for (let i = 0; i < 3; i++) assert.equal((await b.post(`/portal/${ws.slug}/forgot-password?lang=en`, { email: customer.email })).status, 200);
      assert.equal((await outbox(customer.email)).length, 3);
      // Another workspace's customer with the same address is not this one.
      const other = await newWorkspace(t);
      await b.get(`/portal/${other.slug}?lang=en`);
      await b.post(`/portal/${other.slug}/forgot-password?lang=en`, { email: customer.email });
      assert.equal((await outbox(customer.email)).length, 3);
    });

    it('suggests public articles while a request is written and records what the visitor did with them', async () => {
      const ws = await newWorkspace(t);
      const admin = ws.admin;
      const pub = await ok(admin.req('POST', '/articles', {
        visibility: 'public',
        translations: { en: { title: 'Reset your password', body: 'Use **Forgot password** on the sign-in page.' }, fr: { title: 'Réinitialiser votre mot de passe', body: 'Utilisez **Mot de passe oublié**.' } },
      }), 201);
      await ok(admin.req('POST', `/articles/${pub.id}/publish`, {}));
      const internal = await ok(admin.req('POST', '/articles', { translations: { en: { title: 'Password reset internal procedure', body: 'Internal password steps.' } } }), 201);
      await ok(admin.req('POST', `/articles/${internal.id}/publish`, {}));

      const v = new Browser(t);
      const form = await v.get(`/portal/${ws.slug}/requests/new?lang=en`);
      const visit = /name="visit" value="([^"]+)"/.exec(form.body)![1]!;
      const json = await t.app.inject({ method: 'GET', url: `/portal/${ws.slug}/suggest?lang=en&visit=${visit}&q=${encodeURIComponent('cannot reset my password')}` });
      assert.equal(json.statusCode, 200);
      const items = JSON.parse(json.body).items;
      assert.deepEqual(items.map((i: any) => i.articleId), [pub.id], 'public articles only');
      assert.equal(items[0].title, 'Reset your password');
      // Without JavaScript, the form's second button does the same.
      const noJs = await v.postMultipart(`/portal/${ws.slug}/requests?lang=en`, { intent: 'suggest', visit, email: '', subject: 'password reset', description: 'I forgot it' });
      assert.equal(noJs.status, 200);
      assert.ok(noJs.body.includes('These articles may answer your question') && noJs.body.includes('Reset your password'));
      assert.ok(!noJs.body.includes('internal procedure'));

      const article = await v.get(`/portal/${ws.slug}/articles/${pub.id}?lang=en&visit=${visit}`);
      assert.equal(article.status, 200);
      assert.ok(article.body.includes('<strong>Forgot password</strong>'));
      assert.equal((await v.get(`/portal/${ws.slug}/articles/${internal.id}?lang=en&visit=${visit}`)).status, 404);
      const solved = await v.post(`/portal/${ws.slug}/articles/${pub.id}/solved?lang=en&visit=${visit}`, {});
      assert.equal(solved.status, 200);
      assert.ok(solved.body.includes('Glad it helped!'));

      // Another visit sees the suggestion and sends a request anyway.
      const w = await signedIn(ws, (await ws.as('customer')).email);
      const other = await w.get(`/portal/${ws.slug}/requests/new?lang=en`);
      const visit2 = /name="visit" value="([^"]+)"/.exec(other.body)![1]!;
      await t.app.inject({ method: 'GET', url: `/portal/${ws.slug}/suggest?lang=en&visit=${visit2}&q=password` });
      await t.app.inject({ method: 'GET', url: `/portal/${ws.slug}/suggest?lang=en&visit=${visit2}&q=password+reset` });
      const r = await w.postMultipart(`/portal/${ws.slug}/requests?lang=en`, { intent: 'send', visit: visit2, subject: 'Password', description: 'Still stuck on the password' });
      assert.equal(r.status, 303);

      const from = new Date(Date.now() - 3_600_000).toISOString();
      const to = new Date(Date.now() + 3_600_000).toISOString();
      const report = await ok(admin.req('GET', `/knowledge/deflection-report?from=${from}&to=${to}`));
      assert.deepEqual(report.totals, { visitsWithSuggestions: 2, shown: 2, clicked: 1, solved: 1, submittedAfterSuggestions: 1, submitted: 1, deflectionRate: 0.5 });
      assert.deepEqual(report.articles, [{ articleId: pub.id, title: 'Reset your password', shown: 2, clicked: 1, solved: 1 }]);
      const agent = await ws.as('agent');
      assertError(await agent.req('GET', `/knowledge/deflection-report?from=${from}&to=${to}`), 403, 'FORBIDDEN');
      assertError(await admin.req('GET', `/knowledge/deflection-report?from=${to}&to=${from}`), 400, 'VALIDATION_FAILED');
      const elsewhere = await newWorkspace(t);
      assert.equal((await ok(elsewhere.admin.req('GET', `/knowledge/deflection-report?from=${from}&to=${to}`))).totals.shown, 0);
    });
  });
}
