import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TICKET_STATUSES, type Role, type TicketStatus } from '@guichet/contracts';
import type { Actor } from '../src/shared/context.ts';
import { UNCONFIRMED_TAG, ticketAccess, type TicketAccess } from '../src/tickets/policy.ts';

const ME = 'user-me';
const OTHER = 'user-other';
const ORG = 'org-1';

function actor(role: Role, organizationId: string | null = null): Actor {
  return { type: 'user', userId: ME, role, name: role, organizationId, via: 'session' };
}
const ticket = (requesterId: string, organizationId: string | null, status: TicketStatus = 'open', tags: string[] = []) => ({ requesterId, organizationId, status, tags });
const NONE: TicketAccess = { read: false, update: false, reply: false, addNote: false, viewInternal: false };

describe('ticketAccess: customers', () => {
  it('reads, updates and replies to their own open ticket, never notes or internal messages', () => {
    assert.deepEqual(ticketAccess(actor('customer'), ticket(ME, null)), {
      read: true,
      update: true,
      reply: true,
      addNote: false,
      viewInternal: false,
    });
  });

  it('reads and replies to their organization\'s ticket only when the organization shares tickets', () => {
    const c = actor('customer', ORG);
    assert.deepEqual(ticketAccess(c, ticket(OTHER, ORG), true), {
      read: true,
      update: false,
      reply: true,
      addNote: false,
      viewInternal: false,
    });
    assert.deepEqual(ticketAccess(c, ticket(OTHER, ORG), false), NONE);
  });

  it('sees nothing of another customer\'s ticket, another organization\'s, or an org-less one', () => {
    assert.deepEqual(ticketAccess(actor('customer', ORG), ticket(OTHER, 'org-2'), true), NONE);
    assert.deepEqual(ticketAccess(actor('customer'), ticket(OTHER, null), true), NONE);
    // A customer without an organization does not match tickets without one.
    assert.deepEqual(ticketAccess(actor('customer', null), ticket(OTHER, null), true), NONE);
  });

  it('still reads a closed ticket but can no longer change it or reply', () => {
    assert.deepEqual(ticketAccess(actor('customer'), ticket(ME, null, 'closed')), { ...NONE, read: true });
    assert.deepEqual(ticketAccess(actor('customer', ORG), ticket(OTHER, ORG, 'closed'), true), { ...NONE, read: true });
  });

  it('may reply to a solved ticket (which reopens it)', () => {
    assert.equal(ticketAccess(actor('customer'), ticket(ME, null, 'solved')).reply, true);
  });

  it('sees nothing of an anonymous request until its address is confirmed; staff see it', () => {
    const unconfirmed = ticket(ME, ORG, 'new', ['billing', UNCONFIRMED_TAG]);
    assert.deepEqual(ticketAccess(actor('customer'), unconfirmed), NONE);
    assert.deepEqual(ticketAccess(actor('customer', ORG), { ...unconfirmed, requesterId: OTHER }, true), NONE);
    assert.equal(ticketAccess(actor('agent'), unconfirmed).read, true);
    assert.equal(ticketAccess(actor('customer'), { ...unconfirmed, tags: ['billing'] }).read, true);
  });
});

describe('ticketAccess: staff', () => {
  it('gives admins and agents everything on any open ticket, whoever requested it', () => {
    for (const role of ['admin', 'agent'] as const) {
      for (const status of TICKET_STATUSES.filter((s) => s !== 'closed')) {
        assert.deepEqual(
          ticketAccess(actor(role), ticket(OTHER, ORG, status)),
          { read: true, update: true, reply: true, addNote: true, viewInternal: true },
          `${role} ${status}`,
        );
      }
    }
  });

  it('lets light agents read everything and write notes, not reply or update', () => {
    assert.deepEqual(ticketAccess(actor('light_agent'), ticket(OTHER, null)), {
      read: true,
      update: false,
      reply: false,
      addNote: true,
      viewInternal: true,
    });
  });

  it('makes a closed ticket read-only for every staff role, internal notes still visible', () => {
    for (const role of ['admin', 'agent', 'light_agent'] as const) {
      assert.deepEqual(ticketAccess(actor(role), ticket(OTHER, null, 'closed')), { ...NONE, read: true, viewInternal: true }, role);
    }
  });

  it('ignores the organization-sharing flag for staff', () => {
    assert.deepEqual(ticketAccess(actor('agent'), ticket(OTHER, ORG), false), ticketAccess(actor('agent'), ticket(OTHER, ORG), true));
  });
});
