/**
 * The SLA scheduler on both databases: warnings and breaches found by the sweep, recorded once
 * when two processes sweep the same PostgreSQL database at the same moment (and once again after
 * a second pass), notifications to the assignee or the team lead, and quiet hours.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  bootstrapWorkspace,
  createBusinessCalendar,
  createCustomer,
  createKeyring,
  createSlaPolicy,
  createTeam,
  createTicket,
  createUser,
  createUuidV7,
  cryptoSecrets,
  addMessage,
  createAutomation,
  listAutomations,
  listMyNotifications,
  runAutomations,
  setTeamMembers,
  sweepSla,
  updateTicket,
  type Actor,
  type Ctx,
  type Deps,
} from '@guichet/core';
import {
  CreateAutomationInput,
  CreateBusinessCalendarInput,
  CreateMessageInput,
  CreateCustomerInput,
  CreateSlaPolicyInput,
  CreateTicketInput,
  CreateUserInput,
} from '@guichet/contracts';
import { createStore, openDatabase, type Database } from '@guichet/db';
import { createPgDatabase, openTestDatabase, testDbKinds } from '@guichet/db/testing';
import { fastHasher } from './harness.ts';
import { movableClock } from './helpers.ts';

const office = [{ start: '09:00', end: '12:00' }, { start: '14:00', end: '18:00' }];

/** Two "processes": two stores, on two connection pools to one PostgreSQL database (PGlite: one database). */
async function twoProcesses(kind: 'pglite' | 'postgres', clock: Deps['clock']): Promise<{ a: Deps; b: Deps; dbs: Database[]; close(): Promise<void> }> {
  let dbs: Database[];
  let drop = async () => {};
  if (kind === 'pglite') dbs = [await openTestDatabase('pglite')];
  else {
    const created = await createPgDatabase();
    dbs = [await openDatabase({ url: created.url, poolSize: 4 }), await openDatabase({ url: created.url, poolSize: 4 })];
    drop = created.drop;
  }
  const keyring = createKeyring(randomBytes(32));
  const deps = (db: Database): Deps => ({
    store: createStore(db.db),
    clock,
    ids: createUuidV7(clock),
    secrets: cryptoSecrets,
    keyring,
    passwords: fastHasher,
    settings: { sessionTtlMs: 3_600_000, maxLoginFailures: 5, loginWindowMs: 900_000 },
  });
  return {
    a: deps(dbs[0]!),
    b: deps(dbs[1] ?? dbs[0]!),
    dbs,
    async close() {
      for (const d of dbs) await d.close();
      await drop();
    },
  };
}

const actorOf = (u: { id: string; name: string; role: Actor['role']; organizationId: string | null }): Actor => ({ type: 'user', userId: u.id, role: u.role, name: u.name, organizationId: u.organizationId, via: 'session' });

/** The SLA notices among someone's notifications (assignments notify too, since 0009_collab). */
const slaOnly = <T extends { kind: string }>(page: { items: T[] }) => ({ ...page, items: page.items.filter((n) => n.kind.startsWith('sla.')) });

for (const kind of testDbKinds()) {
  describe(`SLA sweep on ${kind}`, () => {
    const clock = movableClock('2026-06-08T08:00:00Z'); // Monday 10:00 in Paris
    let p: Awaited<ReturnType<typeof twoProcesses>>;
    before(async () => {
      p = await twoProcesses(kind, clock);
    });
    after(async () => {
      await p.close();
    });

    it('records each warning and breach once with two processes sweeping together, and tells the assignee or the team lead', async () => {
      clock.set('2026-06-08T08:00:00Z');
      const d = p.a;
      const { workspace, admin } = await bootstrapWorkspace(d, { slug: `sweep-${randomBytes(3).toString('hex')}`, name: 'Sweep', mailDomain: 'sweep.example', admin: { email: 'admin@sweep.example', name: 'Ada', password: 'correct horse battery' } });
      const ctx = (actor: Actor): Ctx => ({ workspaceId: workspace.id, actor, requestId: 'test' });
      const adminCtx = ctx(actorOf({ ...admin, role: 'admin' }));
      const agent = (await createUser(d, adminCtx, CreateUserInput.parse({ email: 'agent@sweep.example', name: 'Agnès', role: 'agent', locale: 'fr' }))).user;
      const lead = (await createUser(d, adminCtx, CreateUserInput.parse({ email: 'lead@sweep.example', name: 'Lee', role: 'agent' }))).user;
      const { team } = await createTeam(d, adminCtx, { name: 'Billing' });
      await setTeamMembers(d, adminCtx, team.id, { members: [{ userId: lead.id, isLead: true }, { userId: agent.id, isLead: false }] });
      await createBusinessCalendar(d, adminCtx, CreateBusinessCalendarInput.parse({ name: 'Paris', timeZone: 'Europe/Paris', isDefault: true, weekly: { mon: office, tue: office, wed: office, thu: office, fri: office } }));
      await createSlaPolicy(d, adminCtx, CreateSlaPolicyInput.parse({ name: 'Fast', targets: { first_response: { minutes: 60 } }, warnings: [{ minutesBefore: 30 }] }));
      const customer = await createCustomer(d, adminCtx, CreateCustomerInput.parse({ name: 'Camille', email: 'camille@client.example' }));
      const customerCtx = ctx(actorOf({ ...customer, role: 'customer' }));
      const tickets: string[] = [];
      for (let i = 0; i < 30; i++) {
        const { ticket } = await createTicket(d, customerCtx, CreateTicketInput.parse({ subject: `Request ${i}`, body: 'Hello, please help.' }));
        await updateTicket(d, adminCtx, ticket.id, i % 2 ? { assigneeId: agent.id, teamId: team.id } : { teamId: team.id });
        tickets.push(ticket.id);
      }

      const sweepTogether = async () => {
        const [x, y] = await Promise.all([sweepSla(p.a), sweepSla(p.b)]);
        return { warnings: x.warnings + y.warnings, breaches: x.breaches + y.breaches, notifications: x.notifications + y.notifications, tickets: x.tickets + y.tickets };
      };
      const countEvents = async (type: string) => {
        let n = 0;
        for (const id of tickets) n += (await d.store.events.listForSubject(workspace.id, 'ticket', id, { limit: 500 })).filter((e) => e.type === type).length;
        return n;
      };

      clock.set('2026-06-08T08:20:00Z');
      assert.deepEqual(await sweepTogether(), { warnings: 0, breaches: 0, notifications: 0, tickets: 0 }, 'nothing due: no row read');

      clock.set('2026-06-08T08:31:00Z'); // the warning was due at 10:30
      const first = await sweepTogether();
      assert.equal(first.warnings, 30);
      assert.equal(first.notifications, 30);
      assert.equal((await sweepTogether()).warnings, 0, 'a second pass finds nothing new');
      assert.equal(await countEvents('sla.warning'), 30, 'one warning event per ticket');

      const agentNotes = slaOnly(await listMyNotifications(d, ctx(actorOf(agent)), { limit: 200 }));
      const leadNotes = slaOnly(await listMyNotifications(d, ctx(actorOf(lead)), { limit: 200 }));
      assert.equal(agentNotes.items.length, 15, 'the assignee of each assigned ticket');
      assert.equal(leadNotes.items.length, 15, 'the team lead for each unassigned ticket');
      assert.match(agentNotes.items[0]!.title, /^Échéance proche : première réponse du ticket #\d+$/);
      assert.match(leadNotes.items[0]!.body, /is due Mon 8 Jun, 11:00/);
      const mails = (await Promise.all(tickets.map((id) => d.store.outboundEmails.listForTicket(workspace.id, id)))).flat().filter((m) => m.kind === 'notification');
      assert.equal(mails.length, 30, 'and one email each');
      assert.deepEqual([...new Set(mails.map((m) => m.toAddresses[0]))].sort(), ['agent@sweep.example', 'lead@sweep.example']);

      clock.set('2026-06-08T09:01:00Z');
      const breach = await sweepTogether();
      assert.equal(breach.breaches, 30);
      assert.equal((await sweepTogether()).breaches, 0);
      assert.equal(await countEvents('sla.target_breached'), 30, 'one breach event per ticket');
      const breachEvent = (await d.store.events.listForSubject(workspace.id, 'ticket', tickets[0]!, { limit: 500 })).find((e) => e.type === 'sla.target_breached')!;
      assert.equal(breachEvent.data.deadline, '2026-06-08T09:00:00.000Z', 'the exact moment of the breach');
      assert.equal(slaOnly(await listMyNotifications(d, ctx(actorOf(agent)), { limit: 200 })).items.length, 30);
    });

    it('fires time-based automations at most once per ticket and period, with two processes running them together', async () => {
      clock.set('2026-06-01T08:00:00Z');
      const d = p.a;
      const { workspace, admin } = await bootstrapWorkspace(d, { slug: `auto-${randomBytes(3).toString('hex')}`, name: 'Auto', mailDomain: 'auto.example', admin: { email: 'admin@auto.example', name: 'Ada', password: 'correct horse battery' } });
      const ctx = (actor: Actor): Ctx => ({ workspaceId: workspace.id, actor, requestId: 'test' });
      const adminCtx = ctx(actorOf({ ...admin, role: 'admin' }));
      const agent = (await createUser(d, adminCtx, CreateUserInput.parse({ email: 'agent@auto.example', name: 'Agnès', role: 'agent' }))).user;
      await createAutomation(d, adminCtx, CreateAutomationInput.parse({
        name: 'Close pending after 7 days',
        conditions: { statuses: ['pending'], hoursSinceUpdated: 7 * 24 },
        actions: [{ type: 'reply', body: 'Without news from you, we are closing this request. Just reply to reopen it.' }, { type: 'set_status', value: 'closed' }],
      }));
      const followUp = await createAutomation(d, adminCtx, CreateAutomationInput.parse({
        name: 'Long resolution follow-up',
        conditions: { statuses: ['open', 'on_hold'], hoursSinceCreated: 72 },
        actions: [{ type: 'add_tags', tags: ['follow-up'] }, { type: 'notify', to: 'assignee', title: 'Send #{{ticket.number}} an update', body: 'Open for 3 days: tell the customer where things stand.' }],
      }));
      const customer = await createCustomer(d, adminCtx, CreateCustomerInput.parse({ name: 'Camille', email: 'camille@client.example' }));
      const pending: string[] = [];
      const open: string[] = [];
      for (let i = 0; i < 20; i++) {
        const { ticket } = await createTicket(d, ctx(actorOf({ ...customer, role: 'customer' })), CreateTicketInput.parse({ subject: `Request ${i}`, body: 'Hello' }));
        await updateTicket(d, adminCtx, ticket.id, { assigneeId: agent.id });
        if (i % 2) {
          await addMessage(d, ctx(actorOf(agent)), ticket.id, CreateMessageInput.parse({ body: 'Could you send a screenshot?', status: 'pending' }));
          pending.push(ticket.id);
        } else open.push(ticket.id);
      }
      clock.set('2026-06-03T08:00:00Z');
      assert.deepEqual(await runAutomations(p.a), { fired: 0, skipped: 0 }, 'too early: no candidate');

      clock.set('2026-06-09T09:00:00Z');
      const [x, y] = await Promise.all([runAutomations(p.a), runAutomations(p.b)]);
      assert.equal(x.fired + y.fired, 20, 'ten closed, ten followed up, each once');
      const [x2, y2] = await Promise.all([runAutomations(p.a), runAutomations(p.b)]);
      assert.equal(x2.fired + y2.fired, 0, 'and never again in the same period');
      for (const id of pending) {
        const t = (await d.store.tickets.findById(workspace.id, id))!;
        assert.equal(t.status, 'closed');
        const msgs = await d.store.messages.listForTicket(workspace.id, id, { includeInternal: true, limit: 50 });
        assert.equal(msgs.filter((m) => m.bodyText.startsWith('Without news')).length, 1, 'one polite message');
        const events = await d.store.events.listForSubject(workspace.id, 'ticket', id, { limit: 200 });
        const close = events.find((e) => e.type === 'ticket.updated' && e.actor.type === 'rule');
        assert.equal((close?.data.rule as { name: string }).name, 'Close pending after 7 days');
      }
      for (const id of open) assert.deepEqual((await d.store.tickets.findById(workspace.id, id))!.tags, ['follow-up']);
      assert.equal((await listMyNotifications(d, ctx(actorOf(agent)), { limit: 100 })).items.filter((n) => n.kind === 'trigger').length, 10);
      const stats = (await listAutomations(d, adminCtx)).find((a) => a.id === followUp.id)!.stats;
      assert.deepEqual(stats, { firings: 10, tickets: 10 }, 'the follow-up count is measurable');
    });

    it('fires on the customer\'s silence, the time in a status and an SLA deadline to come, once per period', async () => {
      clock.set('2026-07-06T08:00:00Z');
      const d = p.a;
      const { workspace, admin } = await bootstrapWorkspace(d, { slug: `timed-${randomBytes(3).toString('hex')}`, name: 'Timed', mailDomain: 'timed.example', admin: { email: 'admin@timed.example', name: 'Ada', password: 'correct horse battery' } });
      const ctx = (actor: Actor): Ctx => ({ workspaceId: workspace.id, actor, requestId: 'test' });
      const adminCtx = ctx(actorOf({ ...admin, role: 'admin' }));
      const agent = (await createUser(d, adminCtx, CreateUserInput.parse({ email: 'agent@timed.example', name: 'Agnès', role: 'agent' }))).user;
      const agentCtx = ctx(actorOf(agent));
      const customer = await createCustomer(d, adminCtx, CreateCustomerInput.parse({ name: 'Camille', email: 'camille@client.example' }));
      const customerCtx = ctx(actorOf({ ...customer, role: 'customer' }));
      await createSlaPolicy(d, adminCtx, CreateSlaPolicyInput.parse({ name: 'Urgent', conditions: { priorities: ['urgent'] }, targets: { resolution: { minutes: 240, businessHours: false } } }));
      const rule = (name: string, conditions: Record<string, unknown>, tag: string) =>
        createAutomation(d, adminCtx, CreateAutomationInput.parse({ name, conditions, actions: [{ type: 'add_tags', tags: [tag] }] }));
      const silence = await rule('Waiting on us for a day', { statuses: ['open'], hoursSinceCustomerReply: 24 }, 'waiting-on-us');
      await rule('Pending for three days', { statuses: ['pending'], hoursInStatus: 72 }, 'stale');
      await rule('Two hours before an SLA deadline', { statuses: ['new', 'open'], hoursBeforeSlaDeadline: 2 }, 'sla-soon');
      const tagsOf = async (id: string) => (await d.store.tickets.findById(workspace.id, id))!.tags.sort();
      const runs = async (at: string) => {
        clock.set(at);
        const [x, y] = await Promise.all([runAutomations(p.a), runAutomations(p.b)]);
        return x.fired + y.fired;
      };

      const { ticket: waiting } = await createTicket(d, customerCtx, CreateTicketInput.parse({ subject: 'Export broken', body: 'Hello' }));
      const { ticket: pending } = await createTicket(d, customerCtx, CreateTicketInput.parse({ subject: 'Invoice copy', body: 'Hello' }));
      const { ticket: urgent } = await createTicket(d, agentCtx, CreateTicketInput.parse({ subject: 'Site down', body: 'Everything is down', priority: 'urgent', requester: { email: 'camille@client.example' } }));
      clock.set('2026-07-06T09:00:00Z');
      await addMessage(d, agentCtx, waiting.id, CreateMessageInput.parse({ body: 'Looking into it.', status: 'open' }));
      await addMessage(d, agentCtx, pending.id, CreateMessageInput.parse({ body: 'Which month?', status: 'pending' }));
      // The urgent ticket must be solved within 4 calendar hours: by 12:00 on the 6th. At 10:30 it is 1.5 hours away.
      assert.equal(await runs('2026-07-06T09:30:00Z'), 0, 'nothing is due yet');
      assert.equal(await runs('2026-07-06T10:30:00Z'), 1);
      assert.deepEqual(await tagsOf(urgent.id), ['sla-soon']);
      clock.set('2026-07-07T08:00:00Z');
      await addMessage(d, customerCtx, waiting.id, CreateMessageInput.parse({ body: 'Any news?' }));
      // An internal note on the pending ticket updates it, but it stays pending since the 6th at 09:00.
      clock.set('2026-07-08T12:00:00Z');
      await addMessage(d, agentCtx, pending.id, CreateMessageInput.parse({ body: 'Still waiting for the month.', visibility: 'internal' }));
      // The 8th at 09:00: the customer wrote 25 hours ago (the agent's reply since does not count).
      assert.equal(await runs('2026-07-08T09:00:00Z'), 1 + 0, 'the customer waits; the pending ticket is not yet three days in pending');
      assert.deepEqual(await tagsOf(waiting.id), ['waiting-on-us']);
      assert.equal(await runs('2026-07-09T09:30:00Z'), 1, 'pending for 72.5 hours');
      assert.deepEqual(await tagsOf(pending.id), ['stale']);
      assert.equal(await runs('2026-07-09T10:00:00Z'), 0, 'each once per period');
      // The customer writes again: a new period of silence starts.
      await addMessage(d, customerCtx, waiting.id, CreateMessageInput.parse({ body: 'Hello again?' }));
      assert.equal(await runs('2026-07-10T09:00:00Z'), 0);
      assert.equal(await runs('2026-07-10T10:30:00Z'), 1);
      const stats = (await listAutomations(d, adminCtx)).find((a) => a.id === silence.id)!.stats;
      assert.deepEqual(stats, { firings: 2, tickets: 1 });

      await assert.rejects(createAutomation(d, adminCtx, CreateAutomationInput.parse({ name: 'No time', conditions: { statuses: ['open'] }, actions: [{ type: 'add_tags', tags: ['x'] }] })), /time condition/);
    });

    it('holds notifications for a calendar-hours target until the calendar opens', async () => {
      clock.set('2026-06-08T15:30:00Z'); // Monday 17:30 in Paris
      const d = p.a;
      const { workspace, admin } = await bootstrapWorkspace(d, { slug: `quiet-${randomBytes(3).toString('hex')}`, name: 'Quiet', mailDomain: 'quiet.example', admin: { email: 'admin@quiet.example', name: 'Ada', password: 'correct horse battery' } });
      const ctx = (actor: Actor): Ctx => ({ workspaceId: workspace.id, actor, requestId: 'test' });
      const adminCtx = ctx(actorOf({ ...admin, role: 'admin' }));
      const agent = (await createUser(d, adminCtx, CreateUserInput.parse({ email: 'night@quiet.example', name: 'Nat', role: 'agent' }))).user;
      await createBusinessCalendar(d, adminCtx, CreateBusinessCalendarInput.parse({ name: 'Paris', timeZone: 'Europe/Paris', isDefault: true, weekly: { mon: office, tue: office, wed: office, thu: office, fri: office } }));
      await createSlaPolicy(d, adminCtx, CreateSlaPolicyInput.parse({ name: 'Round the clock', targets: { resolution: { minutes: 120, businessHours: false } }, warnings: [{ minutesBefore: 30 }] }));
      const customer = await createCustomer(d, adminCtx, CreateCustomerInput.parse({ name: 'Noé', email: 'noe@client.example' }));
      const { ticket } = await createTicket(d, ctx(actorOf({ ...customer, role: 'customer' })), CreateTicketInput.parse({ subject: 'Night', body: 'It broke.' }));
      await updateTicket(d, adminCtx, ticket.id, { assigneeId: agent.id });
      clock.set('2026-06-08T17:05:00Z'); // 19:05: the warning (19:00) is due, the office is closed
      assert.equal((await sweepSla(d)).warnings, 1);
      assert.equal(slaOnly(await listMyNotifications(d, ctx(actorOf(agent)), { limit: 10 })).items.length, 0, 'not at night');
      const [mail] = (await d.store.outboundEmails.listForTicket(workspace.id, ticket.id)).filter((m) => m.kind === 'notification');
      assert.ok(mail, 'the email is queued');
      const jobs = await d.store.jobs.claim('test', ['email.send'], 100, new Date('2026-06-09T06:59:00Z'), 1000);
      assert.ok(!jobs.some((j) => j.payload.outboundEmailId === mail.id), 'its send job waits for the morning');
      clock.set('2026-06-09T07:00:00Z'); // Tuesday 09:00
      const notes = slaOnly(await listMyNotifications(d, ctx(actorOf(agent)), { limit: 10 }));
      assert.equal(notes.items.length, 1);
      assert.equal(notes.items[0]!.createdAt.toISOString(), '2026-06-09T07:00:00.000Z');
    });

    it('sweeps the due tickets of several workspaces in one batch, each telling only its own people', async () => {
      clock.set('2026-06-10T08:00:00Z'); // Wednesday 10:00 in Paris
      const d = p.a;
      const spaces = [];
      for (const name of ['North', 'South']) {
        const slug = `${name.toLowerCase()}-${randomBytes(3).toString('hex')}`;
        const { workspace, admin } = await bootstrapWorkspace(d, { slug, name, mailDomain: `${slug}.example`, admin: { email: `admin@${slug}.example`, name: `Admin ${name}`, password: 'correct horse battery' } });
        const ctx = (actor: Actor): Ctx => ({ workspaceId: workspace.id, actor, requestId: 'test' });
        const adminCtx = ctx(actorOf({ ...admin, role: 'admin' }));
        await createBusinessCalendar(d, adminCtx, CreateBusinessCalendarInput.parse({ name: 'Paris', timeZone: 'Europe/Paris', isDefault: true, weekly: { mon: office, tue: office, wed: office, thu: office, fri: office } }));
        await createSlaPolicy(d, adminCtx, CreateSlaPolicyInput.parse({ name: 'Fast', targets: { first_response: { minutes: 60 } }, warnings: [{ minutesBefore: 30 }] }));
        const customer = await createCustomer(d, adminCtx, CreateCustomerInput.parse({ name: 'Client', email: `client@${slug}.example` }));
        const ids = [];
        for (let i = 0; i < 3; i++) ids.push((await createTicket(d, ctx(actorOf({ ...customer, role: 'customer' })), CreateTicketInput.parse({ subject: `${name} ${i}`, body: 'Help.' }))).ticket.id);
        spaces.push({ workspace, admin, ctx, adminCtx, ids });
      }
      clock.set('2026-06-10T08:31:00Z');
      // (Earlier tests' workspaces share the database: their rows may be due too.)
      assert.ok((await sweepSla(d)).warnings >= 6);
      for (const s of spaces) {
        const notes = slaOnly(await listMyNotifications(d, s.ctx(actorOf({ ...s.admin, role: 'admin' })), { limit: 20 }));
        assert.equal(notes.items.length, 3, 'unassigned, no team: the admins of the workspace');
        assert.deepEqual(new Set(notes.items.map((n) => n.ticketId)), new Set(s.ids), 'only its own tickets');
        const mails = (await Promise.all(s.ids.map((id) => d.store.outboundEmails.listForTicket(s.workspace.id, id)))).flat();
        assert.deepEqual(mails.map((m) => m.toAddresses[0]), s.ids.map(() => s.admin.email), 'one email each, to its own admin');
        assert.ok(mails.every((m) => m.fromAddress.includes(s.workspace.mailDomain!)), 'from its own workspace');
      }
    });
  });
}
