import type { ListTicketsQuery, SlaState } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { PageRequest } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { decodeCursor, toPage, type CursorPosition } from '../shared/cursor.ts';
import { can } from '../identity/permissions.ts';
import { accessFor, loadReadableTicket, type TicketRef } from './access.ts';
import { UNCONFIRMED_TAG, ticketAccess, type TicketAccess } from './policy.ts';
import type { TicketFilter, TicketView } from './types.ts';
import { slaStateAt } from '../sla/engine.ts';
import type { SlaSummary } from '../sla/types.ts';

/** What a ticket's row in a list shows of its SLA. */
export interface TicketSlaBadge {
  state: SlaState;
  dueAt: Date | null;
}

function badge(summary: SlaSummary | null | undefined, now: Date): TicketSlaBadge {
  return { state: slaStateAt(summary ?? null, now), dueAt: summary?.dueAt ?? null };
}

/** A ticket the caller may read, with its SLA badge for those who may read SLAs. */
export async function getTicket(deps: Deps, ctx: Ctx, ref: TicketRef) {
  const read = await loadReadableTicket(deps, ctx, ref);
  if (!can(ctx.actor, 'sla:read')) return read;
  const row = await deps.store.ticketSla.find(ctx.workspaceId, read.ticket.id);
  return { ...read, sla: badge(row?.summary, deps.clock.now()) };
}

const PRIORITY_RANK = { low: 0, normal: 1, high: 2, urgent: 3 } as const;

export function cursorValue(t: TicketView, sort: ListTicketsQuery['sort']): string | number | null {
  switch (sort) {
    case 'created_at':
      return t.createdAt.toISOString();
    case 'updated_at':
      return t.updatedAt.toISOString();
    case 'number':
      return t.number;
    case 'priority':
      return PRIORITY_RANK[t.priority];
    case 'sla_due_at':
      return t.sla?.dueAt?.toISOString() ?? null;
  }
}

/**
 * List and search tickets with keyset pagination. Customers are confined to the tickets they may
 * read whatever filters they send; staff without `tickets:read_all` see nothing.
 */
export async function listTickets(
  deps: Deps,
  ctx: Ctx,
  q: ListTicketsQuery,
): Promise<{ items: Array<{ ticket: TicketView; access: TicketAccess; sla?: TicketSlaBadge }>; nextCursor: string | null }> {
  const actor = ctx.actor;
  const filter: TicketFilter = { includeInternal: can(actor, 'tickets:read_internal') };
  if (actor.role === 'customer') {
    if (!actor.userId) throw new AppError('UNAUTHENTICATED', 'Sign in to see your tickets.');
    let orgId: string | null = null;
    if (actor.organizationId) {
      const org = await deps.store.organizations.findById(ctx.workspaceId, actor.organizationId);
      if (org?.sharedTickets) orgId = org.id;
    }
    filter.visibleToCustomer = { userId: actor.userId, organizationId: orgId };
    filter.withoutTags = [UNCONFIRMED_TAG];
  } else if (!can(actor, 'tickets:read_all')) {
    throw new AppError('FORBIDDEN', `Your role (${actor.role}) cannot list tickets.`);
  }
  if (q.q) filter.text = q.q;
  if (q.status?.length) filter.statuses = q.status;
  if (q.priority?.length) filter.priorities = q.priority;
  if (q.channel?.length) filter.channels = q.channel;
  if (q.assigneeId) filter.assigneeId = q.assigneeId === 'none' ? null : q.assigneeId === 'me' ? actor.userId : q.assigneeId;
  if (q.teamId === 'mine') filter.teamIds = actor.userId ? (await deps.store.users.teamIdsOf(ctx.workspaceId, [actor.userId])).map((r) => r.teamId) : [];
  else if (q.teamId) filter.teamId = q.teamId === 'none' ? null : q.teamId;
  if (q.requesterId) filter.requesterId = q.requesterId;
  if (q.organizationId) filter.organizationId = q.organizationId;
  if (q.tag?.length) filter.tags = q.tag;
  if (q.language) filter.language = q.language;
  if (q.createdAfter) filter.createdAfter = new Date(q.createdAfter);
  if (q.createdBefore) filter.createdBefore = new Date(q.createdBefore);
  if (q.updatedAfter) filter.updatedAfter = new Date(q.updatedAfter);
  const slaReader = can(actor, 'sla:read');
  if ((q.sla?.length || q.sort === 'sla_due_at') && !slaReader) {
    throw new AppError('FORBIDDEN', `Your role (${actor.role}) cannot filter or sort tickets by SLA.`);
  }
  const now = deps.clock.now();
  if (q.sla?.length) {
    filter.slaStates = q.sla;
    filter.slaNow = now;
  }

  const page: PageRequest = { limit: q.limit + 1 };
  if (q.cursor) page.after = decodeCursor(q.cursor, q.sort, q.order);
  const rows = await deps.store.tickets.list(ctx.workspaceId, filter, { sort: q.sort, order: q.order }, page);
  const pageOut = toPage(rows, q.limit, (t): CursorPosition => ({ sort: q.sort, order: q.order, value: cursorValue(t, q.sort), id: t.id }));
  const items = await Promise.all(
    pageOut.items.map(async (ticket) => ({
      ticket,
      access: actor.role === 'customer' ? await accessFor(deps.store, ctx, ticket) : ticketAccess(actor, ticket),
      ...(slaReader ? { sla: badge(ticket.sla, now) } : {}),
    })),
  );
  return { items, nextCursor: pageOut.nextCursor };
}

export async function listTicketEvents(
  deps: Deps,
  ctx: Ctx,
  ref: TicketRef,
  q: { limit: number; cursor?: string | undefined },
) {
  const { ticket, access } = await loadReadableTicket(deps, ctx, ref);
  if (!access.viewInternal) {
    // The history names internal notes, assignees and rules: staff only.
    throw new AppError('FORBIDDEN', 'Only staff can read a ticket\'s history.');
  }
  const afterId = q.cursor ? Number(decodeCursor(q.cursor, 'id', 'asc').id) : undefined;
  const rows = await deps.store.events.listForSubject(ctx.workspaceId, 'ticket', ticket.id, {
    limit: q.limit + 1,
    ...(afterId !== undefined && Number.isFinite(afterId) ? { afterId } : {}),
  });
  return toPage(rows, q.limit, (e) => ({ sort: 'id', order: 'asc', value: null, id: String(e.id) }));
}

const RECENT_MS = 24 * 3_600_000;

/** The sizes of the inbox's built-in views for the caller (staff who read every ticket). */
export async function countTicketViews(deps: Deps, ctx: Ctx) {
  const actor = ctx.actor;
  if (!can(actor, 'tickets:read_all') || !actor.userId) {
    throw new AppError('FORBIDDEN', `Your role (${actor.role}) has no inbox views.`);
  }
  const teamIds = (await deps.store.users.teamIdsOf(ctx.workspaceId, [actor.userId])).map((r) => r.teamId);
  return deps.store.tickets.countViews(ctx.workspaceId, {
    userId: actor.userId,
    teamIds,
    recentSince: new Date(deps.clock.now().getTime() - RECENT_MS),
  });
}
