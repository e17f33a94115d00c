/**
 * A customer's password, from the portal: a signed-in customer sets one (the first time, after
 * signing in by link) or changes it (giving the current one), and "forgot your password?" on the
 * sign-in page mails a reset link to the portal's own reset page. The same rules as the staff's:
 * the same password policy, argon2 through the `passwords` port, the same reset links (one hour,
 * single use, a few per hour, the same answer whether or not the address has an account).
 */
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { mailResetLink } from '../identity/password-reset.ts';
import { changeOwnPassword } from '../identity/change-password.ts';
import { findCustomerByEmail } from '../people/customers.ts';
import type { Workspace } from '../people/types.ts';
import { portalSystemCtx, type PortalMeta, type PortalSettings } from './sign-in.ts';

/** Whether the signed-in customer has a password already (the form then asks for it). */
export async function portalHasPassword(deps: Deps, ctx: Ctx): Promise<boolean> {
  const user = ctx.actor.userId ? await deps.store.users.findById(ctx.workspaceId, ctx.actor.userId) : null;
  return !!user?.passwordHash;
}

/**
 * Set or change the signed-in customer's password (`changeOwnPassword`); a customer without one
 * yet (signed in by link) sets it without a current one.
 */
export async function changePortalPassword(
  deps: Deps,
  ctx: Ctx,
  input: { current: string; password: string },
  sessionId: string | undefined,
): Promise<void> {
  if (ctx.actor.role !== 'customer' || !ctx.actor.userId) throw new AppError('FORBIDDEN', 'The portal is for customers.');
  await changeOwnPassword(deps, ctx, input, sessionId, 'portal');
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
