import type { FastifyRequest } from 'fastify';
import { AppError, SESSION_COOKIE, authenticateApiToken, authenticateSession, type Authenticated, type Deps } from '@guichet/core';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session cookie: HttpOnly, SameSite=Lax, for the whole site, kept by the browser until `expires`. */
export function sessionCookieOptions(secure: boolean, expires: Date) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure, expires };
}

/**
 * The portal's session cookie (PORTAL_SESSION_COOKIE): the same attributes, but sent only to
 * /portal, so a customer's portal session never rides along to the API or the agent app, and
 * signing out of one leaves the other alone.
 */
export function portalCookieOptions(secure: boolean, expires: Date) {
  return { ...sessionCookieOptions(secure, expires), path: '/portal' };
}

/**
 * Who is calling: an API token (`Authorization: Bearer gch_…`) or the session cookie. A
 * cookie-authenticated write from another site is refused (the cookie is SameSite=Lax too).
 */
export async function authenticate(deps: Deps, req: FastifyRequest): Promise<Authenticated> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new AppError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <API token>".');
    return authenticateApiToken(deps, m[1]!);
  }
  const token = req.cookies?.[SESSION_COOKIE];
  if (!token) throw new AppError('UNAUTHENTICATED', 'Sign in or send an API token to use this endpoint.');
  if (!SAFE.has(req.method)) checkSameOrigin(req);
  return authenticateSession(deps, token);
}

function checkSameOrigin(req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (!origin) return;
  // "null" is an opaque origin (a sandboxed frame, a data: URL) or a page elsewhere that hides its
  // origin with its referrer policy; Guichet's own pages (Referrer-Policy: same-origin) send theirs.
  if (origin === 'null') throw new AppError('FORBIDDEN', 'Cross-site requests with a session cookie are refused; use an API token.');
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new AppError('FORBIDDEN', 'The Origin header is not a URL.');
  }
  if (host !== req.headers.host) throw new AppError('FORBIDDEN', 'Cross-site requests with a session cookie are refused; use an API token.');
}
