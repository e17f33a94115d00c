import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHANNELS, TICKET_PRIORITIES, TICKET_STATUSES } from '@guichet/contracts';
import { createStore } from '@guichet/db';
import { openTestDatabase, testDbKinds } from '@guichet/db/testing';
import type { Deps, Repositories } from '@guichet/core';
import { DEMO_HISTORY_TICKETS, DEMO_SLUG, ensureDemoWorkspace } from '../src/seed/demo.ts';
import { DEMO_TICKETS, planDemoTimeline } from '../src/seed/demo-seed.ts';
import { HISTORY_DAYS, planDemoHistory, type HistoryCast } from '../src/seed/demo-history.ts';
import { parseCsvRows as parseCsv } from '@guichet/core';
import { BUILT_IN_EN, BUILT_IN_FR, loadHistoryTexts } from '../src/seed/demo-history-texts.ts';
import { loadConfig } from '../src/config.ts';
import { caller, sessionCookie, startTestApp, type TestApp } from './harness.ts';

const DAY = 86_400_000;
/** As on a first start: the datasets beside the repository when they are there, else the built-in texts. */
const DATASETS = loadConfig({}, []).demoDatasetsDir;
const DEMO_ON = { demo: true, adminEmail: undefined, adminPassword: undefined, demoDatasetsDir: DATASETS } as const;
const TOTAL = DEMO_TICKETS.length + DEMO_HISTORY_TICKETS;
/** The hand-written tickets' subjects (the history's conversations are checked on its plan, above). */
const WRITTEN = new Set(DEMO_TICKETS.map((d) => d.subject));
const ADMIN_EMAIL = 'admin@demo.guichet.test';

type Req = ReturnType<typeof caller>;

async function all(req: Req, path: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r: any = await req('GET', `${path}${sep}limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor);
  return items;
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) out[key(it)] = (out[key(it)] ?? 0) + 1;
  return out;
}

/** Deps whose store fails on the n-th message insert, as a crash half-way through seeding would. */
function crashingOnMessage(deps: Deps, n: number): Deps {
  let inserts = 0;
  const store = deps.store;
  return {
    ...deps,
    store: {
      ...store,
      transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
        return store.transaction((tx) => {
          const messages = new Proxy(tx.messages, {
            get(target, prop, receiver) {
              const v = Reflect.get(target, prop, receiver);
              if (prop !== 'insert' || typeof v !== 'function') return v;
              return async (...args: unknown[]) => {
                if (++inserts >= n) throw new Error('simulated crash half-way through seeding');
                return v.apply(target, args);
              };
            },
          });
          return work({ ...tx, messages });
        });
      },
    },
  };
}

/** Everything a visitor of the demo could see, to compare before and after a restart. */
async function snapshot(req: Req) {
  const tickets = await all(req, '/tickets?sort=number&order=asc');
  // Every hand-written ticket's conversation and every tenth of the others (three hundred tickets in all).
  const messages: Record<number, number> = {};
  for (const t of tickets.filter((x, i) => WRITTEN.has(x.subject) || i % 10 === 0)) messages[t.number] = (await all(req, `/tickets/${t.number}/messages`)).length;
  return {
    tickets: tickets.map((t) => [t.number, t.id, t.status, t.version, t.updatedAt]),
    messages,
    users: (await all(req, '/users')).map((u) => [u.id, u.email, u.role]).sort(),
    customers: (await all(req, '/customers')).map((c) => [c.id, c.email, c.organizationId]).sort(),
    teams: (await all(req, '/teams')).map((t) => [t.id, t.members.length]),
    skills: (await all(req, '/skills')).length,
    organizations: (await all(req, '/organizations')).length,
    customFields: (await req('GET', '/custom-fields')).body.items.length,
    audit: (await all(req, '/audit-log')).length,
    workspace: (await req('GET', '/workspace')).body,
  };
}

describe('demo history', () => {
  const cast: HistoryCast = {
    customers: [
      ...['a', 'b', 'c'].map((k) => ({ id: `en-${k}`, name: `Ann ${k}`, organizationId: k === 'a' ? 'org-1' : null, locale: 'en' as const })),
      ...['a', 'b'].map((k) => ({ id: `fr-${k}`, name: `Anne ${k}`, organizationId: null, locale: 'fr' as const })),
    ],
    staff: [
      { key: 's1', id: 'id-s1', name: 'Sam One', role: 'agent', languages: ['en'] },
      { key: 's2', id: 'id-s2', name: 'Sacha Deux', role: 'agent', languages: ['fr', 'en'] },
      { key: 'l1', id: 'id-l1', name: 'Lee Light', role: 'light_agent', languages: ['en'] },
    ],
    teams: new Map(['cards', 'accounts', 'tech', 'french'].map((k) => [k, { id: `team-${k}`, members: k === 'french' ? ['s2'] : ['s1', 's2'] }])),
  };
  const now = new Date('2026-03-11T09:30:00Z');

  it('reads CSV with quotes, doubled quotes, commas and newlines inside fields', () => {
    assert.deepEqual(parseCsv('a,b,c\r\n1,"x, ""y""",3\n2,"two\nlines",\n'), [['a', 'b', 'c'], ['1', 'x, "y"', '3'], ['2', 'two\nlines', '']]);
  });

  it('takes real requests from the datasets when they are there, and built-in texts otherwise (French always built in)', () => {
    const fallback = loadHistoryTexts('/nonexistent/datasets');
    assert.equal(fallback.source, 'built-in');
    assert.equal(fallback.en, BUILT_IN_EN);
    assert.equal(loadHistoryTexts(undefined).source, 'built-in');
    const real = loadHistoryTexts(DATASETS);
    if (real.source === 'datasets') {
      assert.ok(real.en.length >= 100, `${real.en.length} requests`);
      assert.equal(real.fr, BUILT_IN_FR);
      assert.ok(real.en.some((r) => r.topic === 'howto' && r.answer), 'StackFAQ questions with their answers');
      assert.ok(real.en.some((r) => r.topic === 'cards') && real.en.some((r) => r.topic === 'transfers') && real.en.some((r) => r.topic === 'security'));
      assert.ok(!real.en.some((r) => BUILT_IN_EN.some((b) => b.body === r.body)), 'not the built-in texts');
    }
  });

  for (const source of ['built-in', 'datasets'] as const) {
    it(`spreads ${DEMO_HISTORY_TICKETS} tickets (${source} texts) over ${HISTORY_DAYS} days like a working desk`, (ctx) => {
      const texts = source === 'built-in' ? loadHistoryTexts(undefined) : loadHistoryTexts(DATASETS);
      if (texts.source !== source) return ctx.skip('no datasets beside the repository');
      const plan = planDemoHistory(texts, cast, now, DEMO_HISTORY_TICKETS);
      assert.equal(plan.length, DEMO_HISTORY_TICKETS);
      assert.deepEqual(planDemoHistory(texts, cast, now, DEMO_HISTORY_TICKETS), plan, 'the same at every seed');
      const t0 = now.getTime();
      assert.ok(plan.every((t, i) => i === 0 || t.createdAt >= plan[i - 1]!.createdAt), 'oldest first');
      assert.ok(plan[0]!.createdAt.getTime() > t0 - (HISTORY_DAYS + 1) * DAY && plan[0]!.createdAt.getTime() < t0 - (HISTORY_DAYS - 10) * DAY);
      assert.ok(plan[plan.length - 1]!.createdAt.getTime() > t0 - 2 * DAY);
      const weekdays = plan.filter((t) => ![0, 6].includes(t.createdAt.getUTCDay())).length;
      assert.ok(weekdays > plan.length * 0.8, `${weekdays} on weekdays`);
      const byStatus = countBy(plan, (t) => t.status);
      for (const s of TICKET_STATUSES) assert.ok(byStatus[s]! >= 2, JSON.stringify(byStatus));
      assert.ok(plan.length - byStatus.closed! >= 25, `work in progress: ${JSON.stringify(byStatus)}`);
      assert.ok(byStatus.closed! > plan.length / 2, 'most of the history is done');
      const fr = plan.filter((t) => t.language === 'fr').length;
      assert.ok(fr > plan.length * 0.3 && fr < plan.length * 0.5, `${fr} in French`);
      for (const c of CHANNELS) assert.ok(plan.some((t) => t.channel === c), c);
      for (const p of TICKET_PRIORITIES) assert.ok(plan.some((t) => t.priority === p), p);
      const staffIds = new Set(cast.staff.map((s) => s.id));
      for (const t of plan) {
        assert.ok(t.messages.length >= 1 && t.messages.length <= 5);
        assert.ok(t.messages.every((m, i) => i === 0 || m.createdAt >= t.messages[i - 1]!.createdAt));
        assert.ok(t.updatedAt >= t.messages[t.messages.length - 1]!.createdAt && t.updatedAt.getTime() < t0);
        assert.equal(cast.customers.find((c) => c.id === t.requesterId)?.locale, t.language, 'the requester speaks the language');
        if (t.status === 'new') assert.ok(!t.assigneeId && !t.messages.some((m) => staffIds.has(m.authorId)), 'nobody answered a new ticket');
        else assert.ok(t.assigneeId || t.teamId, 'a worked ticket has a team or an assignee');
        if (t.assigneeId) assert.ok(cast.staff.find((s) => s.id === t.assigneeId)!.languages.includes(t.language!), 'the agent speaks it');
        if (t.status === 'closed') assert.ok(t.solvedAt && t.closedAt && t.closedAt.getTime() - t.solvedAt.getTime() === 4 * DAY);
        if (t.status === 'solved') assert.ok(t.solvedAt && t.solvedAt.getTime() > t0 - 4 * DAY, 'solved lately, else closed by the automation');
        assert.ok(t.tags.length >= 1);
      }
      assert.ok(plan.filter((t) => t.messages.some((m) => m.visibility === 'internal')).length >= 30, 'internal notes');
      assert.ok(plan.some((t) => t.messages.some((m) => m.visibility === 'internal' && m.authorId === 'id-l1')), 'by light agents too');
      assert.ok(plan.filter((t) => t.messages.filter((m) => m.authorId === t.requesterId).length >= 2).length >= 30, 'customers answer back');
      assert.ok(plan.some((t) => t.status === 'open' && !t.assigneeId), 'open tickets waiting in a queue');
    });
  }
});

describe('demo content', () => {
  it('has about sixty tickets, half French and half English, with short conversations in the last 60 days', () => {
    assert.ok(DEMO_TICKETS.length >= 55 && DEMO_TICKETS.length <= 65, `${DEMO_TICKETS.length} tickets`);
    const fr = DEMO_TICKETS.filter((t) => t.lang === 'fr').length;
    assert.ok(Math.abs(fr - (DEMO_TICKETS.length - fr)) <= 6, `${fr} French of ${DEMO_TICKETS.length}`);
    assert.equal(new Set(DEMO_TICKETS.map((t) => t.key)).size, DEMO_TICKETS.length, 'ticket keys are unique');
    for (const t of DEMO_TICKETS) {
      const messages = 1 + t.steps.filter((s) => 'reply' in s || 'note' in s).length;
      assert.ok(messages <= 5, `${t.key} has ${messages} messages`);
    }
    // Whatever the time of day, the plan stays in the past and in order.
    for (const iso of ['2025-03-10T00:01:00Z', '2025-03-10T06:00:00Z', '2025-03-10T13:00:00Z', '2025-03-10T23:59:00Z']) {
      const now = new Date(iso);
      const plan = planDemoTimeline(DEMO_TICKETS, now);
      assert.ok(plan.every((e, i) => i === 0 || e.at >= plan[i - 1]!.at));
      assert.ok(plan[plan.length - 1]!.at < now.getTime(), `last step before ${iso}`);
      assert.ok(plan[0]!.at > now.getTime() - 61 * DAY, `first ticket within 60 days of ${iso}`);
    }
  });
});

for (const kind of testDbKinds()) {
  describe(`demo workspace on ${kind}`, () => {
    let t: TestApp;
    let password: string;
    let admin: Req;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(async () => {
      await t.close();
    });

    it('is not created with GUICHET_DEMO=0', async () => {
      assert.equal(await ensureDemoWorkspace(t.deps, { ...DEMO_ON, demo: false }), null);
      assert.equal(await t.deps.store.workspaces.findBySlug(DEMO_SLUG), null);
    });

    it('leaves nothing behind when seeding fails half-way, and the next start seeds it whole', async () => {
      await assert.rejects(ensureDemoWorkspace(crashingOnMessage(t.deps, 60), DEMO_ON), /simulated crash/);
      assert.equal(await t.deps.store.workspaces.findBySlug(DEMO_SLUG), null, 'no half-seeded workspace');
      assert.deepEqual(await t.deps.store.users.findLoginCandidates(ADMIN_EMAIL), [], 'no orphan admin');

      const r = await ensureDemoWorkspace(t.deps, DEMO_ON);
      assert.ok(r?.created);
      assert.ok(r.generatedPassword && r.generatedPassword.length >= 16);
      assert.equal(r.adminEmail, ADMIN_EMAIL);
      assert.equal(r.stats?.tickets, TOTAL);
      assert.equal(r.stats?.historyTickets, DEMO_HISTORY_TICKETS);
      assert.equal(r.stats?.historyTexts, loadHistoryTexts(DATASETS).source);
      password = r.generatedPassword;
      admin = caller(t.app, { cookie: await sessionCookie(t, ADMIN_EMAIL, password, DEMO_SLUG) });
    });

    it('has about three hundred tickets in both languages, on every channel, in every status and priority', async () => {
      const tickets = await all(admin, '/tickets');
      assert.equal(tickets.length, TOTAL);
      const byLang = countBy(tickets, (x) => x.language);
      assert.deepEqual(Object.keys(byLang).sort(), ['en', 'fr']);
      assert.ok(byLang.fr! >= 100 && byLang.en! >= 140, JSON.stringify(byLang));
      assert.equal((await all(admin, '/tickets?language=fr')).length, byLang.fr);

      const byStatus = countBy(tickets, (x) => x.status);
      for (const s of TICKET_STATUSES) assert.ok(byStatus[s]! >= 2, `status ${s}: ${JSON.stringify(byStatus)}`);
      const active = byStatus.new! + byStatus.open! + byStatus.pending! + byStatus.on_hold!;
      assert.ok(active >= 20, `a living desk has work in progress (${active} active)`);
      const byChannel = countBy(tickets, (x) => x.channel);
      for (const c of CHANNELS) assert.ok(byChannel[c]! >= 3, `channel ${c}: ${JSON.stringify(byChannel)}`);
      const byPriority = countBy(tickets, (x) => x.priority);
      for (const p of TICKET_PRIORITIES) assert.ok(byPriority[p]! >= 3, `priority ${p}: ${JSON.stringify(byPriority)}`);

      const unassigned = tickets.filter((x) => !x.assigneeId);
      assert.ok(unassigned.length >= 3 && unassigned.length <= tickets.length - 40, `${unassigned.length} unassigned`);
      assert.ok(unassigned.some((x) => x.status !== 'new'), 'an open ticket waits in a team queue');
      assert.ok(tickets.every((x) => x.status === 'new' || x.assigneeId || x.teamId), 'worked tickets have a team or an assignee');
      assert.ok(tickets.every((x) => x.tags.length > 0), 'every ticket is tagged');
      assert.ok(tickets.filter((x) => x.customFields.product).length >= 50);
      assert.ok(tickets.some((x) => typeof x.customFields.account_ref === 'string'));
      assert.ok(tickets.some((x) => x.customFields.escalated === true));
      assert.ok(tickets.some((x) => x.organizationId), 'tickets of organizations');

      const now = Date.now();
      const created = tickets.map((x) => Date.parse(x.createdAt));
      assert.ok(Math.min(...created) > now - (HISTORY_DAYS + 1) * DAY && Math.min(...created) < now - 80 * DAY, 'spread over the last ~90 days');
      const weeks = countBy(tickets, (x) => String(Math.floor((now - Date.parse(x.createdAt)) / (7 * DAY))));
      for (let w = 0; w < 12; w++) assert.ok(weeks[w]! >= 5, `every week has tickets: ${JSON.stringify(weeks)}`);
      assert.ok(weeks[12]! >= 1, 'back to the 90th day');
      assert.ok(Math.max(...created) > now - 3 * DAY, 'and still coming in');
      assert.ok(tickets.every((x) => Date.parse(x.updatedAt) <= now && Date.parse(x.updatedAt) >= Date.parse(x.createdAt)));
      const byNumber = [...tickets].sort((a, b) => a.number - b.number);
      assert.ok(byNumber.every((x, i) => i === 0 || Date.parse(x.createdAt) >= Date.parse(byNumber[i - 1].createdAt)), 'numbered in order of arrival');
      for (const x of tickets.filter((x) => x.status === 'closed')) assert.ok(x.closedAt && x.solvedAt, `#${x.number} closed with its dates`);
    });

    it('has teams with a lead, staff with languages, capacity and skills, light agents from other departments', async () => {
      const users = await all(admin, '/users');
      const byRole = countBy(users, (u) => u.role);
      assert.equal(byRole.admin, 1);
      assert.ok(byRole.agent! >= 6, JSON.stringify(byRole));
      assert.equal(byRole.light_agent, 2);
      const staff = users.filter((u) => u.role !== 'admin');
      assert.ok(staff.length >= 8 && staff.length <= 10);
      for (const u of staff) {
        assert.ok(u.languages.length >= 1 && u.languages.every((l: string) => ['fr', 'en', 'pl'].includes(l)), u.name);
        assert.ok(u.skills.length >= 2, `${u.name} has skills`);
        assert.ok(u.skills.every((s: any) => s.proficiency >= 1 && s.proficiency <= 5));
        if (u.role === 'agent') assert.ok(u.capacity > 0 && u.teamIds.length >= 1, `${u.name} has a capacity and a team`);
      }
      assert.ok(staff.some((u) => u.languages.includes('fr')) && staff.some((u) => !u.languages.includes('fr')));

      const skills = await all(admin, '/skills');
      assert.ok(skills.length >= 6 && skills.length <= 8);
      const teams = await all(admin, '/teams');
      assert.ok(teams.length >= 3 && teams.length <= 4);
      for (const team of teams) {
        assert.ok(team.members.length >= 2, `${team.name} has members`);
        const leads = team.members.filter((m: any) => m.isLead);
        assert.equal(leads.length, 1, `${team.name} has one lead`);
        assert.equal(users.find((u) => u.id === leads[0].userId)?.role, 'agent');
      }
      assert.ok(teams.some((team) => /franco|français|french/i.test(team.name)), 'a French-speaking team');

      // Nobody but the admin can sign in: every staff password is random and unknown.
      const hashes = await Promise.all(staff.map(async (u) => (await t.deps.store.users.findById((await t.deps.store.workspaces.findBySlug(DEMO_SLUG))!.id, u.id))!.passwordHash));
      assert.ok(hashes.every(Boolean));
      assert.equal(new Set(hashes).size, hashes.length);
      for (const [i, u] of staff.entries()) {
        for (const guess of ['password', 'demo', 'guichet', password, `${u.name.split(' ')[0].toLowerCase()}123`]) {
          assert.equal(await t.deps.passwords.verify(hashes[i]!, guess), false, `${u.name}'s password is not "${guess}"`);
        }
      }
    });

    it('routes new tickets: automatic assignment on, keyword rules in French and English, a mode per team', async () => {
      const settings = (await admin('GET', '/routing/settings')).body;
      assert.equal(settings.autoAssign, true);
      const rules = (await admin('GET', '/routing/rules')).body.items;
      assert.ok(rules.length >= 3 && rules.some((r: any) => r.conditions.keywords.includes('carte') && r.conditions.keywords.includes('card')));
      const teams = (await admin('GET', '/teams')).body.items;
      const modes = await Promise.all(teams.map(async (t: any) => (await admin('GET', `/teams/${t.id}/routing`)).body.mode));
      assert.ok(new Set(modes).size >= 3, JSON.stringify(modes));
    });

    it('has shared bilingual macros that render for its tickets without leftover braces', async () => {
      const macros = (await admin('GET', '/macros')).body.items;
      assert.ok(macros.length >= 6, `${macros.length} macros`);
      assert.ok(macros.every((m: any) => m.shared && m.bodyEn && m.bodyFr));
      assert.ok(macros.some((m: any) => m.actions.status) && macros.some((m: any) => m.actions.teamId));
      const tickets = (await admin('GET', '/tickets?limit=5&language=fr')).body.items;
      const p = (await admin('POST', `/tickets/${tickets[0].id}/macros/${macros[0].id}/preview`, {})).body;
      assert.equal(p.language, 'fr');
      assert.ok(p.body.length > 40 && !/[{}]{2}/.test(p.body), p.body);
    });

    it('has organizations with domains, customers attached to them, and custom fields', async () => {
      const orgs = await all(admin, '/organizations');
      assert.ok(orgs.length >= 4 && orgs.length <= 6);
      assert.ok(orgs.every((o) => o.domains.length >= 1));
      assert.equal(orgs.filter((o) => o.sharedTickets).length, 1, 'one organization shares tickets');
      const customers = await all(admin, '/customers');
      assert.ok(customers.length >= 50 && customers.length <= 65, `${customers.length} customers`);
      for (const c of customers) {
        const domain = c.email.split('@')[1];
        const org = orgs.find((o) => o.domains.includes(domain));
        assert.equal(c.organizationId, org?.id ?? null, `${c.email} belongs to the organization of its domain`);
      }
      assert.ok(customers.filter((c) => c.organizationId).length >= 10);
      assert.ok(customers.some((c) => c.locale === 'fr') && customers.some((c) => c.locale === 'en'));
      const localeOf = new Map(customers.map((c) => [c.id, c.locale]));
      for (const ticket of await all(admin, '/tickets')) {
        assert.equal(localeOf.get(ticket.requester.id), ticket.language, `#${ticket.number}: requester speaks the ticket's language`);
      }
      const fields = (await admin('GET', '/custom-fields')).body.items;
      assert.ok(fields.length >= 2 && fields.length <= 3);
      assert.deepEqual(fields.map((f: any) => f.type).sort(), ['checkbox', 'select', 'text']);
    });

    it('has real conversations: replies, internal notes by agents and light agents, and a history', async () => {
      const [users, tickets] = await Promise.all([all(admin, '/users'), all(admin, '/tickets')]);
      const roleOf = new Map(users.map((u) => [u.id, u.role]));
      let notesByLight = 0;
      let notesByAgents = 0;
      let customerReplies = 0;
      let ticketsWithNotes = 0;
      const fr = new Set<string>();
      // The hand-written tickets and a sample of the history's, to keep the file's time in bounds.
      for (const ticket of tickets.filter((x, i) => WRITTEN.has(x.subject) || i % 5 === 0)) {
        const msgs = await all(admin, `/tickets/${ticket.number}/messages`);
        assert.ok(msgs.length >= 1 && msgs.length <= 5, `#${ticket.number} has ${msgs.length} messages`);
        assert.equal(msgs[0].visibility, 'public');
        assert.ok(msgs.every((m: any, i: number) => i === 0 || Date.parse(m.createdAt) >= Date.parse(msgs[i - 1].createdAt)));
        const notes = msgs.filter((m: any) => m.visibility === 'internal');
        if (notes.length) ticketsWithNotes++;
        notesByLight += notes.filter((m: any) => roleOf.get(m.author?.id) === 'light_agent').length;
        notesByAgents += notes.filter((m: any) => roleOf.get(m.author?.id) === 'agent').length;
        customerReplies += msgs.slice(1).filter((m: any) => m.author && !roleOf.has(m.author.id)).length;
        if (ticket.language === 'fr' && msgs.some((m: any) => /Bonjour|Merci/.test(m.body))) fr.add(ticket.id);
        if (ticket.status === 'new') assert.ok(!msgs.some((m: any) => roleOf.get(m.author?.id) === 'agent'), 'no agent has answered a new ticket');
      }
      assert.ok(ticketsWithNotes >= 10, `${ticketsWithNotes} tickets with internal notes`);
      assert.ok(notesByLight >= 5 && notesByAgents >= 5, `${notesByLight} notes by light agents, ${notesByAgents} by agents`);
      assert.ok(customerReplies >= 25, `${customerReplies} customer replies`);
      assert.ok(fr.size >= 25, 'French tickets are written in French');

      // A solved ticket was closed later by the automation, as the history shows.
      // (One of the hand-written tickets, played through the use-cases; the history's are imported as they ended.)
      const closed = tickets.find((x) => x.status === 'closed' && x.channel === 'email' && WRITTEN.has(x.subject))!;
      const imported = tickets.find((x) => x.status === 'closed' && !WRITTEN.has(x.subject))!;
      const importedEvents = await all(admin, `/tickets/${imported.number}/events`);
      assert.deepEqual(importedEvents.map((e) => [e.type, e.data.imported]), [['ticket.created', true]]);
      const events = await all(admin, `/tickets/${closed.number}/events`);
      assert.equal(events[0].type, 'ticket.created');
      const statuses = events.filter((e) => e.data.changes?.status).map((e) => e.data.changes.status.to);
      assert.ok(statuses.includes('solved') && statuses[statuses.length - 1] === 'closed', JSON.stringify(statuses));
      assert.equal(events[events.length - 1].actor.type, 'system');
      assert.ok(events.some((e) => e.actor.type === 'user' && roleOf.get(e.actor.id) === 'agent'));
    });

    it('is left alone by later starts: seeding again changes nothing', async () => {
      const before = await snapshot(admin);
      const again = await ensureDemoWorkspace(t.deps, DEMO_ON);
      assert.deepEqual(again, { workspaceSlug: DEMO_SLUG, adminEmail: ADMIN_EMAIL, created: false, generatedPassword: null, stats: null, seedMs: null });
      const withPassword = await ensureDemoWorkspace(t.deps, { ...DEMO_ON, adminPassword: 'another password entirely' });
      assert.equal(withPassword?.created, false);
      assert.deepEqual(await snapshot(admin), before);
      // The admin's password is still the one printed at the first start.
      await sessionCookie(t, ADMIN_EMAIL, password, DEMO_SLUG);
    });

    it('is seeded once when two servers start on the same database at once', async () => {
      const database = await openTestDatabase(kind, { poolSize: 4 });
      try {
        const deps = (): Deps => ({ ...t.deps, store: createStore(database.db) });
        const results = await Promise.all([ensureDemoWorkspace(deps(), DEMO_ON), ensureDemoWorkspace(deps(), DEMO_ON)]);
        assert.deepEqual(results.map((r) => r?.created).sort(), [false, true]);
        const ws = await deps().store.workspaces.findBySlug(DEMO_SLUG);
        const tickets = await deps().store.tickets.list(ws!.id, { includeInternal: true }, { sort: 'number', order: 'asc' }, { limit: 1000 });
        assert.equal(tickets.length, TOTAL);
      } finally {
        await database.close();
      }
    });
  });
}
