import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CursorPosition, Organization, Skill, Team, User } from '@guichet/core';
import {
  at,
  customFieldOf,
  describeStore,
  newWorkspace,
  organizationOf,
  rejectsWith,
  skillOf,
  sortedIds,
  teamOf,
  unique,
  userOf,
  uuid,
  walkPages,
  workspaceOf,
} from './fixtures.ts';

/** Array elements that need quoting in PostgreSQL's array syntax. */
const AWKWARD = ['fr', 'a,b', 'with "quotes"', '{braces}', 'back\\slash', 'NULL', ' padded ', '', 'ünï 🎫'];

describeStore('storage port: workspaces and people', (h) => {
  describe('workspaces', () => {
    it('inserts and reads back every field, by id and by slug', async () => {
      const ws = workspaceOf({ mailDomain: 'support.acme.test', defaultLanguage: 'fr', updatedAt: at(5) });
      assert.deepEqual(await h.store.workspaces.insert(ws), ws);
      assert.deepEqual(await h.store.workspaces.findById(ws.id), ws);
      assert.deepEqual(await h.store.workspaces.findBySlug(ws.slug), ws);
      const bare = workspaceOf();
      assert.deepEqual(await h.store.workspaces.insert(bare), bare);
      assert.deepEqual(await h.store.workspaces.findById(bare.id), bare);
    });

    it('answers null for unknown ids and slugs', async () => {
      assert.equal(await h.store.workspaces.findById(uuid()), null);
      assert.equal(await h.store.workspaces.findBySlug(unique('nope')), null);
    });

    it('updates the fields it is given and keeps the others', async () => {
      const ws = await newWorkspace(h.store, { mailDomain: 'old.test' });
      const updated = await h.store.workspaces.update(ws.id, { name: 'Renamed', mailDomain: null, updatedAt: at(50) });
      const expected = { ...ws, name: 'Renamed', mailDomain: null, updatedAt: at(50) };
      assert.deepEqual(updated, expected);
      assert.deepEqual(await h.store.workspaces.findById(ws.id), expected);
    });

    it('translates a taken slug into NAME_TAKEN', async () => {
      const ws = await newWorkspace(h.store);
      await rejectsWith(h.store.workspaces.insert(workspaceOf({ slug: ws.slug })), 'NAME_TAKEN');
    });
  });

  describe('users', () => {
    it('inserts and reads back every field, set and unset', async () => {
      const ws = await newWorkspace(h.store);
      const org = await h.store.organizations.insert(organizationOf(ws));
      const full = userOf(ws, {
        role: 'customer',
        email: `${unique('full')}@example.test`,
        name: 'Zoë O\'Brien',
        passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
        status: 'suspended',
        locale: 'fr',
        timeZone: 'Europe/Paris',
        languages: AWKWARD,
        organizationId: org.id,
        phone: '+33 1 23 45 67 89',
        notes: 'multi\nline\tnotes',
        capacity: 0,
        createdAt: at(100),
        updatedAt: at(101),
        lastLoginAt: at(102),
        emailNotifications: true,
      });
      assert.deepEqual(await h.store.users.insert(full), full);
      assert.deepEqual(await h.store.users.findById(ws.id, full.id), full);
      const bare = userOf(ws, { email: null });
      assert.deepEqual(await h.store.users.insert(bare), bare);
      assert.deepEqual(await h.store.users.findById(ws.id, bare.id), bare);
    });

    it('finds by email whatever the case, only in the workspace asked', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const u = await h.store.users.insert(userOf(ws, { email: 'marie.dupont@example.test' }));
      assert.deepEqual(await h.store.users.findByEmail(ws.id, 'Marie.Dupont@EXAMPLE.test'), u);
      assert.equal(await h.store.users.findByEmail(other.id, 'marie.dupont@example.test'), null);
      assert.equal(await h.store.users.findById(other.id, u.id), null);
      assert.equal(await h.store.users.findById(ws.id, uuid()), null);
      // Several addresses in one read: the ones found, by lower-cased address.
      const v = await h.store.users.insert(userOf(ws, { email: 'Victor.Hugo@Example.test' }));
      await h.store.users.insert(userOf(other, { email: 'someone@example.test' }));
      const found = await h.store.users.findByEmails(ws.id, ['MARIE.dupont@example.test', 'victor.hugo@example.test', 'someone@example.test', 'nobody@example.test']);
      assert.deepEqual([...found.keys()].sort(), ['marie.dupont@example.test', 'victor.hugo@example.test']);
      assert.deepEqual(found.get('marie.dupont@example.test'), u);
      assert.deepEqual(found.get('victor.hugo@example.test'), v);
      assert.equal((await h.store.users.findByEmails(ws.id, [])).size, 0);
    });

    it('updates the fields it is given, arrays and nulls included, and nothing across workspaces', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const u = await h.store.users.insert(userOf(ws, { phone: '123', capacity: 5 }));
      const patch = { name: 'New Name', languages: ['en', 'de'], phone: null, capacity: null, lastLoginAt: at(300), timeZone: 'Asia/Tokyo', updatedAt: at(301) };
      const expected = { ...u, ...patch };
      assert.deepEqual(await h.store.users.update(ws.id, u.id, patch), expected);
      assert.deepEqual(await h.store.users.findById(ws.id, u.id), expected);
      await assert.rejects(h.store.users.update(other.id, u.id, { name: 'Hijacked' }));
      assert.deepEqual(await h.store.users.findById(ws.id, u.id), expected);
    });

    it('translates a taken address (any case) into EMAIL_TAKEN, per workspace, on insert and update', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      await h.store.users.insert(userOf(ws, { email: 'taken@example.test' }));
      await rejectsWith(h.store.users.insert(userOf(ws, { email: 'TAKEN@example.test' })), 'EMAIL_TAKEN');
      await h.store.users.insert(userOf(other, { email: 'taken@example.test' }));
      const second = await h.store.users.insert(userOf(ws, { email: 'free@example.test' }));
      await rejectsWith(h.store.users.update(ws.id, second.id, { email: 'Taken@Example.test' }), 'EMAIL_TAKEN');
      // Any number of people without an address.
      await h.store.users.insert(userOf(ws, { email: null }));
      await h.store.users.insert(userOf(ws, { email: null }));
    });

    it('finds login candidates in every workspace: active accounts with a password only', async () => {
      const email = `${unique('login')}@example.test`;
      const a = await newWorkspace(h.store, { mailDomain: 'a.test' });
      const b = await newWorkspace(h.store);
      const c = await newWorkspace(h.store);
      const d = await newWorkspace(h.store);
      const ua = await h.store.users.insert(userOf(a, { email, passwordHash: 'hash-a' }));
      const ub = await h.store.users.insert(userOf(b, { email: email.toUpperCase(), passwordHash: 'hash-b', role: 'customer' }));
      await h.store.users.insert(userOf(c, { email, passwordHash: null }));
      await h.store.users.insert(userOf(d, { email, passwordHash: 'hash-d', status: 'suspended' }));
      const found = await h.store.users.findLoginCandidates(email.toUpperCase());
      assert.deepEqual(
        found.sort((x, y) => x.user.passwordHash!.localeCompare(y.user.passwordHash!)),
        [
          { user: ua, workspace: a },
          { user: ub, workspace: b },
        ],
      );
      assert.deepEqual(await h.store.users.findLoginCandidates(`${unique('nobody')}@example.test`), []);
    });

    it('lists by role, text, organization and team, newest first, in keyset pages without gaps or repeats', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const org = await h.store.organizations.insert(organizationOf(ws));
      const team = await h.store.teams.insert(teamOf(ws));
      const users: User[] = [];
      for (let i = 0; i < 23; i++) {
        users.push(
          await h.store.users.insert(
            userOf(ws, {
              role: i % 3 === 0 ? 'customer' : 'agent',
              name: i === 5 ? 'Percent 100% Sure' : `Person ${i}`,
              email: i === 7 ? `under_score${i}@example.test` : `p${i}@example.test`,
              // Several people share each instant: the id breaks the tie.
              createdAt: at(Math.floor(i / 4)),
              organizationId: i % 2 === 0 ? org.id : null,
            }),
          ),
        );
      }
      await h.store.users.insert(userOf(other, { role: 'agent' }));
      await h.store.teams.setMembers(ws.id, team.id, [users[1]!, users[2]!].map((u) => ({ userId: u.id, isLead: false })));

      const position = (u: User): CursorPosition => ({ sort: 'created_at', order: 'desc', value: u.createdAt.toISOString(), id: u.id });
      for (const roles of [['agent', 'customer'], ['customer']] as const) {
        const walked = await walkPages((limit, after) => h.store.users.list(ws.id, { roles: [...roles] }, { limit, ...(after ? { after } : {}) }), position, 4);
        assert.deepEqual(sortedIds(walked), sortedIds(users.filter((u) => roles.includes(u.role as never))));
        for (let i = 1; i < walked.length; i++) {
          const [p, q] = [walked[i - 1]!, walked[i]!];
          assert.ok(p.createdAt > q.createdAt || (p.createdAt.getTime() === q.createdAt.getTime() && p.id > q.id), 'newest first, then by id');
        }
      }
      const list = (f: Parameters<typeof h.store.users.list>[1]) => h.store.users.list(ws.id, f, { limit: 100 });
      assert.deepEqual(sortedIds(await list({ roles: ['agent', 'customer'], text: '100%' })), [users[5]!.id]);
      assert.deepEqual(sortedIds(await list({ roles: ['agent', 'customer'], text: '%' })), [users[5]!.id], 'LIKE wildcards are literal');
      assert.deepEqual(sortedIds(await list({ roles: ['agent', 'customer'], text: 'R_SCORE' })), [users[7]!.id], 'matches the email, any case');
      assert.deepEqual(sortedIds(await list({ roles: ['agent', 'customer'], organizationId: org.id })), sortedIds(users.filter((_, i) => i % 2 === 0)));
      assert.deepEqual(sortedIds(await list({ roles: ['agent', 'customer'], teamId: team.id })), sortedIds([users[1]!, users[2]!]));
      assert.deepEqual(await h.store.users.list(other.id, { roles: ['customer'] }, { limit: 100 }), []);
    });

    it('counts by role and status, per workspace', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      await h.store.users.insert(userOf(ws, { role: 'admin' }));
      await h.store.users.insert(userOf(ws, { role: 'admin', status: 'suspended' }));
      await h.store.users.insert(userOf(ws, { role: 'agent' }));
      await h.store.users.insert(userOf(other, { role: 'admin' }));
      assert.equal(await h.store.users.countByRole(ws.id, 'admin'), 2);
      assert.equal(await h.store.users.countByRole(ws.id, 'admin', 'active'), 1);
      assert.equal(await h.store.users.countByRole(ws.id, 'light_agent'), 0);
    });

    it('sets and reads skills and teams, replacing the previous set, per workspace', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const u = await h.store.users.insert(userOf(ws));
      const v = await h.store.users.insert(userOf(ws));
      const billing = await h.store.skills.insert(skillOf(ws, { name: 'Billing' }));
      const api = await h.store.skills.insert(skillOf(ws, { name: 'API' }));
      const french = await h.store.skills.insert(skillOf(ws, { name: 'French' }));
      await h.store.users.setSkills(ws.id, u.id, [
        { skillId: billing.id, proficiency: 5 },
        { skillId: api.id, proficiency: 1 },
      ]);
      await h.store.users.setSkills(ws.id, v.id, [{ skillId: french.id, proficiency: 3 }]);
      assert.deepEqual(await h.store.users.skillsOf(ws.id, [u.id]), [
        { userId: u.id, skillId: api.id, name: 'API', proficiency: 1 },
        { userId: u.id, skillId: billing.id, name: 'Billing', proficiency: 5 },
      ]);
      await h.store.users.setSkills(ws.id, u.id, [{ skillId: french.id, proficiency: 4 }]);
      assert.deepEqual(
        (await h.store.users.skillsOf(ws.id, [u.id, v.id])).sort((a, b) => a.proficiency - b.proficiency),
        [
          { userId: v.id, skillId: french.id, name: 'French', proficiency: 3 },
          { userId: u.id, skillId: french.id, name: 'French', proficiency: 4 },
        ],
      );
      await h.store.users.setSkills(ws.id, v.id, []);
      assert.deepEqual(await h.store.users.skillsOf(ws.id, [v.id]), []);
      assert.deepEqual(await h.store.users.skillsOf(other.id, [u.id]), []);
      assert.deepEqual(await h.store.users.skillsOf(ws.id, []), []);

      const t1 = await h.store.teams.insert(teamOf(ws));
      const t2 = await h.store.teams.insert(teamOf(ws));
      await h.store.teams.setMembers(ws.id, t1.id, [{ userId: u.id, isLead: true }]);
      await h.store.teams.setMembers(ws.id, t2.id, [{ userId: u.id, isLead: false }]);
      assert.deepEqual(
        (await h.store.users.teamIdsOf(ws.id, [u.id, v.id])).map((r) => r.teamId).sort(),
        [t1.id, t2.id].sort(),
      );
      assert.deepEqual(await h.store.users.teamIdsOf(other.id, [u.id]), []);
      assert.deepEqual(await h.store.users.teamIdsOf(ws.id, []), []);
    });
  });

  describe('organizations', () => {
    it('inserts and reads back every field, and finds by domain whatever the case', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const org = organizationOf(ws, { domains: ['acme.test', 'acme.example'], notes: 'Key account', sharedTickets: true, updatedAt: at(9) });
      assert.deepEqual(await h.store.organizations.insert(org), org);
      assert.deepEqual(await h.store.organizations.findById(ws.id, org.id), org);
      assert.deepEqual(await h.store.organizations.findByDomain(ws.id, 'ACME.example'), org);
      assert.equal(await h.store.organizations.findByDomain(ws.id, 'example'), null, 'a whole domain, not a part');
      assert.equal(await h.store.organizations.findByDomain(other.id, 'acme.test'), null);
      assert.equal(await h.store.organizations.findById(other.id, org.id), null);
      const bare = organizationOf(ws, { domains: AWKWARD });
      assert.deepEqual(await h.store.organizations.insert(bare), bare);
      assert.deepEqual(await h.store.organizations.findById(ws.id, bare.id), bare);
    });

    it('updates, and refuses a name taken in any case with NAME_TAKEN', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const org = await h.store.organizations.insert(organizationOf(ws, { name: 'Globex' }));
      const patch = { domains: ['globex.test'], sharedTickets: true, notes: null, updatedAt: at(60) };
      assert.deepEqual(await h.store.organizations.update(ws.id, org.id, patch), { ...org, ...patch });
      assert.deepEqual(await h.store.organizations.findById(ws.id, org.id), { ...org, ...patch });
      await rejectsWith(h.store.organizations.insert(organizationOf(ws, { name: 'GLOBEX' })), 'NAME_TAKEN');
      await h.store.organizations.insert(organizationOf(other, { name: 'Globex' }));
      const second = await h.store.organizations.insert(organizationOf(ws, { name: 'Initech' }));
      await rejectsWith(h.store.organizations.update(ws.id, second.id, { name: 'globex' }), 'NAME_TAKEN');
      await assert.rejects(h.store.organizations.update(other.id, org.id, { name: 'Hijacked' }));
      assert.equal((await h.store.organizations.findById(ws.id, org.id))!.name, 'Globex');
    });

    it('lists by name in keyset pages without gaps or repeats, any letters', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const names = ['alpha', 'Beta', 'beta 2', 'Église', 'école', 'Zeta', 'zulu', 'ΟΔΟΣ', 'Οδοσ Β', 'İstanbul', 'Istanbul 2', 'izmir', '100% Co', 'under_score'];
      const orgs: Organization[] = [];
      for (const name of names) orgs.push(await h.store.organizations.insert(organizationOf(ws, { name })));
      await h.store.organizations.insert(organizationOf(other, { name: 'Other' }));
      const position = (o: Organization): CursorPosition => ({ sort: 'name', order: 'asc', value: o.name, id: o.id });
      for (const size of [1, 2, 3, 5]) {
        const walked = await walkPages((limit, after) => h.store.organizations.list(ws.id, {}, { limit, ...(after ? { after } : {}) }), position, size);
        assert.deepEqual(sortedIds(walked), sortedIds(orgs));
      }
      assert.deepEqual((await h.store.organizations.list(ws.id, { text: '%' }, { limit: 50 })).map((o) => o.name), ['100% Co']);
      assert.deepEqual((await h.store.organizations.list(ws.id, { text: 'BETA' }, { limit: 50 })).map((o) => o.name), ['Beta', 'beta 2']);
      assert.deepEqual(await h.store.organizations.list(other.id, { text: 'alpha' }, { limit: 50 }), []);
    });
  });

  describe('teams and skills', () => {
    it('insert, read, update and delete teams, only within their workspace', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const team = teamOf(ws, { description: 'Money matters' });
      assert.deepEqual(await h.store.teams.insert(team), team);
      assert.deepEqual(await h.store.teams.findById(ws.id, team.id), team);
      assert.equal(await h.store.teams.findById(other.id, team.id), null);
      const patch = { name: 'Renamed', description: null, updatedAt: at(70) };
      assert.deepEqual(await h.store.teams.update(ws.id, team.id, patch), { ...team, ...patch });
      await assert.rejects(h.store.teams.update(other.id, team.id, { name: 'Hijacked' }));
      await h.store.teams.delete(other.id, team.id);
      assert.ok(await h.store.teams.findById(ws.id, team.id), 'a delete from another workspace does nothing');
      await h.store.teams.delete(ws.id, team.id);
      assert.equal(await h.store.teams.findById(ws.id, team.id), null);
    });

    it('set and read team members, replacing the previous set', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const [a, b, c] = [await h.store.users.insert(userOf(ws)), await h.store.users.insert(userOf(ws)), await h.store.users.insert(userOf(ws))];
      const t1 = await h.store.teams.insert(teamOf(ws));
      const t2 = await h.store.teams.insert(teamOf(ws));
      await h.store.teams.setMembers(ws.id, t1.id, [
        { userId: a!.id, isLead: true },
        { userId: b!.id, isLead: false },
      ]);
      await h.store.teams.setMembers(ws.id, t2.id, [{ userId: c!.id, isLead: false }]);
      const byUser = <T extends { teamId: string; userId: string }>(rows: T[]) => [...rows].sort((x, y) => (x.teamId + x.userId).localeCompare(y.teamId + y.userId));
      assert.deepEqual(
        byUser(await h.store.teams.membersOf(ws.id, [t1.id])),
        byUser([
          { teamId: t1.id, userId: a!.id, isLead: true },
          { teamId: t1.id, userId: b!.id, isLead: false },
        ]),
      );
      await h.store.teams.setMembers(ws.id, t1.id, [{ userId: c!.id, isLead: true }]);
      assert.deepEqual(
        byUser(await h.store.teams.membersOf(ws.id, [t1.id, t2.id])),
        byUser([
          { teamId: t1.id, userId: c!.id, isLead: true },
          { teamId: t2.id, userId: c!.id, isLead: false },
        ]),
      );
      await h.store.teams.setMembers(ws.id, t1.id, []);
      assert.deepEqual(await h.store.teams.membersOf(ws.id, [t1.id]), []);
      assert.deepEqual(await h.store.teams.membersOf(other.id, [t2.id]), []);
      assert.deepEqual(await h.store.teams.membersOf(ws.id, []), []);
    });

    it('translate taken team and skill names (any case) into NAME_TAKEN, per workspace', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      await h.store.teams.insert(teamOf(ws, { name: 'Billing' }));
      await rejectsWith(h.store.teams.insert(teamOf(ws, { name: 'billing' })), 'NAME_TAKEN');
      await h.store.teams.insert(teamOf(other, { name: 'Billing' }));
      const t = await h.store.teams.insert(teamOf(ws, { name: 'Tech' }));
      await rejectsWith(h.store.teams.update(ws.id, t.id, { name: 'BILLING' }), 'NAME_TAKEN');

      await h.store.skills.insert(skillOf(ws, { name: 'German' }));
      await rejectsWith(h.store.skills.insert(skillOf(ws, { name: 'GERMAN' })), 'NAME_TAKEN');
      await h.store.skills.insert(skillOf(other, { name: 'German' }));
      const s = await h.store.skills.insert(skillOf(ws, { name: 'Italian' }));
      await rejectsWith(h.store.skills.update(ws.id, s.id, { name: 'german' }), 'NAME_TAKEN');
    });

    it('insert, read, find, update and delete skills, only within their workspace', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const skill = skillOf(ws, { description: 'Speaks it' });
      assert.deepEqual(await h.store.skills.insert(skill), skill);
      assert.deepEqual(await h.store.skills.findById(ws.id, skill.id), skill);
      assert.equal(await h.store.skills.findById(other.id, skill.id), null);
      const second = await h.store.skills.insert(skillOf(ws));
      const foreign = await h.store.skills.insert(skillOf(other));
      assert.deepEqual(sortedIds(await h.store.skills.findByIds(ws.id, [skill.id, second.id, foreign.id, uuid()])), sortedIds([skill, second]));
      assert.deepEqual(await h.store.skills.findByIds(ws.id, []), []);
      const patch = { description: null, updatedAt: at(80) };
      assert.deepEqual(await h.store.skills.update(ws.id, skill.id, patch), { ...skill, ...patch });
      await h.store.skills.delete(other.id, skill.id);
      assert.ok(await h.store.skills.findById(ws.id, skill.id));
      await h.store.skills.delete(ws.id, skill.id);
      assert.equal(await h.store.skills.findById(ws.id, skill.id), null);
    });

    it('list teams and skills by name in keyset pages without gaps or repeats', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const names = ['Support', 'sales', 'Sales EMEA', 'Été', 'ΣΣ', 'İade', 'Ideas', 'A', 'b', 'C'];
      const teams: Team[] = [];
      const skills: Skill[] = [];
      for (const name of names) {
        teams.push(await h.store.teams.insert(teamOf(ws, { name })));
        skills.push(await h.store.skills.insert(skillOf(ws, { name })));
      }
      await h.store.teams.insert(teamOf(other));
      await h.store.skills.insert(skillOf(other));
      const position = (r: Team | Skill): CursorPosition => ({ sort: 'name', order: 'asc', value: r.name, id: r.id });
      for (const size of [1, 3, 4]) {
        const t = await walkPages((limit, after) => h.store.teams.list(ws.id, { limit, ...(after ? { after } : {}) }), position, size);
        assert.deepEqual(sortedIds(t), sortedIds(teams));
        const s = await walkPages((limit, after) => h.store.skills.list(ws.id, { limit, ...(after ? { after } : {}) }), position, size);
        assert.deepEqual(sortedIds(s), sortedIds(skills));
      }
    });
  });

  describe('custom fields', () => {
    it('insert and read back every field, options as a list, in creation order, per workspace', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const select = customFieldOf(ws, { type: 'multiselect', label: 'Areas', options: ['a', 'b "quoted"', 'ünï', '[x]'], required: true, createdAt: at(2) });
      const text = customFieldOf(ws, { type: 'text', active: false, createdAt: at(1) });
      assert.deepEqual(await h.store.customFields.insert(select), select);
      assert.deepEqual(await h.store.customFields.insert(text), text);
      assert.deepEqual(await h.store.customFields.findById(ws.id, select.id), select);
      assert.deepEqual(await h.store.customFields.list(ws.id), [text, select]);
      assert.equal(await h.store.customFields.findById(other.id, select.id), null);
      assert.deepEqual(await h.store.customFields.list(other.id), []);
    });

    it('update options and flags', async () => {
      const ws = await newWorkspace(h.store);
      const f = await h.store.customFields.insert(customFieldOf(ws, { type: 'select', options: ['x'] }));
      const patch = { options: ['x', 'y'], required: true, active: false, label: 'Plan', updatedAt: at(90) };
      assert.deepEqual(await h.store.customFields.update(ws.id, f.id, patch), { ...f, ...patch });
      assert.deepEqual(await h.store.customFields.findById(ws.id, f.id), { ...f, ...patch });
    });

    it('translate a taken key into KEY_TAKEN, per workspace', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      await h.store.customFields.insert(customFieldOf(ws, { key: 'plan' }));
      await rejectsWith(h.store.customFields.insert(customFieldOf(ws, { key: 'plan' })), 'KEY_TAKEN');
      await h.store.customFields.insert(customFieldOf(other, { key: 'plan' }));
    });
  });
});
