/**
 * Authorization: one role × endpoint matrix checked with real requests, a customer's view of
 * tickets, and workspace isolation. The endpoints come from the OpenAPI document the server
 * serves, so a new endpoint without a row in the matrix fails this suite.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDbKinds } from '@guichet/db/testing';
import { routeTicket } from '@guichet/core';
import { PASSWORD, caller, newWorkspace, sessionCookie, startTestApp, type Caller, type TestApp, type TestWorkspace } from './harness.ts';
import { assertError, assertNoSecrets, openApiOperations, recordResponses, type Operation, type Res } from './helpers.ts';

/** A 1×1 transparent PNG. */
const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

type Who = 'anonymous' | 'customer' | 'light_agent' | 'agent' | 'admin';
const WHO: Who[] = ['anonymous', 'customer', 'light_agent', 'agent', 'admin'];
type Outcome = 'ok' | 401 | 403 | 404;
const ok = 'ok';

/**
 * What each caller gets. `ok` is the documented success status; 401, 403 and 404 are the
 * UNAUTHENTICATED, FORBIDDEN and *_NOT_FOUND errors. A row is "METHOD /path" as in the OpenAPI
 * document, optionally followed by " · " and the situation it tests. Unless a row says
 * otherwise, a ticket is one the customer requested and a user is another staff member.
 */
const MATRIX: Array<[row: string, anonymous: Outcome, customer: Outcome, light_agent: Outcome, agent: Outcome, admin: Outcome]> = [
  // row                                                         anonymous customer light  agent  admin
  ['GET /openapi.json',                                           ok,       ok,      ok,    ok,    ok],
  ['POST /auth/login',                                            ok,       ok,      ok,    ok,    ok],
  ['POST /auth/logout',                                           401,      ok,      ok,    ok,    ok],
  ['GET /auth/me',                                                401,      ok,      ok,    ok,    ok],
  ['POST /auth/password · their own',                             401,      ok,      ok,    ok,    ok],
  ['GET /api-tokens',                                             401,      403,     ok,    ok,    ok],
  ['POST /api-tokens',                                            401,      403,     ok,    ok,    ok],
  ['DELETE /api-tokens/{id} · their own token',                   401,      403,     ok,    ok,    ok],
  ["DELETE /api-tokens/{id} · a colleague's token",               401,      403,     404,   404,   ok],

  ['GET /tickets',                                                401,      ok,      ok,    ok,    ok],
  ['POST /tickets',                                               401,      ok,      ok,    ok,    ok],
  ['GET /tickets/{id}',                                           401,      ok,      ok,    ok,    ok],
  ["GET /tickets/{id} · another customer's ticket",               401,      404,     ok,    ok,    ok],
  ['PATCH /tickets/{id} · mark solved',                           401,      ok,      403,   ok,    ok],
  ["PATCH /tickets/{id} · another customer's ticket",             401,      404,     403,   ok,    ok],
  ['GET /tickets/{id}/messages',                                  401,      ok,      ok,    ok,    ok],
  ["GET /tickets/{id}/messages · another customer's ticket",      401,      404,     ok,    ok,    ok],
  ['POST /tickets/{id}/messages · public reply',                  401,      ok,      403,   ok,    ok],
  ['POST /tickets/{id}/messages · internal note',                 401,      403,     ok,    ok,    ok],
  ["POST /tickets/{id}/messages · another customer's ticket",     401,      404,     403,   ok,    ok],
  ['GET /tickets/{id}/events',                                    401,      403,     ok,    ok,    ok],
  ["GET /tickets/{id}/events · another customer's ticket",        401,      404,     ok,    ok,    ok],
  ['POST /tickets/{id}/merge',                                    401,      403,     403,   ok,    ok],
  ["POST /tickets/{id}/merge · another customer's tickets",       401,      404,     403,   ok,    ok],

  ['GET /users',                                                  401,      403,     ok,    ok,    ok],
  ['POST /users',                                                 401,      403,     403,   403,   ok],
  ['GET /users/{id}',                                             401,      403,     ok,    ok,    ok],
  ['GET /users/{id} · their own profile',                         401,      404,     ok,    ok,    ok],
  ['PATCH /users/{id}',                                           401,      403,     403,   403,   ok],
  ['PATCH /users/{id} · their own name',                          401,      404,     ok,    ok,    ok],
  ['PATCH /users/{id} · their own role, to admin',                401,      403,     403,   403,   ok],
  ['PUT /users/{id}/skills',                                      401,      403,     403,   403,   ok],

  ['GET /customers',                                              401,      403,     ok,    ok,    ok],
  ['POST /customers',                                             401,      403,     403,   ok,    ok],
  ['GET /customers/{id}',                                         401,      403,     ok,    ok,    ok],
  ['PATCH /customers/{id}',                                       401,      403,     403,   ok,    ok],

  ['GET /organizations',                                          401,      403,     ok,    ok,    ok],
  ['POST /organizations',                                         401,      403,     403,   ok,    ok],
  ['GET /organizations/{id}',                                     401,      403,     ok,    ok,    ok],
  ['PATCH /organizations/{id}',                                   401,      403,     403,   ok,    ok],

  ['GET /teams',                                                  401,      403,     ok,    ok,    ok],
  ['POST /teams',                                                 401,      403,     403,   403,   ok],
  ['GET /teams/{id}',                                             401,      403,     ok,    ok,    ok],
  ['PATCH /teams/{id}',                                           401,      403,     403,   403,   ok],
  ['DELETE /teams/{id}',                                          401,      403,     403,   403,   ok],
  ['PUT /teams/{id}/members',                                     401,      403,     403,   403,   ok],

  ['GET /skills',                                                 401,      403,     ok,    ok,    ok],
  ['POST /skills',                                                401,      403,     403,   403,   ok],
  ['GET /skills/{id}',                                            401,      403,     ok,    ok,    ok],
  ['PATCH /skills/{id}',                                          401,      403,     403,   403,   ok],
  ['DELETE /skills/{id}',                                         401,      403,     403,   403,   ok],

  ['GET /custom-fields',                                          401,      403,     ok,    ok,    ok],
  ['POST /custom-fields',                                         401,      403,     403,   403,   ok],
  ['PATCH /custom-fields/{id}',                                   401,      403,     403,   403,   ok],

  ['GET /workspace',                                              401,      ok,      ok,    ok,    ok],
  ['PATCH /workspace',                                            401,      403,     403,   403,   ok],
  ['PUT /workspace/logo',                                         401,      403,     403,   403,   ok],
  ['DELETE /workspace/logo',                                      401,      403,     403,   403,   ok],
  ['GET /audit-log',                                              401,      403,     403,   403,   ok],

  ['GET /mailboxes',                                              401,      403,     403,   403,   ok],
  ['POST /mailboxes',                                             401,      403,     403,   403,   ok],
  ['GET /mailboxes/{id}',                                         401,      403,     403,   403,   ok],
  ['PATCH /mailboxes/{id}',                                       401,      403,     403,   403,   ok],
  ['POST /mailboxes/{id}/test',                                   401,      403,     403,   403,   ok],
  ['GET /inbound-emails',                                         401,      403,     403,   403,   ok],
  ['POST /tickets/{id}/uploads',                                  401,      403,     ok,    ok,    ok],
  ['GET /tickets/{id}/messages/{messageId}/attachments/{attachmentId}', 401, ok,    ok,    ok,    ok],
  ['GET /tickets/{id}/messages/{messageId}/attachments/{attachmentId} · on an internal note', 401, 404, ok, ok, ok],

  ['GET /business-calendars',                                     401,      403,     ok,    ok,    ok],
  ['POST /business-calendars',                                    401,      403,     403,   403,   ok],
  ['GET /business-calendars/{id}',                                401,      403,     ok,    ok,    ok],
  ['PATCH /business-calendars/{id}',                              401,      403,     403,   403,   ok],
  ['DELETE /business-calendars/{id}',                             401,      403,     403,   403,   ok],
  ['POST /business-calendars/{id}/holidays/import',               401,      403,     403,   403,   ok],
  ['GET /sla-policies',                                           401,      403,     ok,    ok,    ok],
  ['POST /sla-policies',                                          401,      403,     403,   403,   ok],
  ['GET /sla-policies/{id}',                                      401,      403,     ok,    ok,    ok],
  ['PATCH /sla-policies/{id}',                                    401,      403,     403,   403,   ok],
  ['PUT /sla-policies/order',                                     401,      403,     403,   403,   ok],
  ['DELETE /sla-policies/{id}',                                   401,      403,     403,   403,   ok],
  ['GET /tickets/{id}/sla',                                       401,      403,     ok,    ok,    ok],
  ['GET /notifications',                                          401,      403,     ok,    ok,    ok],
  ['POST /notifications/read',                                    401,      403,     ok,    ok,    ok],
  ['GET /triggers',                                               401,      403,     ok,    ok,    ok],
  ['POST /triggers',                                              401,      403,     403,   403,   ok],
  ['POST /triggers/dry-run',                                      401,      403,     403,   403,   ok],
  ['GET /triggers/{id}',                                          401,      403,     ok,    ok,    ok],
  ['PATCH /triggers/{id}',                                        401,      403,     403,   403,   ok],
  ['PUT /triggers/order',                                         401,      403,     403,   403,   ok],
  ['DELETE /triggers/{id}',                                       401,      403,     403,   403,   ok],
  ['POST /triggers/{id}/dry-run',                                 401,      403,     403,   403,   ok],
  ['GET /routing/settings',                                       401,      403,     403,   403,   ok],
  ['PATCH /routing/settings',                                     401,      403,     403,   403,   ok],
  ['POST /routing/models/train',                                  401,      403,     403,   403,   ok],
  ['GET /routing/models',                                         401,      403,     403,   403,   ok],
  ['GET /routing/rules',                                          401,      403,     403,   403,   ok],
  ['POST /routing/rules',                                         401,      403,     403,   403,   ok],
  ['DELETE /routing/rules/{id}',                                  401,      403,     403,   403,   ok],
  ['GET /teams/{id}/routing',                                     401,      403,     ok,    ok,    ok],
  ['PUT /teams/{id}/routing',                                     401,      403,     403,   403,   ok],
  ['GET /users/{id}/availability',                                401,      403,     ok,    ok,    ok],
  ["PUT /users/{id}/availability · a colleague's",                401,      403,     403,   403,   ok],
  ['PUT /users/{id}/availability · their own',                    401,      403,     ok,    ok,    ok],
  ['GET /tickets/{id}/routing',                                   401,      404,     ok,    ok,    ok],
  ['POST /tickets/{id}/routing/decision',                         401,      403,     403,   ok,    ok],
  ['GET /routing/triage',                                         401,      403,     ok,    ok,    ok],
  ['GET /tickets/counts',                                         401,      403,     ok,    ok,    ok],
  ['POST /auth/password-reset',                                   ok,       ok,      ok,    ok,    ok],
  ['POST /auth/password-reset/confirm',                           ok,       ok,      ok,    ok,    ok],
  ['GET /views',                                                  401,      403,     ok,    ok,    ok],
  ['POST /views',                                                 401,      403,     ok,    ok,    ok],
  ['POST /views · shared with the workspace',                     401,      403,     403,   403,   ok],
  ['PATCH /views/{id} · their own view',                          401,      403,     ok,    ok,    ok],
  ["PATCH /views/{id} · a colleague's view",                      401,      403,     404,   404,   404],
  ['PATCH /views/{id} · a shared view',                           401,      403,     403,   403,   ok],
  ['DELETE /views/{id} · their own view',                         401,      403,     ok,    ok,    ok],
  ['GET /articles',                                               401,      ok,      ok,    ok,    ok],
  ['POST /articles',                                              401,      403,     ok,    ok,    ok],
  ['GET /articles/{id}',                                          401,      ok,      ok,    ok,    ok],
  ['GET /articles/{id} · an internal article',                    401,      404,     ok,    ok,    ok],
  ['GET /articles/{id} · a draft',                                401,      404,     ok,    ok,    ok],
  ['PATCH /articles/{id}',                                        401,      403,     403,   403,   ok],
  ['PATCH /articles/{id} · a draft they wrote',                      401,      404,     ok,    ok,    ok],
  ['PUT /articles/{id}/translations/{language}',                  401,      403,     403,   403,   ok],
  ['PUT /articles/{id}/translations/{language} · a draft they wrote', 401,     404,     ok,    ok,    ok],
  ['POST /articles/{id}/publish',                                 401,      404,     403,   403,   ok],
  ['POST /articles/{id}/unpublish',                               401,      403,     403,   403,   ok],
  ['POST /articles/{id}/archive',                                 401,      403,     403,   403,   ok],
  ['POST /articles/{id}/verify',                                  401,      403,     403,   403,   ok],
  ['POST /articles/{id}/verify · an article they own',            401,      403,     ok,    ok,    ok],
  ['GET /articles/{id}/versions',                                 401,      403,     ok,    ok,    ok],
  ['GET /articles/{id}/versions/{number}',                        401,      403,     ok,    ok,    ok],
  ['POST /articles/{id}/versions/{number}/restore',               401,      403,     403,   403,   ok],
  ['GET /articles/{id}/diff',                                     401,      403,     ok,    ok,    ok],
  ['GET /articles/{id}/events',                                   401,      403,     ok,    ok,    ok],
  ['POST /articles/{id}/proposals',                               401,      403,     ok,    ok,    ok],
  ['GET /article-proposals',                                      401,      403,     ok,    ok,    ok],
  ['GET /article-proposals/{id}',                                 401,      403,     ok,    ok,    ok],
  ['GET /article-proposals/{id}/diff',                            401,      403,     ok,    ok,    ok],
  ['POST /article-proposals/{id}/accept',                         401,      403,     403,   403,   ok],
  ['POST /article-proposals/{id}/reject',                         401,      403,     403,   403,   ok],
  ['GET /article-categories',                                     401,      ok,      ok,    ok,    ok],
  ['POST /article-categories',                                    401,      403,     403,   403,   ok],
  ['PATCH /article-categories/{id}',                              401,      403,     403,   403,   ok],
  ['DELETE /article-categories/{id}',                             401,      403,     403,   403,   ok],
  ['GET /knowledge-managers',                                     401,      403,     ok,    ok,    ok],
  ['PUT /knowledge-managers/{userId}',                            401,      403,     403,   403,   ok],
  ['DELETE /knowledge-managers/{userId}',                         401,      403,     403,   403,   ok],
  ['GET /knowledge/verification-report',                          401,      403,     ok,    ok,    ok],
  ['GET /knowledge/notifications',                                401,      403,     ok,    ok,    ok],
  ['POST /knowledge/notifications/{id}/read · one of theirs',     401,      403,     ok,    ok,    ok],
  ['GET /search',                                                 401,      ok,      ok,    ok,    ok],
  ['GET /tickets/{id}/suggestions',                               401,      403,     ok,    ok,    ok],
  ['POST /tickets/{id}/suggestions/uses',                         401,      403,     ok,    ok,    ok],
  ['POST /tickets/{id}/messages/{messageId}/article-draft',       401,      403,     ok,    ok,    ok],
  ['GET /knowledge/content-gaps',                                 401,      403,     403,   403,   ok],
  ['GET /automations',                                            401,      403,     ok,    ok,    ok],
  ['POST /automations',                                           401,      403,     403,   403,   ok],
  ['GET /automations/{id}',                                       401,      403,     ok,    ok,    ok],
  ['PATCH /automations/{id}',                                     401,      403,     403,   403,   ok],
  ['PUT /automations/order',                                      401,      403,     403,   403,   ok],
  ['DELETE /automations/{id}',                                    401,      403,     403,   403,   ok],
  ['GET /webhooks',                                               401,      403,     403,   403,   ok],
  ['POST /webhooks',                                              401,      403,     403,   403,   ok],
  ['GET /webhooks/{id}',                                          401,      403,     403,   403,   ok],
  ['PATCH /webhooks/{id}',                                        401,      403,     403,   403,   ok],
  ['DELETE /webhooks/{id}',                                       401,      403,     403,   403,   ok],
  ['GET /webhooks/{id}/deliveries',                               401,      403,     403,   403,   ok],
  ['POST /webhooks/{id}/secret',                                  401,      403,     403,   403,   ok],
  ['POST /webhooks/{id}/deliveries/{deliveryId}/redeliver',       401,      403,     403,   403,   ok],
  ['POST /webhooks/{id}/test',                                    401,      403,     403,   403,   ok],

  ['GET /macros',                                                 401,      403,     ok,    ok,    ok],
  ['POST /macros',                                                401,      403,     ok,    ok,    ok],
  ['POST /macros · shared with the workspace',                    401,      403,     403,   403,   ok],
  ['GET /macros/{id} · a shared macro',                           401,      403,     ok,    ok,    ok],
  ["GET /macros/{id} · a colleague's macro",                      401,      403,     404,   404,   404],
  ['PATCH /macros/{id} · their own macro',                        401,      403,     ok,    ok,    ok],
  ['PATCH /macros/{id} · a shared macro',                         401,      403,     403,   403,   ok],
  ['DELETE /macros/{id} · their own macro',                       401,      403,     ok,    ok,    ok],
  ['DELETE /macros/{id} · a shared macro',                        401,      403,     403,   403,   ok],
  ['POST /tickets/{id}/macros/{macroId}/preview',                 401,      403,     ok,    ok,    ok],
  ['POST /tickets/{id}/macros/{macroId}/apply · text only',       401,      403,     ok,    ok,    ok],
  ['POST /tickets/{id}/macros/{macroId}/apply · with actions',    401,      403,     403,   ok,    ok],
  ['GET /tickets/{id}/follow',                                    401,      403,     ok,    ok,    ok],
  ['PUT /tickets/{id}/follow',                                    401,      403,     ok,    ok,    ok],
  ['DELETE /tickets/{id}/follow',                                 401,      403,     ok,    ok,    ok],
  ['GET /notifications/count',                                    401,      403,     ok,    ok,    ok],
  ['POST /notifications/all/read',                                401,      403,     ok,    ok,    ok],
  ['GET /ticket-categories',                                      401,      ok,      ok,    ok,    ok],
  ['POST /ticket-categories',                                     401,      403,     403,   403,   ok],
  ['PATCH /ticket-categories/{id}',                               401,      403,     403,   403,   ok],
  ['DELETE /ticket-categories/{id}',                              401,      403,     403,   403,   ok],
  ['GET /knowledge/deflection-report',                            401,      403,     403,   403,   ok],
];

const ERROR_OF: Record<Exclude<Outcome, 'ok'>, RegExp> = { 401: /^UNAUTHENTICATED$/, 403: /^FORBIDDEN$/, 404: /_NOT_FOUND$/ };

const opOf = (row: string) => row.split(' · ')[0]!;

/** One workspace with one caller of each role and a record of each kind. */
interface Fixture {
  t: TestApp;
  ws: TestWorkspace;
  tag: string;
  users: Record<Exclude<Who, 'anonymous'>, Caller>;
  colleague: Caller;
  otherCustomerId: string;
  orgId: string;
  teamId: string;
  skillId: string;
  fieldId: string;
  ownTicket: any;
  otherTicket: any;
  adminTokenId: string;
  mailboxId: string;
  calendarId: string;
  policyId: string;
  triggerId: string;
  /** A view the admin shares with the workspace. */
  viewId: string;
  automationId: string;
  webhookId: string;
  /** A text-only macro the admin shares with the workspace. */
  macroId: string;
  req(who: Who): Caller['req'];
  /** A new ticket requested by the fixture's customer (or by `requesterId`). */
  ticket(requesterId?: string): Promise<any>;
  /** A new signed-in session (cookie) of `who`. */
  session(who: Exclude<Who, 'anonymous'>): Promise<Caller['req']>;
  uniq(): string;
}

async function fixture(t: TestApp, tag: string): Promise<Fixture> {
  const ws = await newWorkspace(t);
  const admin = ws.admin;
  const must = async (p: Promise<Res>) => {
    const r = await p;
    assert.ok(r.status < 300, JSON.stringify(r.body));
    return r.body;
  };
  const org = await must(admin.req('POST', '/organizations', { name: `${tag} org`, domains: [] }));
  const users = {
    customer: await ws.as('customer', { organizationId: org.id }),
    light_agent: await ws.as('light_agent'),
    agent: await ws.as('agent'),
    admin,
  };
  const colleague = await ws.as('agent');
  const other = await must(admin.req('POST', '/customers', { name: `${tag} other customer`, email: `other@${ws.slug}.test`, organizationId: org.id }));
  const team = await must(admin.req('POST', '/teams', { name: `${tag} team` }));
  const skill = await must(admin.req('POST', '/skills', { name: `${tag} skill` }));
  const field = await must(admin.req('POST', '/custom-fields', { key: 'product', label: `${tag} product`, type: 'text' }));
  const tokens = await must(admin.req('GET', '/api-tokens'));
  let n = 0;
  const f: Fixture = {
    t,
    ws,
    tag,
    users,
    colleague,
    otherCustomerId: other.id,
    orgId: org.id,
    teamId: team.id,
    skillId: skill.id,
    fieldId: field.id,
    ownTicket: null,
    otherTicket: null,
    adminTokenId: tokens.items[0].id,
    mailboxId: (await must(admin.req('POST', '/mailboxes', { name: `${tag} mailbox`, address: `support@${ws.slug}.example` }))).id,
    calendarId: (await must(admin.req('POST', '/business-calendars', { name: `${tag} hours`, timeZone: 'Europe/Paris', weekly: WEEKDAYS_9_TO_5 }))).id,
    policyId: (await must(admin.req('POST', '/sla-policies', { name: `${tag} standard`, targets: { first_response: { minutes: 240 } } }))).id,
    // Disabled: it must not change the fixture's tickets while the matrix runs.
    webhookId: (await must(admin.req('POST', '/webhooks', { name: `${tag} hook`, url: 'http://127.0.0.1:9/hook', events: ['ticket.created'], enabled: false }))).id,
    automationId: (await must(admin.req('POST', '/automations', { name: `${tag} idle`, enabled: false, conditions: { statuses: ['pending'], hoursSinceUpdated: 168 }, actions: [{ type: 'set_status', value: 'closed' }] }))).id,
    triggerId: (await must(admin.req('POST', '/triggers', { name: `${tag} vip`, enabled: false, events: ['ticket.created'], actions: [{ type: 'add_tags', tags: ['vip'] }] }))).id,
    viewId: (await must(admin.req('POST', '/views', { name: `${tag} urgent`, query: { priority: ['urgent'] }, shared: true }))).id,
    macroId: (await must(admin.req('POST', '/macros', { title: `${tag} thanks`, bodyEn: 'Thank you {{customer.first_name}}.', shared: true }))).id,
    req: (who) => (who === 'anonymous' ? ws.anonymous.req : users[who].req),
    ticket: (requesterId = users.customer.id) =>
      must(admin.req('POST', '/tickets', { subject: `${tag} ticket ${++n}`, body: `About ${tag}.`, requester: { id: requesterId } })),
    async session(who) {
      return caller(t.app, { cookie: await sessionCookie(t, users[who].email, PASSWORD, ws.slug) });
    },
    uniq: () => `${tag.toLowerCase()}${++n}`,
  };
  f.ownTicket = await f.ticket();
  f.otherTicket = await f.ticket(other.id);
  return f;
}

interface Request {
  id?: string;
  body?: unknown;
  /** Send the request as this caller instead of the row's. */
  as?: Caller['req'];
  /** Path parameters other than {id}. */
  params?: Record<string, string>;
  /** A query string to append ("?a=b"). */
  query?: string;
}

const staffOf = (f: Fixture, who: Who) => (who === 'anonymous' || who === 'customer' ? f.users.admin : f.users[who]);
const selfOf = (f: Fixture, who: Who) => f.users[who === 'anonymous' ? 'admin' : who];

/** Every id of an ordered list (SLA policies, triggers, automations), reversed: a real new order. */
const currentOrder = async (f: Fixture, path: string): Promise<string[]> =>
  (await f.users.admin.req('GET', path)).body.items.map((x: { id: string }) => x.id).reverse();

/** A valid request for each row, built fresh for each caller (so destructive rows stay independent). */
const REQUESTS: Record<string, (f: Fixture, who: Who) => Request | Promise<Request>> = {
  'GET /openapi.json': () => ({}),
  'GET /tickets/counts': () => ({}),
  'GET /views': () => ({}),
  'POST /views': (f) => ({ body: { name: `mine ${f.uniq()}`, query: { status: ['open'], assigneeId: 'me' } } }),
  'POST /views · shared with the workspace': (f) => ({ body: { name: `shared ${f.uniq()}`, query: { priority: ['high'] }, shared: true } }),
  'PATCH /views/{id} · their own view': async (f, who) => ({
    id: (await staffOf(f, who).req('POST', '/views', { name: `own ${f.uniq()}`, query: {} })).body.id,
    body: { name: `renamed ${f.uniq()}` },
  }),
  "PATCH /views/{id} · a colleague's view": async (f) => ({
    id: (await f.colleague.req('POST', '/views', { name: `theirs ${f.uniq()}`, query: {} })).body.id,
    body: { name: `renamed ${f.uniq()}` },
  }),
  'PATCH /views/{id} · a shared view': (f) => ({ id: f.viewId, body: { query: { priority: ['urgent'], status: ['open'] } } }),
  'DELETE /views/{id} · their own view': async (f, who) => ({
    id: (await staffOf(f, who).req('POST', '/views', { name: `doomed ${f.uniq()}`, query: {} })).body.id,
  }),
  'POST /auth/password-reset': (f, who) => ({ body: { email: selfOf(f, who).email, workspace: f.ws.slug } }),
  // A link of a throwaway account (the matrix's callers keep their passwords); anyone holding it may use it.
  'POST /auth/password-reset/confirm': async (f) => {
    const user = await f.ws.as('agent');
    const token = f.t.deps.secrets.token(32);
    const now = f.t.deps.clock.now();
    await f.t.deps.store.passwordResets.insert({
      id: f.t.deps.ids.uuid(), workspaceId: f.ws.id, userId: user.id, tokenHash: f.t.deps.secrets.hash(token),
      createdAt: now, expiresAt: new Date(now.getTime() + 3_600_000), usedAt: null, requestedIp: null,
    });
    return { body: { token, password: 'matrix new passphrase' } };
  },
  'POST /auth/login': (f, who) => ({ body: { email: selfOf(f, who).email, password: PASSWORD, workspace: f.ws.slug } }),
  'POST /auth/logout': async (f, who) => (who === 'anonymous' ? {} : { as: await f.session(who) }),
  'GET /auth/me': () => ({}),
  // A throwaway account of the role: the matrix's callers keep their passwords and sessions.
  'POST /auth/password · their own': async (f, who) => ({
    ...(who === 'anonymous' ? {} : { as: (await f.ws.as(who)).req }),
    body: { current: PASSWORD, password: 'matrix new passphrase' },
  }),
  'GET /api-tokens': () => ({}),
  'POST /api-tokens': () => ({ body: { name: 'matrix', expiresInDays: 30 } }),
  'DELETE /api-tokens/{id} · their own token': async (f, who) => {
    const owner = await f.session(who === 'anonymous' || who === 'customer' ? 'admin' : who);
    return { id: (await owner('POST', '/api-tokens', { name: 'to revoke' })).body.id };
  },
  "DELETE /api-tokens/{id} · a colleague's token": async (f) => ({ id: (await f.colleague.req('POST', '/api-tokens', { name: 'theirs' })).body.id }),

  'GET /tickets': () => ({}),
  'POST /tickets': (f) => ({ body: { subject: `${f.tag} new request`, body: 'Hello, it does not work.' } }),
  'GET /tickets/{id}': (f) => ({ id: f.ownTicket.id }),
  "GET /tickets/{id} · another customer's ticket": (f) => ({ id: f.otherTicket.id }),
  'PATCH /tickets/{id} · mark solved': async (f) => ({ id: (await f.ticket()).id, body: { status: 'solved' } }),
  "PATCH /tickets/{id} · another customer's ticket": async (f) => ({ id: (await f.ticket(f.otherCustomerId)).id, body: { status: 'solved' } }),
  'GET /tickets/{id}/messages': (f) => ({ id: f.ownTicket.id }),
  "GET /tickets/{id}/messages · another customer's ticket": (f) => ({ id: f.otherTicket.id }),
  'POST /tickets/{id}/messages · public reply': (f) => ({ id: f.ownTicket.id, body: { body: 'A public reply.' } }),
  'POST /tickets/{id}/messages · internal note': (f) => ({ id: f.ownTicket.id, body: { body: 'A note.', visibility: 'internal' } }),
  "POST /tickets/{id}/messages · another customer's ticket": (f) => ({ id: f.otherTicket.id, body: { body: 'A public reply.' } }),
  'GET /tickets/{id}/events': (f) => ({ id: f.ownTicket.id }),
  "GET /tickets/{id}/events · another customer's ticket": (f) => ({ id: f.otherTicket.id }),
  'POST /tickets/{id}/merge': async (f) => ({ id: (await f.ticket()).id, body: { into: String((await f.ticket()).number) } }),
  "POST /tickets/{id}/merge · another customer's tickets": async (f) => ({
    id: (await f.ticket(f.otherCustomerId)).id,
    body: { into: (await f.ticket(f.otherCustomerId)).id },
  }),

  'GET /users': () => ({}),
  'POST /users': (f) => ({ body: { email: `${f.uniq()}@${f.ws.slug}.test`, name: `${f.tag} new agent`, role: 'agent' } }),
  'GET /users/{id}': (f) => ({ id: f.colleague.id }),
  'GET /users/{id} · their own profile': (f, who) => ({ id: selfOf(f, who).id }),
  'PATCH /users/{id}': (f) => ({ id: f.colleague.id, body: { name: `${f.tag} colleague` } }),
  'PATCH /users/{id} · their own name': (f, who) => ({ id: selfOf(f, who).id, body: { name: `${f.tag} renamed` } }),
  'PATCH /users/{id} · their own role, to admin': (f, who) => ({ id: selfOf(f, who).id, body: { role: 'admin' } }),
  'PUT /users/{id}/skills': (f) => ({ id: f.colleague.id, body: { skills: [{ skillId: f.skillId, proficiency: 4 }] } }),

  'GET /customers': () => ({}),
  'POST /customers': (f) => ({ body: { name: `${f.tag} new customer`, email: `${f.uniq()}@example.test` } }),
  'GET /customers/{id}': (f) => ({ id: f.otherCustomerId }),
  'PATCH /customers/{id}': (f) => ({ id: f.otherCustomerId, body: { notes: 'Prefers email.' } }),

  'GET /organizations': () => ({}),
  'POST /organizations': (f) => ({ body: { name: `${f.tag} org ${f.uniq()}` } }),
  'GET /organizations/{id}': (f) => ({ id: f.orgId }),
  'PATCH /organizations/{id}': (f) => ({ id: f.orgId, body: { notes: 'Key account.' } }),

  'GET /teams': () => ({}),
  'POST /teams': (f) => ({ body: { name: `${f.tag} team ${f.uniq()}` } }),
  'GET /teams/{id}': (f) => ({ id: f.teamId }),
  'PATCH /teams/{id}': (f) => ({ id: f.teamId, body: { description: 'First line.' } }),
  'DELETE /teams/{id}': async (f) => ({ id: (await f.users.admin.req('POST', '/teams', { name: `${f.tag} doomed ${f.uniq()}` })).body.id }),
  'PUT /teams/{id}/members': (f) => ({ id: f.teamId, body: { members: [{ userId: f.users.agent.id, isLead: true }, { userId: f.colleague.id }] } }),

  'GET /skills': () => ({}),
  'POST /skills': (f) => ({ body: { name: `${f.tag} skill ${f.uniq()}` } }),
  'GET /skills/{id}': (f) => ({ id: f.skillId }),
  'PATCH /skills/{id}': (f) => ({ id: f.skillId, body: { description: 'Cards and payments.' } }),
  'DELETE /skills/{id}': async (f) => ({ id: (await f.users.admin.req('POST', '/skills', { name: `${f.tag} doomed ${f.uniq()}` })).body.id }),

  'GET /custom-fields': () => ({}),
  'POST /custom-fields': (f) => ({ body: { key: `k_${f.uniq()}`, label: 'Order number', type: 'text' } }),
  'PATCH /custom-fields/{id}': (f) => ({ id: f.fieldId, body: { label: `${f.tag} product line` } }),

  'GET /workspace': () => ({}),
  'PATCH /workspace': (f) => ({ body: { name: `${f.tag} workspace` } }),
  'PUT /workspace/logo': () => ({ body: { contentBase64: PNG_1PX } }),
  'DELETE /workspace/logo': () => ({}),
  'GET /audit-log': () => ({}),

  'GET /mailboxes': () => ({}),
  'POST /mailboxes': (f) => ({ body: { name: 'Support', address: `support-${f.uniq()}@${f.ws.slug}.example` } }),
  'GET /mailboxes/{id}': (f) => ({ id: f.mailboxId }),
  'PATCH /mailboxes/{id}': (f) => ({ id: f.mailboxId, body: { floodLimitPerHour: 50 } }),
  'POST /mailboxes/{id}/test': (f) => ({ id: f.mailboxId, body: {} }),
  'GET /inbound-emails': () => ({}),
  'GET /routing/settings': () => ({}),
  'PATCH /routing/settings': () => ({ body: { minConfidence: 0.7 } }),
  'POST /routing/models/train': () => ({ body: {} }),
  'GET /routing/models': () => ({}),
  'GET /routing/rules': () => ({}),
  'POST /routing/rules': (f) => ({ body: { name: `${f.tag} rule`, conditions: { keywords: ['invoice'] }, teamId: f.teamId } }),
  'DELETE /routing/rules/{id}': async (f) => ({
    id: (await f.users.admin.req('POST', '/routing/rules', { name: `${f.tag} doomed rule`, conditions: { channels: ['email'] }, teamId: f.teamId })).body.id,
  }),
  'GET /teams/{id}/routing': (f) => ({ id: f.teamId }),
  'PUT /teams/{id}/routing': (f) => ({ id: f.teamId, body: { mode: 'round_robin' } }),
  'GET /users/{id}/availability': (f) => ({ id: f.colleague.id }),
  "PUT /users/{id}/availability · a colleague's": (f) => ({ id: f.colleague.id, body: { status: 'away' } }),
  'PUT /users/{id}/availability · their own': (f, who) => ({ id: selfOf(f, who).id, body: { status: 'online' } }),
  'GET /tickets/{id}/routing': async (f) => {
    await routeTicket(f.t.deps, { workspaceId: f.ws.id, ticketId: f.ownTicket.id });
    return { id: f.ownTicket.id };
  },
  'POST /tickets/{id}/routing/decision': async (f) => ({ id: (await f.ticket()).id, body: { teamId: f.teamId } }),
  'GET /routing/triage': () => ({}),
  'POST /tickets/{id}/uploads': (f) => ({ id: f.ownTicket.id, body: { filename: 'trace.log', contentBase64: Buffer.from(`${f.tag} trace`).toString('base64') } }),
  'GET /tickets/{id}/messages/{messageId}/attachments/{attachmentId}': async (f) => ({ id: f.ownTicket.id, params: await attachmentOn(f, 'public') }),
  'GET /tickets/{id}/messages/{messageId}/attachments/{attachmentId} · on an internal note': async (f) => ({
    id: f.ownTicket.id,
    params: await attachmentOn(f, 'internal'),
  }),

  'GET /business-calendars': () => ({}),
  'POST /business-calendars': (f) => ({ body: { name: `${f.tag} hours ${f.uniq()}`, timeZone: 'America/Toronto', weekly: WEEKDAYS_9_TO_5 } }),
  'GET /business-calendars/{id}': (f) => ({ id: f.calendarId }),
  'PATCH /business-calendars/{id}': (f) => ({ id: f.calendarId, body: { specialDays: [{ date: '2026-12-24', name: 'Short day', hours: [{ start: '09:00', end: '12:00' }] }] } }),
  'DELETE /business-calendars/{id}': async (f) => ({
    id: (await f.users.admin.req('POST', '/business-calendars', { name: `${f.tag} doomed ${f.uniq()}`, timeZone: 'UTC', weekly: WEEKDAYS_9_TO_5 })).body.id,
  }),
  'POST /business-calendars/{id}/holidays/import': (f) => ({
    id: f.calendarId,
    body: { ical: 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nSUMMARY:Noël\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' },
  }),
  'GET /sla-policies': () => ({}),
  'POST /sla-policies': (f) => ({ body: { name: `${f.tag} policy ${f.uniq()}`, targets: { resolution: { minutes: 2400 } } } }),
  'GET /sla-policies/{id}': (f) => ({ id: f.policyId }),
  'PATCH /sla-policies/{id}': (f) => ({ id: f.policyId, body: { warnings: [{ share: 0.75 }] } }),
  'PUT /sla-policies/order': async (f) => ({ body: { ids: await currentOrder(f, '/sla-policies') } }),
  'DELETE /sla-policies/{id}': async (f) => ({
    id: (await f.users.admin.req('POST', '/sla-policies', { name: `${f.tag} doomed ${f.uniq()}`, targets: { resolution: { minutes: 60 } } })).body.id,
  }),
  'GET /tickets/{id}/sla': (f) => ({ id: f.ownTicket.id }),
  'GET /notifications': () => ({}),
  'POST /notifications/read': () => ({ body: { ids: ['01900000-0000-7000-8000-000000000000'] } }),
  'GET /triggers': () => ({}),
  'POST /triggers': (f) => ({ body: { name: `${f.tag} trigger ${f.uniq()}`, enabled: false, events: ['ticket.created'], actions: [{ type: 'add_tags', tags: ['new'] }] } }),
  'POST /triggers/dry-run': () => ({ body: { trigger: { name: 'Try', events: ['ticket.updated'], actions: [{ type: 'set_priority', value: 'high' }] } } }),
  'GET /triggers/{id}': (f) => ({ id: f.triggerId }),
  'PATCH /triggers/{id}': (f) => ({ id: f.triggerId, body: { description: 'Tags VIP requests.' } }),
  'PUT /triggers/order': async (f) => ({ body: { ids: await currentOrder(f, '/triggers') } }),
  'DELETE /triggers/{id}': async (f) => ({
    id: (await f.users.admin.req('POST', '/triggers', { name: `${f.tag} doomed ${f.uniq()}`, enabled: false, events: ['ticket.created'], actions: [{ type: 'add_tags', tags: ['x'] }] })).body.id,
  }),
  'POST /triggers/{id}/dry-run': (f) => ({ id: f.triggerId, body: { limit: 10 } }),

  'GET /articles': () => ({}),
  'POST /articles': (f) => ({ body: { translations: { en: { title: `${f.tag} how to`, body: 'Steps.' } } } }),
  'GET /articles/{id}': async (f) => ({ id: await sharedArticle(f) }),
  'GET /articles/{id} · an internal article': async (f) => ({ id: await article(f, { publish: true }) }),
  'GET /articles/{id} · a draft': async (f) => ({ id: await article(f, { visibility: 'public' }) }),
  'PATCH /articles/{id}': async (f) => ({ id: await article(f, { publish: true, visibility: 'public' }), body: { tags: ['matrix'] } }),
  'PATCH /articles/{id} · a draft they wrote': async (f, who) => ({ id: await article(f, { by: staffOf(f, who) }), body: { tags: ['mine'] } }),
  'PUT /articles/{id}/translations/{language}': async (f) => ({
    id: await article(f, { publish: true, visibility: 'public' }),
    params: { language: 'fr' },
    body: { title: 'Comment faire', body: 'Étapes.' },
  }),
  'PUT /articles/{id}/translations/{language} · a draft they wrote': async (f, who) => ({
    id: await article(f, { by: staffOf(f, who) }),
    params: { language: 'en' },
    body: { title: 'Better title', body: 'Better steps.' },
  }),
  'POST /articles/{id}/publish': async (f) => ({ id: await article(f, { visibility: 'public' }), body: {} }),
  'POST /articles/{id}/unpublish': async (f) => ({ id: await article(f, { publish: true, visibility: 'public' }), body: {} }),
  'POST /articles/{id}/archive': async (f) => ({ id: await article(f, { publish: true, visibility: 'public' }), body: {} }),
  'POST /articles/{id}/verify': async (f) => ({ id: await sharedArticle(f), body: {} }),
  'POST /articles/{id}/verify · an article they own': async (f, who) => ({
    id: await article(f, { publish: true, visibility: 'public', owner: staffOf(f, who).id }),
    body: {},
  }),
  'GET /articles/{id}/versions': async (f) => ({ id: await sharedArticle(f), params: {}, query: '?language=en' }),
  'GET /articles/{id}/versions/{number}': async (f) => ({ id: await sharedArticle(f), params: { number: '1' }, query: '?language=en' }),
  'POST /articles/{id}/versions/{number}/restore': async (f) => ({ id: await article(f, { publish: true, visibility: 'public' }), params: { number: '1' }, body: { language: 'en' } }),
  'GET /articles/{id}/diff': async (f) => ({ id: await sharedArticle(f), query: '?language=en&from=1&to=1' }),
  'GET /articles/{id}/events': async (f) => ({ id: await sharedArticle(f) }),
  'POST /articles/{id}/proposals': async (f) => ({ id: await sharedArticle(f), body: { language: 'en', title: 'Clearer', body: 'Clearer steps.' } }),
  'GET /article-proposals': () => ({}),
  'GET /article-proposals/{id}': async (f) => ({ id: await proposal(f) }),
  'GET /article-proposals/{id}/diff': async (f) => ({ id: await proposal(f) }),
  'POST /article-proposals/{id}/accept': async (f) => ({ id: await proposal(f), body: {} }),
  'POST /article-proposals/{id}/reject': async (f) => ({ id: await proposal(f), body: { note: 'no' } }),
  'GET /article-categories': () => ({}),
  'POST /article-categories': (f) => ({ body: { names: { en: `${f.tag} category ${f.uniq()}` } } }),
  'PATCH /article-categories/{id}': async (f) => ({ id: await category(f), body: { position: 2 } }),
  'DELETE /article-categories/{id}': async (f) => ({ id: await category(f) }),
  'GET /knowledge-managers': () => ({}),
  'PUT /knowledge-managers/{userId}': (f) => ({ params: { userId: f.colleague.id }, body: {} }),
  'DELETE /knowledge-managers/{userId}': (f) => ({ params: { userId: f.colleague.id } }),
  'GET /knowledge/verification-report': () => ({}),
  'GET /knowledge/notifications': () => ({}),
  'POST /knowledge/notifications/{id}/read · one of theirs': async (f, who) => ({ id: await notification(f, staffOf(f, who).id), body: {} }),
  'GET /search': (f) => ({ query: `?q=${encodeURIComponent(f.tag)}` }),
  'GET /tickets/{id}/suggestions': (f) => ({ id: f.ownTicket.id }),
  'POST /tickets/{id}/suggestions/uses': async (f) => ({ id: f.ownTicket.id, body: { articleId: await sharedArticle(f), action: 'opened' } }),
  'GET /knowledge/content-gaps': () => ({}),
  'POST /tickets/{id}/messages/{messageId}/article-draft': async (f) => ({
    id: f.ownTicket.id,
    params: { messageId: (await f.users.admin.req('POST', `/tickets/${f.ownTicket.id}/messages`, { body: 'Clear the cache, then sign in again.', visibility: 'internal' })).body.id },
    body: {},
  }),
  'GET /automations': () => ({}),
  'POST /automations': (f) => ({ body: { name: `${f.tag} auto ${f.uniq()}`, enabled: false, conditions: { statuses: ['pending'], hoursSinceUpdated: 168 }, actions: [{ type: 'set_status', value: 'closed' }] } }),
  'GET /automations/{id}': (f) => ({ id: f.automationId }),
  'PATCH /automations/{id}': (f) => ({ id: f.automationId, body: { description: 'Closes idle pending tickets.' } }),
  'PUT /automations/order': async (f) => ({ body: { ids: await currentOrder(f, '/automations') } }),
  'GET /webhooks': () => ({}),
  'POST /webhooks': (f) => ({ body: { name: `${f.tag} hook ${f.uniq()}`, url: 'http://127.0.0.1:9/hook', events: ['sla.breached'], enabled: false } }),
  'GET /webhooks/{id}': (f) => ({ id: f.webhookId }),
  'PATCH /webhooks/{id}': (f) => ({ id: f.webhookId, body: { name: `${f.tag} hook renamed` } }),
  'DELETE /webhooks/{id}': async (f) => ({
    id: (await f.users.admin.req('POST', '/webhooks', { name: `${f.tag} doomed ${f.uniq()}`, url: 'http://127.0.0.1:9/x', events: ['ticket.created'], enabled: false })).body.id,
  }),
  'GET /webhooks/{id}/deliveries': (f) => ({ id: f.webhookId }),
  'POST /webhooks/{id}/secret': (f) => ({ id: f.webhookId, body: {} }),
  'POST /webhooks/{id}/deliveries/{deliveryId}/redeliver': async (f) => {
    const { id, deliveryId } = await pinged(f);
    return { id, params: { deliveryId }, body: {} };
  },
  'POST /webhooks/{id}/test': async (f) => ({ id: (await pinged(f)).id, body: {} }),
  'GET /macros': () => ({ query: '?q=thanks' }),
  'POST /macros': (f) => ({ body: { title: `mine ${f.uniq()}`, bodyFr: 'Bonjour {{customer.first_name}}' } }),
  'POST /macros · shared with the workspace': (f) => ({ body: { title: `shared ${f.uniq()}`, bodyEn: 'Hello', shared: true } }),
  'GET /macros/{id} · a shared macro': (f) => ({ id: f.macroId }),
  "GET /macros/{id} · a colleague's macro": async (f) => ({ id: (await f.colleague.req('POST', '/macros', { title: `theirs ${f.uniq()}`, bodyEn: 'x' })).body.id }),
  'PATCH /macros/{id} · their own macro': async (f, who) => ({
    id: (await staffOf(f, who).req('POST', '/macros', { title: `own ${f.uniq()}`, bodyEn: 'x' })).body.id,
    body: { title: `renamed ${f.uniq()}` },
  }),
  'PATCH /macros/{id} · a shared macro': (f) => ({ id: f.macroId, body: { bodyFr: 'Merci {{customer.first_name}}.' } }),
  'DELETE /macros/{id} · their own macro': async (f, who) => ({ id: (await staffOf(f, who).req('POST', '/macros', { title: `doomed ${f.uniq()}`, bodyEn: 'x' })).body.id }),
  'DELETE /macros/{id} · a shared macro': async (f) => ({ id: (await f.users.admin.req('POST', '/macros', { title: `doomed ${f.uniq()}`, bodyEn: 'x', shared: true })).body.id }),
  'POST /tickets/{id}/macros/{macroId}/preview': (f) => ({ id: f.ownTicket.id, params: { macroId: f.macroId }, body: {} }),
  'POST /tickets/{id}/macros/{macroId}/apply · text only': (f) => ({ id: f.ownTicket.id, params: { macroId: f.macroId }, body: {} }),
  'POST /tickets/{id}/macros/{macroId}/apply · with actions': async (f) => ({
    id: (await f.ticket()).id,
    params: { macroId: (await f.users.admin.req('POST', '/macros', { title: `tag ${f.uniq()}`, bodyEn: 'x', actions: { addTags: ['seen'] }, shared: true })).body.id },
    body: {},
  }),
  'GET /tickets/{id}/follow': (f) => ({ id: f.ownTicket.id }),
  'PUT /tickets/{id}/follow': (f) => ({ id: f.ownTicket.number.toString(), body: {} }),
  'DELETE /tickets/{id}/follow': (f) => ({ id: f.ownTicket.id }),
  'GET /notifications/count': () => ({}),
  'POST /notifications/all/read': () => ({ body: {} }),
  'GET /ticket-categories': () => ({}),
  'POST /ticket-categories': (f) => ({ body: { key: `k${f.uniq()}`, names: { en: `${f.tag} request category ${f.uniq()}` } } }),
  'PATCH /ticket-categories/{id}': async (f) => ({ id: await ticketCategory(f), body: { position: 3 } }),
  'DELETE /ticket-categories/{id}': async (f) => ({ id: await ticketCategory(f) }),
  'GET /knowledge/deflection-report': () => ({}),
  'DELETE /automations/{id}': async (f) => ({
    id: (await f.users.admin.req('POST', '/automations', { name: `${f.tag} doomed ${f.uniq()}`, enabled: false, conditions: { statuses: ['open'], hoursSinceCreated: 1 }, actions: [{ type: 'add_tags', tags: ['x'] }] })).body.id,
  }),
};

const WEEKDAYS_9_TO_5 = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '17:00' }]]));

/** A new article written (and maybe published) through the API; returns its id. */
async function article(f: Fixture, o: { publish?: boolean; visibility?: 'public' | 'internal'; by?: Caller; owner?: string } = {}): Promise<string> {
  const by = o.by ?? f.users.admin;
  const r = await by.req('POST', '/articles', {
    translations: { en: { title: `${f.tag} article ${f.uniq()}`, body: 'Line one.\nLine two.' } },
    visibility: o.visibility ?? 'internal',
    ...(o.owner ? { ownerUserId: o.owner } : {}),
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  if (o.publish) assert.equal((await f.users.admin.req('POST', `/articles/${r.body.id}/publish`, {})).status, 200);
  return r.body.id;
}

/** One published public article per fixture for the rows that only read it (or add to it). */
const shared = new WeakMap<Fixture, Promise<string>>();
function sharedArticle(f: Fixture): Promise<string> {
  if (!shared.has(f)) shared.set(f, article(f, { publish: true, visibility: 'public' }));
  return shared.get(f)!;
}

async function proposal(f: Fixture): Promise<string> {
  const id = await sharedArticle(f);
  const r = await f.users.light_agent.req('POST', `/articles/${id}/proposals`, { language: 'en', title: 'Proposed', body: 'Proposed body.' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

async function category(f: Fixture): Promise<string> {
  const r = await f.users.admin.req('POST', '/article-categories', { names: { en: `${f.tag} category ${f.uniq()}` } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

/** An enabled webhook (on an event the matrix never raises; nothing delivers here) with one delivery: a ping. */
async function pinged(f: Fixture): Promise<{ id: string; deliveryId: string }> {
  const hook = await f.users.admin.req('POST', '/webhooks', { name: `${f.tag} live hook ${f.uniq()}`, url: 'http://127.0.0.1:9/hook', events: ['sla.breached'] });
  assert.equal(hook.status, 201, JSON.stringify(hook.body));
  const ping = await f.users.admin.req('POST', `/webhooks/${hook.body.id}/test`, {});
  assert.equal(ping.status, 202, JSON.stringify(ping.body));
  return { id: hook.body.id, deliveryId: ping.body.id };
}

async function ticketCategory(f: Fixture): Promise<string> {
  const r = await f.users.admin.req('POST', '/ticket-categories', { key: `c${f.uniq()}`, names: { en: `${f.tag} request category ${f.uniq()}` } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

async function notification(f: Fixture, userId: string): Promise<string> {
  const id = f.t.deps.ids.uuid();
  await f.t.deps.store.knowledge.insertNotification({ id, workspaceId: f.ws.id, userId, kind: 'article.verification_due', articleId: null, data: {}, createdAt: new Date(), readAt: null });
  return id;
}

/** A message with a stored attachment on the fixture's own ticket (the email intake's way). */
async function attachmentOn(f: Fixture, visibility: 'public' | 'internal'): Promise<Record<string, string>> {
  const d = f.t.deps;
  const content = Buffer.from(`${f.tag} attachment`);
  const sha256 = (await import('node:crypto')).createHash('sha256').update(content).digest('hex');
  const now = new Date();
  await d.store.blobs.put(f.ws.id, sha256, content, now);
  const attachmentId = d.ids.uuid();
  const m = await d.store.messages.insert(
    { id: d.ids.uuid(), workspaceId: f.ws.id, ticketId: f.ownTicket.id, authorId: null, visibility, channel: 'email', bodyText: 'See attached.', bodyHtml: null, createdAt: now },
    [{ id: attachmentId, filename: 'notes.txt', contentType: 'text/plain', sizeBytes: content.length, sha256, storageKey: `blob:${sha256}`, inline: false }],
  );
  return { messageId: m.id, attachmentId };
}

async function send(f: Fixture, row: string, who: Who, idOverride?: string): Promise<{ res: Res; url: string }> {
  const [method, path] = opOf(row).split(' ') as [string, string];
  const r = await REQUESTS[row]!(f, who);
  const id = idOverride ?? r.id;
  if (path.includes('{id}')) assert.ok(id, `${row} names a record`);
  let url = path.replace('{id}', id ?? '');
  for (const [k, v] of Object.entries(r.params ?? {})) url = url.replace(`{${k}}`, v);
  url += r.query ?? '';
  const res = await (r.as ?? f.req(who))(method as 'GET', url, r.body);
  return { res, url };
}

function check(res: Res, expected: Outcome, success: number, label: string) {
  if (expected === 'ok') {
    assert.equal(res.status, success, `${label}: expected ${success}, got ${res.status} ${JSON.stringify(res.body)}`);
  } else {
    assert.equal(res.status, expected, `${label}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`);
    assertError(res, expected, ERROR_OF[expected]);
  }
}

for (const kind of testDbKinds()) {
  describe(`authorization on ${kind}`, () => {
    let t: TestApp;
    let ops: Operation[];
    let seen: ReturnType<typeof recordResponses>;
    before(async () => {
      t = await startTestApp(kind);
      seen = recordResponses(t);
      ops = await openApiOperations(t);
    });
    after(async () => {
      await t.close();
    });

    it('has a matrix row and a request for every endpoint of the OpenAPI document, and no other', () => {
      const documented = ops.map((o) => o.key).sort();
      const covered = [...new Set(MATRIX.map(([row]) => opOf(row)))].sort();
      assert.deepEqual(covered, documented, 'every documented endpoint has a row in MATRIX (and every row a documented endpoint)');
      assert.deepEqual(Object.keys(REQUESTS).sort(), MATRIX.map(([row]) => row).sort(), 'every row has a request in REQUESTS');
      assert.equal(new Set(MATRIX.map(([row]) => row)).size, MATRIX.length, 'rows are unique');
    });

    it('answers every role on every endpoint as the matrix says', async () => {
      const f = await fixture(t, 'Alpha');
      const failures: string[] = [];
      for (const [row, ...expected] of MATRIX) {
        const op = ops.find((o) => o.key === opOf(row))!;
        for (const [i, who] of WHO.entries()) {
          const { res, url } = await send(f, row, who);
          try {
            check(res, expected[i]!, op.success, `${row} as ${who}`);
          } catch (e) {
            failures.push(`${row} as ${who} (${url}): ${(e as Error).message.split('\n')[0]}`);
          }
        }
      }
      assert.deepEqual(failures, [], `\n${failures.join('\n')}`);
    });

    it('a customer sees only their own tickets, and their organization\'s only when it shares them', async () => {
      const ws = await newWorkspace(t);
      const admin = ws.admin;
      const org = (await admin.req('POST', '/organizations', { name: 'Acme', domains: ['acme.test'] })).body;
      const alice = await ws.as('customer', { organizationId: org.id, email: 'alice@acme.test' });
      const bob = await ws.as('customer', { organizationId: org.id, email: 'bob@acme.test' });
      const carol = await ws.as('customer', { email: 'carol@elsewhere.test' });
      const open = async (c: Caller, subject: string) => {
        const r = await c.req('POST', '/tickets', { subject, body: `${subject}, please help.` });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body;
      };
      const a1 = await open(alice, 'Printer broken');
      const a2 = (await admin.req('POST', '/tickets', { subject: 'Printer invoice', body: 'Logged by phone.', requester: { id: alice.id } })).body;
      const b1 = await open(bob, 'Printer toner');
      const c1 = await open(carol, 'Printer jam');
      assert.equal(b1.organizationId, org.id);
      await admin.req('POST', `/tickets/${a1.number}/messages`, { body: 'Confidential margin note', visibility: 'internal' });
      await admin.req('POST', `/tickets/${b1.number}/messages`, { body: 'Toner ships Monday.' });
      await admin.req('POST', `/tickets/${b1.number}/messages`, { body: 'Bob is a reseller', visibility: 'internal' });

      const numbers = async (c: Caller, query = '') => {
        const r = await c.req('GET', `/tickets?limit=200&sort=number&order=asc${query}`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return r.body.items.map((i: any) => i.number);
      };
      const q = (text: string) => `&q=${encodeURIComponent(text)}`;

      // Without sharing: their own tickets only, whatever the filters and the search say.
      assert.deepEqual(await numbers(alice), [a1.number, a2.number]);
      assert.deepEqual(await numbers(alice, q('printer')), [a1.number, a2.number]);
      assert.deepEqual(await numbers(alice, q('toner')), []);
      assert.deepEqual(await numbers(alice, q(`#${b1.number}`)), []);
      assert.deepEqual(await numbers(alice, q(String(c1.number))), []);
      assert.deepEqual(await numbers(alice, q('confidential')), [], 'internal notes are not searched for customers');
      assert.deepEqual(await numbers(admin, q('confidential')), [a1.number]);
      assert.deepEqual(await numbers(alice, `&requesterId=${bob.id}`), []);
      assert.deepEqual(await numbers(alice, `&organizationId=${org.id}`), [a1.number, a2.number]);
      assert.deepEqual(await numbers(carol), [c1.number]);

      // Another customer's ticket answers exactly like a missing one, by number and by id.
      const missingId = '01900000-0000-7000-8000-000000000000';
      const shape = (r: Res, ref: string) => ({
        status: r.status,
        code: r.body.error?.code,
        message: String(r.body.error?.message).replace(ref, '<ref>'),
        details: r.body.error?.details,
        keys: Object.keys(r.body.error ?? {}).sort(),
      });
      const hidden = async (c: Caller, tk: any) => {
        for (const [ref, missing] of [[String(tk.number), '99999'], [tk.id, missingId]] as const) {
          for (const [method, suffix, body] of [
            ['GET', '', undefined],
            ['GET', '/messages', undefined],
            ['GET', '/events', undefined],
            ['POST', '/messages', { body: 'Me too!' }],
            ['PATCH', '', { status: 'solved' }],
          ] as const) {
            const got = await c.req(method, `/tickets/${ref}${suffix}`, body);
            const none = await c.req(method, `/tickets/${missing}${suffix}`, body);
            assertError(got, 404, 'TICKET_NOT_FOUND');
            assert.deepEqual(shape(got, ref), shape(none, missing), `${method} /tickets/${ref}${suffix}`);
            assert.ok(!JSON.stringify(got.body).includes(tk.subject), 'nothing of the ticket leaks');
          }
        }
      };
      await hidden(alice, b1);
      await hidden(alice, c1);
      await hidden(carol, a1);

      // Their own: readable by number and id, without internal notes; the history is staff-only.
      for (const ref of [a1.number, a1.id]) {
        const r = await alice.req('GET', `/tickets/${ref}`);
        assert.equal(r.status, 200);
        assert.equal(r.body.id, a1.id);
        assert.deepEqual(r.body.permissions, { update: true, reply: true, addNote: false, viewInternal: false });
        const msgs = await alice.req('GET', `/tickets/${ref}/messages`);
        assert.deepEqual(msgs.body.items.map((m: any) => m.visibility), ['public']);
        assertError(await alice.req('GET', `/tickets/${ref}/events`), 403, 'FORBIDDEN');
      }

      // The organization shares its tickets: Alice now sees Bob's (read and reply, not change), never Carol's.
      assert.equal((await admin.req('PATCH', `/organizations/${org.id}`, { sharedTickets: true })).status, 200);
      assert.deepEqual(await numbers(alice), [a1.number, a2.number, b1.number]);
      assert.deepEqual(await numbers(alice, q('toner')), [b1.number]);
      assert.deepEqual(await numbers(alice, q('reseller')), [], 'internal notes of shared tickets are not searched either');
      assert.deepEqual(await numbers(bob), [a1.number, a2.number, b1.number]);
      assert.deepEqual(await numbers(carol), [c1.number]);
      for (const ref of [b1.number, b1.id]) {
        const r = await alice.req('GET', `/tickets/${ref}`);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body.permissions, { update: false, reply: true, addNote: false, viewInternal: false });
        const msgs = await alice.req('GET', `/tickets/${ref}/messages`);
        assert.deepEqual(msgs.body.items.map((m: any) => m.body), ['Printer toner, please help.', 'Toner ships Monday.']);
        assertError(await alice.req('GET', `/tickets/${ref}/events`), 403, 'FORBIDDEN');
      }
      assertError(await alice.req('PATCH', `/tickets/${b1.number}`, { status: 'solved' }), 403, 'FORBIDDEN');
      assert.equal((await alice.req('POST', `/tickets/${b1.number}/messages`, { body: 'Same problem here.' })).status, 201);
      await hidden(alice, c1);
      await hidden(carol, b1);

      // Sharing switched off again: back to their own.
      await admin.req('PATCH', `/organizations/${org.id}`, { sharedTickets: false });
      assert.deepEqual(await numbers(alice), [a1.number, a2.number]);
      await hidden(alice, b1);
    });

    it('answers 404 for an id of another workspace on every endpoint taking one, and changes nothing there', async () => {
      const a = await fixture(t, 'Alpha');
      const b = await fixture(t, 'Zanzibar');
      const bRule = (await b.users.admin.req('POST', '/routing/rules', { name: 'B rule', conditions: { keywords: ['zanzibar'] }, teamId: b.teamId })).body.id;
      const bKnowledge = {
        articles: await article(b, { publish: true, visibility: 'public' }),
        'article-proposals': await proposal(b),
        'article-categories': await category(b),
        knowledge: await notification(b, b.users.agent.id),
        'ticket-categories': await ticketCategory(b),
      };
      const foreign = (row: string): string => {
        const resource = opOf(row).split(' ')[1]!.split('/')[1]!;
        const ids: Record<string, string> = {
          tickets: b.ownTicket.id,
          users: b.colleague.id,
          customers: b.otherCustomerId,
          organizations: b.orgId,
          teams: b.teamId,
          skills: b.skillId,
          'custom-fields': b.fieldId,
          'api-tokens': b.adminTokenId,
          mailboxes: b.mailboxId,
          'business-calendars': b.calendarId,
          'sla-policies': b.policyId,
          triggers: b.triggerId,
          routing: bRule,
          views: b.viewId,
          ...bKnowledge,
          automations: b.automationId,
          webhooks: b.webhookId,
          macros: b.macroId,
        };
        assert.ok(ids[resource], `no record of workspace B for "${resource}": add one to this test`);
        return ids[resource];
      };
      const snapshot = async () => {
        const r = b.users.admin.req;
        const urls = [
          `/tickets/${b.ownTicket.id}`,
          `/tickets/${b.ownTicket.id}/messages`,
          `/users/${b.colleague.id}`,
          `/customers/${b.otherCustomerId}`,
          `/organizations/${b.orgId}`,
          `/teams/${b.teamId}`,
          `/skills/${b.skillId}`,
          '/custom-fields',
          '/api-tokens',
          '/workspace',
          `/business-calendars/${b.calendarId}`,
          `/sla-policies/${b.policyId}`,
          `/triggers/${b.triggerId}`,
          `/articles/${bKnowledge.articles}`,
          `/articles/${bKnowledge.articles}/versions?language=en`,
          `/article-proposals/${bKnowledge['article-proposals']}`,
          `/article-proposals/${bKnowledge['article-proposals']}/diff`,
          '/article-categories',
          `/automations/${b.automationId}`,
          `/webhooks/${b.webhookId}`,
          `/macros/${b.macroId}`,
        ];
        const out: Record<string, unknown> = {};
        for (const u of urls) {
          const res = await r('GET', u);
          assert.equal(res.status, 200, u);
          out[u] = JSON.parse(JSON.stringify(res.body, (k, v) => (k === 'lastUsedAt' || k === 'lastLoginAt' ? undefined : v)));
        }
        return out;
      };
      const markers = [b.tag, b.ws.slug, b.ws.id, b.ownTicket.subject, b.otherTicket.id, b.colleague.id, b.users.agent.id, b.orgId, b.teamId, b.skillId, b.fieldId];
      const before = await snapshot();

      let tried = 0;
      const failures: string[] = [];
      for (const [row, ...expected] of MATRIX) {
        if (!opOf(row).includes('{id}')) continue;
        for (const [i, who] of WHO.entries()) {
          if (expected[i] !== 'ok' || who === 'anonymous') continue;
          const id = foreign(row);
          const { res, url } = await send(a, row, who, id);
          tried++;
          try {
            // "Their own" rows with a foreign id are about someone else's record: when the role may
            // not touch other people's records at all, the answer is that role's 403, the same for
            // any id, existing or not, so it tells nothing about the other workspace.
            const general = MATRIX.find(([r]) => r === opOf(row));
            if (row.includes('· their own') && general && general[i + 1] !== 'ok') {
              assertError(res, general[i + 1] as number, ERROR_OF[general[i + 1] as 403]);
              const missing = await send(a, row, who, '01900000-0000-7000-8000-000000000000');
              assert.deepEqual({ ...res.body.error, requestId: 0 }, { ...missing.res.body.error, requestId: 0 });
              continue;
            }
            assertError(res, 404, /_NOT_FOUND$/);
            const text = JSON.stringify(res.body);
            for (const m of markers) if (m !== id) assert.ok(!text.includes(m), `leaks ${m}`);
          } catch (e) {
            failures.push(`${row} as ${who} (${url}): ${(e as Error).message.split('\n')[0]}`);
          }
        }
      }
      assert.deepEqual(failures, [], `\n${failures.join('\n')}`);
      assert.ok(tried >= 30, `${tried} requests with a foreign id`);
      assert.deepEqual(await snapshot(), before, 'nothing changed in the other workspace');
      assert.equal((await b.users.admin.req('GET', '/auth/me')).status, 200, "the other admin's token still works");

      // Ids inside bodies and filters are confined to the workspace too.
      const A = a.users.admin.req;
      assertError(await A('POST', '/tickets', { subject: 's', body: 'b', requester: { id: b.otherCustomerId } }), 404, 'CUSTOMER_NOT_FOUND');
      assertError(await A('POST', '/tickets', { subject: 's', body: 'b', teamId: b.teamId }), 404, 'TEAM_NOT_FOUND');
      assertError(await A('PATCH', `/tickets/${a.ownTicket.id}`, { teamId: b.teamId }), 404, 'TEAM_NOT_FOUND');
      assertError(await A('PATCH', `/tickets/${a.ownTicket.id}`, { requesterId: b.otherCustomerId }), 404, 'CUSTOMER_NOT_FOUND');
      const assign = await A('PATCH', `/tickets/${a.ownTicket.id}`, { assigneeId: b.users.agent.id });
      assert.ok(assign.status === 404 || assign.status === 422, JSON.stringify(assign.body));
      assert.ok(!JSON.stringify(assign.body).includes(b.tag));
      assertError(await A('POST', '/customers', { name: 'x', organizationId: b.orgId }), 404, 'ORGANIZATION_NOT_FOUND');
      assertError(await A('PATCH', `/customers/${a.otherCustomerId}`, { organizationId: b.orgId }), 404, 'ORGANIZATION_NOT_FOUND');
      assertError(await A('PUT', `/users/${a.colleague.id}/skills`, { skills: [{ skillId: b.skillId, proficiency: 3 }] }), 404, 'SKILL_NOT_FOUND');
      assertError(await A('PUT', `/teams/${a.teamId}/members`, { members: [{ userId: b.users.agent.id }] }), 404, 'USER_NOT_FOUND');
      assert.deepEqual((await A('GET', `/tickets?requesterId=${b.otherCustomerId}`)).body.items, []);
      assert.deepEqual((await A('GET', `/tickets?teamId=${b.teamId}`)).body.items, []);
      assert.deepEqual((await A('GET', `/users?teamId=${b.teamId}`)).body.items, []);
      assert.deepEqual((await A('GET', `/customers?organizationId=${b.orgId}`)).body.items, []);
      assert.deepEqual((await A('GET', `/audit-log?actorId=${b.users.admin.id}`)).body.items, []);
      assert.deepEqual(await snapshot(), before, 'still nothing changed in the other workspace');
      // A delivery of the other workspace cannot be redelivered through one's own webhook.
      const bDelivery = (await pinged(b)).deliveryId;
      assertError(await A('POST', `/webhooks/${(await pinged(a)).id}/deliveries/${bDelivery}/redeliver`, {}), 404, 'WEBHOOK_DELIVERY_NOT_FOUND');
    });

    it('never lists another workspace\'s records, whoever asks and whatever they search', async () => {
      const a = await fixture(t, 'Alpha');
      const b = await fixture(t, 'Zanzibar');
      await ticketCategory(b);
      const markers = [b.tag, b.ws.slug, b.ws.id, b.colleague.id, b.users.agent.id, b.users.customer.id, b.otherCustomerId, b.orgId, b.teamId, b.skillId, b.fieldId, b.ownTicket.id, b.adminTokenId];
      const lists = ops.filter((o) => o.method === 'GET' && !o.path.includes('{'));
      let checked = 0;
      for (const op of lists) {
        const params: any[] = op.op.parameters ?? [];
        const limit = params.find((p) => p.name === 'limit');
        const q = params.find((p) => p.name === 'q');
        // The largest page each list gives (its documented maximum), with and without words to find.
        const page = limit ? `limit=${limit.schema?.maximum ?? 200}` : '';
        const queries = q?.required ? [] : [page ? `?${page}` : ''];
        if (q) queries.push(`?q=${b.tag}${page ? `&${page}` : ''}`, `?q=${encodeURIComponent(b.ws.slug)}${page ? `&${page}` : ''}`);
        const row = MATRIX.find(([r]) => r === op.key);
        assert.ok(row, op.key);
        for (const [i, who] of WHO.entries()) {
          if (row[i + 1] !== 'ok' || who === 'anonymous') continue;
          for (const query of queries) {
            const res = await a.req(who)('GET', `${op.path}${query}`);
            assert.equal(res.status, 200, `${op.key}${query} as ${who}`);
            const text = JSON.stringify(res.body);
            for (const m of markers) assert.ok(!text.includes(m), `${op.key}${query} as ${who} shows ${m} of another workspace`);
            checked++;
          }
        }
      }
      assert.ok(checked >= 40, `${checked} lists checked`);
      // The other workspace does see its own records through the same lists.
      const own = await b.users.admin.req('GET', `/tickets?q=${b.tag}&limit=200`);
      assert.ok(own.body.items.length >= 2);
    });

    it('never answers with a password or token hash', () => {
      assertNoSecrets(seen, [PASSWORD]);
    });
  });
}
