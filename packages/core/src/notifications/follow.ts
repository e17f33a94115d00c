/**
 * Staff follow tickets to hear of the customer's replies (in the app, and by email when they
 * asked for it). Following is personal: each person follows or stops for themselves.
 */
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordEvent } from '../shared/record.ts';
import { loadReadableTicket, type TicketRef } from '../tickets/access.ts';

function staffId(ctx: Ctx): string {
  if (!ctx.actor.userId || ctx.actor.role === 'customer') throw new AppError('FORBIDDEN', 'Following tickets is for staff.');
  return ctx.actor.userId;
}

export async function getTicketFollow(deps: Deps, ctx: Ctx, ref: TicketRef): Promise<{ following: boolean; followers: Array<{ id: string; name: string }> }> {
  const userId = staffId(ctx);
  const { ticket } = await loadReadableTicket(deps, ctx, ref);
  const followers = await deps.store.staffFollowers.list(ctx.workspaceId, ticket.id);
  return { following: followers.some((f) => f.id === userId), followers };
}

export async function setTicketFollow(deps: Deps, ctx: Ctx, ref: TicketRef, follow: boolean) {
  const userId = staffId(ctx);
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const { ticket } = await loadReadableTicket(deps, ctx, ref, tx);
    const changed = follow ? await tx.staffFollowers.follow(ctx.workspaceId, ticket.id, userId, now) : await tx.staffFollowers.unfollow(ctx.workspaceId, ticket.id, userId);
    if (changed) await recordEvent(tx, ctx, now, 'ticket', ticket.id, follow ? 'ticket.followed' : 'ticket.unfollowed', { userId });
  });
  return getTicketFollow(deps, ctx, ref);
}
