import { randomBytes } from 'node:crypto';
/**
 * A small in-memory stand-in for the storage port, for use-case tests without a database. It
 * implements only the repository methods those tests reach; any other call fails loudly rather
 * than pretending. Reads are scoped by workspace like the real adapters, and `transaction`
 * rolls every table back when the work throws.
 */
import type { Deps } from '../src/deps.ts';
import type { Organization, Team, User, Workspace, CustomField } from '../src/people/types.ts';
import type { Actor, Ctx } from '../src/shared/context.ts';
import type { Clock, PasswordHasher } from '../src/shared/ports.ts';
import { createKeyring, createUuidV7, cryptoSecrets } from '../src/shared/system.ts';
import type { NewAuditEntry, NewEvent, Repositories, Session, Store } from '../src/store.ts';
import type { Message, Ticket, TicketView } from '../src/tickets/types.ts';
import type { NewJob } from '../src/jobs/types.ts';

export interface Tables {
  workspaces: Workspace[];
  users: User[];
  organizations: Organization[];
  teams: Team[];
  teamMembers: Array<{ workspaceId: string; teamId: string; userId: string }>;
  customFields: CustomField[];
  tickets: Ticket[];
  messages: Array<Omit<Message, 'attachments'>>;
  events: NewEvent[];
  audit: NewAuditEntry[];
  sessions: Session[];
  loginAttempts: Array<{ email: string; ip: string | null; succeeded: boolean; at: Date }>;
  /** Last ticket number per workspace. */
  numbers: Record<string, number>;
  jobs: NewJob[];
  /** Content-addressed bytes, keyed `workspaceId:sha256`. */
  blobs: Map<string, Buffer>;
}

const emptyTables = (): Tables => ({
  workspaces: [],
  users: [],
  organizations: [],
  teams: [],
  teamMembers: [],
  customFields: [],
  tickets: [],
  messages: [],
  events: [],
  audit: [],
  sessions: [],
  loginAttempts: [],
  numbers: {},
  jobs: [],
  blobs: new Map(),
});

/** Records are copied in and out, as a database would, so callers cannot mutate stored state. */
const copy = <T>(v: T): T => structuredClone(v);

function unimplemented<K extends keyof Repositories>(name: K, impl: Partial<Repositories[K]>): Repositories[K] {
  return new Proxy(impl, {
    get(target, prop) {
      if (prop in target) return (target as Record<string | symbol, unknown>)[prop];
      if (typeof prop === 'symbol' || prop === 'then') return undefined;
      return () => {
        throw new Error(`fake store: ${name}.${prop} is not implemented`);
      };
    },
  }) as Repositories[K];
}

export interface FakeStore extends Store {
  tables: Tables;
}

export function fakeStore(): FakeStore {
  const db = { t: emptyTables() };
  const find = <T extends { workspaceId: string; id: string }>(rows: T[], ws: string, id: string) =>
    rows.find((r) => r.workspaceId === ws && r.id === id) ?? null;

  const view = (t: Ticket): TicketView => {
    const r = db.t.users.find((u) => u.id === t.requesterId)!;
    return { ...copy(t), requester: { id: r.id, name: r.name, email: r.email } };
  };

  const implemented: Partial<Repositories> = {
    workspaces: unimplemented('workspaces', {
      findById: async (id) => copy(db.t.workspaces.find((w) => w.id === id) ?? null),
      // '': nothing of the configuration is kept between calls (the fake has no version).
      configVersion: async () => '',
    }),
    users: unimplemented('users', {
      insert: async (u) => {
        if (u.email && db.t.users.some((x) => x.workspaceId === u.workspaceId && x.email?.toLowerCase() === u.email!.toLowerCase())) {
          throw new Error('fake store: duplicate email');
        }
        db.t.users.push(copy(u));
        return copy(u);
      },
      findById: async (ws, id) => copy(find(db.t.users, ws, id)),
      findByEmail: async (ws, email) => copy(db.t.users.find((u) => u.workspaceId === ws && u.email?.toLowerCase() === email.toLowerCase()) ?? null),
      findByEmails: async (ws, emails) => {
        const wanted = new Set(emails.map((e) => e.toLowerCase()));
        return new Map(db.t.users.filter((u) => u.workspaceId === ws && u.email && wanted.has(u.email.toLowerCase())).map((u) => [u.email!.toLowerCase(), copy(u)]));
      },
      findLoginCandidates: async (email) =>
        db.t.users
          .filter((u) => u.email?.toLowerCase() === email.toLowerCase() && u.passwordHash && u.status === 'active')
          .map((u) => ({ user: copy(u), workspace: copy(db.t.workspaces.find((w) => w.id === u.workspaceId)!) })),
      update: async (ws, id, patch) => {
        const u = find(db.t.users, ws, id);
        if (!u) throw new Error('fake store: no such user');
        Object.assign(u, copy(patch), { id: u.id, workspaceId: u.workspaceId });
        return copy(u);
      },
      teamIdsOf: async (ws, userIds) =>
        db.t.teamMembers.filter((m) => m.workspaceId === ws && userIds.includes(m.userId)).map((m) => ({ userId: m.userId, teamId: m.teamId })),
    }),
    organizations: unimplemented('organizations', {
      findById: async (ws, id) => copy(find(db.t.organizations, ws, id)),
      findByDomain: async (ws, domain) =>
        copy(db.t.organizations.find((o) => o.workspaceId === ws && o.domains.includes(domain.toLowerCase())) ?? null),
    }),
    teams: unimplemented('teams', {
      findById: async (ws, id) => copy(find(db.t.teams, ws, id)),
    }),
    customFields: unimplemented('customFields', {
      list: async (ws) => copy(db.t.customFields.filter((f) => f.workspaceId === ws)),
    }),
    jobs: unimplemented('jobs', {
      enqueue: async (job) => {
        db.t.jobs.push(copy(job));
        return db.t.jobs.length;
      },
      completeMany: async () => {},
    }),
    tickets: unimplemented('tickets', {
      create: async ({ ticket, message, event, job }) => {
        if (job) db.t.jobs.push(copy(job));
        const number = (db.t.numbers[ticket.workspaceId] ?? 0) + 1;
        db.t.numbers[ticket.workspaceId] = number;
        const stored: Ticket = { ...copy(ticket), number, version: 1 };
        db.t.tickets.push(stored);
        db.t.messages.push(copy(message));
        db.t.events.push({ ...copy(event), data: { ...copy(event.data), number } });
        return copy(stored);
      },
      findById: async (ws, id) => {
        const t = find(db.t.tickets, ws, id);
        return t ? view(t) : null;
      },
      findByNumber: async (ws, number) => {
        const t = db.t.tickets.find((x) => x.workspaceId === ws && x.number === number);
        return t ? view(t) : null;
      },
      lock: async (ws, id) => copy(find(db.t.tickets, ws, id)),
      update: async (ws, id, patch, updatedAt) => {
        const t = find(db.t.tickets, ws, id);
        if (!t) throw new Error('fake store: no such ticket');
        Object.assign(t, copy(patch), { updatedAt, version: t.version + 1 });
        return copy(t);
      },
      updateMany: async (ws, list, updatedAt) => {
        for (const x of list) {
          const t = find(db.t.tickets, ws, x.id);
          if (t) Object.assign(t, copy(x.patch), { updatedAt, version: t.version + x.bumps });
        }
      },
    }),
    messages: unimplemented('messages', {
      insert: async (m, attachments) => {
        db.t.messages.push(copy(m));
        return { ...copy(m), attachments: copy(attachments) };
      },
      insertMany: async (ms) => void db.t.messages.push(...ms.map(copy)),
      moveToTicket: async (ws, from, to) => {
        const moving = db.t.messages.filter((m) => m.workspaceId === ws && m.ticketId === from);
        for (const m of moving) m.ticketId = to;
        return moving.length;
      },
    }),
    slaPolicies: unimplemented('slaPolicies', {
      anyEnabled: async () => false,
      list: async () => [],
    }),
    webhooks: unimplemented('webhooks', {
      list: async () => [],
      insertDeliveries: async (list) => {
        if (list.length) throw new Error('fake store: no webhook deliveries');
      },
    }),
    triggers: unimplemented('triggers', {
      anyEnabled: async () => false,
      list: async () => [],
      rulesFingerprint: async () => '',
      eventFacts: async (ws, q) => {
        const u = find(db.t.users, ws, q.requesterId);
        const o = q.organizationId ? find(db.t.organizations, ws, q.organizationId) : null;
        return { fingerprint: '', requester: u ? { email: u.email, organizationId: u.organizationId, name: u.name } : null, organization: o ? { name: o.name } : null, calendar: null };
      },
    }),
    ticketSla: unimplemented('ticketSla', {
      find: async () => null,
    }),
    events: unimplemented('events', {
      append: async (e) => void db.t.events.push(copy(e)),
      appendMany: async (es) => void db.t.events.push(...es.map(copy)),
    }),
    audit: unimplemented('audit', {
      append: async (a) => void db.t.audit.push(copy(a)),
    }),
    sessions: unimplemented('sessions', {
      insert: async (s) => void db.t.sessions.push(copy(s)),
    }),
    blobs: unimplemented('blobs', {
      put: async (ws, sha256, content) => void (db.t.blobs.has(`${ws}:${sha256}`) || db.t.blobs.set(`${ws}:${sha256}`, Buffer.from(content))),
      putMany: async (ws, items) => items.forEach((i) => db.t.blobs.has(`${ws}:${i.sha256}`) || db.t.blobs.set(`${ws}:${i.sha256}`, Buffer.from(i.content))),
      get: async (ws, sha256) => {
        const b = db.t.blobs.get(`${ws}:${sha256}`);
        return b ? Buffer.from(b) : null;
      },
    }),
    loginAttempts: unimplemented('loginAttempts', {
      record: async (email, ip, succeeded, at) => void db.t.loginAttempts.push({ email: email.toLowerCase(), ip, succeeded, at }),
      // As the adapters: failures since `since` and since the last success for the address.
      failuresSince: async (email, since) => {
        const e = email.toLowerCase();
        const mine = db.t.loginAttempts.filter((a) => a.email === e);
        const lastSuccess = Math.max(-Infinity, ...mine.filter((a) => a.succeeded).map((a) => a.at.getTime()));
        return mine.filter((a) => !a.succeeded && a.at >= since && a.at.getTime() > lastSuccess).length;
      },
    }),
  };
  // Any other repository (including ones added to the port later) fails loudly when used.
  const repos = new Proxy(implemented, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof Repositories];
      if (typeof prop === 'symbol' || prop === 'then') return undefined;
      return unimplemented(prop as keyof Repositories, {});
    },
  }) as Repositories;

  const unitOfWork = {
    get tables() {
      return db.t;
    },
    async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
      const before = copy(db.t);
      try {
        return await work(repos);
      } catch (e) {
        Object.assign(db.t, before);
        throw e;
      }
    },
  };
  return new Proxy(unitOfWork, {
    get: (target, prop) => (prop in target ? Reflect.get(target, prop) : Reflect.get(repos, prop)),
  }) as unknown as FakeStore;
}

/** A clock the test moves by hand. */
export function manualClock(start = '2025-03-04T10:00:00.000Z'): Clock & { advance(ms: number): void } {
  let now = Date.parse(start);
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
  };
}

/** A transparent stand-in for argon2 that counts its calls. */
export function countingHasher(): PasswordHasher & { verifies: number } {
  const h = {
    verifies: 0,
    hash: async (p: string) => `plain:${p}`,
    verify: async (hash: string, p: string) => {
      h.verifies++;
      return hash === `plain:${p}`;
    },
  };
  return h;
}

export function fakeDeps(over: { store?: FakeStore; clock?: Clock; passwords?: PasswordHasher } = {}): Deps & { store: FakeStore } {
  const clock = over.clock ?? manualClock();
  return {
    store: over.store ?? fakeStore(),
    clock,
    ids: createUuidV7(clock),
    secrets: cryptoSecrets,
    keyring: createKeyring(randomBytes(32)),
    passwords: over.passwords ?? countingHasher(),
    settings: { sessionTtlMs: 3_600_000, maxLoginFailures: 3, loginWindowMs: 15 * 60_000 },
  };
}

/** Seed a workspace with one user of each role (the customer belongs to an organization). */
export function seedWorkspace(deps: Deps & { store: FakeStore }, slug = 'acme') {
  const at = deps.clock.now();
  const ws: Workspace = { id: deps.ids.uuid(), slug, name: slug, mailDomain: null, defaultLanguage: 'en', createdAt: at, updatedAt: at };
  const org: Organization = {
    id: deps.ids.uuid(),
    workspaceId: ws.id,
    name: `${slug} customers`,
    domains: [`${slug}-client.test`],
    notes: null,
    sharedTickets: false,
    createdAt: at,
    updatedAt: at,
  };
  const user = (role: User['role'], name: string, organizationId: string | null = null): User => ({
    id: deps.ids.uuid(),
    workspaceId: ws.id,
    role,
    email: `${name}@${slug}.test`,
    name,
    passwordHash: 'plain:correct horse',
    status: 'active',
    locale: 'en',
    timeZone: 'UTC',
    languages: [],
    organizationId,
    phone: null,
    notes: null,
    capacity: null,
    createdAt: at,
    updatedAt: at,
    lastLoginAt: null,
  });
  const people = {
    admin: user('admin', 'ada'),
    agent: user('agent', 'alan'),
    light: user('light_agent', 'lin'),
    customer: user('customer', 'carla', org.id),
  };
  const team: Team = { id: deps.ids.uuid(), workspaceId: ws.id, name: 'Billing', description: null, createdAt: at, updatedAt: at };
  const t = deps.store.tables;
  t.workspaces.push(ws);
  t.organizations.push(org);
  t.users.push(...Object.values(people));
  t.teams.push(team);
  t.teamMembers.push({ workspaceId: ws.id, teamId: team.id, userId: people.agent.id });
  const ctxOf = (u: User): Ctx => ({ workspaceId: ws.id, actor: actorOf(u), requestId: `req-${u.name}` });
  return { ws, org, team, ...people, ctxOf };
}

function actorOf(u: User): Actor {
  return { type: 'user', userId: u.id, role: u.role, name: u.name, organizationId: u.organizationId, via: 'session' };
}
