import { z } from 'zod';
import { ApiTokenOut, ChangePasswordInput, CreateApiTokenInput, CreatedApiTokenOut, LoginInput, MeOut, PasswordResetConfirmInput, PasswordResetRequestInput, uuid } from '@guichet/contracts';
import { SESSION_COOKIE, changeOwnPassword, confirmPasswordReset, requestPasswordReset, createApiToken, listApiTokens, login, logout, permissionsOf, revokeApiToken, type Authenticated } from '@guichet/core';
import { sessionCookieOptions } from '../auth.ts';
import { presentApiToken } from '../presenters.ts';
import type { Router } from '../route.ts';

function me(a: Authenticated): MeOut {
  return {
    user: { id: a.user.id, name: a.user.name, email: a.user.email, role: a.user.role, locale: a.user.locale },
    workspace: { id: a.workspace.id, slug: a.workspace.slug, name: a.workspace.name },
    permissions: permissionsOf(a.user.role),
    via: a.via,
  };
}

export function authRoutes(route: Router, cookie: { secure: boolean; appUrl?: () => string }): void {
  route({
    method: 'POST', url: '/auth/password-reset', tag: 'Auth', auth: 'none', status: 204,
    summary: 'Email a single-use link (valid one hour) to choose a new password; answers 204 whether or not the address has an account',
    body: PasswordResetRequestInput,
    handler: async ({ deps, body, req }) => {
      // The link's address comes from the configuration (GUICHET_PUBLIC_URL), never from the request's Host header.
      const appUrl = cookie.appUrl?.() ?? 'http://localhost:3000';
      await requestPasswordReset(deps, body, { appUrl }, { ip: req.ip, requestId: req.id });
      return undefined;
    },
  });
  route({
    method: 'POST', url: '/auth/password-reset/confirm', tag: 'Auth', auth: 'none', status: 204,
    summary: 'Set a new password with the link\'s token; ends every session of the account',
    body: PasswordResetConfirmInput,
    handler: async ({ deps, body, req }) => {
      await confirmPasswordReset(deps, body, { ip: req.ip, requestId: req.id });
      return undefined;
    },
  });
  route({
    method: 'POST', url: '/auth/login', tag: 'Auth', auth: 'none', status: 200,
    summary: 'Sign in with email and password; sets the session cookie',
    body: LoginInput, response: MeOut,
    handler: async ({ deps, body, req, reply }) => {
      const { token, expiresAt, auth } = await login(deps, body, { ip: req.ip, requestId: req.id });
      reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(cookie.secure, expiresAt));
      return me(auth);
    },
  });
  route({
    method: 'POST', url: '/auth/logout', tag: 'Auth', status: 204,
    summary: 'End this session',
    handler: async ({ deps, auth, reply }) => {
      if (auth?.sessionId) await logout(deps, auth.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return undefined;
    },
  });
  route({
    method: 'POST', url: '/auth/password', tag: 'Auth', status: 204,
    summary: 'Change my own password, giving the current one; my other sessions end, this one stays (403 CURRENT_PASSWORD_WRONG, limited like sign-ins)',
    body: ChangePasswordInput,
    handler: async ({ deps, ctx, auth, body }) => {
      await changeOwnPassword(deps, ctx, body, auth?.sessionId, 'app');
      return undefined;
    },
  });
  route({
    method: 'GET', url: '/auth/me', tag: 'Auth',
    summary: 'Who am I: user, workspace and permissions',
    response: MeOut,
    handler: async ({ auth }) => me(auth!),
  });
  route({
    method: 'GET', url: '/api-tokens', tag: 'Auth',
    summary: 'My personal API tokens (never the secrets)',
    response: z.object({ items: z.array(ApiTokenOut) }),
    handler: async ({ deps, ctx }) => ({ items: (await listApiTokens(deps, ctx)).map(presentApiToken) }),
  });
  route({
    method: 'POST', url: '/api-tokens', tag: 'Auth',
    summary: 'Create a personal API token; the secret is shown once, in this answer',
    body: CreateApiTokenInput, response: CreatedApiTokenOut,
    handler: async ({ deps, ctx, body }) => {
      const t = await createApiToken(deps, ctx, body);
      return { ...presentApiToken(t), token: t.token };
    },
  });
  route({
    method: 'DELETE', url: '/api-tokens/{id}', tag: 'Auth',
    summary: 'Revoke an API token (yours; an admin may revoke anyone\'s)',
    params: z.object({ id: uuid }),
    handler: async ({ deps, ctx, params }) => {
      await revokeApiToken(deps, ctx, params.id);
      return undefined;
    },
  });
}
