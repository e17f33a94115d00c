/**
 * Working together: macros (CRUD, who may change what, rendering for a ticket, actions),
 * @mentions in notes, notifications of mentions, assignments and customer replies, following
 * tickets, and email notifications for those who ask.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { routeTicket } from '@guichet/core';
import { testDbKinds } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type Caller, type TestApp } from './harness.ts';
import { assertError } from './helpers.ts';

const must = async (p: Promise<{ status: number; body: any }>) => {
  const r = await p;
  assert.ok(r.status < 300, `${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

const mention = (u: Caller, name = 'Someone') => `@[${name}](user:${u.id})`;

async function notificationsOf(c: Caller): Promise<any[]> {
  return (await must(c.req('GET', '/notifications?limit=200'))).items;
}

for (const kind of testDbKinds()) {
  describe(`collaboration on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(async () => {
      await t.close();
    });

    it('keeps personal macros private, lets admins alone manage shared ones, and hides everything from other workspaces', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const colleague = await ws.as('agent');
      const light = await ws.as('light_agent');
      const customer = await ws.as('customer');

      const mine = await must(agent.req('POST', '/macros', { title: 'Refund done', bodyEn: 'Hi {{customer.first_name}}, your refund for #{{ticket.id}} is on its way.', bodyFr: 'Bonjour {{ customer.first_name }}, votre remboursement pour le ticket #{{ticket.id}} est en route.' }));
      assert.equal(mine.shared, false);
      assert.equal(mine.ownerId, agent.id);
      assert.equal(mine.usageCount, 0);
      assert.deepEqual(mine.permissions, { update: true });
      assertError(await agent.req('POST', '/macros', { title: 'Shared', bodyEn: 'x', shared: true }), 403, 'FORBIDDEN');
      const shared = await must(ws.admin.req('POST', '/macros', { title: 'Ask for logs', bodyEn: 'Could you send us the logs, {{customer.first_name}}?', actions: { status: 'pending', addTags: ['logs'] }, shared: true }));
      const lightOwn = await must(light.req('POST', '/macros', { title: 'Expert answer', bodyFr: 'Réponse de {{agent.name}}' }));

      // Unknown placeholders, broken braces and empty macros are refused with the names at fault.
      const bad = await agent.req('POST', '/macros', { title: 'Typo', bodyEn: 'Hi {{customer.firstname}} and {{ticket.nope}}' });
      assertError(bad, 400, 'VALIDATION_FAILED');
      assert.match(bad.body.error.message, /unknown placeholders: \{\{customer\.firstname\}\}, \{\{ticket\.nope\}\}/);
      assert.deepEqual(bad.body.error.details.issues[0].path, ['bodyEn']);
      assertError(await agent.req('POST', '/macros', { title: 'Braces', bodyFr: 'Bonjour {{customer.name}' }), 400, 'VALIDATION_FAILED');
      assertError(await agent.req('POST', '/macros', { title: 'Empty', bodyEn: '  ' }), 400, 'VALIDATION_FAILED');
      assertError(await agent.req('PATCH', `/macros/${mine.id}`, { bodyEn: '{{oops}}' }), 400, 'VALIDATION_FAILED');
      assertError(await agent.req('POST', '/macros', { title: 'Bad action', bodyEn: 'x', actions: { status: 'closed' } }), 400, 'VALIDATION_FAILED');
      assertError(await agent.req('POST', '/macros', { title: 'Ghost team', bodyEn: 'x', actions: { teamId: '01900000-0000-7000-8000-000000000000' } }), 404, 'TEAM_NOT_FOUND');
      assertError(await agent.req('POST', '/macros', { title: 'Light assignee', bodyEn: 'x', actions: { assigneeId: light.id } }), 422, 'INVALID_ASSIGNMENT');

      // Lists: mine and the shared ones; search over titles and bodies; scopes.
      const titles = async (c: Caller, q = '') => (await must(c.req('GET', `/macros${q}`))).items.map((m: any) => m.title).sort();
      assert.deepEqual(await titles(agent), ['Ask for logs', 'Refund done']);
      assert.deepEqual(await titles(colleague), ['Ask for logs']);
      assert.deepEqual(await titles(light), ['Ask for logs', 'Expert answer']);
      assert.deepEqual(await titles(agent, '?q=remboursement'), ['Refund done']);
      assert.deepEqual(await titles(agent, '?q=LOGS'), ['Ask for logs']);
      assert.deepEqual(await titles(agent, '?q=logs%20refund'), []);
      assert.deepEqual(await titles(agent, '?scope=mine'), ['Refund done']);
      assert.deepEqual(await titles(agent, '?scope=shared'), ['Ask for logs']);
      assertError(await customer.req('GET', '/macros'), 403, 'FORBIDDEN');

      // Someone else's personal macro does not exist for you; a shared one is read-only unless admin.
      assertError(await colleague.req('GET', `/macros/${mine.id}`), 404, 'MACRO_NOT_FOUND');
      assertError(await colleague.req('PATCH', `/macros/${mine.id}`, { title: 'Mine now' }), 404, 'MACRO_NOT_FOUND');
      assertError(await ws.admin.req('DELETE', `/macros/${mine.id}`), 404, 'MACRO_NOT_FOUND');
      assert.deepEqual((await must(agent.req('GET', `/macros/${shared.id}`))).permissions, { update: false });
      assertError(await agent.req('PATCH', `/macros/${shared.id}`, { title: 'Mine now' }), 403, 'FORBIDDEN');
      assertError(await agent.req('DELETE', `/macros/${shared.id}`), 403, 'FORBIDDEN');
      assertError(await agent.req('PATCH', `/macros/${mine.id}`, { shared: true }), 403, 'FORBIDDEN');
      const renamed = await must(ws.admin.req('PATCH', `/macros/${shared.id}`, { title: 'Ask for the logs' }));
      assert.equal(renamed.title, 'Ask for the logs');
      assert.equal(renamed.bodyEn, shared.bodyEn);
      const edited = await must(agent.req('PATCH', `/macros/${mine.id}`, { bodyFr: null }));
      assert.equal(edited.bodyFr, null);
      assertError(await agent.req('PATCH', `/macros/${mine.id}`, { bodyEn: '' }), 400, 'VALIDATION_FAILED');
      assert.equal((await light.req('DELETE', `/macros/${lightOwn.id}`)).status, 204);
      assertError(await light.req('GET', `/macros/${lightOwn.id}`), 404, 'MACRO_NOT_FOUND');

      // Another workspace sees nothing and changes nothing.
      const other = await newWorkspace(t);
      assert.deepEqual((await must(other.admin.req('GET', '/macros'))).items, []);
      assertError(await other.admin.req('GET', `/macros/${shared.id}`), 404, 'MACRO_NOT_FOUND');
      assertError(await other.admin.req('PATCH', `/macros/${shared.id}`, { title: 'x' }), 404, 'MACRO_NOT_FOUND');
      assertError(await other.admin.req('DELETE', `/macros/${shared.id}`), 404, 'MACRO_NOT_FOUND');
      const foreignTicket = await must(other.admin.req('POST', '/tickets', { subject: 'Elsewhere', body: 'x' }));
      assertError(await ws.admin.req('POST', `/tickets/${foreignTicket.id}/macros/${shared.id}/preview`, {}), 404, 'TICKET_NOT_FOUND');
      assert.equal((await must(ws.admin.req('GET', `/macros/${shared.id}`))).title, 'Ask for the logs');

      // Every change is in the event log.
      const events = await sql<{ type: string }>`SELECT type FROM events WHERE workspace_id = ${ws.id} AND subject_type = 'macro' ORDER BY id`.execute(t.database.db);
      assert.deepEqual(events.rows.map((r) => r.type), ['macro.created', 'macro.created', 'macro.created', 'macro.updated', 'macro.updated', 'macro.deleted']);
    });

    it('renders a macro for a ticket in the customer\'s language and applies its actions when used', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const org = await must(ws.admin.req('POST', '/organizations', { name: 'Boulangerie Martin', domains: [] }));
      const marie = await must(ws.admin.req('POST', '/customers', { name: 'Marie Dupont', email: 'marie@boulangerie.fr', organizationId: org.id }));
      const fr = await must(ws.admin.req('POST', '/tickets', { subject: 'Carte refusée', body: 'Ma carte est refusée.', requester: { id: marie.id }, language: 'fr' }));
      const en = await must(ws.admin.req('POST', '/tickets', { subject: 'No name', body: 'x', requester: { email: 'anon@example.com' } }));
      const m = await must(ws.admin.req('POST', '/macros', {
        title: 'Logs', shared: true,
        bodyEn: 'Hello {{customer.first_name}}, about #{{ticket.id}} ({{ticket.subject}}) at {{organization.name}}. {{agent.first_name}}',
        bodyFr: 'Bonjour {{customer.first_name}}, concernant le ticket #{{ticket.id}} « {{ticket.subject}} » ({{organization.name}}). {{agent.name}}',
        actions: { status: 'pending', priority: 'high', addTags: ['logs'] },
      }));
      const p = await must(agent.req('POST', `/tickets/${fr.number}/macros/${m.id}/preview`, {}));
      assert.equal(p.language, 'fr');
      const agentName = (await must(agent.req('GET', `/users/${agent.id}`))).name;
      assert.equal(p.body, `Bonjour Marie, concernant le ticket #${fr.number} « Carte refusée » (Boulangerie Martin). ${agentName}`);
      assert.deepEqual(p.actions, { status: 'pending', priority: 'high', addTags: ['logs'] });
      const asked = await must(agent.req('POST', `/tickets/${fr.id}/macros/${m.id}/preview`, { language: 'en' }));
      assert.equal(asked.language, 'en');
      const empty = await must(agent.req('POST', `/tickets/${en.number}/macros/${m.id}/preview`, {}));
      assert.equal(empty.language, 'en');
      assert.match(empty.body, /^Hello anon, about #\d+ \(No name\) at \. agent$/i, 'a missing organization renders as nothing');
      assert.ok(!empty.body.includes('{{'));
      const before = await must(agent.req('GET', `/tickets/${fr.id}`));

      const used = await must(agent.req('POST', `/tickets/${fr.id}/macros/${m.id}/apply`, {}));
      assert.equal(used.usageCount, 1);
      const after = await must(agent.req('GET', `/tickets/${fr.id}`));
      assert.equal(after.status, 'pending');
      assert.equal(after.priority, 'high');
      assert.ok(after.tags.includes('logs'));
      assert.ok(after.version > before.version);
      assert.equal((await must(agent.req('GET', `/macros/${m.id}`))).usageCount, 1);
      const light = await ws.as('light_agent');
      assertError(await light.req('POST', `/tickets/${fr.id}/macros/${m.id}/apply`, {}), 403, 'FORBIDDEN');
      const noActions = await must(ws.admin.req('POST', '/macros', { title: 'Thanks', bodyEn: 'Thanks!', shared: true }));
      assert.equal((await must(light.req('POST', `/tickets/${fr.id}/macros/${noActions.id}/apply`, {}))).usageCount, 1, 'a macro without actions only counts the use');
      assertError(await agent.req('POST', `/tickets/${fr.id}/macros/01900000-0000-7000-8000-000000000000/preview`, {}), 404, 'MACRO_NOT_FOUND');
    });

    it('notifies the staff a note mentions, in the same transaction, and refuses mentions of anyone else', async () => {
      const ws = await newWorkspace(t);
      const a = await ws.as('agent');
      const b = await ws.as('agent');
      const expert = await ws.as('light_agent');
      const customer = await ws.as('customer');
      const other = await newWorkspace(t);
      const stranger = await other.as('agent');
      const ticket = await must(ws.admin.req('POST', '/tickets', { subject: 'Export fails', body: 'The CSV export fails.', requester: { id: customer.id } }));

      const before = (await must(b.req('GET', '/notifications/count'))).unread;
      const note = await must(a.req('POST', `/tickets/${ticket.number}/messages`, { visibility: 'internal', body: `${mention(b, 'B')} and ${mention(expert, 'Expert')}, can you look? ${mention(a, 'me')} ${mention(b, 'B again')}` }));
      assert.equal((await must(b.req('GET', '/notifications/count'))).unread, before + 1);
      const [n] = await notificationsOf(b);
      assert.equal(n.kind, 'mention');
      assert.equal(n.ticketId, ticket.id);
      assert.match(n.title, /mentioned you on ticket #\d+/);
      assert.match(n.body, /^@B and @Expert, can you look\?/);
      assert.equal((await notificationsOf(expert)).filter((x) => x.kind === 'mention').length, 1, 'a light agent (an expert) can be consulted');
      assert.equal((await notificationsOf(a)).length, 0, 'nobody is told of their own mention');
      const stored = await t.deps.store.mentions.listForMessage(ws.id, note.id);
      assert.deepEqual(stored, [a.id, b.id, expert.id].sort());

      // A customer, someone of another workspace, an unknown id: refused, nothing written.
      const count = async () => (await must(a.req('GET', `/tickets/${ticket.id}/messages?limit=200`))).items.length;
      const n0 = await count();
      for (const who of [customer.id, stranger.id, '01900000-0000-7000-8000-000000000000']) {
        const r = await a.req('POST', `/tickets/${ticket.id}/messages`, { visibility: 'internal', body: `${mention(b)} and @[X](user:${who})` });
        assertError(r, 400, 'VALIDATION_FAILED');
        assert.deepEqual(r.body.error.details.userIds, [who]);
      }
      assert.equal(await count(), n0);
      assert.equal((await notificationsOf(b)).length, 1, 'no notification from a refused note');
      assert.equal((await notificationsOf(stranger)).length, 0);
      // A suspended colleague is refused too.
      await must(ws.admin.req('PATCH', `/users/${expert.id}`, { status: 'suspended' }));
      assertError(await a.req('POST', `/tickets/${ticket.id}/messages`, { visibility: 'internal', body: mention(expert) }), 400, 'VALIDATION_FAILED');
      // In a public reply, the syntax is just text: nobody is notified.
      await must(a.req('POST', `/tickets/${ticket.id}/messages`, { body: `Thanks ${mention(b)}` }));
      assert.equal((await notificationsOf(b)).length, 1);

      // Read one, then all.
      await must(b.req('POST', `/tickets/${ticket.id}/messages`, { visibility: 'internal', body: `${mention(a)} done` }));
      assert.equal((await must(a.req('GET', '/notifications/count'))).unread, 1);
      await must(b.req('POST', '/notifications/read', { ids: [n.id] }));
      assert.equal((await must(b.req('GET', '/notifications/count'))).unread, 0);
      assert.deepEqual(await must(a.req('POST', '/notifications/all/read', {})), { updated: 1 });
      assert.equal((await must(a.req('GET', '/notifications/count'))).unread, 0);
      assertError(await customer.req('GET', '/notifications/count'), 403, 'FORBIDDEN');
    });

    it('tells people of tickets assigned to them, by a person or by routing, and not of their own', async () => {
      const ws = await newWorkspace(t);
      const a = await ws.as('agent');
      const b = await ws.as('agent');
      const t1 = await must(ws.admin.req('POST', '/tickets', { subject: 'Invoice copy', body: 'x', requester: { email: 'c@example.com' } }));
      await must(ws.admin.req('PATCH', `/tickets/${t1.id}`, { assigneeId: b.id }));
      let items = await notificationsOf(b);
      assert.equal(items.length, 1);
      assert.equal(items[0].kind, 'assigned');
      assert.match(items[0].body, /assigned by Ada Admin/);
      await must(a.req('PATCH', `/tickets/${t1.id}`, { assigneeId: a.id }));
      assert.equal((await notificationsOf(a)).length, 0, 'taking a ticket yourself notifies nobody');
      // Created already assigned.
      await must(ws.admin.req('POST', '/tickets', { subject: 'Phone call', body: 'x', requester: { email: 'd@example.com' }, assigneeId: b.id }));
      assert.equal((await notificationsOf(b)).length, 2);

      // The routing engine.
      const team = await must(ws.admin.req('POST', '/teams', { name: 'Billing' }));
      await must(ws.admin.req('PUT', `/teams/${team.id}/members`, { members: [{ userId: a.id }] }));
      await must(ws.admin.req('PATCH', '/routing/settings', { autoAssign: true }));
      const routed = await must(ws.admin.req('POST', '/tickets', { subject: 'Refund please', body: 'x', requester: { email: 'e@example.com' }, teamId: team.id }));
      await routeTicket(t.deps, { workspaceId: ws.id, ticketId: routed.id });
      assert.equal((await must(ws.admin.req('GET', `/tickets/${routed.id}`))).assigneeId, a.id);
      items = await notificationsOf(a);
      assert.equal(items.length, 1);
      assert.equal(items[0].ticketId, routed.id);
      assert.match(items[0].body, /automatic routing/);
    });

    it('tells the assignee and the followers of a customer reply; following is personal', async () => {
      const ws = await newWorkspace(t);
      const assignee = await ws.as('agent');
      const follower = await ws.as('light_agent');
      const bystander = await ws.as('agent');
      const customer = await ws.as('customer');
      const ticket = await must(customer.req('POST', '/tickets', { subject: 'Export', body: 'It fails.' }));
      await must(ws.admin.req('PATCH', `/tickets/${ticket.id}`, { assigneeId: assignee.id }));

      assert.deepEqual(await must(follower.req('GET', `/tickets/${ticket.id}/follow`)), { following: false, followers: [] });
      const followed = await must(follower.req('PUT', `/tickets/${ticket.number}/follow`, {}));
      assert.equal(followed.following, true);
      assert.deepEqual(followed.followers.map((f: any) => f.id), [follower.id]);
      await must(follower.req('PUT', `/tickets/${ticket.number}/follow`, {}));
      assert.equal((await must(bystander.req('GET', `/tickets/${ticket.id}/follow`))).following, false);
      assertError(await customer.req('PUT', `/tickets/${ticket.id}/follow`, {}), 403, 'FORBIDDEN');
      const other = await newWorkspace(t);
      assertError(await other.admin.req('PUT', `/tickets/${ticket.id}/follow`, {}), 404, 'TICKET_NOT_FOUND');

      await must(assignee.req('POST', `/tickets/${ticket.id}/messages`, { body: 'Which browser?' }));
      await must(customer.req('POST', `/tickets/${ticket.id}/messages`, { body: 'Firefox 128, on Windows.' }));
      for (const who of [assignee, follower]) {
        const replies = (await notificationsOf(who)).filter((n) => n.kind === 'reply');
        assert.equal(replies.length, 1);
        assert.match(replies[0].title, /New reply from Customer \d+ on ticket #\d+/);
        assert.equal(replies[0].body, 'Firefox 128, on Windows.');
      }
      assert.equal((await notificationsOf(bystander)).length, 0);
      const events = (await must(ws.admin.req('GET', `/tickets/${ticket.id}/events?limit=200`))).items.map((e: any) => e.type);
      assert.equal(events.filter((e: string) => e === 'ticket.followed').length, 1, 'following twice is one change');

      assert.equal((await follower.req('DELETE', `/tickets/${ticket.id}/follow`)).status, 204);
      assert.deepEqual(await must(follower.req('GET', `/tickets/${ticket.id}/follow`)), { following: false, followers: [] });
      await must(customer.req('POST', `/tickets/${ticket.id}/messages`, { body: 'Any news?' }));
      assert.equal((await notificationsOf(follower)).filter((n) => n.kind === 'reply').length, 1, 'no more after unfollowing');
      assert.equal((await notificationsOf(assignee)).filter((n) => n.kind === 'reply').length, 2);
    });

    it('mails notifications, in the user\'s language, only to those who turned it on', async () => {
      const ws = await newWorkspace(t);
      await must(ws.admin.req('POST', '/mailboxes', { name: 'Support', address: `support@${ws.slug}.example` }));
      const a = await ws.as('agent');
      const b = await ws.as('agent');
      const me = await must(b.req('GET', `/users/${b.id}`));
      assert.equal(me.emailNotifications, false, 'off by default');
      const ticket = await must(ws.admin.req('POST', '/tickets', { subject: 'Slow API', body: 'x', requester: { email: 'f@example.com' } }));
      await must(a.req('POST', `/tickets/${ticket.id}/messages`, { visibility: 'internal', body: `${mention(b)} first` }));
      const mails = async () => (await t.deps.store.outboundEmails.listForTicket(ws.id, ticket.id)).filter((o) => o.kind === 'notification');
      assert.equal((await mails()).length, 0);

      const on = await must(b.req('PATCH', `/users/${b.id}`, { emailNotifications: true, locale: 'fr' }));
      assert.equal(on.emailNotifications, true);
      assertError(await a.req('PATCH', `/users/${b.id}`, { emailNotifications: false }), 403, 'FORBIDDEN');
      await must(a.req('POST', `/tickets/${ticket.id}/messages`, { visibility: 'internal', body: `${mention(b)} second` }));
      const sent = await mails();
      assert.equal(sent.length, 1);
      assert.deepEqual(sent[0]!.toAddresses, [b.email]);
      assert.match(sent[0]!.subject, /vous a mentionné sur le ticket #\d+/);
      assert.match(sent[0]!.textBody, /@Someone second/);
      assert.equal(sent[0]!.headers['Content-Language'], 'fr');
      const jobs = await sql<{ n: number }>`SELECT count(*)::int AS n FROM jobs WHERE type = 'email.send' AND dedupe_key = ${sent[0]!.id}`.execute(t.database.db);
      assert.equal(jobs.rows[0]!.n, 1, 'its send job is queued with it');
    });
  });
}
