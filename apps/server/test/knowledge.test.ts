/**
 * The knowledge base through the API: drafts by any employee, translations linked as one article,
 * publication (now and scheduled, by the job), full version history with diff and restore,
 * proposed edits and their review, knowledge managers, verification (state, verify, report,
 * reminders in the app and by email), what customers see, and workspace isolation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKnowledgeSweep, runScheduledPublication, type Clock } from '@guichet/core';
import { testDbKinds } from '@guichet/db/testing';
import { sql } from 'kysely';
import { newWorkspace, startTestApp, type Caller, type TestApp, type TestWorkspace } from './harness.ts';
import { assertError, assertNoSecrets, recordResponses } from './helpers.ts';

const DAY = 86_400_000;
const MISSING = '01900000-0000-7000-8000-000000000000';

const en = {
  title: 'Reset your password',
  body: '# Reset your password\n\nOpen the sign-in page.\nClick "Forgot password".\nCheck your inbox.',
};
const fr = {
  title: 'Réinitialiser votre mot de passe',
  body: '# Réinitialiser votre mot de passe\n\nOuvrez la page de connexion.\nCliquez sur « Mot de passe oublié ».',
};

for (const kind of testDbKinds()) {
  describe(`knowledge base on ${kind}`, () => {
    let t: TestApp;
    let offset = 0;
    const clock: Clock = { now: () => new Date(Date.now() + offset) };
    let seen: ReturnType<typeof recordResponses>;
    before(async () => {
      t = await startTestApp(kind, { clock });
      seen = recordResponses(t);
    });
    after(async () => {
      await t.close();
    });

    const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
      const r = await p;
      assert.equal(r.status, status, JSON.stringify(r.body));
      return r.body;
    };

    async function setup() {
      const ws = await newWorkspace(t);
      const light = await ws.as('light_agent');
      const agent = await ws.as('agent');
      const customer = await ws.as('customer');
      return { ws, admin: ws.admin, light, agent, customer };
    }

    it('any employee writes a draft; a missing translation is visible; customers see only published public articles', async () => {
      const { admin, light, customer } = await setup();
      const draft = await ok(light.req('POST', '/articles', { translations: { en }, tags: ['Account', 'password'], visibility: 'public' }), 201);
      assert.equal(draft.status, 'draft');
      assert.deepEqual(draft.missingTranslations, ['fr']);
      assert.equal(draft.translations.fr, null);
      assert.equal(draft.translations.en.slug, 'reset-your-password');
      assert.equal(draft.translations.en.versionNumber, 1);
      assert.deepEqual(draft.tags, ['account', 'password']);
      assert.deepEqual(draft.owner, { userId: light.id, teamId: null }, 'the author owns what they wrote');
      assert.equal(draft.createdBy, light.id);
      assert.deepEqual(draft.permissions, { edit: true, propose: true, publish: false, verify: true });
      assert.equal(draft.verification.state, 'verified');

      // The author edits their own draft; the French translation joins the same article.
      const withFr = await ok(light.req('PUT', `/articles/${draft.id}/translations/fr`, fr));
      assert.deepEqual(withFr.missingTranslations, []);
      assert.equal(withFr.translations.fr.slug, 'reinitialiser-votre-mot-de-passe');
      assert.equal((await ok(admin.req('GET', `/articles?missing=fr`))).items.length, 0);

      // A light agent cannot publish; customers do not see drafts.
      assertError(await light.req('POST', `/articles/${draft.id}/publish`, {}), 403, 'FORBIDDEN');
      assertError(await customer.req('GET', `/articles/${draft.id}`), 404, 'ARTICLE_NOT_FOUND');
      assert.equal((await ok(customer.req('GET', '/articles'))).items.length, 0);

      const published = await ok(admin.req('POST', `/articles/${draft.id}/publish`, {}));
      assert.equal(published.status, 'published');
      assert.ok(published.publishedAt);
      // Once published, the author no longer edits directly: they propose.
      assertError(await light.req('PUT', `/articles/${draft.id}/translations/en`, { ...en, body: `${en.body}\nMore.` }), 403, 'FORBIDDEN');
      assertError(await admin.req('POST', `/articles/${draft.id}/publish`, {}), 422, 'INVALID_ARTICLE_TRANSITION');

      const seenByCustomer = await ok(customer.req('GET', `/articles/${draft.id}`));
      assert.equal(seenByCustomer.translations.en.title, en.title);
      for (const k of ['owner', 'verification', 'createdBy', 'permissions']) assert.ok(!(k in seenByCustomer), `${k} is staff only`);
      assert.equal(seenByCustomer.translations.en.updatedBy, null);

      // Internal articles never reach customers, even published.
      const internal = await ok(admin.req('POST', '/articles', { translations: { en: { title: 'Refund limits for agents', body: 'Up to 50 EUR.' } } }), 201);
      assert.equal(internal.visibility, 'internal', 'internal by default');
      await ok(admin.req('POST', `/articles/${internal.id}/publish`, {}));
      assertError(await customer.req('GET', `/articles/${internal.id}`), 404, 'ARTICLE_NOT_FOUND');
      assert.deepEqual((await ok(customer.req('GET', '/articles'))).items.map((a: any) => a.id), [draft.id]);
      assert.deepEqual((await ok(customer.req('GET', '/articles?visibility=internal'))).items, []);
      assert.equal((await ok(light.req('GET', '/articles'))).items.length, 2, 'staff read internal and public');

      // Archive: gone from the customer's view.
      await ok(admin.req('POST', `/articles/${draft.id}/archive`, {}));
      assertError(await customer.req('GET', `/articles/${draft.id}`), 404, 'ARTICLE_NOT_FOUND');
      assertError(await admin.req('POST', `/articles/${draft.id}/archive`, {}), 422, 'INVALID_ARTICLE_TRANSITION');
      const back = await ok(admin.req('POST', `/articles/${draft.id}/publish`, {}));
      assert.equal(back.archivedAt, null);

      const events = (await ok(admin.req('GET', `/articles/${draft.id}/events`))).items.map((e: any) => e.type);
      assert.deepEqual(events, ['article.created', 'article.translation_added', 'article.published', 'article.archived', 'article.published']);
      assertError(await customer.req('GET', `/articles/${draft.id}/events`), 403, 'FORBIDDEN');
    });

    it('rejects bad input with clear errors and loses nothing', async () => {
      const { admin, light } = await setup();
      assertError(await admin.req('POST', '/articles', { translations: {} }), 400, 'VALIDATION_FAILED');
      assertError(await admin.req('POST', '/articles', { translations: { de: en } }), 400, 'VALIDATION_FAILED');
      assertError(await admin.req('POST', '/articles', { translations: { en: { title: '', body: 'x' } } }), 400, 'VALIDATION_FAILED');
      assertError(await admin.req('POST', '/articles', { translations: { en }, categoryId: MISSING }), 404, 'ARTICLE_CATEGORY_NOT_FOUND');
      assertError(await admin.req('POST', '/articles', { translations: { en }, ownerUserId: MISSING }), 404, 'USER_NOT_FOUND');
      assertError(await admin.req('POST', '/articles', { translations: { en }, ownerTeamId: MISSING }), 404, 'TEAM_NOT_FOUND');
      assertError(await admin.req('GET', `/articles/${MISSING}`), 404, 'ARTICLE_NOT_FOUND');
      assertError(await admin.req('PUT', `/articles/${MISSING}/translations/de`, en), 400, 'VALIDATION_FAILED');
      assertError(await admin.req('POST', `/articles/${MISSING}/publish`, { publishAt: 'tomorrow' }), 400, 'VALIDATION_FAILED');
      const a = await ok(admin.req('POST', '/articles', { translations: { en } }), 201);
      // Stale versions are refused, for the article and for a translation.
      assertError(await admin.req('PATCH', `/articles/${a.id}`, { tags: ['x'], version: a.version + 5 }), 409, 'VERSION_CONFLICT');
      assertError(await admin.req('PUT', `/articles/${a.id}/translations/en`, { ...en, body: 'New', baseVersion: 7 }), 409, 'VERSION_CONFLICT');
      assertError(await light.req('PATCH', `/articles/${a.id}`, { tags: ['x'] }), 403, 'FORBIDDEN');
      const still = await ok(admin.req('GET', `/articles/${a.id}`));
      assert.equal(still.translations.en.body, en.body);
      assert.deepEqual(still.tags, []);
      const changed = await ok(admin.req('PATCH', `/articles/${a.id}`, { tags: ['billing'], visibility: 'public', version: a.version }));
      assert.deepEqual([changed.tags, changed.visibility, changed.version], [['billing'], 'public', a.version + 1]);
    });

    it('keeps every save as a version with who and when, diffs any two and restores one as a new version', async () => {
      const { admin, agent } = await setup();
      await ok(admin.req('PUT', `/knowledge-managers/${agent.id}`, {}), 204);
      const a = await ok(agent.req('POST', '/articles', { translations: { en } }), 201);
      const v2body = en.body.replace('Click "Forgot password".', 'Click "Forgot your password?".') + '\nThe link is valid for one hour.';
      await ok(agent.req('PUT', `/articles/${a.id}/translations/en`, { title: en.title, body: v2body, baseVersion: 1, note: 'new wording' }));
      // Saving the same content again makes no new version.
      await ok(admin.req('PUT', `/articles/${a.id}/translations/en`, { title: en.title, body: v2body }));
      await ok(admin.req('PUT', `/articles/${a.id}/translations/en`, { title: 'Reset a password', body: 'Ask an admin.' }));

      const versions = (await ok(agent.req('GET', `/articles/${a.id}/versions?language=en`))).items;
      assert.deepEqual(versions.map((v: any) => [v.number, v.kind, v.authorId]), [
        [3, 'edited', admin.id],
        [2, 'edited', agent.id],
        [1, 'created', agent.id],
      ]);
      assert.equal(versions[1].note, 'new wording');
      assert.equal(versions[1].authorName, 'agent 2');
      assert.ok(Date.parse(versions[0].createdAt) >= Date.parse(versions[2].createdAt));
      const page = await ok(agent.req('GET', `/articles/${a.id}/versions?language=en&limit=2`));
      assert.equal(page.items.length, 2);
      const rest = await ok(agent.req('GET', `/articles/${a.id}/versions?language=en&limit=2&cursor=${page.nextCursor}`));
      assert.deepEqual(rest.items.map((v: any) => v.number), [1]);
      assert.equal((await ok(agent.req('GET', `/articles/${a.id}/versions/1?language=en`))).body, en.body);
      assertError(await agent.req('GET', `/articles/${a.id}/versions/9?language=en`), 404, 'ARTICLE_VERSION_NOT_FOUND');
      assertError(await agent.req('GET', `/articles/${a.id}/versions/1?language=fr`), 404, 'ARTICLE_VERSION_NOT_FOUND');

      const diff = await ok(agent.req('GET', `/articles/${a.id}/diff?language=en&from=1&to=2`));
      assert.deepEqual(diff.stats, { added: 1, removed: 0, changed: 1 });
      const changed = diff.lines.find((l: any) => l.op === 'change');
      assert.equal(changed.oldText, 'Click "Forgot password".');
      assert.equal(changed.newText, 'Click "Forgot your password?".');
      assert.deepEqual(
        changed.words.filter((w: any) => w.op !== 'equal'),
        [{ op: 'insert', text: 'your ' }, { op: 'insert', text: '?' }],
      );
      assert.deepEqual(diff.lines.filter((l: any) => l.op === 'insert').map((l: any) => l.newText), ['The link is valid for one hour.']);
      assert.match(diff.unified, /^-Click "Forgot password"\.$/m);
      assert.match(diff.unified, /^\+The link is valid for one hour\.$/m);
      const back = await ok(agent.req('GET', `/articles/${a.id}/diff?language=en&from=3&to=1`));
      assert.equal(back.title.from, 'Reset a password');
      assert.ok(back.title.words.some((w: any) => w.op === 'insert' && w.text.includes('your')));

      const restored = await ok(agent.req('POST', `/articles/${a.id}/versions/2/restore`, { language: 'en', note: 'the admin shortcut was wrong' }));
      assert.equal(restored.translations.en.body, v2body);
      assert.equal(restored.translations.en.versionNumber, 4);
      const v4 = await ok(agent.req('GET', `/articles/${a.id}/versions/4?language=en`));
      assert.deepEqual([v4.kind, v4.restoredFrom, v4.authorId], ['restored', 2, agent.id]);
      assert.equal((await ok(agent.req('GET', `/articles/${a.id}/versions/3?language=en`))).body, 'Ask an admin.', 'history is never rewritten');
      const events = (await ok(agent.req('GET', `/articles/${a.id}/events`))).items.map((e: any) => e.type);
      assert.ok(events.includes('article.version_restored'));
      // The versions table refuses rewriting history.
      await assert.rejects(sql`UPDATE article_versions SET body = 'x'`.execute(t.database.db), /append-only/);
    });

    it('light agents propose edits; knowledge managers accept (new version credited to the author) or reject', async () => {
      const { admin, light, agent, customer } = await setup();
      const a = await ok(admin.req('POST', '/articles', { translations: { en }, visibility: 'public' }), 201);
      await ok(admin.req('POST', `/articles/${a.id}/publish`, {}));
      const proposal = await ok(light.req('POST', `/articles/${a.id}/proposals`, { language: 'en', title: en.title, body: `${en.body}\nStill stuck? Write to us.`, note: 'customers ask this' }), 201);
      assert.deepEqual([proposal.status, proposal.baseVersion, proposal.authorId], ['open', 1, light.id]);
      assertError(await customer.req('POST', `/articles/${a.id}/proposals`, { language: 'en', title: 'x', body: 'y' }), 403, 'FORBIDDEN');
      // Proposing a translation that does not exist yet works too.
      const frProposal = await ok(light.req('POST', `/articles/${a.id}/proposals`, { language: 'fr', ...fr }), 201);
      assert.equal(frProposal.baseVersion, null);

      assert.equal((await ok(agent.req('GET', '/article-proposals?status=open'))).items.length, 2);
      assertError(await agent.req('POST', `/article-proposals/${proposal.id}/accept`, {}), 403, 'FORBIDDEN');
      await ok(admin.req('PUT', `/knowledge-managers/${agent.id}`, {}), 204);
      const managers = await ok(light.req('GET', '/knowledge-managers'));
      assert.deepEqual(managers.items.map((m: any) => m.userId), [agent.id]);
      const accepted = await ok(agent.req('POST', `/article-proposals/${proposal.id}/accept`, { note: 'thanks' }));
      assert.deepEqual([accepted.status, accepted.reviewedBy, accepted.reviewNote], ['accepted', agent.id, 'thanks']);
      assertError(await agent.req('POST', `/article-proposals/${proposal.id}/reject`, {}), 409, 'PROPOSAL_CLOSED');
      const article = await ok(light.req('GET', `/articles/${a.id}`));
      assert.match(article.translations.en.body, /Still stuck/);
      assert.equal(article.status, 'published', 'an accepted edit goes live on a published article');
      const v2 = await ok(light.req('GET', `/articles/${a.id}/versions/2?language=en`));
      assert.deepEqual([v2.kind, v2.authorId], ['proposal', light.id]);

      const rejected = await ok(agent.req('POST', `/article-proposals/${frProposal.id}/reject`, { note: 'the translation team will do it' }));
      assert.equal(rejected.status, 'rejected');
      assert.deepEqual((await ok(light.req('GET', `/articles/${a.id}`))).missingTranslations, ['fr']);
      const notes = (await ok(light.req('GET', '/knowledge/notifications'))).items.map((n: any) => n.kind).sort();
      assert.deepEqual(notes, ['article.proposal_accepted', 'article.proposal_rejected']);
      assertError(await light.req('GET', `/article-proposals/${MISSING}`), 404, 'PROPOSAL_NOT_FOUND');

      // Revoked: the agent is back to proposing.
      await ok(admin.req('DELETE', `/knowledge-managers/${agent.id}`), 204);
      assertError(await agent.req('POST', `/articles/${a.id}/archive`, {}), 403, 'FORBIDDEN');
      assertError(await admin.req('PUT', `/knowledge-managers/${customer.id}`, {}), 404, 'USER_NOT_FOUND');
    });

    it('shows what accepting a proposal would change against the current text, and says when the article changed since', async () => {
      const { admin, light, customer } = await setup();
      const a = await ok(admin.req('POST', '/articles', { translations: { en } }), 201);
      const p = await ok(light.req('POST', `/articles/${a.id}/proposals`, { language: 'en', title: en.title, body: `${en.body}\nStill stuck? Write to us.` }), 201);
      let d = await ok(light.req('GET', `/article-proposals/${p.id}/diff`));
      assert.deepEqual([d.language, d.baseVersion, d.currentVersion, d.stale, d.stats], ['en', 1, 1, false, { added: 1, removed: 0, changed: 0 }]);
      assert.equal(d.title.from, d.title.to);
      // The article changes after the proposal: the difference is against the new text, and stale.
      const edited = en.body.replace(/\nCheck your inbox\.$/, '');
      await ok(admin.req('PUT', `/articles/${a.id}/translations/en`, { title: `${en.title} (updated)`, body: edited }));
      d = await ok(light.req('GET', `/article-proposals/${p.id}/diff`));
      assert.deepEqual([d.baseVersion, d.currentVersion, d.stale], [1, 2, true]);
      assert.equal(d.title.from, `${en.title} (updated)`);
      assert.ok(d.lines.some((l: any) => l.op === 'insert' && l.newText === 'Still stuck? Write to us.'), JSON.stringify(d.lines));
      // A proposed translation that does not exist yet: everything is added.
      const frP = await ok(light.req('POST', `/articles/${a.id}/proposals`, { language: 'fr', ...fr }), 201);
      d = await ok(light.req('GET', `/article-proposals/${frP.id}/diff`));
      assert.deepEqual([d.baseVersion, d.currentVersion, d.stale, d.title.from], [null, null, false, '']);
      assert.ok(d.lines.every((l: any) => l.op === 'insert'));
      assertError(await customer.req('GET', `/article-proposals/${p.id}/diff`), 403, 'FORBIDDEN');
      assertError(await light.req('GET', `/article-proposals/${MISSING}/diff`), 404, 'PROPOSAL_NOT_FOUND');
    });

    it('schedules publication: a draft until then, published by the job, and a cancelled schedule does nothing', async () => {
      const { admin, customer } = await setup();
      const a = await ok(admin.req('POST', '/articles', { translations: { en }, visibility: 'public' }), 201);
      const at = new Date(clock.now().getTime() + 3_600_000).toISOString();
      const scheduled = await ok(admin.req('POST', `/articles/${a.id}/publish`, { publishAt: at }));
      assert.deepEqual([scheduled.status, scheduled.publishAt], ['draft', at]);
      const jobs = await sql<{ run_at: Date; payload: any }>`SELECT run_at, payload FROM jobs WHERE type = 'knowledge.publish' AND payload->>'articleId' = ${a.id}`.execute(t.database.db);
      assert.equal(jobs.rows.length, 1);
      assert.equal(new Date(jobs.rows[0]!.run_at).toISOString(), at);
      assertError(await customer.req('GET', `/articles/${a.id}`), 404, 'ARTICLE_NOT_FOUND');
      assert.equal(await runScheduledPublication(t.deps, (await ok(admin.req('GET', '/workspace'))).id, a.id), false, 'too early');

      offset += 2 * 3_600_000;
      try {
        const wsId = (await ok(admin.req('GET', '/workspace'))).id;
        assert.equal(await runScheduledPublication(t.deps, wsId, a.id), true);
        assert.equal(await runScheduledPublication(t.deps, wsId, a.id), false, 'safe to run twice');
        const now = await ok(admin.req('GET', `/articles/${a.id}`));
        assert.deepEqual([now.status, now.publishAt], ['published', null]);
        const events = (await ok(admin.req('GET', `/articles/${a.id}/events`))).items;
        assert.equal(events.at(-1).type, 'article.published');
        assert.deepEqual(events.at(-1).data, { from: 'draft', scheduled: true });
        assert.equal(events.at(-1).actor.type, 'system');

        // Cancelled before its time: the job finds nothing to do.
        const b = await ok(admin.req('POST', '/articles', { translations: { en } }), 201);
        await ok(admin.req('POST', `/articles/${b.id}/publish`, { publishAt: new Date(clock.now().getTime() + 60_000).toISOString() }));
        const cancelled = await ok(admin.req('POST', `/articles/${b.id}/unpublish`, {}));
        assert.deepEqual([cancelled.status, cancelled.publishAt], ['draft', null]);
        offset += 120_000;
        assert.equal(await runScheduledPublication(t.deps, wsId, b.id), false);
        // The sweep catches a schedule whose job was lost.
        const c = await ok(admin.req('POST', '/articles', { translations: { en } }), 201);
        await ok(admin.req('POST', `/articles/${c.id}/publish`, { publishAt: new Date(clock.now().getTime() + 1000).toISOString() }));
        await sql`DELETE FROM jobs WHERE type = 'knowledge.publish' AND payload->>'articleId' = ${c.id}`.execute(t.database.db);
        offset += 5000;
        assert.ok((await runKnowledgeSweep(t.deps)).published >= 1);
        assert.equal((await ok(admin.req('GET', `/articles/${c.id}`))).status, 'published');
      } finally {
        offset = 0;
      }
    });

    it('computes verification state, records who verified, reports by owner and reminds owners in the app and by email', async () => {
      const { ws, admin, agent, light } = await setup();
      const team = await ok(admin.req('POST', '/teams', { name: 'Billing experts' }), 201);
      await ok(admin.req('PUT', `/teams/${team.id}/members`, { members: [{ userId: light.id }] }));
      await ok(admin.req('POST', '/mailboxes', { name: 'Support', address: `support@${ws.slug}.example` }), 201);
      const mine = await ok(admin.req('POST', '/articles', { translations: { en }, ownerUserId: agent.id, verifyIntervalDays: 30 }), 201);
      const teams = await ok(admin.req('POST', '/articles', { translations: { fr }, ownerTeamId: team.id, verifyIntervalDays: 10 }), 201);
      assert.deepEqual(teams.owner, { userId: null, teamId: team.id });
      assert.equal(mine.verification.state, 'verified');
      assert.equal(Date.parse(mine.verification.dueAt), Date.parse(mine.createdAt) + 30 * DAY);
      assert.deepEqual((await ok(admin.req('GET', '/knowledge/verification-report'))).owners, []);

      offset = 25 * DAY; // mine: due in 5 days (due soon); teams: expired
      try {
        assert.equal((await ok(admin.req('GET', `/articles/${mine.id}`))).verification.state, 'due_soon');
        assert.equal((await ok(admin.req('GET', `/articles/${teams.id}`))).verification.state, 'expired');
        assert.deepEqual((await ok(admin.req('GET', '/articles?verification=expired'))).items.map((a: any) => a.id), [teams.id]);
        assert.deepEqual((await ok(admin.req('GET', '/articles?verification=due_soon'))).items.map((a: any) => a.id), [mine.id]);
        const report = await ok(light.req('GET', '/knowledge/verification-report'));
        assert.deepEqual(report.totals, { expired: 1, dueSoon: 1 });
        assert.deepEqual(
          report.owners.map((o: any) => [o.owner.type, o.owner.name, o.articles.map((a: any) => [a.title, a.state])]),
          [
            ['team', 'Billing experts', [[fr.title, 'expired']]],
            ['user', 'agent 2', [[en.title, 'due_soon']]],
          ],
        );
        assert.equal((await ok(light.req('GET', '/knowledge/verification-report?state=expired'))).owners.length, 1);

        // Reminders: once per due date, to the owner or the owning team, in the app and by email.
        const first = await runKnowledgeSweep(t.deps);
        assert.ok(first.reminders >= 2);
        assert.equal((await runKnowledgeSweep(t.deps)).reminders, 0, 'not twice for the same due date');
        const agentNotes = (await ok(agent.req('GET', '/knowledge/notifications'))).items;
        assert.deepEqual(agentNotes.map((n: any) => [n.kind, n.articleId]), [['article.verification_due', mine.id]]);
        const lightNotes = (await ok(light.req('GET', '/knowledge/notifications?unread=true'))).items;
        assert.deepEqual(lightNotes.map((n: any) => n.kind), ['article.verification_expired']);
        await ok(light.req('POST', `/knowledge/notifications/${lightNotes[0].id}/read`, {}), 204);
        assert.equal((await ok(light.req('GET', '/knowledge/notifications?unread=true'))).items.length, 0);
        assertError(await agent.req('POST', `/knowledge/notifications/${lightNotes[0].id}/read`, {}), 404, 'NOTIFICATION_NOT_FOUND');
        const mails = await sql<{ to_addresses: string[]; subject: string; kind: string }>`
          SELECT to_addresses, subject, kind FROM outbound_emails WHERE workspace_id = ${ws.id} ORDER BY subject`.execute(t.database.db);
        assert.deepEqual(
          mails.rows.map((m) => [m.kind, m.to_addresses, m.subject]),
          [
            ['notification', [agent.email], `Please verify: ${en.title}`],
            ['notification', [light.email], `Verification expired: ${fr.title}`],
          ],
        );

        // Verifying: the owner (or a member of the owning team) and knowledge managers only.
        assertError(await light.req('POST', `/articles/${mine.id}/verify`, {}), 403, 'FORBIDDEN');
        const verified = await ok(light.req('POST', `/articles/${teams.id}/verify`, { note: 'checked with finance' }));
        assert.equal(verified.verification.state, 'verified');
        assert.equal(verified.verification.verifiedBy, light.id);
        assert.equal(Date.parse(verified.verification.verifiedAt), Date.parse(verified.updatedAt));
        const ev = (await ok(admin.req('GET', `/articles/${teams.id}/events`))).items.at(-1);
        assert.deepEqual([ev.type, ev.actor.id, ev.data.previousState, ev.data.note], ['article.verified', light.id, 'expired', 'checked with finance']);
        await ok(agent.req('POST', `/articles/${mine.id}/verify`, {}));
        assert.deepEqual((await ok(admin.req('GET', '/knowledge/verification-report'))).owners, []);
      } finally {
        offset = 0;
      }
    });

    it('organizes articles in categories and sections', async () => {
      const { admin, light, customer } = await setup();
      const cat = await ok(admin.req('POST', '/article-categories', { names: { en: 'Billing', fr: 'Facturation' }, position: 1 }), 201);
      const section = await ok(admin.req('POST', '/article-categories', { names: { en: 'Refunds' }, parentId: cat.id }), 201);
      assertError(await admin.req('POST', '/article-categories', { names: { en: 'Too deep' }, parentId: section.id }), 400, 'VALIDATION_FAILED');
      assertError(await admin.req('PATCH', `/article-categories/${cat.id}`, { parentId: section.id }), 400, 'VALIDATION_FAILED');
      assertError(await admin.req('POST', '/article-categories', { names: {} }), 400, 'VALIDATION_FAILED');
      assertError(await light.req('POST', '/article-categories', { names: { en: 'Mine' } }), 403, 'FORBIDDEN');
      const a = await ok(admin.req('POST', '/articles', { translations: { en }, categoryId: section.id, visibility: 'public' }), 201);
      await ok(admin.req('POST', `/articles/${a.id}/publish`, {}));
      assert.deepEqual((await ok(customer.req('GET', `/articles?categoryId=${cat.id}`))).items.map((x: any) => x.id), [a.id], 'a category lists its sections');
      const list = await ok(customer.req('GET', '/article-categories'));
      assert.deepEqual(list.items.map((c: any) => [c.names.en, c.names.fr, c.parentId]), [
        ['Refunds', null, cat.id],
        ['Billing', 'Facturation', null],
      ]);
      await ok(admin.req('DELETE', `/article-categories/${cat.id}`), 204);
      assert.equal((await ok(admin.req('GET', `/articles/${a.id}`))).categoryId, null, 'articles keep no category');
      assert.equal((await ok(admin.req('GET', '/article-categories'))).items.length, 0, 'sections go with their category');
    });

    it('lists articles by words in their title or text, case and accents aside, with the other filters', async () => {
      const { admin, customer } = await setup();
      const other = await newWorkspace(t);
      const pw = await ok(admin.req('POST', '/articles', { translations: { en, fr }, visibility: 'public' }), 201);
      const card = await ok(admin.req('POST', '/articles', { translations: { en: { title: 'Card blocked', body: 'Call us: 100% of cards_blocked are unlocked the same day.' } } }), 201);
      await ok(other.admin.req('POST', '/articles', { translations: { en } }), 201);
      const ids = async (who: Caller, query: string) => (await ok(who.req('GET', `/articles?${query}`))).items.map((a: any) => a.id);
      assert.deepEqual(await ids(admin, 'q=PASSWORD'), [pw.id], 'case aside, in this workspace only');
      assert.deepEqual(await ids(admin, `q=${encodeURIComponent('reinitialiser  OUBLIE')}`), [pw.id], 'accents aside, every word, in any translation');
      assert.deepEqual(await ids(admin, `q=${encodeURIComponent('password blocked')}`), [], 'every word must be found');
      assert.deepEqual(await ids(admin, `q=${encodeURIComponent('100%')}`), [card.id]);
      assert.deepEqual(await ids(admin, `q=${encodeURIComponent('0%')}`), [card.id]);
      assert.deepEqual(await ids(admin, `q=${encodeURIComponent('%')}`), [card.id], 'LIKE characters are matched as typed');
      assert.deepEqual(await ids(admin, `q=${encodeURIComponent('cards_b')}`), [card.id]);
      assert.deepEqual(await ids(admin, `q=${encodeURIComponent('s_b')}`), [card.id]);
      assert.deepEqual(await ids(admin, `q=${encodeURIComponent('d_b')}`), [], 'an underscore is not a wildcard');
      assert.deepEqual(await ids(admin, 'q=card&missing=fr'), [card.id]);
      assert.deepEqual(await ids(admin, 'q=card&missing=en'), []);
      assert.deepEqual(await ids(admin, 'q=sign-in&status=draft&visibility=public&language=fr'), [pw.id]);
      assert.deepEqual(await ids(customer, 'q=password'), [], 'customers still see published public articles only');
      await ok(admin.req('POST', `/articles/${pw.id}/publish`, {}));
      assert.deepEqual(await ids(customer, 'q=password'), [pw.id]);
      assertError(await admin.req('GET', `/articles?q=${'x'.repeat(201)}`), 400, 'VALIDATION_FAILED');
    });

    it('keeps each workspace\'s knowledge to itself', async () => {
      const one = await setup();
      const other = await newWorkspace(t);
      const a = await ok(one.admin.req('POST', '/articles', { translations: { en }, visibility: 'public' }), 201);
      await ok(one.admin.req('POST', `/articles/${a.id}/publish`, {}));
      const cat = await ok(one.admin.req('POST', '/article-categories', { names: { en: 'Mine' } }), 201);
      const p = await ok(one.light.req('POST', `/articles/${a.id}/proposals`, { language: 'en', title: 'x', body: 'y' }), 201);
      assertError(await other.admin.req('GET', `/articles/${a.id}`), 404, 'ARTICLE_NOT_FOUND');
      assertError(await other.admin.req('PUT', `/articles/${a.id}/translations/fr`, fr), 404, 'ARTICLE_NOT_FOUND');
      assertError(await other.admin.req('GET', `/articles/${a.id}/versions?language=en`), 404, 'ARTICLE_NOT_FOUND');
      assertError(await other.admin.req('POST', `/article-proposals/${p.id}/accept`, {}), 404, 'PROPOSAL_NOT_FOUND');
      assertError(await other.admin.req('PATCH', `/article-categories/${cat.id}`, { position: 3 }), 404, 'ARTICLE_CATEGORY_NOT_FOUND');
      assertError(await other.admin.req('PUT', `/knowledge-managers/${one.agent.id}`, {}), 404, 'USER_NOT_FOUND');
      assert.equal((await ok(other.admin.req('GET', '/articles'))).items.length, 0);
      assert.equal((await ok(other.admin.req('GET', '/article-categories'))).items.length, 0);
      assert.equal((await ok(other.admin.req('GET', '/article-proposals'))).items.length, 0);
      assertNoSecrets(seen);
    });
  });
}
