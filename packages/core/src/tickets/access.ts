import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { ticketAccess, type TicketAccess } from './policy.ts';
import type { TicketView } from './types.ts';

/** A ticket reference from a URL: its number ("1234") or its id (a UUID). */
export type TicketRef = string;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findTicketByRef(repos: Repositories, workspaceId: string, ref: TicketRef): Promise<TicketView | null> {
  if (/^\d{1,15}$/.test(ref)) return repos.tickets.findByNumber(workspaceId, Number(ref));
  if (UUID.test(ref)) return repos.tickets.findById(workspaceId, ref.toLowerCase());
  return null;
}

/**
 * Load a ticket the actor may read. A ticket they may not read answers exactly like one that
 * does not exist, so ids cannot be probed.
 */
export async function loadReadableTicket(
  deps: Deps,
  ctx: Ctx,
  ref: TicketRef,
  repos: Repositories = deps.store,
): Promise<{ ticket: TicketView; access: TicketAccess }> {
  const ticket = await findTicketByRef(repos, ctx.workspaceId, ref);
  if (!ticket) throw new AppError('TICKET_NOT_FOUND', `Ticket ${ref} not found.`);
  const access = await accessFor(repos, ctx, ticket);
  if (!access.read) throw new AppError('TICKET_NOT_FOUND', `Ticket ${ref} not found.`);
  return { ticket, access };
}

export async function accessFor(
  repos: Repositories,
  ctx: Ctx,
  ticket: Pick<TicketView, 'requesterId' | 'organizationId' | 'status' | 'tags'>,
): Promise<TicketAccess> {
  let shares = false;
  const a = ctx.actor;
  if (a.role === 'customer' && ticket.requesterId !== a.userId && a.organizationId && ticket.organizationId === a.organizationId) {
    const org = await repos.organizations.findById(ctx.workspaceId, a.organizationId);
    shares = !!org?.sharedTickets;
  }
  return ticketAccess(a, ticket, shares);
}
