import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateTicketInput } from '@guichet/contracts';
import { AppError } from '../src/shared/errors.ts';
import { createTicket } from '../src/tickets/create-ticket.ts';
import { fakeDeps, seedWorkspace } from './fakes.ts';

const input = (extra: Record<string, unknown> = {}) => CreateTicketInput.parse({ subject: 'Card declined', body: 'My card is refused.', ...extra });
const code = (c: string) => (e: unknown) => e instanceof AppError && e.code === c;

function setup() {
  const deps = fakeDeps();
  const w = seedWorkspace(deps);
  return { deps, w, t: deps.store.tables };
}

describe('createTicket', () => {
  it('refuses staff-only fields from customers and light agents, and writes nothing', async () => {
    const { deps, w, t } = setup();
    const staffOnly: Array<Record<string, unknown>> = [
      { assigneeId: w.agent.id },
      { teamId: w.team.id },
      { status: 'open' },
      { status: 'new' },
      { priority: 'high' },
      { priority: 'low' },
      { tags: ['vip'] },
    ];
    for (const who of [w.customer, w.light]) {
      for (const extra of staffOnly) {
        await assert.rejects(createTicket(deps, w.ctxOf(who), input(extra)), code('FORBIDDEN'), `${who.role} ${JSON.stringify(extra)}`);
      }
    }
    assert.equal(t.tickets.length, 0);
    assert.equal(t.events.length, 0);
  });

  it('lets customers and light agents send the defaults and explicit nulls', async () => {
    const { deps, w } = setup();
    for (const who of [w.customer, w.light]) {
      const { ticket } = await createTicket(deps, w.ctxOf(who), input({ priority: 'normal', tags: [], assigneeId: null, teamId: null, requester: { id: who.id } }));
      assert.equal(ticket.status, 'new');
      assert.equal(ticket.priority, 'normal');
      assert.equal(ticket.assigneeId, null);
    }
  });

  it('lets agents triage on creation', async () => {
    const { deps, w } = setup();
    const { ticket, access } = await createTicket(
      deps,
      w.ctxOf(w.agent),
      input({ assigneeId: w.agent.id, teamId: w.team.id, priority: 'urgent', tags: ['VIP', 'billing', 'vip'], requester: { id: w.customer.id } }),
    );
    assert.equal(ticket.status, 'open', 'an assigned ticket starts open');
    assert.equal(ticket.assigneeId, w.agent.id);
    assert.equal(ticket.teamId, w.team.id);
    assert.equal(ticket.priority, 'urgent');
    assert.deepEqual(ticket.tags, ['vip', 'billing']);
    assert.equal(ticket.organizationId, w.org.id, 'the requester\'s organization');
    assert.equal(access.update, true);
  });

  it('refuses an internal first message from a customer', async () => {
    const { deps, w, t } = setup();
    await assert.rejects(createTicket(deps, w.ctxOf(w.customer), input({ firstMessageVisibility: 'internal' })), code('FORBIDDEN'));
    assert.equal(t.tickets.length, 0);
  });

  it('opens customer tickets in their own name, from the portal', async () => {
    const { deps, w } = setup();
    const { ticket, access } = await createTicket(deps, w.ctxOf(w.customer), input());
    assert.equal(ticket.requesterId, w.customer.id);
    assert.equal(ticket.channel, 'portal', 'api becomes portal for a signed-in customer');
    assert.deepEqual(access, { read: true, update: true, reply: true, addNote: false, viewInternal: false });
    await assert.rejects(createTicket(deps, w.ctxOf(w.customer), input({ requester: { id: w.agent.id } })), code('FORBIDDEN'));
    await assert.rejects(createTicket(deps, w.ctxOf(w.customer), input({ requester: { email: 'someone@else.test' } })), code('FORBIDDEN'));
  });

  it('writes the ticket, its first message and its creation event together, numbered per workspace', async () => {
    const { deps, w, t } = setup();
    const other = seedWorkspace(deps, 'globex');
    const a = await createTicket(deps, w.ctxOf(w.agent), input({ requester: { email: 'Nina@Example.test', name: 'Nina' } }));
    const b = await createTicket(deps, w.ctxOf(w.agent), input());
    const c = await createTicket(deps, other.ctxOf(other.agent), input());
    assert.deepEqual([a.ticket.number, b.ticket.number, c.ticket.number], [1, 2, 1]);

    const message = t.messages.find((m) => m.ticketId === a.ticket.id)!;
    assert.equal(message.bodyText, 'My card is refused.');
    assert.equal(message.visibility, 'public');
    assert.equal(message.authorId, w.agent.id);
    const created = t.events.find((e) => e.subjectId === a.ticket.id)!;
    assert.equal(created.type, 'ticket.created');
    assert.deepEqual(created.actor, { type: 'user', id: w.agent.id });
    assert.equal(created.requestId, 'req-alan');
    assert.equal(created.data.messageId, message.id);

    // A new address becomes a customer, lower-cased, with its own creation event.
    assert.equal(a.ticket.requester.email, 'nina@example.test');
    assert.ok(t.events.some((e) => e.type === 'customer.created' && e.subjectId === a.ticket.requesterId));
  });

  it('rolls back the new customer when the ticket is refused', async () => {
    const { deps, w, t } = setup();
    const users = t.users.length;
    await assert.rejects(
      createTicket(deps, w.ctxOf(w.agent), input({ requester: { email: 'new@example.test' }, assigneeId: w.light.id })),
      code('INVALID_ASSIGNMENT'),
    );
    assert.equal(deps.store.tables.users.length, users);
    assert.equal(deps.store.tables.events.length, 0);
  });

  it('refuses a team or an assignee from another workspace as if they did not exist', async () => {
    const { deps, w } = setup();
    const other = seedWorkspace(deps, 'globex');
    await assert.rejects(createTicket(deps, w.ctxOf(w.agent), input({ teamId: other.team.id })), code('TEAM_NOT_FOUND'));
    await assert.rejects(createTicket(deps, w.ctxOf(w.agent), input({ assigneeId: other.agent.id })), code('USER_NOT_FOUND'));
    await assert.rejects(createTicket(deps, w.ctxOf(w.agent), input({ requester: { id: other.customer.id } })), code('CUSTOMER_NOT_FOUND'));
  });
});
