/**
 * Signing in to the customer portal: a single-use link by email (valid 15 minutes, only its
 * SHA-256 stored, a few per address and per hour, the same answer whether or not the address has
 * an account) or the password, through the same sessions as the staff. Only customers sign in
 * here: staff use the agent app.
 */
import type { Deps } from '../deps.ts';
import { hostOf, queueAccountEmail } from '../email/outbound.ts';
import { mailLanguage } from '../email/outbound-templates.ts';
import { findCustomerByEmail } from '../people/customers.ts';
import type { User, Workspace } from '../people/types.ts';
import type { Repositories } from '../store.ts';
import type { Actor, Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { openSession } from '../identity/sessions.ts';
import type { PortalToken } from './types.ts';

export const PORTAL_LINK_TTL_MS = 15 * 60_000;
/** Sign-in links mailed to one address per hour; further requests are silently ignored. */
export const PORTAL_LINKS_PER_HOUR = 5;
/** Sign-in links requested from one IP address per hour, whatever the addresses. */
export const PORTAL_LINKS_PER_IP_HOUR = 30;

export interface PortalMeta {
  ip: string | null;
  requestId: string;
}

export interface PortalSettings {
  /** Where the server answers, e.g. https://support.example.com (links in mails). */
  baseUrl: string;
}

/** The portal of a workspace, as an anonymous visitor (what the public may read and nothing more). */
export async function portalContext(deps: Deps, slug: string, requestId = 'portal'): Promise<{ workspace: Workspace; ctx: Ctx }> {
  const workspace = await deps.store.workspaces.findBySlug(slug);
  if (!workspace) throw new AppError('NOT_FOUND', 'No portal here.');
  const visitor: Actor = { type: 'user', userId: null, role: 'customer', name: null, organizationId: null, via: 'session' };
  return { workspace, ctx: { workspaceId: workspace.id, actor: visitor, requestId } };
}

/** The server itself acting for an anonymous visitor of the portal (an anonymous request). */
export function portalSystemCtx(workspaceId: string, meta: PortalMeta): Ctx {
  return {
    workspaceId,
    actor: { type: 'system', userId: null, role: 'admin', name: 'Portal', organizationId: null, via: 'system' },
    requestId: meta.requestId,
    ip: meta.ip,
  };
}

export function portalLink(settings: PortalSettings, slug: string, path: string, token: string): string {
  return `${settings.baseUrl.replace(/\/+$/, '')}/portal/${encodeURIComponent(slug)}/${path}?token=${encodeURIComponent(token)}`;
}

/** Store a new single-use link and answer its secret (mailed by the caller in the same transaction). */
export async function issuePortalToken(
  deps: Deps,
  tx: Repositories,
  t: { workspaceId: string; userId: string; kind: PortalToken['kind']; ticketId: string | null; ttlMs: number; ip: string | null },
): Promise<string> {
  const now = deps.clock.now();
  const secret = deps.secrets.token(32);
  await tx.portal.insertToken({
    id: deps.ids.uuid(),
    workspaceId: t.workspaceId,
    userId: t.userId,
    kind: t.kind,
    ticketId: t.ticketId,
    tokenHash: deps.secrets.hash(secret),
    createdAt: now,
    expiresAt: new Date(now.getTime() + t.ttlMs),
    usedAt: null,
    requestedIp: t.ip,
  });
  return secret;
}

/** Mail a sign-in link to a customer of this workspace; silently nothing for an unknown address. */
export async function requestPortalSignIn(
  deps: Deps,
  workspace: Workspace,
  email: string,
  settings: PortalSettings,
  meta: PortalMeta,
): Promise<void> {
  const ctx = portalSystemCtx(workspace.id, meta);
  const user = await findCustomerByEmail(ctx, deps.store, email.trim().toLowerCase());
  if (!user || user.role !== 'customer' || user.status !== 'active' || !user.email) return;
  const now = deps.clock.now();
  const hourAgo = new Date(now.getTime() - 3_600_000);
  await deps.store.transaction(async (tx) => {
    if ((await tx.portal.countTokensForUser(workspace.id, user.id, 'sign_in', hourAgo)) >= PORTAL_LINKS_PER_HOUR) return;
    if (meta.ip && (await tx.portal.countTokensFromIp(workspace.id, meta.ip, 'sign_in', hourAgo)) >= PORTAL_LINKS_PER_IP_HOUR) return;
    const secret = await issuePortalToken(deps, tx, { workspaceId: workspace.id, userId: user.id, kind: 'sign_in', ticketId: null, ttlMs: PORTAL_LINK_TTL_MS, ip: meta.ip });
    const language = mailLanguage(user.locale ?? workspace.defaultLanguage);
    const mail = renderSignInMail(language, { name: user.name, workspace: workspace.name, link: portalLink(settings, workspace.slug, 'sign-in/link', secret) });
    await queueAccountEmail(deps, tx, { workspaceId: workspace.id, to: user.email!, subject: mail.subject, text: mail.text, language, fallbackDomain: hostOf(settings.baseUrl) });
  });
}

/** Use a sign-in link: once, before it expires, in the workspace it was sent for. */
export async function signInWithPortalLink(
  deps: Deps,
  workspace: Workspace,
  secret: string,
): Promise<{ token: string; expiresAt: Date; user: User }> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const used = await tx.portal.consumeToken(deps.secrets.hash(secret), 'sign_in', now);
    const user = used && used.workspaceId === workspace.id ? await tx.users.findById(workspace.id, used.userId) : null;
    if (!used || !user || user.role !== 'customer' || user.status !== 'active') {
      throw new AppError('PORTAL_LINK_INVALID', 'This sign-in link is expired or was already used; ask for a new one.');
    }
    const session = await openSession(deps, tx, user, workspace.id, now, 'portal');
    await tx.users.update(workspace.id, user.id, { lastLoginAt: now });
    return { token: session.token, expiresAt: session.expiresAt, user };
  });
}

export function renderSignInMail(language: 'fr' | 'en', v: { name: string; workspace: string; link: string }): { subject: string; text: string } {
  if (language === 'fr') {
    return {
      subject: `Votre lien de connexion à l’espace client ${v.workspace}`,
      text: `Bonjour ${v.name},\n\nPour ouvrir votre espace client ${v.workspace}, suivez ce lien dans les 15 minutes :\n\n${v.link}\n\nLe lien ne sert qu’une fois. Si vous n’avez rien demandé, ignorez ce message.\n\n— ${v.workspace}`,
    };
  }
  return {
    subject: `Your sign-in link to the ${v.workspace} customer portal`,
    text: `Hello ${v.name},\n\nTo open your ${v.workspace} customer portal, follow this link within 15 minutes:\n\n${v.link}\n\nThe link works once. If you did not ask for it, ignore this message.\n\n— ${v.workspace}`,
  };
}
