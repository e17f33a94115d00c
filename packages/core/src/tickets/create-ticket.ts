import type { CreateTicketInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { authorize, can } from '../identity/permissions.ts';
import { findOrCreateCustomer } from '../people/customers.ts';
import { checkAssignee } from './assignment.ts';
import { normalizeTags, validateCustomFields } from './rules.ts';
import { ticketAccess } from './policy.ts';
import type { Ticket, TicketView } from './types.ts';
import type { TicketAccess } from './policy.ts';

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
  const actor = ctx.actor;
  const isCustomer = actor.role === 'customer';
  return deps.store.transaction(async (tx) => {
    const requester = await resolveRequester(deps, ctx, tx, input, now);
    if (input.assigneeId) await checkAssignee(tx, ctx.workspaceId, input.assigneeId, input.teamId ?? null);
    if (input.teamId && !(await tx.teams.findById(ctx.workspaceId, input.teamId))) {
      throw new AppError('TEAM_NOT_FOUND', 'The team given for this ticket does not exist.');
    }
    const defs = await tx.customFields.list(ctx.workspaceId);
    const status = input.status ?? (input.assigneeId ? 'open' : 'new');
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
    };
    const messageId = deps.ids.uuid();
    const created = await tx.tickets.create({
      ticket,
      message: {
        id: messageId,
        workspaceId: ctx.workspaceId,
        ticketId: ticket.id,
        authorId: actor.userId ?? requester.id,
        visibility: input.firstMessageVisibility,
        channel: ticket.channel,
        bodyText: input.body,
        bodyHtml: input.bodyHtml ?? null,
        createdAt: now,
      },
      attachments: input.attachments.map((a) => ({ ...a, id: deps.ids.uuid() })),
      event: {
        workspaceId: ctx.workspaceId,
        subjectType: 'ticket',
        subjectId: ticket.id,
        actor: { type: actor.type, id: actor.userId },
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
          messageId,
        },
        requestId: ctx.requestId,
        createdAt: now,
      },
    });
    const view: TicketView = {
      ...created,
      requester: { id: requester.id, name: requester.name, email: requester.email },
    };
    return { ticket: view, access: ticketAccess(actor, view) };
  });
}

async function resolveRequester(deps: Deps, ctx: Ctx, tx: Repositories, input: CreateTicketInput, now: Date) {
  const actor = ctx.actor;
  if (actor.role === 'customer') {
    const self = actor.userId ? await tx.users.findById(ctx.workspaceId, actor.userId) : null;
    if (!self) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.');
    const r = input.requester;
    if (r && ('id' in r ? r.id !== self.id : r.email !== self.email)) {
      throw new AppError('FORBIDDEN', 'Customers open tickets in their own name only.');
    }
    return self;
  }
  const r = input.requester;
  if (!r) {
    if (!actor.userId) throw new AppError('VALIDATION_FAILED', 'A requester is needed.', { issues: [{ path: ['requester'], message: 'required' }] });
    const self = await tx.users.findById(ctx.workspaceId, actor.userId);
    if (!self) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.');
    return self;
  }
  if ('id' in r) {
    const user = await tx.users.findById(ctx.workspaceId, r.id);
    if (!user) throw new AppError('CUSTOMER_NOT_FOUND', 'The requester given for this ticket does not exist.');
    return user;
  }
  return findOrCreateCustomer(deps, ctx, tx, { email: r.email, name: r.name }, now);
}
