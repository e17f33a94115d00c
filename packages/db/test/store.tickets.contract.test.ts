import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TICKET_SORTS } from '@guichet/contracts';
import { cursorValue, type CursorPosition, type Message, type Ticket, type TicketFilter, type TicketView, type User, type Workspace } from '@guichet/core';
import {
  at,
  describeStore,
  eventOf,
  newWorkspace,
  organizationOf,
  rejectsWith,
  sortedIds,
  teamOf,
  ticketInput,
  userOf,
  uuid,
  walkPages,
  workspaceOf,
  type Harness,
} from './fixtures.ts';
import { KyselyTicketRepository } from '../src/repositories/tickets.ts';

const viewOf = (t: Ticket, requester: User): TicketView => ({ ...t, requester: { id: requester.id, name: requester.name, email: requester.email } });

async function people(h: Harness) {
  const ws = await newWorkspace(h.store);
  const org = await h.store.organizations.insert(organizationOf(ws));
  const customer = await h.store.users.insert(userOf(ws, { role: 'customer', name: 'Carla Customer', organizationId: org.id }));
  const agent = await h.store.users.insert(userOf(ws, { role: 'agent', name: 'Alan Agent' }));
  return { ws, org, customer, agent };
}

describeStore('storage port: tickets, messages, events and transactions', (h) => {
  describe('tickets', () => {
    it('imports past tickets in bulk: numbered in list order, with their final state, first message, creation event and later messages', async () => {
      const { ws, customer, agent } = await people(h);
      const mk = (i: number) => {
        const input = ticketInput(ws, customer, { subject: `Imported ${i}`, status: 'closed', assigneeId: agent.id, tags: ['history'], createdAt: at(100 + i), updatedAt: at(500 + i), solvedAt: at(400 + i), closedAt: at(500 + i) });
        const later: Array<Omit<Message, 'attachments'>> = [
          { ...input.message, id: uuid(), authorId: agent.id, visibility: 'internal', channel: 'web', bodyText: `Note ${i}`, createdAt: at(200 + i) },
          { ...input.message, id: uuid(), authorId: agent.id, bodyText: `Answer ${i}`, createdAt: at(300 + i) },
        ];
        return { ...input, attachments: [] as [], later };
      };
      const list = [mk(1), mk(2), mk(3)];
      const tickets = await h.store.transaction((tx) => tx.tickets.importMany(list));
      assert.deepEqual(tickets.map((t) => t.subject), ['Imported 1', 'Imported 2', 'Imported 3']);
      assert.ok(tickets[0]!.number < tickets[1]!.number && tickets[1]!.number < tickets[2]!.number, 'numbers in list order');
      for (const [i, t] of tickets.entries()) {
        assert.deepEqual(t, { ...list[i]!.ticket, number: t.number, version: 1 });
        const messages = await h.store.messages.listForTicket(ws.id, t.id, { includeInternal: true, limit: 10 });
        assert.deepEqual(messages.map((m) => [m.bodyText, m.visibility]), [[list[i]!.message.bodyText, 'public'], [`Note ${i + 1}`, 'internal'], [`Answer ${i + 1}`, 'public']]);
        assert.equal((await h.store.messages.listForTicket(ws.id, t.id, { includeInternal: false, limit: 10 })).length, 2);
      }
      assert.deepEqual(await h.store.tickets.importMany([]), []);
    });

    it('tickets created side by side outside a transaction (coalesced into shared statements) read back exactly as one by one; a bad one fails alone', async () => {
      const a = await people(h);
      const b = await people(h);
      const inputs = Array.from({ length: 12 }, (_, i) => {
        const { ws, customer } = i % 3 === 2 ? b : a;
        const input = ticketInput(ws, customer, {
          subject: `Side by side ${i} — « ${'é'.repeat(i)} » "quoted" \\ back`,
          tags: i % 2 ? ['billing', `t${i}`] : [],
          customFields: i % 4 === 0 ? { plan: 'pro', n: i, nested: { deep: [1, null, 'x'] } } : {},
          language: i % 2 ? 'fr' : null,
          createdAt: at(40 + i),
          updatedAt: at(40 + i),
        }, { bodyText: `Body ${i}\nline two`, bodyHtml: i % 2 ? `<p>${i}</p>` : null });
        input.event.data = { subject: input.ticket.subject, tags: input.ticket.tags, messageId: input.message.id };
        input.event.requestId = `req-${i}`;
        return input;
      });
      // A requester that does not exist: its foreign key fails, the others must not.
      const bad = ticketInput(a.ws, { ...a.customer, id: uuid() });
      // First eight good ones in one shared statement (called directly: through the store a
      // failing shared statement would be hidden by its one-by-one retry), then four more through
      // the store, with the bad one among them.
      const repo = new KyselyTicketRepository(h.database.db, { coalesce: true }) as unknown as { insertMany(l: typeof inputs): Promise<Ticket[]> };
      const first = (await repo.insertMany(inputs.slice(0, 8))).map((value) => ({ status: 'fulfilled' as const, value }));
      const second = await Promise.allSettled([...inputs.slice(8, 10).map((i) => h.store.tickets.create(i)), h.store.tickets.create(bad), ...inputs.slice(10).map((i) => h.store.tickets.create(i))]);
      assert.equal(second[2]!.status, 'rejected', 'the ticket with an unknown requester is refused');
      const created = [...first, ...second.filter((_, i) => i !== 2)].map((r) => {
        assert.equal(r.status, 'fulfilled', r.status === 'rejected' ? String((r as PromiseRejectedResult).reason) : '');
        return (r as PromiseFulfilledResult<Ticket>).value;
      });
      for (const [k, { ws }] of [a, b].entries()) {
        // Distinct numbers from the workspace's sequence; like any rolled-back INSERT, the refused
        // ticket (and the shared statement it made fail, run again one by one) may leave gaps.
        const mine = created.filter((t) => t.workspaceId === ws.id).map((t) => t.number);
        assert.equal(new Set(mine).size, mine.length, `workspace ${k}: each number once`);
        assert.ok(mine.every((n) => Number.isSafeInteger(n) && n >= 1));
      }
      for (const [i, input] of inputs.entries()) {
        const t = created[i]!;
        const requester = input.ticket.workspaceId === a.ws.id ? a.customer : b.customer;
        assert.deepEqual(t, { ...input.ticket, number: t.number, version: 1 });
        assert.deepEqual(await h.store.tickets.findById(input.ticket.workspaceId, t.id), viewOf(t, requester));
        const messages = await h.store.messages.listForTicket(input.ticket.workspaceId, t.id, { includeInternal: true, limit: 10 });
        assert.deepEqual(messages, [{ ...input.message, attachments: [], author: { id: requester.id, name: requester.name, email: requester.email } }]);
        const events = await h.store.events.listForSubject(input.ticket.workspaceId, 'ticket', t.id, { limit: 10 });
        assert.equal(events.length, 1);
        const { id, actorName, ...event } = events[0]!;
        assert.ok(Number.isSafeInteger(id) && actorName === requester.name);
        assert.deepEqual(event, { ...input.event, data: { ...input.event.data, number: t.number } });
      }
      assert.equal(await h.store.tickets.findById(a.ws.id, bad.ticket.id), null, 'nothing of the refused ticket was written');
    });

    it('users looked up by address side by side outside a transaction (coalesced) each get their own answer, case-insensitively and per workspace', async () => {
      const a = await people(h);
      const b = await people(h);
      const twin = await h.store.users.insert(userOf(b.ws, { role: 'customer', email: a.customer.email }));
      const asks: Array<[string, string, string | null]> = [
        [a.ws.id, a.customer.email!, a.customer.id],
        [a.ws.id, a.customer.email!.toUpperCase(), a.customer.id],
        [b.ws.id, a.customer.email!, twin.id],
        [a.ws.id, 'nobody@example.test', null],
        [b.ws.id, a.agent.email!, null],
        [a.ws.id, a.agent.email!, a.agent.id],
      ];
      const found = await Promise.all(asks.map(([ws, email]) => h.store.users.findByEmail(ws, email)));
      assert.deepEqual(found.map((u) => u?.id ?? null), asks.map((x) => x[2]));
      assert.deepEqual(found[0], a.customer);
    });

    it('creates a ticket with its first message and creation event; every field reads back', async () => {
      const { ws, org, customer, agent } = await people(h);
      const team = await h.store.teams.insert(teamOf(ws));
      const input = ticketInput(
        ws,
        customer,
        {
          subject: 'Paiement refusé — carte « Visa »',
          status: 'solved',
          priority: 'urgent',
          channel: 'phone',
          organizationId: org.id,
          assigneeId: agent.id,
          teamId: team.id,
          tags: ['billing', 'vip', 'a:b.c'],
          customFields: { plan: 'pro', seats: 12, renewal: '2025-06-01', vip: true, areas: ['a', 'b'], nested: { deep: [1, null, 'x'] }, quote: 'say "hi"' },
          language: 'fr',
          createdAt: at(30),
          updatedAt: at(31),
          solvedAt: at(32),
          closedAt: null,
        },
        { bodyHtml: '<p>Hello</p>', authorId: agent.id, visibility: 'internal' },
      );
      input.attachments = [
        { id: uuid(), filename: 'receipt.pdf', contentType: 'application/pdf', sizeBytes: 12345, sha256: 'a'.repeat(64), storageKey: 'k/1', inline: false },
        { id: uuid(), filename: 'logo.png', contentType: 'image/png', sizeBytes: 0, inline: true },
      ];
      input.event.data = { subject: input.ticket.subject, tags: input.ticket.tags, messageId: input.message.id };
      input.event.requestId = 'req-1';

      const created = await h.store.tickets.create(input);
      const expected: Ticket = { ...input.ticket, number: 1, version: 1 };
      assert.deepEqual(created, expected);
      assert.deepEqual(await h.store.tickets.findById(ws.id, created.id), viewOf(expected, customer));
      assert.deepEqual(await h.store.tickets.findByNumber(ws.id, 1), viewOf(expected, customer));

      const messages = await h.store.messages.listForTicket(ws.id, created.id, { includeInternal: true, limit: 10 });
      assert.deepEqual(messages, [{ ...input.message, attachments: input.attachments, author: { id: agent.id, name: agent.name, email: agent.email } }]);

      const events = await h.store.events.listForSubject(ws.id, 'ticket', created.id, { limit: 10 });
      assert.equal(events.length, 1);
      const { id, actorName, ...event } = events[0]!;
      assert.ok(Number.isSafeInteger(id));
      assert.equal(actorName, customer.name);
      assert.deepEqual(event, { ...input.event, data: { ...input.event.data, number: 1 } }, 'the creation event carries the number');
    });

    it('numbers tickets per workspace from 1', async () => {
      const a = await people(h);
      const b = await people(h);
      const numbers = [];
      for (const p of [a, b, a, a, b]) numbers.push((await h.store.tickets.create(ticketInput(p.ws, p.customer))).number);
      assert.deepEqual(numbers, [1, 1, 2, 3, 2]);
    });

    it('writes nothing when the message or the event of a creation fails', async () => {
      const { ws, customer } = await people(h);
      const badMessage = ticketInput(ws, customer, {}, { authorId: uuid() });
      await assert.rejects(h.store.tickets.create(badMessage));
      const badEvent = ticketInput(ws, customer);
      badEvent.event.actor = { type: 'robot' as never, id: null };
      await assert.rejects(h.store.tickets.create(badEvent));
      assert.equal(await h.store.tickets.findById(ws.id, badMessage.ticket.id), null);
      assert.equal(await h.store.tickets.findById(ws.id, badEvent.ticket.id), null);
      assert.deepEqual(await h.store.events.listForSubject(ws.id, 'ticket', badMessage.ticket.id, { limit: 10 }), []);
      assert.deepEqual(await h.store.messages.listForTicket(ws.id, badEvent.ticket.id, { includeInternal: true, limit: 10 }), []);
      assert.deepEqual(await h.store.tickets.list(ws.id, { includeInternal: true }, { sort: 'created_at', order: 'desc' }, { limit: 10 }), []);
    });

    it('hides tickets, their messages and their events from other workspaces', async () => {
      const { ws, customer } = await people(h);
      const other = await people(h);
      const t = await h.store.tickets.create(ticketInput(ws, customer));
      assert.equal(await h.store.tickets.findById(other.ws.id, t.id), null);
      assert.equal(await h.store.tickets.findByNumber(other.ws.id, t.number), null);
      assert.equal(await h.store.transaction((tx) => tx.tickets.lock(other.ws.id, t.id)), null);
      assert.deepEqual(await h.store.tickets.list(other.ws.id, { includeInternal: true }, { sort: 'number', order: 'asc' }, { limit: 10 }), []);
      assert.deepEqual(await h.store.messages.listForTicket(other.ws.id, t.id, { includeInternal: true, limit: 10 }), []);
      assert.deepEqual(await h.store.events.listForSubject(other.ws.id, 'ticket', t.id, { limit: 10 }), []);
      await assert.rejects(h.store.tickets.update(other.ws.id, t.id, { subject: 'Hijacked' }, at(99)));
      assert.equal((await h.store.tickets.findById(ws.id, t.id))!.subject, 'Card declined');
    });

    it('locks and updates: the patch applied, the version bumped, updatedAt set', async () => {
      const { ws, customer, agent } = await people(h);
      const other = await h.store.users.insert(userOf(ws, { role: 'customer' }));
      const t = await h.store.tickets.create(ticketInput(ws, customer, { tags: ['a'], customFields: { x: 1 } }));
      const locked = await h.store.transaction((tx) => tx.tickets.lock(ws.id, t.id));
      assert.deepEqual(locked, t);
      const patch = {
        status: 'closed' as const,
        priority: 'low' as const,
        assigneeId: agent.id,
        tags: ['b', 'with space'],
        customFields: { x: 2, y: ['z'] },
        language: 'de',
        requesterId: other.id,
        organizationId: null,
        solvedAt: at(40),
        closedAt: at(41),
        subject: 'New subject',
      };
      const updated = await h.store.tickets.update(ws.id, t.id, patch, at(42));
      const expected = { ...t, ...patch, version: 2, updatedAt: at(42) };
      assert.deepEqual(updated, expected);
      assert.deepEqual(await h.store.tickets.findById(ws.id, t.id), viewOf(expected, other));
      const again = await h.store.tickets.update(ws.id, t.id, { assigneeId: null, tags: [], customFields: {}, language: null, solvedAt: null, closedAt: null }, at(43));
      assert.deepEqual(again, { ...expected, assigneeId: null, tags: [], customFields: {}, language: null, solvedAt: null, closedAt: null, version: 3, updatedAt: at(43) });
    });

    it('filters lists by every criterion and confines customers to what they may see', async () => {
      const { ws, org, customer, agent } = await people(h);
      const colleague = await h.store.users.insert(userOf(ws, { role: 'customer', organizationId: org.id }));
      const loner = await h.store.users.insert(userOf(ws, { role: 'customer' }));
      const team = await h.store.teams.insert(teamOf(ws));
      const mk = async (requester: User, over: Partial<Ticket>, body = 'Nothing special here', visibility: Message['visibility'] = 'public') =>
        h.store.tickets.create(ticketInput(ws, requester, over, { bodyText: body, visibility }));
      const t1 = await mk(customer, { subject: 'Printer on fire', status: 'open', priority: 'high', channel: 'email', tags: ['hardware', 'urgent'], language: 'en', createdAt: at(100) });
      const t2 = await mk(colleague, { subject: 'Invoice question', status: 'pending', priority: 'low', channel: 'web', assigneeId: agent.id, teamId: team.id, tags: ['billing'], language: 'fr', createdAt: at(200) }, 'where is my refund');
      const t3 = await mk(loner, { subject: 'Password reset', status: 'solved', channel: 'chat', assigneeId: agent.id, createdAt: at(300) }, 'secret zanzibar note', 'internal');
      const t4 = await mk(loner, { subject: 'Closed one', status: 'closed', channel: 'phone', createdAt: at(400) });
      await h.store.messages.insert(
        { id: uuid(), workspaceId: ws.id, ticketId: t1.id, authorId: agent.id, visibility: 'internal', channel: 'web', bodyText: 'internal hippopotamus', bodyHtml: null, createdAt: at(101) },
        [],
      );
      const list = async (f: Omit<TicketFilter, 'includeInternal'> & { includeInternal?: boolean }) =>
        sortedIds(await h.store.tickets.list(ws.id, { includeInternal: true, ...f }, { sort: 'created_at', order: 'desc' }, { limit: 50 }));
      const ids = (...ts: Ticket[]) => sortedIds(ts);

      assert.deepEqual(await list({}), ids(t1, t2, t3, t4));
      assert.deepEqual(await list({ statuses: ['open', 'pending'] }), ids(t1, t2));
      assert.deepEqual(await list({ priorities: ['low', 'high'] }), ids(t1, t2));
      assert.deepEqual(await list({ channels: ['chat', 'phone'] }), ids(t3, t4));
      assert.deepEqual(await list({ assigneeId: agent.id }), ids(t2, t3));
      assert.deepEqual(await list({ assigneeId: null }), ids(t1, t4));
      assert.deepEqual(await list({ teamId: team.id }), ids(t2));
      assert.deepEqual(await list({ teamId: null }), ids(t1, t3, t4));
      assert.deepEqual(await list({ requesterId: loner.id }), ids(t3, t4));
      assert.deepEqual(await list({ organizationId: org.id }), ids(t1, t2));
      assert.deepEqual(await list({ tags: ['hardware'] }), ids(t1));
      assert.deepEqual(await list({ tags: ['hardware', 'billing'] }), [], 'every tag asked for');
      assert.deepEqual(await list({ language: 'fr' }), ids(t2));
      assert.deepEqual(await list({ createdAfter: at(200), createdBefore: at(400) }), ids(t2, t3));
      assert.deepEqual(await list({ updatedAfter: at(300) }), ids(t3, t4));

      assert.deepEqual(await list({ text: 'printer' }), ids(t1), 'subject words');
      assert.deepEqual(await list({ text: 'refund' }), ids(t2), 'public message words');
      assert.deepEqual(await list({ text: 'zanzibar' }), ids(t3), 'internal notes for staff');
      assert.deepEqual(await list({ text: 'zanzibar', includeInternal: false }), [], 'not for customers');
      assert.deepEqual(await list({ text: 'hippopotamus', includeInternal: false }), []);
      assert.deepEqual(await list({ text: `#${t3.number}` }), ids(t3), 'a ticket number');
      assert.deepEqual(await list({ text: 'special nothing' }), ids(t1, t4), 'every word, in any order');

      assert.deepEqual(await list({ visibleToCustomer: { userId: customer.id, organizationId: null } }), ids(t1));
      assert.deepEqual(await list({ visibleToCustomer: { userId: customer.id, organizationId: org.id } }), ids(t1, t2));
      assert.deepEqual(await list({ visibleToCustomer: { userId: loner.id, organizationId: null }, statuses: ['closed'] }), ids(t4));
    });

    it('pages through every sort in both orders without gaps or repeats', async () => {
      const { ws, customer } = await people(h);
      const other = await people(h);
      const priorities = ['low', 'normal', 'high', 'urgent'] as const;
      const created: Ticket[] = [];
      for (let i = 0; i < 30; i++) {
        // Many tickets share an instant and a priority: the id breaks ties.
        const createdAt = at(Math.floor(i / 5));
        created.push(
          await h.store.tickets.create(
            ticketInput(ws, customer, { priority: priorities[i % 4]!, createdAt, updatedAt: at(1000 - Math.floor(i / 3)) }),
          ),
        );
      }
      await h.store.tickets.create(ticketInput(other.ws, other.customer));
      // SLA deadlines for two tickets in three, several on the same instant; the others have none.
      for (const [i, t] of created.entries()) {
        if (i % 3 === 0) continue;
        const summary = { dueAt: at(500 + (i % 4)), warnAt: null, paused: false };
        await h.store.ticketSla.upsert({ workspaceId: ws.id, ticketId: t.id, state: { policyId: null, calendarId: null, paused: false, clocks: {} }, nextDueAt: null, summary, updatedAt: at(0) });
      }
      for (const sort of TICKET_SORTS) {
        for (const order of ['asc', 'desc'] as const) {
          const position = (t: TicketView): CursorPosition => ({ sort, order, value: cursorValue(t, sort), id: t.id });
          for (const size of [1, 4, 7]) {
            const walked = await walkPages(
              (limit, after) => h.store.tickets.list(ws.id, { includeInternal: true }, { sort, order }, { limit, ...(after ? { after } : {}) }),
              position,
              size,
            );
            assert.deepEqual(sortedIds(walked), sortedIds(created), `${sort} ${order} by ${size}`);
            for (let i = 1; i < walked.length; i++) {
              const [a, b] = [walked[i - 1]!, walked[i]!];
              const [va, vb] = [cursorValue(a, sort), cursorValue(b, sort)];
              // Without a value (no SLA deadline) comes last in both orders.
              const before =
                va === vb ? (order === 'asc' ? a.id < b.id : a.id > b.id) : va === null ? false : vb === null ? true : order === 'asc' ? va < vb : va > vb;
              assert.ok(before, `${sort} ${order}: ${va}/${a.id} then ${vb}/${b.id}`);
            }
          }
        }
      }
    });

    it('filters by SLA state at a given moment from the stored summary', async () => {
      const { ws, customer } = await people(h);
      const other = await people(h);
      const mk = async (summary: { dueAt: Date | null; warnAt: Date | null; paused: boolean } | null, w = ws, c = customer) => {
        const t = await h.store.tickets.create(ticketInput(w, c));
        if (summary) await h.store.ticketSla.upsert({ workspaceId: w.id, ticketId: t.id, state: { policyId: null, calendarId: null, paused: summary.paused, clocks: {} }, nextDueAt: null, summary, updatedAt: at(0) });
        return t;
      };
      const now = at(100);
      const breached = await mk({ dueAt: at(50), warnAt: at(40), paused: false });
      const breachedPaused = await mk({ dueAt: at(60), warnAt: null, paused: true });
      const warning = await mk({ dueAt: at(200), warnAt: at(90), paused: false });
      const ok = await mk({ dueAt: at(200), warnAt: at(150), paused: false });
      const okNoWarning = await mk({ dueAt: at(300), warnAt: null, paused: false });
      const paused = await mk({ dueAt: null, warnAt: null, paused: true });
      const finished = await mk({ dueAt: null, warnAt: null, paused: false });
      const noClocks = await mk(null);
      await mk({ dueAt: at(50), warnAt: null, paused: false }, other.ws, other.customer);
      const list = async (states: TicketFilter['slaStates']) =>
        sortedIds(await h.store.tickets.list(ws.id, { includeInternal: true, slaStates: states!, slaNow: now }, { sort: 'created_at', order: 'desc' }, { limit: 50 }));
      const ids = (...ts: Ticket[]) => sortedIds(ts);
      assert.deepEqual(await list(['breached']), ids(breached, breachedPaused));
      assert.deepEqual(await list(['warning']), ids(warning));
      assert.deepEqual(await list(['ok']), ids(ok, okNoWarning));
      assert.deepEqual(await list(['paused']), ids(paused));
      assert.deepEqual(await list(['none']), ids(finished, noClocks));
      assert.deepEqual(await list(['breached', 'warning']), ids(breached, breachedPaused, warning));
      // Later, the ok ticket's warning moment has come.
      assert.deepEqual(
        sortedIds(await h.store.tickets.list(ws.id, { includeInternal: true, slaStates: ['warning'], slaNow: at(160) }, { sort: 'number', order: 'asc' }, { limit: 50 })),
        ids(warning, ok),
      );
      const [first] = await h.store.tickets.list(ws.id, { includeInternal: true }, { sort: 'sla_due_at', order: 'asc' }, { limit: 1 });
      assert.equal(first!.id, breached.id, 'the most overdue first');
      assert.deepEqual(first!.sla, { dueAt: at(50), warnAt: at(40), paused: false });
    });

    it('counts the open tickets of an assignee', async () => {
      const { ws, customer, agent } = await people(h);
      const other = await people(h);
      for (const status of ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const) {
        await h.store.tickets.create(ticketInput(ws, customer, { status, assigneeId: agent.id }));
      }
      await h.store.tickets.create(ticketInput(ws, customer, { status: 'open' }));
      assert.equal(await h.store.tickets.countOpenByAssignee(ws.id, agent.id), 4);
      assert.equal(await h.store.tickets.countOpenByAssignee(other.ws.id, agent.id), 0);
    });

    it('gives 200 concurrent creations in two workspaces unique numbers without gaps', async () => {
      const a = await people(h);
      const b = await people(h);
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => {
          const p = i % 4 === 0 ? b : a;
          return h.store.transaction(async (tx) => {
            const requester = await tx.users.findById(p.ws.id, p.customer.id);
            return tx.tickets.create(ticketInput(p.ws, requester!));
          });
        }),
      );
      for (const [p, count] of [
        [a, 150],
        [b, 50],
      ] as const) {
        const numbers = results.filter((t) => t.workspaceId === p.ws.id).map((t) => t.number);
        assert.equal(new Set(numbers).size, count, 'unique');
        assert.deepEqual(
          [...numbers].sort((x, y) => x - y),
          Array.from({ length: count }, (_, i) => i + 1),
          'gap-free from 1',
        );
        const listed = await h.store.tickets.list(p.ws.id, { includeInternal: true }, { sort: 'number', order: 'asc' }, { limit: 500 });
        assert.deepEqual(
          listed.map((t) => t.number),
          Array.from({ length: count }, (_, i) => i + 1),
        );
        for (const t of listed) {
          const events = await h.store.events.listForSubject(p.ws.id, 'ticket', t.id, { limit: 5 });
          assert.equal(events[0]!.data.number, t.number, 'each creation event names its own ticket\'s number');
        }
      }
    });
  });

  describe('batch writes of rules (the SLA sweep)', () => {
    it('updateMany: each ticket its own patch, updated_at and version raised by its count; insertMany: notes; eventFacts: the fingerprint and facts in one read', async () => {
      const { ws, org, customer, agent } = await people(h);
      const other = await people(h);
      const team = await h.store.teams.insert(teamOf(ws));
      const a = await h.store.tickets.create(ticketInput(ws, customer, { tags: ['x'] }));
      const b = await h.store.tickets.create(ticketInput(ws, customer, { organizationId: org.id }));
      const c = await h.store.tickets.create(ticketInput(ws, customer));
      const foreign = await h.store.tickets.create(ticketInput(other.ws, other.customer));
      await h.store.tickets.updateMany(
        ws.id,
        [
          { id: a.id, patch: { priority: 'high', tags: ['x', 'y'], customFields: { level: 2 } }, bumps: 2 },
          { id: b.id, patch: { status: 'solved', solvedAt: at(50), assigneeId: agent.id, teamId: team.id }, bumps: 1 },
          { id: foreign.id, patch: { priority: 'urgent' }, bumps: 1 },
        ],
        at(60),
      );
      const [ra, rb, rc, rf] = await Promise.all([a, b, c].map((t) => h.store.tickets.findById(ws.id, t.id)).concat(h.store.tickets.findById(other.ws.id, foreign.id)));
      assert.deepEqual([ra!.priority, ra!.tags, ra!.customFields, ra!.version, ra!.updatedAt, ra!.status], ['high', ['x', 'y'], { level: 2 }, a.version + 2, at(60), a.status]);
      assert.deepEqual([rb!.status, rb!.solvedAt, rb!.assigneeId, rb!.teamId, rb!.version, rb!.priority], ['solved', at(50), agent.id, team.id, b.version + 1, b.priority]);
      assert.deepEqual(rc, await h.store.tickets.findById(ws.id, c.id));
      assert.equal(rc!.version, c.version, 'a ticket not named is left alone');
      assert.equal(rf!.priority, foreign.priority, 'another workspace is left alone');

      const note = { id: uuid(), workspaceId: ws.id, ticketId: a.id, authorId: null, visibility: 'internal' as const, channel: 'api' as const, bodyText: 'Rule note', bodyHtml: null, createdAt: at(60) };
      await h.store.messages.insertMany([note, { ...note, id: uuid(), ticketId: b.id, bodyText: 'Other note' }]);
      assert.deepEqual((await h.store.messages.listForTicket(ws.id, a.id, { includeInternal: true, limit: 10 })).map((m) => m.bodyText).slice(-1), ['Rule note']);
      assert.deepEqual((await h.store.messages.listForTicket(ws.id, b.id, { includeInternal: true, limit: 10 })).map((m) => m.bodyText).slice(-1), ['Other note']);

      const facts = await h.store.triggers.eventFacts(ws.id, { requesterId: customer.id, organizationId: org.id, teamId: team.id });
      assert.deepEqual(facts, { fingerprint: await h.store.triggers.rulesFingerprint(ws.id), requester: { email: customer.email, organizationId: org.id, name: customer.name }, organization: { name: org.name }, calendar: null });
      const none = await h.store.triggers.eventFacts(ws.id, { requesterId: other.customer.id, organizationId: other.org.id, teamId: null });
      assert.deepEqual([none.requester, none.organization], [null, null], 'facts of another workspace are not read');
    });
  });

  describe('messages', () => {
    it('inserts messages with attachments and lists them oldest first, internal notes only when asked', async () => {
      const { ws, customer, agent } = await people(h);
      const t = await h.store.tickets.create(ticketInput(ws, customer, { createdAt: at(0) }));
      const first = (await h.store.messages.listForTicket(ws.id, t.id, { includeInternal: true, limit: 10 }))[0]!;
      const reply: Omit<Message, 'attachments'> = {
        id: uuid(),
        workspaceId: ws.id,
        ticketId: t.id,
        authorId: agent.id,
        visibility: 'public',
        channel: 'email',
        bodyText: 'Hello — try again please.',
        bodyHtml: '<p>Hello &mdash; try again please.</p>',
        createdAt: at(5),
      };
      const note = { ...reply, id: uuid(), visibility: 'internal' as const, bodyText: 'Card expired, I think.', bodyHtml: null, createdAt: at(6) };
      const system = { ...reply, id: uuid(), authorId: null, bodyText: 'Automatic message', bodyHtml: null, createdAt: at(7) };
      const attachments = [{ id: uuid(), filename: 'screen shot.png', contentType: 'image/png', sizeBytes: 2048, inline: true }];
      assert.deepEqual(await h.store.messages.insert(reply, attachments), { ...reply, attachments });
      assert.deepEqual(await h.store.messages.insert(note, []), { ...note, attachments: [] });
      await h.store.messages.insert(system, []);

      const author = { id: agent.id, name: agent.name, email: agent.email };
      const all = await h.store.messages.listForTicket(ws.id, t.id, { includeInternal: true, limit: 10 });
      assert.deepEqual(all, [first, { ...reply, attachments, author }, { ...note, attachments: [], author }, { ...system, attachments: [], author: null }]);
      const publicOnly = await h.store.messages.listForTicket(ws.id, t.id, { includeInternal: false, limit: 10 });
      assert.deepEqual(
        publicOnly.map((m) => m.id),
        [first.id, reply.id, system.id],
      );
    });

    it('moves every message of a ticket to another (a merge), attachments and all, in its workspace only; mergedIntoId reads back', async () => {
      const { ws, customer, agent } = await people(h);
      const from = await h.store.tickets.create(ticketInput(ws, customer, { createdAt: at(0) }));
      const into = await h.store.tickets.create(ticketInput(ws, customer, { createdAt: at(1) }));
      const reply: Omit<Message, 'attachments'> = {
        id: uuid(), workspaceId: ws.id, ticketId: from.id, authorId: agent.id, visibility: 'public', channel: 'email',
        bodyText: 'Attached.', bodyHtml: null, createdAt: at(5),
      };
      const attachments = [{ id: uuid(), filename: 'a.txt', contentType: 'text/plain', sizeBytes: 3, inline: false }];
      await h.store.messages.insert(reply, attachments);
      const before = await h.store.messages.listForTicket(ws.id, from.id, { includeInternal: true, limit: 10 });
      const other = await people(h);
      assert.equal(await h.store.messages.moveToTicket(other.ws.id, from.id, into.id), 0, 'another workspace moves nothing');
      assert.equal(await h.store.messages.moveToTicket(ws.id, from.id, into.id), 2);
      assert.deepEqual(await h.store.messages.listForTicket(ws.id, from.id, { includeInternal: true, limit: 10 }), []);
      const after = await h.store.messages.listForTicket(ws.id, into.id, { includeInternal: true, limit: 10 });
      assert.deepEqual(after.filter((m) => before.some((b) => b.id === m.id)), before.map((m) => ({ ...m, ticketId: into.id })));
      assert.equal(after.length, 3);

      const merged = await h.store.tickets.update(ws.id, from.id, { status: 'closed', closedAt: at(9), mergedIntoId: into.id }, at(9));
      assert.equal(merged.mergedIntoId, into.id);
      assert.equal((await h.store.tickets.findById(ws.id, from.id))!.mergedIntoId, into.id);
      assert.equal((await h.store.tickets.lock(ws.id, into.id))!.mergedIntoId, null);
    });

    it('pages through a conversation without gaps or repeats, messages sharing an instant included', async () => {
      const { ws, customer } = await people(h);
      const t = await h.store.tickets.create(ticketInput(ws, customer, { createdAt: at(0) }));
      for (let i = 0; i < 17; i++) {
        await h.store.messages.insert(
          { id: uuid(), workspaceId: ws.id, ticketId: t.id, authorId: customer.id, visibility: i % 3 ? 'public' : 'internal', channel: 'web', bodyText: `m${i}`, bodyHtml: null, createdAt: at(Math.floor(i / 4)) },
          [],
        );
      }
      const position = (m: Message): CursorPosition => ({ sort: 'created_at', order: 'asc', value: m.createdAt.toISOString(), id: m.id });
      for (const includeInternal of [true, false]) {
        const walked = await walkPages((limit, after) => h.store.messages.listForTicket(ws.id, t.id, { includeInternal, limit, ...(after ? { after } : {}) }), position, 3);
        assert.equal(walked.length, includeInternal ? 18 : 12);
      }
    });
  });

  describe('events', () => {
    it('appends events and lists them per subject, oldest first, in pages, with the actor\'s name', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const actor = await h.store.users.insert(userOf(ws, { name: 'Eve Admin' }));
      const subjectId = uuid();
      const written = [];
      for (let i = 0; i < 7; i++) {
        const e = eventOf(ws, {
          subjectType: 'user',
          subjectId,
          actor: i % 2 ? { type: 'user', id: actor.id } : { type: 'rule', id: null },
          type: `user.step${i}`,
          data: { i, list: [1, 'two', null], nested: { ok: true }, text: 'ünï "q"' },
          requestId: i % 2 ? `req-${i}` : null,
          createdAt: at(i),
        });
        await h.store.events.append(e);
        written.push(e);
      }
      await h.store.events.append(eventOf(ws, { subjectType: 'team', subjectId }));
      await h.store.events.append(eventOf(other, { subjectType: 'user', subjectId }));

      const all = await h.store.events.listForSubject(ws.id, 'user', subjectId, { limit: 100 });
      assert.deepEqual(
        all.map(({ id: _id, actorName: _n, ...rest }) => rest),
        written,
      );
      assert.deepEqual(
        all.map((e) => e.actorName),
        written.map((e) => (e.actor.id ? 'Eve Admin' : null)),
      );
      for (let i = 1; i < all.length; i++) assert.ok(all[i]!.id > all[i - 1]!.id);

      const paged = [];
      let afterId: number | undefined;
      for (;;) {
        const page = await h.store.events.listForSubject(ws.id, 'user', subjectId, { limit: 3, ...(afterId !== undefined ? { afterId } : {}) });
        paged.push(...page);
        if (page.length < 3) break;
        afterId = page[page.length - 1]!.id;
      }
      assert.deepEqual(paged, all);
      assert.equal((await h.store.events.listForSubject(other.id, 'user', subjectId, { limit: 100 })).length, 1);
      assert.equal((await h.store.events.listForSubject(ws.id, 'team', subjectId, { limit: 100 })).length, 1);
    });
  });

  describe('transactions', () => {
    it('commits everything the work wrote and returns its result', async () => {
      const ws = workspaceOf();
      const result = await h.store.transaction(async (tx) => {
        await tx.workspaces.insert(ws);
        const u = await tx.users.insert(userOf(ws, { role: 'customer' }));
        return (await tx.tickets.create(ticketInput(ws, u))).number;
      });
      assert.equal(result, 1);
      assert.ok(await h.store.workspaces.findById(ws.id));
      assert.ok(await h.store.tickets.findByNumber(ws.id, 1));
    });

    it('rolls everything back when the work throws, and rethrows the same error', async () => {
      const existing = await newWorkspace(h.store);
      const ws = workspaceOf();
      const boom = new Error('boom');
      let ticketId = '';
      let userId = '';
      await assert.rejects(
        h.store.transaction(async (tx) => {
          await tx.workspaces.insert(ws);
          const u = await tx.users.insert(userOf(ws, { role: 'customer' }));
          userId = u.id;
          ticketId = (await tx.tickets.create(ticketInput(ws, u))).id;
          await tx.workspaces.update(existing.id, { name: 'Changed inside' });
          await tx.events.append(eventOf(existing, { subjectId: existing.id, subjectType: 'workspace' }));
          await tx.audit.append({ workspaceId: existing.id, actor: { type: 'system', id: null }, action: 'x.y', targetType: null, targetId: null, data: {}, ip: null, requestId: null, createdAt: at(1) });
          assert.ok(await tx.tickets.findById(ws.id, ticketId), 'visible inside the transaction');
          throw boom;
        }),
        (e) => e === boom,
      );
      assert.equal(await h.store.workspaces.findById(ws.id), null);
      assert.equal(await h.store.users.findById(ws.id, userId), null);
      assert.equal(await h.store.tickets.findById(ws.id, ticketId), null);
      assert.equal((await h.store.workspaces.findById(existing.id))!.name, existing.name);
      assert.deepEqual(await h.store.events.listForSubject(existing.id, 'workspace', existing.id, { limit: 10 }), []);
      assert.deepEqual(await h.store.audit.list(existing.id, {}, { limit: 10 }), []);

      // The workspace can be created again afterwards, numbering from 1 (its sequence went too).
      await h.store.transaction(async (tx) => {
        await tx.workspaces.insert(ws);
        const u = await tx.users.insert(userOf(ws, { role: 'customer' }));
        assert.equal((await tx.tickets.create(ticketInput(ws, u))).number, 1);
      });
    });

    it('rolls back and translates a unique violation raised inside the work', async () => {
      const ws = await newWorkspace(h.store);
      const taken = await h.store.users.insert(userOf(ws));
      const fresh = userOf(ws);
      await rejectsWith(
        h.store.transaction(async (tx) => {
          await tx.users.insert(fresh);
          await tx.users.insert(userOf(ws, { email: taken.email!.toUpperCase() }));
        }),
        'EMAIL_TAKEN',
      );
      assert.equal(await h.store.users.findById(ws.id, fresh.id), null);
    });

    it('keeps concurrent transactions apart', async () => {
      const ws = await newWorkspace(h.store);
      const ok: Workspace[] = [];
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          h.store.transaction(async (tx) => {
            const w = workspaceOf();
            await tx.workspaces.insert(w);
            await tx.users.insert(userOf(ws));
            if (i % 2) throw new Error(`fail ${i}`);
            ok.push(w);
          }),
        ),
      );
      assert.equal(outcomes.filter((o) => o.status === 'rejected').length, 10);
      assert.equal(await h.store.users.countByRole(ws.id, 'agent'), 10);
      for (const w of ok) assert.ok(await h.store.workspaces.findById(w.id));
    });
  });
});
