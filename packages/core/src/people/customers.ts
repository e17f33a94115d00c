import type { CreateCustomerInput, UpdateCustomerInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { PageRequest, Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { authorize } from '../identity/permissions.ts';
import { decodeCursor, toPage } from '../shared/cursor.ts';
import { recordEvent } from '../shared/record.ts';
import type { User } from './types.ts';

/** The customer for an address, created on first contact and matched case-insensitively. */
export async function findOrCreateCustomer(
  deps: Deps,
  ctx: Ctx,
  tx: Repositories,
  who: { email: string; name?: string | undefined; language?: string | null | undefined },
  now: Date,
): Promise<User> {
  const email = who.email.toLowerCase();
  const existing = await findCustomerByEmail(ctx, tx, email);
  if (existing) return existing;
  const domain = email.split('@')[1] ?? '';
  const org = domain ? await tx.organizations.findByDomain(ctx.workspaceId, domain) : null;
  // The language of their first request is the best guess of the language they want answers in.
  const locale = who.language?.toLowerCase().startsWith('fr') ? 'fr' : 'en';
  const user = await tx.users.insert(
    newCustomer(deps, ctx, { email, name: who.name ?? nameFromEmail(email), organizationId: org?.id ?? null, locale }, now),
  );
  await recordEvent(tx, ctx, now, 'user', user.id, 'customer.created', { email, organizationId: user.organizationId, via: 'first_contact' });
  return user;
}

/** The person of this workspace with this address (matched case-insensitively), if any. */
export function findCustomerByEmail(ctx: Ctx, repos: Repositories, email: string): Promise<User | null> {
  return repos.users.findByEmail(ctx.workspaceId, email.toLowerCase());
}

function nameFromEmail(email: string): string {
  const local = email.split('@')[0] ?? email;
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join(' ') || email;
}

function newCustomer(
  deps: Deps,
  ctx: Ctx,
  f: { email: string | null; name: string; organizationId: string | null; phone?: string | null; locale?: string; notes?: string | null },
  now: Date,
): User {
  return {
    id: deps.ids.uuid(),
    workspaceId: ctx.workspaceId,
    role: 'customer',
    email: f.email,
    name: f.name,
    passwordHash: null,
    status: 'active',
    locale: f.locale ?? 'en',
    timeZone: 'UTC',
    languages: [],
    organizationId: f.organizationId,
    phone: f.phone ?? null,
    notes: f.notes ?? null,
    capacity: null,
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
  };
}

export async function createCustomer(deps: Deps, ctx: Ctx, input: CreateCustomerInput): Promise<User> {
  authorize(ctx.actor, 'customers:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    if (input.email && (await tx.users.findByEmail(ctx.workspaceId, input.email))) {
      throw new AppError('EMAIL_TAKEN', `Someone in this workspace already uses ${input.email}.`);
    }
    let organizationId = input.organizationId ?? null;
    if (organizationId && !(await tx.organizations.findById(ctx.workspaceId, organizationId))) {
      throw new AppError('ORGANIZATION_NOT_FOUND', 'The organization does not exist.');
    }
    // An explicit null means "no organization"; only an absent one is guessed from the domain.
    if (input.organizationId === undefined && input.email) {
      organizationId = (await tx.organizations.findByDomain(ctx.workspaceId, input.email.split('@')[1] ?? ''))?.id ?? null;
    }
    const user = await tx.users.insert(
      newCustomer(deps, ctx, { email: input.email ?? null, name: input.name, organizationId, phone: input.phone ?? null, locale: input.locale, notes: input.notes ?? null }, now),
    );
    await recordEvent(tx, ctx, now, 'user', user.id, 'customer.created', { email: user.email, organizationId });
    return user;
  });
}

export async function getCustomer(deps: Deps, ctx: Ctx, id: string): Promise<User> {
  authorize(ctx.actor, 'customers:read');
  const user = await deps.store.users.findById(ctx.workspaceId, id);
  if (!user || user.role !== 'customer') throw new AppError('CUSTOMER_NOT_FOUND', 'Customer not found.');
  return user;
}

export async function updateCustomer(deps: Deps, ctx: Ctx, id: string, input: UpdateCustomerInput): Promise<User> {
  authorize(ctx.actor, 'customers:manage');
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const user = await tx.users.findById(ctx.workspaceId, id);
    if (!user || user.role !== 'customer') throw new AppError('CUSTOMER_NOT_FOUND', 'Customer not found.');
    if (input.email && input.email !== user.email) {
      const other = await tx.users.findByEmail(ctx.workspaceId, input.email);
      if (other) throw new AppError('EMAIL_TAKEN', `Someone in this workspace already uses ${input.email}.`);
    }
    if (input.organizationId && !(await tx.organizations.findById(ctx.workspaceId, input.organizationId))) {
      throw new AppError('ORGANIZATION_NOT_FOUND', 'The organization does not exist.');
    }
    const updated = await tx.users.update(ctx.workspaceId, id, { ...input, updatedAt: now });
    await recordEvent(tx, ctx, now, 'user', id, 'customer.updated', changesOf(user, input));
    if (input.status === 'suspended') await tx.sessions.deleteForUser(ctx.workspaceId, id);
    return updated;
  });
}

export async function listCustomers(
  deps: Deps,
  ctx: Ctx,
  q: { limit: number; cursor?: string | undefined; q?: string | undefined; organizationId?: string | undefined },
) {
  authorize(ctx.actor, 'customers:read');
  const page: PageRequest = { limit: q.limit + 1 };
  if (q.cursor) page.after = decodeCursor(q.cursor, 'created_at', 'desc');
  const rows = await deps.store.users.list(
    ctx.workspaceId,
    { roles: ['customer'], ...(q.q ? { text: q.q } : {}), ...(q.organizationId ? { organizationId: q.organizationId } : {}) },
    page,
  );
  return toPage(rows, q.limit, (u) => ({ sort: 'created_at', order: 'desc', value: u.createdAt.toISOString(), id: u.id }));
}

export function changesOf<T extends object>(before: T, input: Partial<T>): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const [k, to] of Object.entries(input)) {
    if (k === 'password' || k === 'passwordHash') {
      out[k] = { from: '[redacted]', to: '[redacted]' };
      continue;
    }
    const from = (before as Record<string, unknown>)[k];
    if (JSON.stringify(from) !== JSON.stringify(to)) out[k] = { from, to };
  }
  return out;
}
