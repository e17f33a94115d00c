import type { Actor } from '../shared/context.ts';
import { can } from '../identity/permissions.ts';
import type { Ticket } from './types.ts';

export interface TicketAccess {
  read: boolean;
  update: boolean;
  reply: boolean;
  addNote: boolean;
  viewInternal: boolean;
}

/**
 * The tag of a request sent anonymously from the portal whose address is not confirmed yet (see
 * portal/requests.ts). Staff see such a ticket, tagged; the customer of that address does not,
 * anywhere (portal, API, search), until the mailed link confirms it, since anyone could have
 * typed their address. Staff who remove the tag vouch for the request.
 */
export const UNCONFIRMED_TAG = 'portal-unconfirmed';

const NONE: TicketAccess = { read: false, update: false, reply: false, addNote: false, viewInternal: false };

/**
 * What `actor` may do with `ticket`. A customer sees their own tickets, and their organization's
 * when the organization shares tickets, but not unconfirmed anonymous requests; they never see
 * internal notes.
 */
export function ticketAccess(
  actor: Actor,
  ticket: Pick<Ticket, 'requesterId' | 'organizationId' | 'status' | 'tags'>,
  orgSharesTickets = false,
): TicketAccess {
  if (actor.role === 'customer') {
    if (ticket.tags.includes(UNCONFIRMED_TAG)) return NONE;
    const own = ticket.requesterId === actor.userId;
    const shared = orgSharesTickets && !!actor.organizationId && ticket.organizationId === actor.organizationId;
    if (!own && !shared) return NONE;
    const open = ticket.status !== 'closed';
    return { read: true, update: own && open, reply: open, addNote: false, viewInternal: false };
  }
  if (!can(actor, 'tickets:read_all')) return NONE;
  const open = ticket.status !== 'closed';
  return {
    read: true,
    update: open && can(actor, 'tickets:update'),
    reply: open && can(actor, 'tickets:reply'),
    addNote: open && can(actor, 'tickets:note'),
    viewInternal: can(actor, 'tickets:read_internal'),
  };
}
