/**
 * Shared set-up for the storage-port contract suite: one migrated database per file and per
 * adapter, and factories of plain domain objects. Everything goes through the port (`Store`);
 * only the append-only and migration tests touch SQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import {
  createUuidV7,
  type CursorPosition,
  type CustomField,
  type Mailbox,
  type Message,
  type NewEvent,
  type Organization,
  type Skill,
  type Store,
  type Team,
  type Ticket,
  type TicketRepository,
  type User,
  type Workspace,
} from '@guichet/core';
import { createStore } from '../src/store.ts';
import type { Database } from '../src/database.ts';
import { openTestDatabase, testDbKinds, type TestDbKind } from '../src/testing.ts';

export interface Harness {
  kind: TestDbKind;
  database: Database;
  store: Store;
}

/** Define the same tests once per adapter (PGlite in memory, then a fresh PostgreSQL database). */
export function describeStore(title: string, define: (h: Harness) => void, opts: { poolSize?: number } = {}): void {
  for (const kind of testDbKinds()) {
    describe(`${title} on ${kind}`, () => {
      const h = { kind } as Harness;
      before(async () => {
        h.database = await openTestDatabase(kind, opts);
        h.store = createStore(h.database.db);
      });
      after(async () => {
        await h.database?.close();
      });
      define(h);
    });
  }
}

export const ids = createUuidV7();
export const uuid = () => ids.uuid();

/** Distinct instants with millisecond precision (what JavaScript dates carry). */
const T0 = Date.UTC(2025, 2, 4, 9, 30, 15, 123);
export const at = (seconds: number) => new Date(T0 + seconds * 1000);

let counter = 0;
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 7)}`;

export function workspaceOf(over: Partial<Workspace> = {}): Workspace {
  return {
    id: uuid(),
    slug: unique('ws'),
    name: 'Acme Support',
    mailDomain: null,
    defaultLanguage: 'en',
    brandColor: null,
    logoSha256: null,
    createdAt: at(0),
    updatedAt: at(0),
    ...over,
  };
}

export async function newWorkspace(store: Store, over: Partial<Workspace> = {}): Promise<Workspace> {
  return store.workspaces.insert(workspaceOf(over));
}

export function userOf(ws: Workspace, over: Partial<User> = {}): User {
  return {
    id: uuid(),
    workspaceId: ws.id,
    role: 'agent',
    email: `${unique('user')}@example.test`,
    name: 'Alan Agent',
    passwordHash: null,
    status: 'active',
    locale: 'en',
    timeZone: 'UTC',
    languages: [],
    organizationId: null,
    phone: null,
    notes: null,
    capacity: null,
    createdAt: at(1),
    updatedAt: at(1),
    lastLoginAt: null,
    emailNotifications: false,
    ...over,
  };
}

export function mailboxOf(ws: Workspace, over: Partial<Mailbox> = {}): Mailbox {
  return {
    id: uuid(),
    workspaceId: ws.id,
    name: 'Support',
    address: `${unique('support')}@example.test`,
    kind: 'smtp',
    enabled: true,
    teamId: null,
    autoAck: false,
    floodLimitPerHour: 30,
    imapSettings: null,
    imapSecret: null,
    smtpSettings: null,
    smtpSecret: null,
    imapState: {},
    createdAt: at(0),
    updatedAt: at(0),
    ...over,
  };
}

export function organizationOf(ws: Workspace, over: Partial<Organization> = {}): Organization {
  return {
    id: uuid(),
    workspaceId: ws.id,
    name: unique('Org'),
    domains: [],
    notes: null,
    sharedTickets: false,
    createdAt: at(2),
    updatedAt: at(2),
    ...over,
  };
}

export function teamOf(ws: Workspace, over: Partial<Team> = {}): Team {
  return { id: uuid(), workspaceId: ws.id, name: unique('Team'), description: null, createdAt: at(3), updatedAt: at(3), ...over };
}

export function skillOf(ws: Workspace, over: Partial<Skill> = {}): Skill {
  return { id: uuid(), workspaceId: ws.id, name: unique('Skill'), description: null, createdAt: at(3), updatedAt: at(3), ...over };
}

export function customFieldOf(ws: Workspace, over: Partial<CustomField> = {}): CustomField {
  return {
    id: uuid(),
    workspaceId: ws.id,
    key: unique('field').replace(/-/g, '_'),
    label: 'Field',
    type: 'text',
    options: [],
    required: false,
    active: true,
    createdAt: at(4),
    updatedAt: at(4),
    ...over,
  };
}

export type CreateTicket = Parameters<TicketRepository['create']>[0];

/** The input of `tickets.create`: a ticket, its first message and its creation event. */
export function ticketInput(
  ws: Workspace,
  requester: User,
  over: Partial<Omit<Ticket, 'number' | 'version'>> = {},
  message: Partial<Omit<Message, 'attachments'>> = {},
): CreateTicket {
  const id = over.id ?? uuid();
  const createdAt = over.createdAt ?? at(10);
  return {
    ticket: {
      id,
      workspaceId: ws.id,
      subject: 'Card declined',
      status: 'new',
      priority: 'normal',
      channel: 'email',
      requesterId: requester.id,
      organizationId: requester.organizationId,
      assigneeId: null,
      teamId: null,
      tags: [],
      customFields: {},
      language: null,
      createdAt,
      updatedAt: createdAt,
      solvedAt: null,
      closedAt: null,
      categoryId: null,
      mergedIntoId: null,
      ...over,
    },
    message: {
      id: uuid(),
      workspaceId: ws.id,
      ticketId: id,
      authorId: requester.id,
      visibility: 'public',
      channel: over.channel ?? 'email',
      bodyText: 'My card is refused since this morning.',
      bodyHtml: null,
      createdAt,
      ...message,
    },
    attachments: [],
    event: eventOf(ws, { subjectType: 'ticket', subjectId: id, type: 'ticket.created', actor: { type: 'user', id: requester.id }, createdAt }),
  };
}

export function eventOf(ws: Workspace, over: Partial<NewEvent> = {}): NewEvent {
  return {
    workspaceId: ws.id,
    subjectType: 'ticket',
    subjectId: uuid(),
    actor: { type: 'system', id: null },
    type: 'test.event',
    data: {},
    requestId: null,
    createdAt: at(20),
    ...over,
  };
}

/**
 * Walk a keyset-paginated list page by page and check it against one unpaginated read: the same
 * items in the same order, so no gap and no repeat at page boundaries.
 */
export async function walkPages<T extends { id: string }>(
  fetch: (limit: number, after?: CursorPosition) => Promise<T[]>,
  position: (last: T) => CursorPosition,
  pageSize: number,
): Promise<T[]> {
  const all = await fetch(10_000);
  const walked: T[] = [];
  let after: CursorPosition | undefined;
  for (let pages = 0; ; pages++) {
    assert.ok(pages <= all.length + 1, 'pagination does not end');
    const page = await fetch(pageSize, after);
    assert.ok(page.length <= pageSize);
    walked.push(...page);
    if (page.length < pageSize) break;
    after = position(page[page.length - 1]!);
  }
  assert.deepEqual(
    walked.map((r) => r.id),
    all.map((r) => r.id),
    'pages put together equal the whole list',
  );
  assert.equal(new Set(walked.map((r) => r.id)).size, walked.length, 'no repeats');
  return walked;
}

/** Assert that `p` rejects with an AppError of this code. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.equal((e as { code?: unknown }).code, code, `expected ${code}, got ${String((e as Error)?.message ?? e)}`);
    assert.equal((e as Error).name, 'AppError');
    return true;
  });
}

export const sortedIds = (rows: Array<{ id: string }>) => rows.map((r) => r.id).sort();
