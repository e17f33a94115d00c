/**
 * A customer's password, from the portal: a signed-in customer sets one (the first time, after
 * signing in by link) or changes it (giving the current one), and "forgot your password?" on the
 * sign-in page mails a reset link to the portal's own reset page. The same rules as the staff's:
 * the same password policy, argon2 through the `passwords` port, the same reset links (one hour,
 * single use, a few per hour, the same answer whether or not the address has an account).
 */
import { PASSWORD } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordEvent } from '../shared/record.ts';
import { mailResetLink } from '../identity/password-reset.ts';
import { refuseWhenLockedOut } from '../identity/sessions.ts';
import { findCustomerByEmail } from '../people/customers.ts';
import type { Workspace } from '../people/types.ts';
import { portalSystemCtx, type PortalMeta, type PortalSettings } from './sign-in.ts';

/** Whether the signed-in customer has a password already (the form then asks for it). */
export async function portalHasPassword(deps: Deps, ctx: Ctx): Promise<boolean> {
  const user = ctx.actor.userId ? await deps.store.users.findById(ctx.workspaceId, ctx.actor.userId) : null;
  return !!user?.passwordHash;
}

/**
 * Set or change the signed-in customer's password. With a password already, `current` must be it
 * (wrong answers count as failed sign-ins of the address, so they are limited the same way). Every
 * other session of the customer ends, this one stays; pending reset links are retired.
 */
export async function changePortalPassword(
  deps: Deps,
  ctx: Ctx,
  input: { current: string; password: string },
  sessionId: string | undefined,
): Promise<void> {
  const userId = ctx.actor.userId;
  if (ctx.actor.role !== 'customer' || !userId) throw new AppError('FORBIDDEN', 'The portal is for customers.');
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
    await recordEvent(tx, ctx, now, 'user', userId, user.passwordHash ? 'user.password_changed' : 'user.password_set', { via: 'portal' });
  });
}

/**
 * "Forgot your password?" on the portal: a reset link to this portal's reset page, for a customer
 * of this workspace; silently nothing for any other address (and beyond the hourly limit).
 */
export async function requestPortalPasswordReset(
  deps: Deps,
  workspace: Workspace,
  email: string,
  settings: PortalSettings,
  meta: PortalMeta,
): Promise<void> {
  const user = await findCustomerByEmail(portalSystemCtx(workspace.id, meta), deps.store, email.trim().toLowerCase());
  if (!user || user.role !== 'customer') return;
  const base = `${settings.baseUrl.replace(/\/+$/, '')}/portal/${encodeURIComponent(workspace.slug)}/reset-password`;
  await mailResetLink(deps, user, workspace, { fallbackUrl: settings.baseUrl, link: (secret) => `${base}?token=${encodeURIComponent(secret)}` }, meta);
}
