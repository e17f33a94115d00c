/**
 * Password reset by email: a request sends a link holding a random secret (only its SHA-256 is
 * stored), valid for an hour and usable once; confirming it sets the new password, ends every
 * session of the account and retires its other links. The request answers the same whether or not
 * the address has an account, so addresses cannot be probed.
 */
import type { Deps } from '../deps.ts';
import { hostOf, queueAccountEmail } from '../email/outbound.ts';
import { mailLanguage } from '../email/outbound-templates.ts';
import { systemActor, type Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit } from '../shared/record.ts';
import type { User, Workspace } from '../people/types.ts';
import { actorOf } from './sessions.ts';

export const RESET_TOKEN_TTL_MS = 3_600_000;
/** Links sent to one account per hour at most; further requests are silently ignored. */
export const RESET_REQUESTS_PER_HOUR = 3;

export interface ResetRequestInput {
  email: string;
  workspace?: string | undefined;
}

export interface ResetLinkSettings {
  /** Where the app runs, e.g. https://support.example.com: the link is `${base}/reset-password?token=…`. */
  appUrl: string;
}

export async function requestPasswordReset(
  deps: Deps,
  input: ResetRequestInput,
  settings: ResetLinkSettings,
  meta: { ip: string | null; requestId: string },
): Promise<void> {
  let candidates = await deps.store.users.findLoginCandidates(input.email);
  if (input.workspace) candidates = candidates.filter((c) => c.workspace.slug === input.workspace);
  const base = settings.appUrl.replace(/\/+$/, '');
  for (const { user, workspace } of candidates) {
    await mailResetLink(deps, user, workspace, { fallbackUrl: settings.appUrl, link: (secret) => `${base}/reset-password?token=${encodeURIComponent(secret)}` }, meta);
  }
}

/**
 * Mail one account a reset link built by `to.link` from the secret, unless the account is not
 * active or already had RESET_REQUESTS_PER_HOUR links this hour (then silently nothing). Used by
 * the app's "forgot password" and the customer portal's.
 */
export async function mailResetLink(
  deps: Deps,
  user: User,
  workspace: Workspace,
  to: { link: (secret: string) => string; fallbackUrl: string },
  meta: { ip: string | null; requestId: string },
): Promise<void> {
  if (user.status !== 'active' || !user.email) return;
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    if ((await tx.passwordResets.countSince(workspace.id, user.id, new Date(now.getTime() - 3_600_000))) >= RESET_REQUESTS_PER_HOUR) return;
    const secret = deps.secrets.token(32);
    await tx.passwordResets.insert({
      id: deps.ids.uuid(),
      workspaceId: workspace.id,
      userId: user.id,
      tokenHash: deps.secrets.hash(secret),
      createdAt: now,
      expiresAt: new Date(now.getTime() + RESET_TOKEN_TTL_MS),
      usedAt: null,
      requestedIp: meta.ip,
    });
    const language = mailLanguage(user.locale ?? workspace.defaultLanguage);
    const mail = renderResetMail(language, { name: user.name, workspace: workspace.name, link: to.link(secret) });
    await queueAccountEmail(deps, tx, {
      workspaceId: workspace.id,
      to: user.email!,
      subject: mail.subject,
      text: mail.text,
      language,
      fallbackDomain: hostOf(to.fallbackUrl),
    });
    if (user.role !== 'customer') {
      const ctx: Ctx = { workspaceId: workspace.id, actor: systemActor, requestId: meta.requestId, ip: meta.ip };
      await recordAudit(tx, ctx, now, 'auth.password_reset_requested', { type: 'user', id: user.id }, { email: user.email });
    }
  });
}

export async function confirmPasswordReset(
  deps: Deps,
  input: { token: string; password: string },
  meta: { ip: string | null; requestId: string },
): Promise<void> {
  // Hash first: the slow part stays outside the transaction, and a bad link costs the same.
  const passwordHash = await deps.passwords.hash(input.password);
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const used = await tx.passwordResets.consume(deps.secrets.hash(input.token), now);
    if (!used) throw new AppError('RESET_TOKEN_INVALID', 'This reset link is expired or was already used; ask for a new one.');
    const user = await tx.users.findById(used.workspaceId, used.userId);
    if (!user || user.status !== 'active') throw new AppError('RESET_TOKEN_INVALID', 'This reset link is expired or was already used; ask for a new one.');
    await tx.users.update(used.workspaceId, user.id, { passwordHash, updatedAt: now });
    await tx.sessions.deleteForUser(used.workspaceId, user.id);
    await tx.passwordResets.retireForUser(used.workspaceId, user.id, now);
    if (user.role !== 'customer') {
      const ctx: Ctx = { workspaceId: used.workspaceId, actor: actorOf(user, 'session'), requestId: meta.requestId, ip: meta.ip };
      await recordAudit(tx, ctx, now, 'user.password_reset', { type: 'user', id: user.id }, { email: user.email, via: 'email_link' });
    }
  });
}

export function renderResetMail(language: 'fr' | 'en', v: { name: string; workspace: string; link: string }): { subject: string; text: string } {
  if (language === 'fr') {
    return {
      subject: `Réinitialisation de votre mot de passe ${v.workspace}`,
      text: `Bonjour ${v.name},\n\nQuelqu’un (vous, espérons-le) a demandé à changer le mot de passe de votre compte ${v.workspace}. Pour en choisir un nouveau, ouvrez ce lien dans l’heure :\n\n${v.link}\n\nLe lien ne sert qu’une fois. Si vous n’avez rien demandé, ignorez ce message : votre mot de passe reste le même.\n\n— ${v.workspace}`,
    };
  }
  return {
    subject: `Reset your ${v.workspace} password`,
    text: `Hello ${v.name},\n\nSomeone (we hope you) asked to change the password of your ${v.workspace} account. To choose a new one, open this link within the hour:\n\n${v.link}\n\nThe link works once. If you did not ask, ignore this message: your password stays the same.\n\n— ${v.workspace}`,
  };
}
