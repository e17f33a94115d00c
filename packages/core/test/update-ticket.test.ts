import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateTicketInput, UpdateTicketInput } from '@guichet/contracts';
import { AppError } from '../src/shared/errors.ts';
import { createTicket } from '../src/tickets/create-ticket.ts';
import { updateTicket } from '../src/tickets/update-ticket.ts';
import { fakeDeps, manualClock, seedWorkspace } from './fakes.ts';

const code = (c: string) => (e: unknown) => e instanceof AppError && e.code === c;
const patch = (v: Record<string, unknown>) => UpdateTicketInput.parse(v);

async function setup() {
  const clock = manualClock();
  const deps = fakeDeps({ clock });
  const w = seedWorkspace(deps);
  const { ticket } = await createTicket(
    deps,
    w.ctxOf(w.agent),
    CreateTicketInput.parse({ subject: 'Refund', body: 'Please refund me.', requester: { id: w.customer.id }, tags: ['billing', 'vip'] }),
  );
  clock.advance(60_000);
  const updates = () => deps.store.tables.events.filter((e) => e.type === 'ticket.updated');
  const stored = () => deps.store.tables.tickets.find((t) => t.id === ticket.id)!;
  return { deps, clock, w, ticket, updates, stored };
}

describe('updateTicket', () => {
  it('records only real changes, and nothing at all when nothing changes', async () => {
    const { deps, w, ticket, updates, stored } = await setup();
    const same = await updateTicket(
      deps,
      w.ctxOf(w.agent),
      String(ticket.number),
      patch({ subject: 'Refund', priority: 'normal', tags: ['VIP', 'billing'].reverse(), addTags: ['vip'], removeTags: ['absent'], teamId: null, status: 'new' }),
    );
    assert.equal(same.ticket.version, 1);
    assert.equal(stored().version, 1, 'no write');
    assert.equal(stored().updatedAt.getTime(), ticket.updatedAt.getTime());
    assert.equal(updates().length, 0, 'no event');

    const changed = await updateTicket(deps, w.ctxOf(w.agent), ticket.id, patch({ subject: 'Refund', priority: 'high', version: 1 }));
    assert.equal(changed.ticket.priority, 'high');
    assert.equal(changed.ticket.version, 2);
    assert.equal(updates().length, 1);
    assert.deepEqual(updates()[0]!.data, { changes: { priority: { from: 'normal', to: 'high' } } });
    assert.deepEqual(updates()[0]!.actor, { type: 'user', id: w.agent.id });
  });

  it('stamps solvedAt on solving and records it with the status', async () => {
    const { deps, clock, w, ticket, updates } = await setup();
    const { ticket: solved } = await updateTicket(deps, w.ctxOf(w.agent), ticket.id, patch({ status: 'solved' }));
    assert.equal(solved.status, 'solved');
    assert.deepEqual(solved.solvedAt, clock.now());
    assert.deepEqual(Object.keys(updates()[0]!.data.changes as object).sort(), ['solvedAt', 'status']);
  });

  it('refuses to solve while a required field is empty, and writes nothing', async () => {
    const { deps, w, ticket, updates, stored } = await setup();
    const at = deps.clock.now();
    deps.store.tables.customFields.push({
      id: deps.ids.uuid(),
      workspaceId: w.ws.id,
      key: 'cause',
      label: 'Root cause',
      type: 'text',
      options: [],
      required: true,
      active: true,
      createdAt: at,
      updatedAt: at,
    });
    await assert.rejects(updateTicket(deps, w.ctxOf(w.agent), ticket.id, patch({ status: 'solved', priority: 'high' })), code('VALIDATION_FAILED'));
    assert.equal(stored().status, 'new');
    assert.equal(stored().priority, 'normal');
    assert.equal(updates().length, 0);
    const ok = await updateTicket(deps, w.ctxOf(w.agent), ticket.id, patch({ status: 'solved', customFields: { cause: 'expired card' } }));
    assert.deepEqual(ok.ticket.customFields, { cause: 'expired card' });
  });

  it('lets a customer only mark their own ticket solved', async () => {
    const { deps, w, ticket } = await setup();
    await assert.rejects(updateTicket(deps, w.ctxOf(w.customer), ticket.id, patch({ priority: 'urgent' })), code('FORBIDDEN'));
    await assert.rejects(updateTicket(deps, w.ctxOf(w.customer), ticket.id, patch({ status: 'solved', subject: 'x' })), code('FORBIDDEN'));
    const { ticket: solved } = await updateTicket(deps, w.ctxOf(w.customer), ticket.id, patch({ status: 'solved' }));
    assert.equal(solved.status, 'solved');
  });

  it('refuses light agents, stale versions and closed tickets', async () => {
    const { deps, w, ticket } = await setup();
    await assert.rejects(updateTicket(deps, w.ctxOf(w.light), ticket.id, patch({ priority: 'high' })), code('FORBIDDEN'));
    await updateTicket(deps, w.ctxOf(w.agent), ticket.id, patch({ priority: 'high' }));
    await assert.rejects(updateTicket(deps, w.ctxOf(w.agent), ticket.id, patch({ priority: 'low', version: 1 })), code('VERSION_CONFLICT'));
    await updateTicket(deps, w.ctxOf(w.agent), ticket.id, patch({ status: 'closed' }));
    await assert.rejects(updateTicket(deps, w.ctxOf(w.agent), ticket.id, patch({ priority: 'low' })), code('INVALID_STATUS_TRANSITION'));
  });

  it('answers TICKET_NOT_FOUND for another workspace\'s ticket and for another customer\'s', async () => {
    const { deps, w, ticket } = await setup();
    const other = seedWorkspace(deps, 'globex');
    await assert.rejects(updateTicket(deps, other.ctxOf(other.agent), ticket.id, patch({ priority: 'high' })), code('TICKET_NOT_FOUND'));
    await assert.rejects(updateTicket(deps, other.ctxOf(other.agent), '1', patch({ priority: 'high' })), code('TICKET_NOT_FOUND'));
    const stranger = { ...w.customer, id: deps.ids.uuid(), email: 'stranger@acme.test', organizationId: null };
    deps.store.tables.users.push(stranger);
    await assert.rejects(updateTicket(deps, w.ctxOf(stranger), ticket.id, patch({ status: 'solved' })), code('TICKET_NOT_FOUND'));
  });

  it('opens a new ticket on assignment, and unassigns when it moves to a team the assignee is not in', async () => {
    const { deps, w, ticket, updates } = await setup();
    const { ticket: assigned } = await updateTicket(deps, w.ctxOf(w.agent), ticket.id, patch({ assigneeId: w.agent.id }));
    assert.equal(assigned.status, 'open');
    const at = deps.clock.now();
    const support = { id: deps.ids.uuid(), workspaceId: w.ws.id, name: 'Support', description: null, createdAt: at, updatedAt: at };
    deps.store.tables.teams.push(support);
    const { ticket: moved } = await updateTicket(deps, w.ctxOf(w.agent), ticket.id, patch({ teamId: support.id }));
    assert.equal(moved.teamId, support.id);
    assert.equal(moved.assigneeId, null);
    assert.deepEqual(updates()[1]!.data.changes, { teamId: { from: null, to: support.id }, assigneeId: { from: w.agent.id, to: null } });
  });
});
