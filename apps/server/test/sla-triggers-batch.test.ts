/**
 * The SLA sweep runs the triggers of a whole batch at once (evaluated in memory, written in a few
 * multi-row statements). The history it leaves must be the one the firing-by-firing path leaves:
 * two workspaces made alike at the same moments, one swept each way, compared ticket by ticket
 * (events with their rule attribution, ticket fields and versions, notes, notifications, clocks,
 * webhook deliveries), with triggers that change the priority (and so the policy), stop the run,
 * fail, assign (its own path) and notify, several tickets due in one sweep.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import {
  bootstrapWorkspace,
  createBusinessCalendar,
  createCustomer,
  createKeyring,
  createSlaPolicy,
  createTeam,
  createTicket,
  createTrigger,
  createUser,
  createUuidV7,
  createWebhook,
  cryptoSecrets,
  setTeamMembers,
  sweepSla,
  updateTicket,
  type Actor,
  type Ctx,
  type Deps,
} from '@guichet/core';
import {
  CreateBusinessCalendarInput,
  CreateCustomerInput,
  CreateSlaPolicyInput,
  CreateTicketInput,
  CreateTriggerInput,
  CreateUserInput,
  CreateWebhookInput,
} from '@guichet/contracts';
import { createStore, type Database } from '@guichet/db';
import { openTestDatabase, testDbKinds } from '@guichet/db/testing';
import { fastHasher } from './harness.ts';
import { movableClock } from './helpers.ts';

const office = [{ start: '09:00', end: '12:00' }, { start: '14:00', end: '18:00' }];
const actorOf = (u: { id: string; name: string; role: Actor['role']; organizationId: string | null }): Actor => ({ type: 'user', userId: u.id, role: u.role, name: u.name, organizationId: u.organizationId, via: 'session' });
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

for (const kind of testDbKinds()) {
  describe(`SLA triggers in batch on ${kind}`, () => {
    const clock = movableClock('2026-06-08T08:00:00Z'); // Monday 10:00 in Paris
    let db: Database;
    let d: Deps;
    before(async () => {
      db = await openTestDatabase(kind);
      d = { store: createStore(db.db), clock, ids: createUuidV7(clock), secrets: cryptoSecrets, keyring: createKeyring(randomBytes(32)), passwords: fastHasher, settings: { sessionTtlMs: 3_600_000, maxLoginFailures: 5, loginWindowMs: 900_000 } };
    });
    after(async () => {
      await db.close();
    });

    /** A workspace with its rules and six tickets made at 10:00; the ids named for comparison. */
    async function makeWorkspace() {
      clock.set('2026-06-08T08:00:00Z');
      const labels = new Map<string, string>();
      const { workspace, admin } = await bootstrapWorkspace(d, { slug: `batch-${randomBytes(3).toString('hex')}`, name: 'Batch', mailDomain: 'batch.example', admin: { email: 'admin@batch.example', name: 'Ada', password: 'correct horse battery' } });
      const ctx = (actor: Actor): Ctx => ({ workspaceId: workspace.id, actor, requestId: 'test' });
      const adminCtx = ctx(actorOf({ ...admin, role: 'admin' }));
      labels.set(admin.id, 'admin');
      const agent = (await createUser(d, adminCtx, CreateUserInput.parse({ email: 'agent@batch.example', name: 'Agnès', role: 'agent' }))).user;
      const lead = (await createUser(d, adminCtx, CreateUserInput.parse({ email: 'lead@batch.example', name: 'Lee', role: 'agent' }))).user;
      const { team } = await createTeam(d, adminCtx, { name: 'Billing' });
      await setTeamMembers(d, adminCtx, team.id, { members: [{ userId: lead.id, isLead: true }, { userId: agent.id, isLead: false }] });
      const cal = await createBusinessCalendar(d, adminCtx, CreateBusinessCalendarInput.parse({ name: 'Paris', timeZone: 'Europe/Paris', isDefault: true, weekly: { mon: office, tue: office, wed: office, thu: office, fri: office } }));
      const high = await createSlaPolicy(d, adminCtx, CreateSlaPolicyInput.parse({ name: 'High', conditions: { priorities: ['high'] }, targets: { first_response: { minutes: 45 } }, warnings: [{ minutesBefore: 20 }] }));
      const normal = await createSlaPolicy(d, adminCtx, CreateSlaPolicyInput.parse({ name: 'Normal', targets: { first_response: { minutes: 60 } }, warnings: [{ minutesBefore: 30 }] }));
      const customer = await createCustomer(d, adminCtx, CreateCustomerInput.parse({ name: 'Camille', email: 'camille@client.example' }));
      for (const [id, name] of [[agent.id, 'agent'], [lead.id, 'lead'], [team.id, 'team'], [cal.id, 'calendar'], [high.id, 'High'], [normal.id, 'Normal'], [customer.id, 'customer']] as const) labels.set(id, name);
      const gone = (await createTeam(d, adminCtx, { name: 'Gone' })).team;
      const sla: CreateTriggerInput['events'] = ['sla.warning', 'sla.breached'];
      const triggers = [
        { name: 'Escalate', events: sla, conditions: { all: [{ field: 'ticket.priority', op: 'is', value: 'normal' }], any: [] }, actions: [{ type: 'set_priority', value: 'high' }, { type: 'add_tags', tags: ['escalated'] }, { type: 'add_note', body: 'Escalated #{{ticket.number}} ({{ticket.priority}})' }] },
        { name: 'VIP', events: sla, stop: true, conditions: { all: [{ field: 'ticket.tags', op: 'is', value: 'vip' }], any: [] }, actions: [{ type: 'add_tags', tags: ['vip-seen'] }] },
        { name: 'Broken', events: sla, conditions: { all: [{ field: 'ticket.tags', op: 'is', value: 'fail' }], any: [] }, actions: [{ type: 'set_team', teamId: gone.id }] },
        { name: 'Assign', events: ['sla.breached'], conditions: { all: [{ field: 'ticket.tags', op: 'is', value: 'assign' }, { field: 'ticket.assignee_id', op: 'absent' }], any: [] }, actions: [{ type: 'assign', userId: agent.id }, { type: 'add_tags', tags: ['assigned-by-rule'] }] },
        { name: 'Notify', events: sla, conditions: { all: [], any: [{ field: 'requester.domain', op: 'is', value: 'client.example' }, { field: 'time.business_hours', op: 'is', value: true }] }, actions: [{ type: 'notify', to: 'team_leads', title: 'SLA on #{{ticket.number}}', body: '{{ticket.priority}} {{ticket.status}}' }, { type: 'notify', to: 'assignee', title: 'Yours: #{{ticket.number}}', body: '{{ticket.subject}}' }] },
        { name: 'After', events: sla, conditions: { all: [{ field: 'ticket.tags', op: 'is', value: 'escalated' }], any: [] }, actions: [{ type: 'add_tags', tags: ['seen-after'] }, { type: 'add_note', body: 'after {{ticket.priority}}' }] },
      ];
      for (const t of triggers) labels.set((await createTrigger(d, adminCtx, CreateTriggerInput.parse(t))).id, t.name);
      // The team a rule names is deleted afterwards: that rule fails.
      await sql`DELETE FROM teams WHERE id = ${gone.id}`.execute(db.db as unknown as Kysely<any>);
      const hook = await createWebhook(d, adminCtx, CreateWebhookInput.parse({ name: 'Hook', url: 'https://hooks.example/sla', events: sla }));
      labels.set(hook.webhook.id, 'hook');
      const customerCtx = ctx(actorOf({ ...customer, role: 'customer' }));
      const tickets: string[] = [];
      const shapes: Array<{ tags: string[]; priority?: 'high'; assign?: boolean }> = [{ tags: [] }, { tags: ['vip'] }, { tags: ['fail'] }, { tags: ['assign'] }, { tags: ['vip', 'fail'], assign: true }, { tags: [], priority: 'high' }];
      for (const [i, s] of shapes.entries()) {
        const { ticket } = await createTicket(d, customerCtx, CreateTicketInput.parse({ subject: `Request ${i}`, body: 'Hello, please help.' }));
        await updateTicket(d, adminCtx, ticket.id, { teamId: team.id, tags: s.tags, ...(s.priority ? { priority: s.priority } : {}), ...(s.assign ? { assigneeId: agent.id } : {}) });
        labels.set(ticket.id, `ticket${i}`);
        tickets.push(ticket.id);
      }
      return { ws: workspace.id, tickets, labels, hookId: hook.webhook.id };
    }

    /** Everything the triggers leave, with the workspace's ids replaced by names. */
    async function history(w: Awaited<ReturnType<typeof makeWorkspace>>) {
      const norm = (x: unknown) => JSON.parse(JSON.stringify(x).replace(UUID, (id) => w.labels.get(id) ?? 'id'));
      const k = db.db as unknown as Kysely<any>;
      const out = [];
      for (const id of w.tickets) {
        const t = (await d.store.tickets.findById(w.ws, id))!;
        const events = (await d.store.events.listForSubject(w.ws, 'ticket', id, { limit: 500 })).map((e) => ({ type: e.type, actor: e.actor, data: e.data }));
        const messages = (await d.store.messages.listForTicket(w.ws, id, { includeInternal: true, limit: 100 })).map((m) => ({ visibility: m.visibility, channel: m.channel, body: m.bodyText, author: m.authorId }));
        const slaRow = await d.store.ticketSla.find(w.ws, id);
        const notifications = (await sql<{ user_id: string; kind: string; title: string; body: string; dedupe_key: string; data: unknown }>`
          SELECT user_id, kind, title, body, dedupe_key, data FROM notifications WHERE workspace_id = ${w.ws} AND ticket_id = ${id}`.execute(k)).rows;
        out.push(
          norm({
            ticket: { status: t.status, priority: t.priority, tags: t.tags, teamId: t.teamId, assigneeId: t.assigneeId, version: t.version, updatedAt: t.updatedAt },
            events,
            messages,
            sla: { state: slaRow?.state, nextDueAt: slaRow?.nextDueAt, summary: slaRow?.summary },
            notifications: notifications.map((n) => JSON.stringify(norm(n))).sort(),
          }),
        );
      }
      const deliveries = (await d.store.webhooks.listDeliveries(w.ws, w.hookId, 100)).map((x) => JSON.stringify(norm({ event: x.event, status: x.status, data: (x.payload as { data: unknown }).data }))).sort();
      return { tickets: out, deliveries };
    }

    async function sweepBoth(perTicketTriggers: boolean) {
      const done = [];
      for (const at of ['2026-06-08T08:25:00Z', '2026-06-08T08:40:00Z', '2026-06-08T09:01:00Z', '2026-06-08T09:30:00Z']) {
        clock.set(at);
        done.push(await sweepSla(d, { perTicketTriggers }));
      }
      return done;
    }

    it('leaves the same history as running the triggers firing by firing', async () => {
      const batch = await makeWorkspace();
      const batchSweeps = await sweepBoth(false);
      const reference = await makeWorkspace();
      const referenceSweeps = await sweepBoth(true);
      assert.deepEqual(batchSweeps, referenceSweeps);
      assert.ok(batchSweeps.reduce((n, s) => n + s.tickets, 0) >= 6, 'several tickets due in one sweep');
      const a = await history(batch);
      const b = await history(reference);
      assert.deepEqual(a, b);

      // And what that history is, for the record.
      const types = (i: number) => a.tickets[i].events.map((e: { type: string; data: { rule?: { name: string } } }) => (e.data.rule ? `${e.type}:${e.data.rule.name}` : e.type));
      assert.deepEqual(a.tickets[0].ticket.tags, ['escalated', 'seen-after']);
      assert.equal(a.tickets[0].ticket.priority, 'high');
      assert.ok(types(0).includes('trigger.fired:Escalate') && types(0).includes('ticket.updated:After'), types(0).join(' '));
      assert.ok(types(0).indexOf('ticket.updated:Escalate') < types(0).lastIndexOf('sla.policy_applied'), types(0).join(' '));
      assert.ok(!types(1).includes('trigger.fired:Notify'), 'VIP stops the run');
      assert.ok(types(2).includes('trigger.failed:Broken'));
      assert.equal(a.tickets[3].ticket.assigneeId, 'agent');
      assert.ok(a.tickets[0].messages.some((m: { body: string; visibility: string }) => m.visibility === 'internal' && m.body.startsWith('Escalated')));
      assert.ok(a.tickets[0].notifications.some((n: string) => JSON.parse(n).body.startsWith('high ')), 'a notice sees the ticket as the rules before it left it');
      assert.ok(a.tickets[0].notifications.length > 0 && a.deliveries.length > 0);
    });
  });
}
