import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { notifyWork } from '../notifications/notify.ts';
import { MAX_MENTIONS, parseMentions } from './mentions.ts';
import type { Message, Ticket } from './types.ts';

/**
 * The people a note mentions must be active staff of this workspace (agents, admins, light
 * agents: an expert from another department is a light agent). Anything else refuses the note
 * with a clear error, before anything is written; the composer keeps the text.
 */
export async function checkMentions(tx: Repositories, ctx: Ctx, body: string): Promise<string[]> {
  const ids = parseMentions(body);
  if (ids.length > MAX_MENTIONS) {
    throw new AppError('VALIDATION_FAILED', `A note mentions at most ${MAX_MENTIONS} people.`, { issues: [{ path: ['body'], message: 'too many mentions' }] });
  }
  const refused: string[] = [];
  for (const id of ids) {
    const u = await tx.users.findById(ctx.workspaceId, id);
    if (!u || u.role === 'customer' || u.status !== 'active') refused.push(id);
  }
  if (refused.length) {
    throw new AppError('VALIDATION_FAILED', 'A note can only mention active staff members of this workspace.', {
      issues: [{ path: ['body'], message: 'unknown or inactive staff member mentioned' }],
      userIds: refused,
    });
  }
  return ids;
}

/** Store who the note mentions and tell each of them (not the author), in the note's transaction. */
export async function notifyMentions(deps: Deps, tx: Repositories, ctx: Ctx, ticket: Ticket, message: Message, ids: string[], now: Date): Promise<void> {
  await tx.mentions.add(ctx.workspaceId, ticket.id, message.id, ids, now);
  await notifyWork(deps, tx, ids, { kind: 'mention', ticket, actorId: ctx.actor.userId, actorName: ctx.actor.name, excerpt: message.bodyText, cause: message.id }, now);
}
