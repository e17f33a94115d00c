/**
 * People and workspace administration: staff users and their roles, skills, teams, customers and
 * organizations, custom fields, the audit log, the append-only logs, and the pagination of every list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDbKinds } from '@guichet/db/testing';
import { sql } from 'kysely';
import { PASSWORD, caller, newWorkspace, sessionCookie, startTestApp, type TestApp } from './harness.ts';
import { assertError, assertNoSecrets, openApiOperations, recordResponses, walkPages } from './helpers.ts';

const MISSING = '01900000-0000-7000-8000-000000000000';

for (const kind of testDbKinds()) {
  describe(`people API on ${kind}`, () => {
    let t: TestApp;
    let seen: ReturnType<typeof recordResponses>;
    before(async () => {
      t = await startTestApp(kind);
      seen = recordResponses(t);
    });
    after(async () => {
      await t.close();
    });

    const canSignIn = async (email: string, password: string, workspace: string) =>
      (await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password, workspace } })).statusCode === 200;

    it('creates staff users with a role; an address already used in the workspace is EMAIL_TAKEN', async () => {
      const ws = await newWorkspace(t);
      const other = await newWorkspace(t);
      const r = await ws.admin.req('POST', '/users', {
        email: 'Nina.Roux@Example.TEST',
        name: 'Nina Roux',
        role: 'light_agent',
        password: 'ten chars!',
        languages: ['fr', 'en'],
        timeZone: 'Europe/Paris',
        locale: 'fr',
        capacity: 12,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body).sort(), [
        'capacity', 'createdAt', 'email', 'emailNotifications', 'id', 'languages', 'lastLoginAt', 'locale', 'name', 'role', 'skills', 'status', 'teamIds', 'timeZone',
      ]);
      assert.equal(r.body.email, 'nina.roux@example.test');
      assert.equal(r.body.role, 'light_agent');
      assert.equal(r.body.status, 'active');
      assert.deepEqual(r.body.languages, ['fr', 'en']);
      assert.equal(r.body.timeZone, 'Europe/Paris');
      assert.equal(r.body.capacity, 12);
      assert.deepEqual([r.body.skills, r.body.teamIds], [[], []]);
      assert.ok(await canSignIn('nina.roux@example.test', 'ten chars!', ws.slug));

      const plain = await ws.admin.req('POST', '/users', { email: `plain@${ws.slug}.test`, name: 'Plain' });
      assert.equal(plain.body.role, 'agent', 'agent by default');
      assert.ok(!(await canSignIn(plain.body.email, 'anything goes', ws.slug)), 'no password, no sign-in');
      assert.equal((await ws.admin.req('POST', '/users', { email: `boss@${ws.slug}.test`, name: 'Boss', role: 'admin' })).body.role, 'admin');

      for (const role of ['customer', 'owner', '']) {
        const bad = await ws.admin.req('POST', '/users', { email: `x${role}@${ws.slug}.test`, name: 'X', role });
        assertError(bad, 400, 'VALIDATION_FAILED');
        assert.deepEqual(bad.body.error.details.issues[0].path, ['role']);
      }
      assertError(await ws.admin.req('POST', '/users', { email: `short@${ws.slug}.test`, name: 'Short', password: 'nine char' }), 400, 'VALIDATION_FAILED');
      assertError(await ws.admin.req('POST', '/users', { email: `noname@${ws.slug}.test`, name: '   ' }), 400, 'VALIDATION_FAILED');
      assertError(await ws.admin.req('POST', '/users', { email: 'x@y.test', name: 'TZ', timeZone: 'Mars/Olympus' }), 400, 'VALIDATION_FAILED');

      assertError(await ws.admin.req('POST', '/users', { email: 'NINA.ROUX@example.test', name: 'Twin' }), 409, 'EMAIL_TAKEN');
      await ws.admin.req('POST', '/customers', { name: 'A customer', email: 'client@example.test' });
      assertError(await ws.admin.req('POST', '/users', { email: 'Client@Example.test', name: 'Twin' }), 409, 'EMAIL_TAKEN');
      assertError(await ws.admin.req('POST', '/customers', { name: 'Twin', email: 'nina.roux@example.test' }), 409, 'EMAIL_TAKEN');
      assertError(await ws.admin.req('PATCH', `/users/${plain.body.id}`, { email: 'nina.roux@example.test' }), 409, 'EMAIL_TAKEN');
      assert.equal((await other.admin.req('POST', '/users', { email: 'nina.roux@example.test', name: 'Nina elsewhere' })).status, 201, 'addresses are per workspace');

      const lights = await ws.admin.req('GET', '/users?role=light_agent');
      assert.deepEqual(lights.body.items.map((u: any) => u.email), ['nina.roux@example.test']);
      const all = await ws.admin.req('GET', '/users?limit=200');
      assert.ok(all.body.items.every((u: any) => u.role !== 'customer'), 'customers are not staff');
      assert.deepEqual((await ws.admin.req('GET', '/users?q=ROUX')).body.items.map((u: any) => u.id), [r.body.id]);
      assert.equal((await ws.admin.req('GET', `/users/${r.body.id}`)).body.name, 'Nina Roux');
      assertError(await ws.admin.req('GET', `/users/${MISSING}`), 404, 'USER_NOT_FOUND');
    });

    it('lets people change their own name, password and preferences, never their role, status, email or capacity', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const colleague = await ws.as('agent');

      const mine = await agent.req('PATCH', `/users/${agent.id}`, { name: 'Agnès Martin', locale: 'fr', timeZone: 'Europe/Paris', languages: ['fr'] });
      assert.equal(mine.status, 200, JSON.stringify(mine.body));
      assert.equal(mine.body.name, 'Agnès Martin');
      assert.equal(mine.body.locale, 'fr');
      for (const body of [{ role: 'admin' }, { status: 'suspended' }, { email: `new@${ws.slug}.test` }, { capacity: 99 }, { name: 'Sneaky', role: 'admin' }]) {
        assertError(await agent.req('PATCH', `/users/${agent.id}`, body), 403, 'FORBIDDEN');
      }
      const after = await ws.admin.req('GET', `/users/${agent.id}`);
      assert.equal(after.body.role, 'agent');
      assert.equal(after.body.name, 'Agnès Martin', 'a refused change changes nothing');
      assertError(await agent.req('PATCH', `/users/${colleague.id}`, { name: 'Renamed by a peer' }), 403, 'FORBIDDEN');
      assertError(await agent.req('PATCH', `/users/${agent.id}`, {}), 400, 'VALIDATION_FAILED');

      // One's own password: not by PATCH, by POST /auth/password with the current one.
      const newPassword = 'my new passphrase';
      assertError(await agent.req('PATCH', `/users/${agent.id}`, { password: newPassword }), 403, 'FORBIDDEN');
      const here = caller(t.app, { cookie: await sessionCookie(t, agent.email, PASSWORD, ws.slug) });
      const elsewhere = caller(t.app, { cookie: await sessionCookie(t, agent.email, PASSWORD, ws.slug) });
      assertError(await here('POST', '/auth/password', { current: 'not my password', password: newPassword }), 403, 'CURRENT_PASSWORD_WRONG');
      assertError(await here('POST', '/auth/password', { current: PASSWORD, password: 'short' }), 400, 'VALIDATION_FAILED');
      assert.ok(await canSignIn(agent.email, PASSWORD, ws.slug), 'refused changes change nothing');
      assert.equal((await here('POST', '/auth/password', { current: PASSWORD, password: newPassword })).status, 204);
      assert.ok(await canSignIn(agent.email, newPassword, ws.slug));
      assert.ok(!(await canSignIn(agent.email, PASSWORD, ws.slug)));
      assert.equal((await here('GET', '/auth/me')).status, 200, 'the session that changed it stays');
      assertError(await elsewhere('GET', '/auth/me'), 401, 'UNAUTHENTICATED');
      const audit = await ws.admin.req('GET', `/audit-log?action=user.password_changed&actorId=${agent.id}`);
      assert.equal(audit.body.items.length, 1, 'a password change is audited');
      assert.ok(!JSON.stringify(audit.body).includes(newPassword));

      // An admin may still set a colleague's password, audited with the value redacted.
      const adminSet = 'set by the admin';
      assert.equal((await ws.admin.req('PATCH', `/users/${colleague.id}`, { password: adminSet })).status, 200);
      assert.ok(await canSignIn(colleague.email, adminSet, ws.slug));
      const adminAudit = await ws.admin.req('GET', `/audit-log?action=user.updated&actorId=${ws.admin.id}`);
      const entry = adminAudit.body.items.find((e: any) => e.targetId === colleague.id && e.data.password);
      assert.deepEqual(entry?.data.password, { from: '[redacted]', to: '[redacted]' });
      assert.ok(!JSON.stringify(adminAudit.body).includes(adminSet));

      // The admin changes roles; the new role applies to the very next request.
      const light = await ws.admin.req('PATCH', `/users/${colleague.id}`, { role: 'light_agent', capacity: 3 });
      assert.equal(light.status, 200);
      assert.equal(light.body.role, 'light_agent');
      const meNow = await colleague.req('GET', '/auth/me');
      assert.equal(meNow.body.user.role, 'light_agent');
      assert.ok(!meNow.body.permissions.includes('tickets:reply'));
      const tk = await ws.admin.req('POST', '/tickets', { subject: 'Hello', body: 'Hi' });
      assertError(await colleague.req('POST', `/tickets/${tk.body.number}/messages`, { body: 'public?' }), 403, 'FORBIDDEN');
    });

    it('keeps at least one active admin (LAST_ADMIN)', async () => {
      const ws = await newWorkspace(t);
      const first = ws.admin;
      assertError(await first.req('PATCH', `/users/${first.id}`, { role: 'agent' }), 409, 'LAST_ADMIN');
      assertError(await first.req('PATCH', `/users/${first.id}`, { status: 'suspended' }), 409, 'LAST_ADMIN');
      assert.equal((await first.req('PATCH', `/users/${first.id}`, { name: 'Still admin' })).status, 200);

      const second = await ws.as('admin');
      const third = await ws.as('admin');
      assert.equal((await second.req('PATCH', `/users/${third.id}`, { status: 'suspended' })).status, 200);
      const demoted = await first.req('PATCH', `/users/${first.id}`, { role: 'agent' });
      assert.equal(demoted.status, 200, JSON.stringify(demoted.body));
      // `third` is an admin but suspended: `second` is the last active one.
      assertError(await second.req('PATCH', `/users/${second.id}`, { role: 'light_agent' }), 409, 'LAST_ADMIN');
      assertError(await second.req('PATCH', `/users/${second.id}`, { status: 'suspended' }), 409, 'LAST_ADMIN');
      assert.equal((await second.req('GET', `/users/${second.id}`)).body.role, 'admin');
      assert.equal((await second.req('PATCH', `/users/${third.id}`, { status: 'active' })).status, 200);
      assert.equal((await second.req('PATCH', `/users/${second.id}`, { role: 'agent' })).status, 200);
    });

    it('lists active or deactivated staff apart (GET /users?status=), with the other filters', async () => {
      const ws = await newWorkspace(t);
      const kept = await ws.as('agent');
      const gone = await ws.as('agent');
      const goneLight = await ws.as('light_agent');
      for (const u of [gone, goneLight]) assert.equal((await ws.admin.req('PATCH', `/users/${u.id}`, { status: 'suspended' })).status, 200);
      const ids = async (query: string) => ((await ws.admin.req('GET', `/users?${query}`)).body.items as Array<{ id: string }>).map((u) => u.id).sort();
      assert.deepEqual(await ids('status=suspended'), [gone.id, goneLight.id].sort());
      assert.deepEqual(await ids('status=suspended&role=agent'), [gone.id]);
      assert.deepEqual(await ids('status=active&role=agent'), [kept.id]);
      assert.ok((await ids('status=active')).includes(ws.admin.id));
      assertError(await ws.admin.req('GET', '/users?status=gone'), 400, 'VALIDATION_FAILED');
    });

    it('sets skills with a proficiency from 1 to 5 (PUT /users/{id}/skills)', async () => {
      const ws = await newWorkspace(t);
      const other = await newWorkspace(t);
      const agent = await ws.as('agent');
      const customer = await ws.as('customer');
      const skill = async (name: string) => {
        const r = await ws.admin.req('POST', '/skills', { name, description: `${name} questions` });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body;
      };
      const cards = await skill('Cards');
      const loans = await skill('Loans');
      const english = await skill('anglais');
      assertError(await ws.admin.req('POST', '/skills', { name: 'CARDS' }), 409, 'NAME_TAKEN');
      assert.equal((await other.admin.req('POST', '/skills', { name: 'Cards' })).status, 201, 'names are per workspace');

      const set = await ws.admin.req('PUT', `/users/${agent.id}/skills`, { skills: [{ skillId: loans.id, proficiency: 1 }, { skillId: cards.id, proficiency: 5 }] });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.deepEqual(set.body.skills, [
        { skillId: cards.id, name: 'Cards', proficiency: 5 },
        { skillId: loans.id, name: 'Loans', proficiency: 1 },
      ]);
      assert.deepEqual((await agent.req('GET', `/users/${agent.id}`)).body.skills, set.body.skills);

      for (const proficiency of [0, 6, 2.5, -1, '3', null]) {
        const bad = await ws.admin.req('PUT', `/users/${agent.id}/skills`, { skills: [{ skillId: cards.id, proficiency }] });
        assertError(bad, 400, 'VALIDATION_FAILED');
        assert.deepEqual(bad.body.error.details.issues[0].path, ['skills', '0', 'proficiency']);
      }
      const unknown = await ws.admin.req('PUT', `/users/${agent.id}/skills`, { skills: [{ skillId: cards.id, proficiency: 2 }, { skillId: MISSING, proficiency: 2 }] });
      assertError(unknown, 404, 'SKILL_NOT_FOUND');
      assert.deepEqual(unknown.body.error.details.missing, [MISSING]);
      assertError(await ws.admin.req('PUT', `/users/${agent.id}/skills`, { skills: [{ skillId: cards.id, proficiency: 2 }, { skillId: cards.id, proficiency: 3 }] }), 400, 'VALIDATION_FAILED');
      assertError(await ws.admin.req('PUT', `/users/${agent.id}/skills`, {}), 400, 'VALIDATION_FAILED');
      assertError(await ws.admin.req('PUT', `/users/${customer.id}/skills`, { skills: [] }), 404, 'USER_NOT_FOUND');
      assertError(await ws.admin.req('PUT', `/users/${MISSING}/skills`, { skills: [] }), 404, 'USER_NOT_FOUND');
      assert.deepEqual((await ws.admin.req('GET', `/users/${agent.id}`)).body.skills, set.body.skills, 'refused changes change nothing');

      // PUT replaces the whole set; renaming and deleting a skill show through.
      const replaced = await ws.admin.req('PUT', `/users/${agent.id}/skills`, { skills: [{ skillId: english.id, proficiency: 3 }, { skillId: cards.id, proficiency: 4 }] });
      const pairs = (skills: any[]) => skills.map((s) => [s.name, s.proficiency]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      assert.deepEqual(pairs(replaced.body.skills), [['anglais', 3], ['Cards', 4]]);
      await ws.admin.req('PATCH', `/skills/${english.id}`, { name: 'English' });
      assert.deepEqual((await ws.admin.req('GET', `/users/${agent.id}`)).body.skills.map((s: any) => s.name), ['Cards', 'English']);
      assert.equal((await ws.admin.req('DELETE', `/skills/${cards.id}`)).status, 204);
      assertError(await ws.admin.req('GET', `/skills/${cards.id}`), 404, 'SKILL_NOT_FOUND');
      assert.deepEqual((await ws.admin.req('GET', `/users/${agent.id}`)).body.skills.map((s: any) => s.name), ['English']);
      assert.deepEqual((await ws.admin.req('PUT', `/users/${agent.id}/skills`, { skills: [] })).body.skills, []);
      const audit = await ws.admin.req('GET', '/audit-log?action=user.skills_set');
      assert.equal(audit.body.items[0].targetId, agent.id);
    });

    it('groups staff into teams with members and a lead', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const light = await ws.as('light_agent');
      const customer = await ws.as('customer');
      const team = await ws.admin.req('POST', '/teams', { name: 'Billing', description: 'Invoices and refunds' });
      assert.equal(team.status, 201, JSON.stringify(team.body));
      assert.deepEqual(team.body.members, []);
      assertError(await ws.admin.req('POST', '/teams', { name: 'billing' }), 409, 'NAME_TAKEN');
      assertError(await ws.admin.req('POST', '/teams', { name: '' }), 400, 'VALIDATION_FAILED');

      const set = await ws.admin.req('PUT', `/teams/${team.body.id}/members`, { members: [{ userId: agent.id, isLead: true }, { userId: light.id }] });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      const byUser = (members: any[]) => Object.fromEntries(members.map((m) => [m.userId, m.isLead]));
      assert.deepEqual(byUser(set.body.members), { [agent.id]: true, [light.id]: false });
      assert.deepEqual(byUser((await agent.req('GET', `/teams/${team.body.id}`)).body.members), byUser(set.body.members));
      assert.deepEqual((await ws.admin.req('GET', `/users/${agent.id}`)).body.teamIds, [team.body.id]);
      const inTeam = await ws.admin.req('GET', `/users?teamId=${team.body.id}`);
      assert.deepEqual(inTeam.body.items.map((u: any) => u.id).sort(), [agent.id, light.id].sort());

      assertError(await ws.admin.req('PUT', `/teams/${team.body.id}/members`, { members: [{ userId: customer.id }] }), 404, 'USER_NOT_FOUND');
      assertError(await ws.admin.req('PUT', `/teams/${team.body.id}/members`, { members: [{ userId: MISSING }] }), 404, 'USER_NOT_FOUND');
      assertError(await ws.admin.req('PUT', `/teams/${team.body.id}/members`, { members: [{ userId: agent.id }, { userId: agent.id }] }), 400, 'VALIDATION_FAILED');
      assertError(await ws.admin.req('PUT', `/teams/${MISSING}/members`, { members: [] }), 404, 'TEAM_NOT_FOUND');
      assert.deepEqual(byUser((await ws.admin.req('GET', `/teams/${team.body.id}`)).body.members), byUser(set.body.members));

      const renamed = await ws.admin.req('PATCH', `/teams/${team.body.id}`, { name: 'Billing & refunds' });
      assert.equal(renamed.body.name, 'Billing & refunds');
      assert.equal(renamed.body.members.length, 2);
      const only = await ws.admin.req('PUT', `/teams/${team.body.id}/members`, { members: [{ userId: agent.id }] });
      assert.deepEqual(byUser(only.body.members), { [agent.id]: false }, 'PUT replaces the members');

      // Deleting a team leaves its tickets without a team.
      const tk = await ws.admin.req('POST', '/tickets', { subject: 'Refund', body: 'Please', teamId: team.body.id, assigneeId: agent.id });
      assert.equal(tk.body.teamId, team.body.id);
      assert.equal((await ws.admin.req('DELETE', `/teams/${team.body.id}`)).status, 204);
      assertError(await ws.admin.req('GET', `/teams/${team.body.id}`), 404, 'TEAM_NOT_FOUND');
      assertError(await ws.admin.req('DELETE', `/teams/${team.body.id}`), 404, 'TEAM_NOT_FOUND');
      const orphan = await ws.admin.req('GET', `/tickets/${tk.body.number}`);
      assert.equal(orphan.body.teamId, null);
      assert.equal(orphan.body.assigneeId, agent.id);
      assert.deepEqual((await ws.admin.req('GET', `/users/${agent.id}`)).body.teamIds, []);
    });

    it('attaches customers to their organization by email domain', async () => {
      const ws = await newWorkspace(t);
      const acme = await ws.admin.req('POST', '/organizations', { name: 'Acme', domains: ['ACME.test', 'acme-group.test', 'acme.test'] });
      assert.equal(acme.status, 201, JSON.stringify(acme.body));
      assert.deepEqual(acme.body.domains, ['acme.test', 'acme-group.test'], 'lowercased, once each');
      assert.equal(acme.body.sharedTickets, false);
      const globex = (await ws.admin.req('POST', '/organizations', { name: 'Globex', domains: ['globex.test'] })).body;

      const customer = async (body: Record<string, unknown>) => {
        const r = await ws.admin.req('POST', '/customers', { name: 'Someone', ...body });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body;
      };
      const jo = await customer({ email: 'Jo@ACME.test', name: 'Jo', phone: '+33 1 23 45 67 89', notes: 'VIP' });
      assert.equal(jo.email, 'jo@acme.test');
      assert.equal(jo.organizationId, acme.body.id);
      assert.equal(jo.phone, '+33 1 23 45 67 89');
      assert.equal((await customer({ email: 'ann@acme-group.test' })).organizationId, acme.body.id);
      assert.equal((await customer({ email: 'sub@eu.acme.test' })).organizationId, null, 'only the exact domain');
      assert.equal((await customer({ email: 'solo@elsewhere.test' })).organizationId, null);
      assert.equal((await customer({ email: 'moved@acme.test', organizationId: globex.id })).organizationId, globex.id, 'an explicit organization wins');
      assert.equal((await customer({ phone: '+41 22 000 00 00' })).email, null, 'an address is optional');
      assertError(await ws.admin.req('POST', '/customers', { name: 'X', organizationId: MISSING }), 404, 'ORGANIZATION_NOT_FOUND');
      assertError(await ws.admin.req('POST', '/customers', { name: 'Jo again', email: 'JO@acme.test' }), 409, 'EMAIL_TAKEN');

      // First contact through a ticket attaches the new requester the same way.
      const tk = await ws.admin.req('POST', '/tickets', { subject: 'Order', body: 'Where is it?', requester: { email: 'Pat.Lee@Acme.test' } });
      assert.equal(tk.body.organizationId, acme.body.id);
      assert.equal(tk.body.requester.name, 'Pat Lee');
      const pat = await ws.admin.req('GET', `/customers/${tk.body.requester.id}`);
      assert.equal(pat.body.organizationId, acme.body.id);

      const members = await ws.admin.req('GET', `/customers?organizationId=${acme.body.id}&limit=200`);
      assert.deepEqual(members.body.items.map((c: any) => c.email).sort(), ['ann@acme-group.test', 'jo@acme.test', 'pat.lee@acme.test']);
      assert.deepEqual((await ws.admin.req('GET', '/customers?q=pat.lee')).body.items.map((c: any) => c.id), [pat.body.id]);

      const moved = await ws.admin.req('PATCH', `/customers/${jo.id}`, { organizationId: globex.id, notes: null });
      assert.equal(moved.body.organizationId, globex.id);
      assert.equal(moved.body.notes, null);
      assertError(await ws.admin.req('PATCH', `/customers/${jo.id}`, { organizationId: MISSING }), 404, 'ORGANIZATION_NOT_FOUND');
      assertError(await ws.admin.req('PATCH', `/customers/${jo.id}`, { email: 'ann@acme-group.test' }), 409, 'EMAIL_TAKEN');
      assertError(await ws.admin.req('PATCH', `/customers/${jo.id}`, {}), 400, 'VALIDATION_FAILED');
      // Staff and customers are separate: each endpoint finds only its own kind.
      assertError(await ws.admin.req('GET', `/customers/${ws.admin.id}`), 404, 'CUSTOMER_NOT_FOUND');
      assertError(await ws.admin.req('GET', `/users/${jo.id}`), 404, 'USER_NOT_FOUND');
      assertError(await ws.admin.req('PATCH', `/users/${jo.id}`, { name: 'x' }), 404, 'USER_NOT_FOUND');
      assertError(await ws.admin.req('PATCH', `/customers/${ws.admin.id}`, { name: 'x' }), 404, 'CUSTOMER_NOT_FOUND');
    });

    it('manages organizations', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const org = await agent.req('POST', '/organizations', { name: 'Initech', domains: ['initech.test'], notes: 'Since 2019' });
      assert.equal(org.status, 201, JSON.stringify(org.body));
      assert.deepEqual(Object.keys(org.body).sort(), ['createdAt', 'domains', 'id', 'name', 'notes', 'sharedTickets']);
      assertError(await agent.req('POST', '/organizations', { name: 'INITECH' }), 409, 'NAME_TAKEN');
      for (const domains of [['not a domain'], ['initech'], ['-bad.test'], 'initech.test']) {
        assertError(await agent.req('POST', '/organizations', { name: `Bad ${JSON.stringify(domains)}`, domains }), 400, 'VALIDATION_FAILED');
      }
      const shared = await agent.req('PATCH', `/organizations/${org.body.id}`, { sharedTickets: true, domains: ['initech.test', 'Initrode.TEST'] });
      assert.equal(shared.status, 200);
      assert.equal(shared.body.sharedTickets, true);
      assert.deepEqual(shared.body.domains, ['initech.test', 'initrode.test']);
      assert.equal((await agent.req('GET', `/organizations/${org.body.id}`)).body.notes, 'Since 2019');
      // A PATCH changes what it names and nothing else.
      const noted = await agent.req('PATCH', `/organizations/${org.body.id}`, { notes: 'Key account' });
      assert.deepEqual(
        { ...noted.body, notes: undefined },
        { ...shared.body, notes: undefined },
        'domains and sharing are kept when only the notes change',
      );
      const renamed = await agent.req('PATCH', `/organizations/${org.body.id}`, { name: 'Initech SA' });
      assert.deepEqual([renamed.body.name, renamed.body.domains, renamed.body.sharedTickets, renamed.body.notes], ['Initech SA', ['initech.test', 'initrode.test'], true, 'Key account']);
      assertError(await agent.req('GET', `/organizations/${MISSING}`), 404, 'ORGANIZATION_NOT_FOUND');
      assertError(await agent.req('PATCH', `/organizations/${org.body.id}`, {}), 400, 'VALIDATION_FAILED');
      assert.deepEqual((await agent.req('GET', '/organizations?q=INITECH')).body.items.map((o: any) => o.id), [org.body.id]);
      assert.deepEqual((await agent.req('GET', '/organizations?q=%25')).body.items, [], 'LIKE wildcards are literal');
    });

    it('defines ticket custom fields of every type', async () => {
      const ws = await newWorkspace(t);
      const fields = [
        { key: 'order_ref', label: 'Order reference', type: 'text' },
        { key: 'amount', label: 'Amount', type: 'number', required: true },
        { key: 'gdpr', label: 'GDPR request', type: 'checkbox' },
        { key: 'due', label: 'Due date', type: 'date' },
        { key: 'product', label: 'Product', type: 'select', options: ['Cards', 'Loans'] },
        { key: 'channels', label: 'Channels', type: 'multiselect', options: ['App', 'Web'] },
      ];
      for (const f of fields) {
        const r = await ws.admin.req('POST', '/custom-fields', f);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.deepEqual(r.body, { id: r.body.id, options: [], required: false, active: true, ...f });
      }
      assertError(await ws.admin.req('POST', '/custom-fields', { key: 'amount', label: 'Again', type: 'text' }), 409, 'KEY_TAKEN');
      for (const bad of [
        { key: 'Bad Key', label: 'x', type: 'text' },
        { key: '1st', label: 'x', type: 'text' },
        { key: 'k', label: 'x', type: 'color' },
        { key: 'k', label: 'x', type: 'select' },
        { key: 'k', label: 'x', type: 'text', options: ['a'] },
        { key: 'k', label: '', type: 'text' },
      ]) {
        assertError(await ws.admin.req('POST', '/custom-fields', bad), 400, 'VALIDATION_FAILED');
      }
      const list = await ws.admin.req('GET', '/custom-fields');
      assert.deepEqual(list.body.items.map((f: any) => f.key), fields.map((f) => f.key));
      const product = list.body.items.find((f: any) => f.key === 'product');
      const text = list.body.items.find((f: any) => f.key === 'order_ref');

      const changed = await ws.admin.req('PATCH', `/custom-fields/${product.id}`, { label: 'Product line', options: ['Cards', 'Loans', 'Savings'], required: true });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.deepEqual(changed.body.options, ['Cards', 'Loans', 'Savings']);
      assertError(await ws.admin.req('PATCH', `/custom-fields/${product.id}`, { options: [] }), 400, 'VALIDATION_FAILED');
      assertError(await ws.admin.req('PATCH', `/custom-fields/${text.id}`, { options: ['a'] }), 400, 'VALIDATION_FAILED');
      assertError(await ws.admin.req('PATCH', `/custom-fields/${MISSING}`, { label: 'x' }), 404, 'CUSTOM_FIELD_NOT_FOUND');
      const off = await ws.admin.req('PATCH', `/custom-fields/${text.id}`, { active: false });
      assert.equal(off.body.active, false);
      assert.equal((await ws.admin.req('GET', '/custom-fields')).body.items.find((f: any) => f.id === text.id).active, false);
    });

    it('records admin actions in the audit log with actor, action and target; only admins read it', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const light = await ws.as('light_agent');
      const customer = await ws.as('customer');
      const user = await ws.admin.req('POST', '/users', { email: `audited@${ws.slug}.test`, name: 'Audited', role: 'agent' });
      await ws.admin.req('PATCH', `/users/${user.body.id}`, { role: 'light_agent' });
      const team = await ws.admin.req('POST', '/teams', { name: 'Support' });
      await ws.admin.req('PUT', `/teams/${team.body.id}/members`, { members: [{ userId: agent.id, isLead: true }] });
      const field = await ws.admin.req('POST', '/custom-fields', { key: 'plan', label: 'Plan', type: 'text' });
      await ws.admin.req('PATCH', '/workspace', { name: 'Renamed workspace', defaultLanguage: 'fr' });

      const log = await ws.admin.req('GET', '/audit-log?limit=200');
      assert.equal(log.status, 200);
      const ids = log.body.items.map((e: any) => e.id);
      assert.deepEqual(ids, [...ids].sort((a: number, b: number) => b - a), 'newest first');
      const find = (action: string) => log.body.items.find((e: any) => e.action === action);
      const adminActor = { id: ws.admin.id, name: 'Ada Admin', type: 'user' };
      const created = find('user.created');
      assert.deepEqual(
        { actor: created.actor, targetType: created.targetType, targetId: created.targetId, data: created.data },
        { actor: adminActor, targetType: 'user', targetId: user.body.id, data: { email: `audited@${ws.slug}.test`, role: 'agent' } },
      );
      assert.ok(!Number.isNaN(Date.parse(created.createdAt)));
      assert.equal(typeof created.ip, 'string');
      const updated = find('user.updated');
      assert.deepEqual([updated.targetId, updated.data.role], [user.body.id, { from: 'agent', to: 'light_agent' }]);
      assert.deepEqual([find('team.created').targetId, find('team.created').actor], [team.body.id, adminActor]);
      assert.deepEqual(find('team.members_set').data.to, [{ userId: agent.id, isLead: true }]);
      assert.equal(find('custom_field.created').targetId, field.body.id);
      assert.deepEqual(find('workspace.updated').data.name.to, 'Renamed workspace');
      const boot = find('workspace.created');
      assert.deepEqual([boot.actor.type, boot.actor.name, boot.actor.id], ['system', 'Guichet', null]);

      assert.deepEqual((await ws.admin.req('GET', '/audit-log?action=team.created')).body.items.map((e: any) => e.targetId), [team.body.id]);
      const byAgent = await ws.admin.req('GET', `/audit-log?actorId=${agent.id}`);
      assert.ok(byAgent.body.items.length > 0 && byAgent.body.items.every((e: any) => e.actor.id === agent.id));
      for (const who of [agent, light, customer]) assertError(await who.req('GET', '/audit-log'), 403, 'FORBIDDEN');
    });

    it('keeps the event log and the audit log append-only in the database', async () => {
      const ws = await newWorkspace(t);
      const tk = await ws.admin.req('POST', '/tickets', { subject: 'Logged', body: 'x' });
      await ws.admin.req('POST', '/teams', { name: 'Logged team' });
      const db = t.database.db;
      const count = async (table: 'events' | 'audit_log') =>
        Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', ws.id).executeTakeFirstOrThrow()).n);
      const before = { events: await count('events'), audit: await count('audit_log') };
      assert.ok(before.events > 0 && before.audit > 0);

      await assert.rejects(db.updateTable('events').set({ type: 'tampered' }).where('workspace_id', '=', ws.id).execute(), /append-only/);
      await assert.rejects(db.deleteFrom('events').where('workspace_id', '=', ws.id).execute(), /append-only/);
      await assert.rejects(db.updateTable('audit_log').set({ action: 'tampered' }).where('workspace_id', '=', ws.id).execute(), /append-only/);
      await assert.rejects(db.deleteFrom('audit_log').where('workspace_id', '=', ws.id).execute(), /append-only/);
      await assert.rejects(sql`UPDATE events SET data = '{}' WHERE subject_id = ${tk.body.id}`.execute(db), /append-only/);
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.deleteFrom('audit_log').where('workspace_id', '=', ws.id).execute();
        }),
        /append-only/,
      );
      assert.deepEqual({ events: await count('events'), audit: await count('audit_log') }, before);
      const history = await ws.admin.req('GET', `/tickets/${tk.body.number}/events`);
      assert.equal(history.body.items[0].type, 'ticket.created');
      // Appending still works.
      await ws.admin.req('PATCH', `/tickets/${tk.body.number}`, { priority: 'high' });
      assert.equal(await count('events'), before.events + 1);
    });

    it('pages every cursor-paginated list, over several pages, without gaps or repeats', async () => {
      const ws = await newWorkspace(t);
      const A = ws.admin.req;
      for (let i = 0; i < 4; i++) await ws.as(i % 2 ? 'agent' : 'light_agent');
      for (const name of ['echo', 'Alpha', 'delta', 'Charlie', 'bravo']) {
        await A('POST', '/organizations', { name });
        await A('POST', '/teams', { name });
        await A('POST', '/skills', { name });
      }
      for (let i = 0; i < 5; i++) await A('POST', '/customers', { name: `Customer ${i}`, email: `c${i}@example.test` });
      const tk = (await A('POST', '/tickets', { subject: 'Paged', body: 'first message', requester: { email: 'c0@example.test' } })).body;
      for (let i = 0; i < 4; i++) await A('POST', `/tickets/${tk.number}/messages`, { body: `message ${i}`, visibility: i % 2 ? 'internal' : 'public' });
      for (const priority of ['low', 'high', 'urgent', 'normal']) await A('PATCH', `/tickets/${tk.number}`, { priority });
      for (let i = 0; i < 4; i++) await A('POST', '/tickets', { subject: `Other ${i}`, body: 'x' });

      // Notifications come from SLA warnings and rules; five for the admin, a second apart.
      for (let i = 0; i < 5; i++) {
        await t.deps.store.notifications.insert({
          id: t.deps.ids.uuid(), workspaceId: ws.id, userId: ws.admin.id, ticketId: tk.id, kind: 'sla.warning', title: `Due soon ${i}`, body: 'x',
          data: {}, dedupeKey: `paging-${i}`, createdAt: new Date(Date.now() - (5 - i) * 1000), readAt: null,
        });
      }
      // The knowledge base: five articles, one of them saved five times, five proposals, five reminders.
      const articles: any[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await A('POST', '/articles', { translations: { en: { title: `Paging guide ${i}`, body: `How paging works, part ${i}.` } } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        articles.push(r.body);
      }
      const art = articles[0];
      for (let i = 1; i < 5; i++) await A('PUT', `/articles/${art.id}/translations/en`, { title: `Paging guide 0 (v${i + 1})`, body: `Revised ${i}.` });
      for (let i = 0; i < 5; i++) {
        const r = await A('POST', `/articles/${articles[i].id}/proposals`, { language: 'en', title: `Clearer guide ${i}`, body: 'Clearer.' });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
      for (let i = 0; i < 5; i++) {
        await t.deps.store.knowledge.insertNotification({
          id: t.deps.ids.uuid(), workspaceId: ws.id, userId: ws.admin.id, kind: 'article.verification_due', articleId: articles[i].id,
          data: { n: i }, createdAt: new Date(Date.now() - (5 - i) * 1000), readAt: null,
        });
      }
      const byName = (items: any[]) => items.map((i) => i.name);
      const sortedNames = ['Alpha', 'bravo', 'Charlie', 'delta', 'echo'];
      const checks: Record<string, { url: string; min: number; max?: number; order?: (items: any[]) => void }> = {
        'GET /tickets': { url: '/tickets', min: 5 },
        'GET /tickets/{id}/messages': {
          url: `/tickets/${tk.id}/messages`,
          min: 5,
          order: (items) => assert.deepEqual(items.map((m) => m.body), ['first message', 'message 0', 'message 1', 'message 2', 'message 3']),
        },
        'GET /tickets/{id}/events': {
          url: `/tickets/${tk.number}/events`,
          min: 5,
          order: (items) => assert.deepEqual(items.map((e) => e.id), [...items.map((e) => e.id)].sort((a, b) => a - b)),
        },
        'GET /users': {
          url: '/users',
          min: 5,
          order: (items) => assert.deepEqual(items.map((u) => u.createdAt), [...items.map((u) => u.createdAt)].sort().reverse()),
        },
        'GET /customers': { url: '/customers', min: 5, order: (items) => assert.equal(items.at(-1).name, 'Customer 0') },
        'GET /organizations': { url: '/organizations', min: 5, order: (items) => assert.deepEqual(byName(items), sortedNames) },
        'GET /teams': { url: '/teams', min: 5, order: (items) => assert.deepEqual(byName(items), sortedNames) },
        'GET /skills': { url: '/skills', min: 5, order: (items) => assert.deepEqual(byName(items), sortedNames) },
        'GET /notifications': {
          url: '/notifications',
          min: 5,
          order: (items) => assert.deepEqual(items.map((n) => n.title), ['Due soon 4', 'Due soon 3', 'Due soon 2', 'Due soon 1', 'Due soon 0']),
        },
        'GET /articles': { url: '/articles', min: 5 },
        'GET /articles/{id}/events': { url: `/articles/${art.id}/events`, min: 5 },
        'GET /articles/{id}/versions': { url: `/articles/${art.id}/versions?language=en`, min: 5 },
        'GET /article-proposals': { url: '/article-proposals', min: 5 },
        'GET /knowledge/notifications': {
          url: '/knowledge/notifications',
          min: 5,
          order: (items) => assert.deepEqual(items.map((n) => n.data.n), [4, 3, 2, 1, 0]),
        },
        // Ranked, at most 50 a page.
        'GET /search': { url: '/search?q=paging&type=article', min: 5, max: 50 },
        'GET /audit-log': {
          url: '/audit-log',
          min: 20,
          order: (items) => assert.deepEqual(items.map((e) => e.id), [...items.map((e) => e.id)].sort((a, b) => b - a)),
        },
      };
      const paged = (await openApiOperations(t)).filter((o) => (o.op.parameters ?? []).some((p: any) => p.name === 'cursor')).map((o) => o.key);
      assert.deepEqual(Object.keys(checks).sort(), paged.sort(), 'every list with a cursor is checked here');

      for (const [key, c] of Object.entries(checks)) {
        const sep = c.url.includes('?') ? '&' : '?';
        const whole = await A('GET', `${c.url}${sep}limit=${c.max ?? 200}`);
        assert.equal(whole.body.nextCursor, null, key);
        assert.ok(whole.body.items.length >= c.min, `${key}: ${whole.body.items.length} items`);
        for (const limit of [1, 2, 3]) {
          const walked = await walkPages(A, `${c.url}${sep}limit=${limit}`);
          assert.deepEqual(walked.items.map((i: any) => i.id), whole.body.items.map((i: any) => i.id), `${key} by ${limit}`);
          assert.equal(walked.pages, Math.ceil(whole.body.items.length / limit), `${key} by ${limit}: pages`);
        }
        c.order?.(whole.body.items);
      }
      // Callers who see fewer messages (no internal notes) get pages that still meet.
      const light = await ws.as('light_agent');
      assert.equal((await walkPages(light.req, `/tickets/${tk.id}/messages?limit=2`)).items.length, 5, 'light agents read internal notes');
      // The requester, signed in (customers get a password through the portal later; set one directly).
      const c0 = (await A('GET', '/customers?q=c0@example.test')).body.items[0];
      await t.deps.store.users.update(ws.id, c0.id, { passwordHash: await t.deps.passwords.hash(PASSWORD) });
      const customer = caller(t.app, { cookie: await sessionCookie(t, 'c0@example.test', PASSWORD, ws.slug) });
      const publicOnly = await walkPages(customer, `/tickets/${tk.id}/messages?limit=1`);
      assert.deepEqual(publicOnly.items.map((m: any) => m.body), ['first message', 'message 0', 'message 2']);
    });

    it('never answers with a password or token hash', () => {
      assertNoSecrets(seen, [PASSWORD, 'my new passphrase']);
    });
  });
}
