import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import type { Notification } from './types.ts';

/** The signed-in staff member's own notifications, newest first (none for customers). */
export async function listMyNotifications(deps: Deps, ctx: Ctx, q: { limit: number; unread?: boolean | undefined; cursor?: string | undefined }): Promise<{ items: Notification[]; nextCursor: string | null }> {
  const userId = ctx.actor.userId;
  if (!userId || ctx.actor.role === 'customer') throw new AppError('FORBIDDEN', 'Notifications are for staff.');
  let before: { createdAt: Date; id: string } | undefined;
  if (q.cursor) {
    const [at, id] = Buffer.from(q.cursor, 'base64url').toString('utf8').split('|');
    if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/.test(id)) throw new AppError('INVALID_CURSOR', 'The cursor is not one this server issued.');
    before = { createdAt: new Date(at), id };
  }
  const rows = await deps.store.notifications.listForUser(ctx.workspaceId, userId, { limit: q.limit + 1, deliveredBy: deps.clock.now(), unreadOnly: !!q.unread, ...(before ? { before } : {}) });
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > q.limit && last ? Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString('base64url') : null };
}

export async function markNotificationsRead(deps: Deps, ctx: Ctx, ids: string[]): Promise<number> {
  const userId = ctx.actor.userId;
  if (!userId || ctx.actor.role === 'customer') throw new AppError('FORBIDDEN', 'Notifications are for staff.');
  return deps.store.notifications.markRead(ctx.workspaceId, userId, ids, deps.clock.now());
}

/** The bell's number: my unread notifications delivered so far. */
export async function countMyUnreadNotifications(deps: Deps, ctx: Ctx): Promise<number> {
  const userId = ctx.actor.userId;
  if (!userId || ctx.actor.role === 'customer') throw new AppError('FORBIDDEN', 'Notifications are for staff.');
  return deps.store.notifications.countUnread(ctx.workspaceId, userId, deps.clock.now());
}

export async function markAllNotificationsRead(deps: Deps, ctx: Ctx): Promise<number> {
  const userId = ctx.actor.userId;
  if (!userId || ctx.actor.role === 'customer') throw new AppError('FORBIDDEN', 'Notifications are for staff.');
  const now = deps.clock.now();
  return deps.store.notifications.markAllRead(ctx.workspaceId, userId, now, now);
}
