import type { CreateTicketInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { NewEvent, Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { authorize, can } from '../identity/permissions.ts';
import { findCustomerByEmail, findOrCreateCustomer } from '../people/customers.ts';
import type { CustomField, User } from '../people/types.ts';
import { checkAssignee } from './assignment.ts';
import { notifyAssigned } from '../notifications/notify.ts';
import { routeTicketJob } from '../routing/route-ticket.ts';
import { normalizeTags, validateCustomFields } from './rules.ts';
import { ticketAccess } from './policy.ts';
import type { Ticket, TicketView } from './types.ts';
import type { TicketAccess } from './policy.ts';
import { enabledPolicies, slaOnTicketCreated } from '../sla/track.ts';
import { ruleSetListens, ruleSetUnder, runTriggers } from '../triggers/run.ts';
import { readConfigVersion, type ConfigVersion } from '../shared/config-cache.ts';
import { checkTicketCategory } from './categories.ts';
import { messageHtml } from './message-body.ts';
import { queueReplyEmail } from '../email/outbound.ts';

const STAFF_ONLY_FIELDS = ['assigneeId', 'teamId', 'status', 'priority', 'tags'] as const;

export async function createTicket(
  deps: Deps,
  ctx: Ctx,
  input: CreateTicketInput,
): Promise<{ ticket: TicketView; access: TicketAccess }> {
  const actor = ctx.actor;
  authorize(actor, 'tickets:create');
  const isCustomer = actor.role === 'customer';

  if (!can(actor, 'tickets:update')) {
    // Customers and light agents describe the request; triage belongs to agents.
    const defaults: Record<string, unknown> = { priority: 'normal', tags: [] };
    for (const f of STAFF_ONLY_FIELDS) {
      const v = input[f];
      if (v !== undefined && v !== null && JSON.stringify(v) !== JSON.stringify(defaults[f])) {
        throw new AppError('FORBIDDEN', `Your role (${actor.role}) cannot set "${f}" on a new ticket.`);
      }
    }
  }
  if (isCustomer && input.firstMessageVisibility === 'internal') {
    throw new AppError('FORBIDDEN', 'Customers cannot write internal notes.');
  }
  if (input.emailRequester) {
    if (!can(actor, 'tickets:reply')) throw new AppError('FORBIDDEN', `Your role (${actor.role}) cannot email customers.`);
    if (input.firstMessageVisibility !== 'public') {
      throw new AppError('VALIDATION_FAILED', 'Only a public first message can be emailed to the requester.', { issues: [{ path: ['emailRequester'], message: 'needs firstMessageVisibility "public"' }] });
    }
  }

  const now = deps.clock.now();
  try {
    return await insertTicket(deps, ctx, input, now);
  } catch (e) {
    // Two first messages from one new address at the same moment: both transactions miss the
    // customer, one creates it and the other hits the unique address (EMAIL_TAKEN) and rolls back
    // whole. Run that one again: it finds the customer the first one created.
    if (e instanceof AppError && e.code === 'EMAIL_TAKEN' && !isCustomer && input.requester && 'email' in input.requester) {
      return insertTicket(deps, ctx, input, now);
    }
    throw e;
  }
}

async function insertTicket(
  deps: Deps,
  ctx: Ctx,
  input: CreateTicketInput,
  now: Date,
): Promise<{ ticket: TicketView; access: TicketAccess }> {
  let cfg: ConfigVersion | undefined;
  if (input.attachments.length === 0 && !input.assigneeId && !input.emailRequester && !(input.requester && 'id' in input.requester)) {
    // The common case, without BEGIN and COMMIT: two queries (the requester, then the INSERT)
    // instead of five. The ticket, its first message and its creation event are one INSERT
    // statement (see TicketRepository.create), atomic on its own; the reads before it lock
    // nothing, exactly as inside a READ COMMITTED transaction. So when the requester already
    // exists, the reads run side by side without a transaction, then the statement runs alone.
    // A requester to create, an assignee to check or attachments (a second statement) take the
    // transaction below.
    const [requester, team, defs, sla] = await inOrder([
      lookUpRequester(ctx, deps.store, input),
      input.teamId ? deps.store.teams.findById(ctx.workspaceId, input.teamId) : Promise.resolve(null),
      needsDefinitions(input) ? deps.store.customFields.list(ctx.workspaceId) : Promise.resolve([]),
      // SLA clocks, triggers and webhooks write more: a workspace with any takes the transaction
      // below. What it has is kept under its configuration version (one small read).
      readConfigVersion(deps.store, ctx.workspaceId).then(async (cfg) => {
        const [policies, rules] = await Promise.all([enabledPolicies(deps.store, ctx.workspaceId, cfg), ruleSetUnder(deps.store, ctx.workspaceId, cfg.version)]);
        return { cfg, any: policies.length > 0 || ruleSetListens(rules, 'ticket.created') };
      }),
      input.categoryId ? checkTicketCategory(deps.store, ctx, input.categoryId) : Promise.resolve(null),
    ] as const);
    if (requester && !sla.any) {
      if (input.teamId && !team) throw new AppError('TEAM_NOT_FOUND', 'The team given for this ticket does not exist.');
      return writeTicket(deps, ctx, deps.store, input, requester, defs, now, false);
    }
    cfg = sla.cfg;
  }
  return deps.store.transaction(async (tx) => {
    const requester = await resolveRequester(deps, ctx, tx, input, now);
    if (input.assigneeId) await checkAssignee(tx, ctx.workspaceId, input.assigneeId, input.teamId ?? null);
    if (input.teamId && !(await tx.teams.findById(ctx.workspaceId, input.teamId))) {
      throw new AppError('TEAM_NOT_FOUND', 'The team given for this ticket does not exist.');
    }
    if (input.categoryId) await checkTicketCategory(tx, ctx, input.categoryId);
    const defs = needsDefinitions(input) ? await tx.customFields.list(ctx.workspaceId) : [];
    const created = await writeTicket(deps, ctx, tx, input, requester, defs, now, cfg ?? (await readConfigVersion(tx, ctx.workspaceId)));
    // Created already assigned (by a person): tell the assignee, unless they took it themselves.
    if (input.assigneeId) await notifyAssigned(deps, tx, null, created.ticket, { id: ctx.actor.userId, name: ctx.actor.name }, now);
    if (input.emailRequester) await emailFirstMessage(deps, tx, ctx, created.ticket);
    return created;
  });
}

/**
 * Whether validating the custom fields needs the workspace's definitions: only when values are
 * given, or when the ticket is created solved (every required field must then have a value).
 * Otherwise the validation passes whatever the definitions are, and their query is skipped.
 */
function needsDefinitions(input: CreateTicketInput): boolean {
  return Object.keys(input.customFields).length > 0 || statusOf(input) === 'solved';
}

function statusOf(input: CreateTicketInput): Exclude<Ticket['status'], 'closed'> {
  return input.status ?? (input.assigneeId ? 'open' : 'new');
}

/**
 * Wait for every promise, then answer their values or throw the first error in list order (not
 * in time order), so that checks run side by side fail exactly as they would one after another.
 */
async function inOrder<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

async function writeTicket(
  deps: Deps,
  ctx: Ctx,
  repos: Repositories,
  input: CreateTicketInput,
  requester: User,
  defs: CustomField[],
  now: Date,
  /** The configuration to start SLA clocks and run triggers under; none: the workspace has none to apply. */
  cfg: ConfigVersion | false,
): Promise<{ ticket: TicketView; access: TicketAccess }> {
  const actor = ctx.actor;
  const isCustomer = actor.role === 'customer';
  const status = statusOf(input);
  // Required fields are required to solve, as agents expect; a new request may still lack them.
  const customFields = validateCustomFields(defs, input.customFields, { requireAll: status === 'solved' });

  const ticket: Omit<Ticket, 'number' | 'version'> = {
    id: deps.ids.uuid(),
    workspaceId: ctx.workspaceId,
    subject: input.subject,
    status,
    priority: input.priority,
    channel: isCustomer && input.channel === 'api' ? 'portal' : input.channel,
    requesterId: requester.id,
    organizationId: requester.organizationId,
    assigneeId: input.assigneeId ?? null,
    teamId: input.teamId ?? null,
    tags: normalizeTags(input.tags),
    customFields,
    language: input.language ?? null,
    createdAt: now,
    updatedAt: now,
    solvedAt: status === 'solved' ? now : null,
    closedAt: null,
    categoryId: input.categoryId ?? null,
  };
  const messageId = deps.ids.uuid();
  const created = await repos.tickets.create({
    ticket,
    message: {
      id: messageId,
      workspaceId: ctx.workspaceId,
      ticketId: ticket.id,
      authorId: actor.userId ?? requester.id,
      visibility: input.firstMessageVisibility,
      // A message channel of email means it came in by mail; one support writes to send is the app's.
      channel: input.emailRequester && ticket.channel === 'email' ? 'web' : ticket.channel,
      bodyText: input.body,
      bodyHtml: messageHtml(deps, input),
      createdAt: now,
    },
    attachments: input.attachments.map((a) => ({ ...a, id: deps.ids.uuid() })),
    event: ticketCreatedEvent(ctx, ticket, messageId, now),
    job: routeTicketJob(ctx.workspaceId, ticket),
  });
  let final = created;
  if (cfg) {
    const byStaff = !isCustomer && actor.userId !== null && actor.userId !== requester.id;
    await slaOnTicketCreated(repos, ctx, created, { visibility: input.firstMessageVisibility, byStaff }, now, cfg);
    const message = { body: input.body, visibility: input.firstMessageVisibility, byStaff, channel: ticket.channel };
    if (ruleSetListens(await ruleSetUnder(repos, ctx.workspaceId, cfg.version), 'ticket.created')) {
      final = await runTriggers(deps, repos, ctx, { event: 'ticket.created', ticket: created, before: null, message }, now);
    }
  }
  const view: TicketView = {
    ...final,
    requester: { id: requester.id, name: requester.name, email: requester.email },
  };
  return { ticket: view, access: ticketAccess(actor, view) };
}

/** The requester when it exists; null for an address not known yet (the customer is then created). */
async function lookUpRequester(ctx: Ctx, repos: Repositories, input: CreateTicketInput): Promise<User | null> {
  const actor = ctx.actor;
  const r = input.requester;
  if (actor.role === 'customer') {
    const self = actor.userId ? await repos.users.findById(ctx.workspaceId, actor.userId) : null;
    if (!self) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.');
    if (r && ('id' in r ? r.id !== self.id : r.email !== self.email)) {
      throw new AppError('FORBIDDEN', 'Customers open tickets in their own name only.');
    }
    return self;
  }
  if (!r) {
    if (!actor.userId) throw new AppError('VALIDATION_FAILED', 'A requester is needed.', { issues: [{ path: ['requester'], message: 'required' }] });
    const self = await repos.users.findById(ctx.workspaceId, actor.userId);
    if (!self) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.');
    return self;
  }
  if ('id' in r) {
    const user = await repos.users.findById(ctx.workspaceId, r.id);
    if (!user) throw new AppError('CUSTOMER_NOT_FOUND', 'The requester given for this ticket does not exist.');
    return user;
  }
  return findCustomerByEmail(ctx, repos, r.email);
}

async function resolveRequester(deps: Deps, ctx: Ctx, tx: Repositories, input: CreateTicketInput, now: Date): Promise<User> {
  const r = input.requester;
  if (ctx.actor.role !== 'customer' && r && 'email' in r) return findOrCreateCustomer(deps, ctx, tx, { email: r.email, name: r.name, language: input.language }, now);
  return (await lookUpRequester(ctx, tx, input))!;
}

/** The `ticket.created` event written with a new ticket, whatever the channel that opened it. */
export function ticketCreatedEvent(
  ctx: Ctx,
  ticket: Omit<Ticket, 'number' | 'version'>,
  messageId: string,
  now: Date,
  extra: Record<string, unknown> = {},
): NewEvent {
  return {
    workspaceId: ctx.workspaceId,
    subjectType: 'ticket',
    subjectId: ticket.id,
    actor: { type: ctx.actor.type, id: ctx.actor.userId },
    type: 'ticket.created',
    data: {
      subject: ticket.subject,
      status: ticket.status,
      priority: ticket.priority,
      channel: ticket.channel,
      requesterId: ticket.requesterId,
      assigneeId: ticket.assigneeId,
      teamId: ticket.teamId,
      tags: ticket.tags,
      customFields: ticket.customFields,
      language: ticket.language,
      categoryId: ticket.categoryId,
      messageId,
      ...extra,
    },
    requestId: ctx.requestId,
    createdAt: now,
  };
}

/**
 * A ticket support opens towards a customer: its first message goes out like a reply, in the same
 * transaction. Refused, rolling the ticket back, when it cannot go: no address, no mailbox.
 */
async function emailFirstMessage(deps: Deps, tx: Repositories, ctx: Ctx, ticket: TicketView): Promise<void> {
  const [first] = await tx.messages.listForTicket(ctx.workspaceId, ticket.id, { includeInternal: false, limit: 1 });
  const queued = first ? await queueReplyEmail(deps, tx, ctx, ticket, first, { opening: true }) : null;
  if (!queued) {
    throw new AppError('VALIDATION_FAILED', 'This message cannot be emailed: the requester needs an address that accepts mail (and is not you), and the workspace an enabled mailbox.', {
      issues: [{ path: ['emailRequester'], message: 'cannot be emailed' }],
    });
  }
}

