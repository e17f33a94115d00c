import type { CreateApiTokenInput, LoginInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import type { Actor, Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordAudit } from '../shared/record.ts';
import { authorize } from './permissions.ts';
import type { User, Workspace } from '../people/types.ts';

export const SESSION_COOKIE = 'guichet_session';
/** The customer portal's own session cookie (Path=/portal): it never reaches the API. */
export const PORTAL_SESSION_COOKIE = 'guichet_portal_session';
export const API_TOKEN_PREFIX = 'gch_';
/**
 * The secret of a portal session starts with this. The stored hash covers the whole secret, so
 * the prefix cannot be taken off, and each side refuses the other's sessions before any lookup:
 * a portal session never authenticates the API or the agent app, and the other way round.
 */
const PORTAL_SESSION_PREFIX = 'gps_';

/** `app`: the agent app and the API (cookie `guichet_session`); `portal`: the customer portal. */
export type SessionKind = 'app' | 'portal';

// A hash verified when the address is unknown, so a login costs the same whether or not the account exists.
let timingHash: Promise<string> | null = null;

export interface Authenticated {
  user: User;
  workspace: Workspace;
  actor: Actor;
  via: 'session' | 'api_token';
  sessionId?: string;
}

export function actorOf(user: User, via: Actor['via']): Actor {
  return { type: 'user', userId: user.id, role: user.role, name: user.name, organizationId: user.organizationId, via };
}

/**
 * The lock-out shared by every password check of an address (sign-in, a customer changing their
 * password): RATE_LIMITED once it failed `maxLoginFailures` times within `loginWindowMs`.
 */
export async function refuseWhenLockedOut(deps: Deps, email: string, now: Date, message: string): Promise<void> {
  const failures = await deps.store.loginAttempts.failuresSince(email, new Date(now.getTime() - deps.settings.loginWindowMs));
  if (failures >= deps.settings.maxLoginFailures) {
    throw new AppError('RATE_LIMITED', message, { retryAfterSeconds: Math.ceil(deps.settings.loginWindowMs / 1000) });
  }
}

/**
 * Password login. Answers the same INVALID_CREDENTIALS for an unknown address and a wrong password.
 * `for: 'portal'` (the portal's form) opens a portal session for a customer; staff signing in
 * there get an app session, since the portal sends them to the agent app. `kind` says which.
 */
export async function login(
  deps: Deps,
  input: LoginInput,
  meta: { ip: string | null; requestId: string; for?: SessionKind },
): Promise<{ token: string; expiresAt: Date; auth: Authenticated; kind: SessionKind }> {
  const now = deps.clock.now();
  await refuseWhenLockedOut(deps, input.email, now, 'Too many failed sign-in attempts for this address; wait a few minutes and try again.');
  let candidates = await deps.store.users.findLoginCandidates(input.email);
  if (input.workspace) candidates = candidates.filter((c) => c.workspace.slug === input.workspace);
  const verified: typeof candidates = [];
  if (candidates.length === 0) {
    timingHash ??= deps.passwords.hash('guichet timing equaliser');
    await deps.passwords.verify(await timingHash, input.password);
  }
  for (const c of candidates) {
    if (c.user.passwordHash && (await deps.passwords.verify(c.user.passwordHash, input.password))) verified.push(c);
  }
  if (verified.length === 0) {
    await deps.store.loginAttempts.record(input.email, meta.ip, false, now);
    throw new AppError('INVALID_CREDENTIALS', 'The email address or the password is wrong.');
  }
  if (verified.length > 1) {
    throw new AppError('WORKSPACE_REQUIRED', 'This address has accounts in several workspaces; say which one.', {
      workspaces: verified.map((v) => v.workspace.slug),
    });
  }
  const { user, workspace } = verified[0]!;
  const kind: SessionKind = meta.for === 'portal' && user.role === 'customer' ? 'portal' : 'app';
  const { token, expiresAt, sessionId } = await deps.store.transaction(async (tx) => {
    const opened = await openSession(deps, tx, user, workspace.id, now, kind);
    await tx.users.update(workspace.id, user.id, { lastLoginAt: now });
    await tx.loginAttempts.record(input.email, meta.ip, true, now);
    if (user.role !== 'customer') {
      const ctx: Ctx = { workspaceId: workspace.id, actor: actorOf(user, 'session'), requestId: meta.requestId, ip: meta.ip };
      await recordAudit(tx, ctx, now, 'auth.login', { type: 'user', id: user.id }, {});
    }
    return opened;
  });
  return { token, expiresAt, auth: { user, workspace, actor: actorOf(user, 'session'), via: 'session', sessionId }, kind };
}

/**
 * Start a session for `user` (a password login, a portal sign-in link): the cookie's secret is
 * returned once, only its hash is stored.
 */
export async function openSession(
  deps: Deps,
  tx: Repositories,
  user: Pick<User, 'id'>,
  workspaceId: string,
  now: Date,
  kind: SessionKind = 'app',
): Promise<{ token: string; expiresAt: Date; sessionId: string }> {
  const token = (kind === 'portal' ? PORTAL_SESSION_PREFIX : '') + deps.secrets.token(32);
  const expiresAt = new Date(now.getTime() + deps.settings.sessionTtlMs);
  const sessionId = deps.ids.uuid();
  await tx.sessions.insert({ id: sessionId, workspaceId, userId: user.id, tokenHash: deps.secrets.hash(token), createdAt: now, lastSeenAt: now, expiresAt });
  return { token, expiresAt, sessionId };
}

/**
 * Resolve a session cookie of this kind (a portal session is nobody to the API, and the other way
 * round). Sliding expiry: an active session is extended, an idle one lapses.
 */
export async function authenticateSession(deps: Deps, token: string, kind: SessionKind = 'app'): Promise<Authenticated> {
  if (token.startsWith(PORTAL_SESSION_PREFIX) !== (kind === 'portal')) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  const now = deps.clock.now();
  const session = await deps.store.sessions.findByHash(deps.secrets.hash(token));
  if (!session) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  if (session.expiresAt <= now) {
    await deps.store.sessions.delete(session.id);
    throw new AppError('SESSION_EXPIRED', 'Your session has expired; sign in again.');
  }
  const found = await loadActiveUser(deps, session.workspaceId, session.userId);
  // Write the new expiry at most once a minute per session, not on every request.
  if (now.getTime() - session.lastSeenAt.getTime() > 60_000) {
    await deps.store.sessions.touch(session.id, now, new Date(now.getTime() + deps.settings.sessionTtlMs));
  }
  return { ...found, actor: actorOf(found.user, 'session'), via: 'session', sessionId: session.id };
}

export async function authenticateApiToken(deps: Deps, token: string): Promise<Authenticated> {
  const now = deps.clock.now();
  const record = token.startsWith(API_TOKEN_PREFIX) ? await deps.store.apiTokens.findByHash(deps.secrets.hash(token)) : null;
  if (!record || record.revokedAt) throw new AppError('UNAUTHENTICATED', 'The API token is unknown or revoked.');
  if (record.expiresAt && record.expiresAt <= now) throw new AppError('UNAUTHENTICATED', 'The API token has expired.');
  const found = await loadActiveUser(deps, record.workspaceId, record.userId);
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > 60_000) await deps.store.apiTokens.touch(record.id, now);
  return { ...found, actor: actorOf(found.user, 'api_token'), via: 'api_token' };
}

async function loadActiveUser(deps: Deps, workspaceId: string, userId: string) {
  const [user, workspace] = await Promise.all([
    deps.store.users.findById(workspaceId, userId),
    deps.store.workspaces.findById(workspaceId),
  ]);
  if (!user || !workspace) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.');
  if (user.status !== 'active') throw new AppError('UNAUTHENTICATED', 'Your account is suspended.');
  return { user, workspace };
}

export async function logout(deps: Deps, sessionId: string): Promise<void> {
  await deps.store.sessions.delete(sessionId);
}

export async function createApiToken(deps: Deps, ctx: Ctx, input: CreateApiTokenInput) {
  authorize(ctx.actor, 'api_tokens:own');
  if (!ctx.actor.userId) throw new AppError('FORBIDDEN', 'Only people own API tokens.');
  const now = deps.clock.now();
  const token = API_TOKEN_PREFIX + deps.secrets.token(32);
  const record = {
    id: deps.ids.uuid(),
    workspaceId: ctx.workspaceId,
    userId: ctx.actor.userId,
    name: input.name,
    tokenHash: deps.secrets.hash(token),
    prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
    createdAt: now,
    lastUsedAt: null,
    expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
    revokedAt: null,
  };
  await deps.store.transaction(async (tx) => {
    await tx.apiTokens.insert(record);
    await recordAudit(tx, ctx, now, 'api_token.created', { type: 'api_token', id: record.id }, { name: record.name, prefix: record.prefix });
  });
  return { ...record, token };
}

export async function listApiTokens(deps: Deps, ctx: Ctx) {
  authorize(ctx.actor, 'api_tokens:own');
  if (!ctx.actor.userId) return [];
  return (await deps.store.apiTokens.listForUser(ctx.workspaceId, ctx.actor.userId)).filter((t) => !t.revokedAt);
}

export async function revokeApiToken(deps: Deps, ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'api_tokens:own');
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const token = await tx.apiTokens.findById(ctx.workspaceId, id);
    // Your own tokens; an admin may revoke anyone's (offboarding, a leaked token).
    if (!token || token.revokedAt || (token.userId !== ctx.actor.userId && ctx.actor.role !== 'admin')) {
      throw new AppError('API_TOKEN_NOT_FOUND', 'API token not found.');
    }
    await tx.apiTokens.revoke(ctx.workspaceId, id, now);
    await recordAudit(tx, ctx, now, 'api_token.revoked', { type: 'api_token', id }, { name: token.name, owner: token.userId });
  });
}
