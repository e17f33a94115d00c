import { PASSWORD } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit, recordEvent } from '../shared/record.ts';
import { refuseWhenLockedOut } from './sessions.ts';

/**
 * Set or change the signed-in person's own password. With a password already, `current` must be it:
 * a session left open on a shared computer, or a stolen cookie, is not enough to take the account.
 * Wrong answers count as failed sign-ins of the address, so they are limited the same way. Every
 * other session of the person ends, `sessionId` (this one) stays; pending reset links are retired.
 */
export async function changeOwnPassword(
  deps: Deps,
  ctx: Ctx,
  input: { current: string; password: string },
  sessionId: string | undefined,
  via: 'portal' | 'app',
): Promise<void> {
  const userId = ctx.actor.userId;
  if (!userId) throw new AppError('FORBIDDEN', 'Only a person has a password.');
  const policy = PASSWORD.safeParse(input.password);
  if (!policy.success) {
    throw new AppError('VALIDATION_FAILED', `The new password needs ${policy.error.issues[0]!.message}.`, {
      issues: [{ path: ['password'], message: policy.error.issues[0]!.message }],
    });
  }
  const user = await deps.store.users.findById(ctx.workspaceId, userId);
  if (!user || user.status !== 'active') throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  const now = deps.clock.now();
  if (user.passwordHash) {
    const email = user.email ?? '';
    await refuseWhenLockedOut(deps, email, now, 'Too many wrong passwords for this address; wait a few minutes and try again.');
    if (!input.current || !(await deps.passwords.verify(user.passwordHash, input.current))) {
      await deps.store.loginAttempts.record(email, ctx.ip ?? null, false, now);
      throw new AppError('CURRENT_PASSWORD_WRONG', 'The current password is wrong.');
    }
  }
  // Hash outside the transaction: it is the slow part.
  const passwordHash = await deps.passwords.hash(input.password);
  await deps.store.transaction(async (tx) => {
    await tx.users.update(ctx.workspaceId, userId, { passwordHash, updatedAt: now });
    await tx.sessions.deleteForUser(ctx.workspaceId, userId, sessionId);
    await tx.passwordResets.retireForUser(ctx.workspaceId, userId, now);
    const action = user.passwordHash ? 'user.password_changed' : 'user.password_set';
    await recordEvent(tx, ctx, now, 'user', userId, action, { via });
    // Staff accounts reach the workspace's data: their password changes are in the admins' audit log too.
    if (user.role !== 'customer') await recordAudit(tx, ctx, now, action, { type: 'user', id: userId }, { via });
  });
}
