import { AppError, type Repositories, type Store } from '@guichet/core';
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { KyselyApiTokenRepository, KyselyLoginAttemptRepository, KyselySessionRepository, KyselyWorkspaceRepository } from './repositories/auth.ts';
import { KyselyPasswordResetRepository } from './repositories/password-resets.ts';
import { KyselySavedViewRepository } from './repositories/saved-views.ts';
import { KyselyJobRepository } from './repositories/jobs.ts';
import {
  KyselyBlobRepository,
  KyselyEmailAddressFlagRepository,
  KyselyFollowerRepository,
  KyselyInboundEmailRepository,
  KyselyMailboxRepository,
  KyselyMessageEmailRepository,
  KyselyOutboundEmailRepository,
  KyselyTicketLinkRepository,
} from './repositories/email.ts';
import { KyselyAuditRepository, KyselyEventRepository } from './repositories/logs.ts';
import {
  KyselyCustomFieldRepository,
  KyselyOrganizationRepository,
  KyselySkillRepository,
  KyselyTeamRepository,
  KyselyUserRepository,
} from './repositories/people.ts';
import { KyselyMessageRepository, KyselyTicketRepository } from './repositories/tickets.ts';
import { KyselyAutomationRepository, KyselyWebhookRepository } from './repositories/automations.ts';
import { KyselyBusinessCalendarRepository, KyselyNotificationRepository, KyselySlaPolicyRepository, KyselyTicketSlaRepository, KyselyTriggerRepository } from './repositories/sla.ts';
import { KyselyRoutingRepository } from './repositories/routing.ts';
import { KyselyKnowledgeRepository } from './repositories/knowledge.ts';
import { KyselySearchRepository } from './repositories/search.ts';
import { KyselyMacroRepository, KyselyMentionRepository, KyselyStaffFollowerRepository } from './repositories/collab.ts';
import { KyselyPortalRepository, KyselyTicketCategoryRepository } from './repositories/portal.ts';
import { KyselyContentGapRepository } from './repositories/content-gaps.ts';

/** Unique constraints that users can run into, with the error each one means. */
const UNIQUE_ERRORS: Record<string, [AppError['code'], string]> = {
  users_email_uq: ['EMAIL_TAKEN', 'Someone in this workspace already uses this email address.'],
  teams_name_uq: ['NAME_TAKEN', 'A team with this name already exists.'],
  skills_name_uq: ['NAME_TAKEN', 'A skill with this name already exists.'],
  organizations_name_uq: ['NAME_TAKEN', 'An organization with this name already exists.'],
  custom_fields_workspace_id_key_key: ['KEY_TAKEN', 'A custom field with this key already exists.'],
  workspaces_slug_key: ['NAME_TAKEN', 'A workspace with this slug already exists.'],
  mailboxes_address_uq: ['EMAIL_TAKEN', 'A mailbox with this address already exists.'],
  business_calendars_name_uq: ['NAME_TAKEN', 'A business calendar with this name already exists.'],
  business_calendars_team_uq: ['CALENDAR_TAKEN', 'This team already has a business calendar.'],
  sla_policies_name_uq: ['NAME_TAKEN', 'An SLA policy with this name already exists.'],
  triggers_name_uq: ['NAME_TAKEN', 'A trigger with this name already exists.'],
  saved_views_name_uq: ['NAME_TAKEN', 'You already have a view with this name.'],
  automations_name_uq: ['NAME_TAKEN', 'An automation with this name already exists.'],
  ticket_categories_key_uq: ['KEY_TAKEN', 'A request category with this key already exists.'],
};

export function translateDbError(e: unknown): unknown {
  const err = e as { code?: string; constraint?: string; message?: string };
  if (err?.code === '23505') {
    const constraint = err.constraint ?? /unique constraint "([^"]+)"/.exec(err.message ?? '')?.[1] ?? '';
    const known = UNIQUE_ERRORS[constraint];
    if (known) return new AppError(known[0], known[1]);
  }
  return e;
}

/**
 * `onWrite` is called around the repository's writes, except those named by `keeps`: writes that
 * cannot make a cached read stale (a plain INSERT of a new row: absent records are never cached).
 */
function guard<T extends object>(repo: T, onWrite?: () => void, keeps?: RegExp): T {
  return new Proxy(repo, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      const writes = onWrite !== undefined && typeof prop === 'string' && !READ_METHOD.test(prop) && !keeps?.test(prop);
      return async (...args: unknown[]) => {
        if (writes) onWrite!();
        try {
          return await v.apply(target, args);
        } catch (e) {
          throw translateDbError(e);
        } finally {
          if (writes) onWrite!();
        }
      };
    },
  });
}

// ---------------------------------------------------------------- authentication reads, cached briefly
//
// Every authenticated request reads its API token, its user and its workspace: three queries
// before any work. Outside transactions, those three reads (`apiTokens.findByHash`,
// `users.findById`, `workspaces.findById`) are answered from a cache for at most AUTH_CACHE_MS.
// So is the mailbox that receives an address (`mailboxes.findByAddress`), which the SMTP listener
// reads at every RCPT of every message.
// - Any write to users, API tokens, workspaces or mailboxes through any store of this process empties it,
//   before the write and again once the write (or its transaction) has ended, and a read that
//   overlapped a write is not kept: this process always sees its own changes at once.
// - Another process's change (a token revoked, a user suspended or demoted through another
//   server sharing the PostgreSQL database) is seen within AUTH_CACHE_MS.
// - Reads inside transactions always go to the database; absent records are never cached.
// - Cached records are frozen and shared by the requests that read them.

const AUTH_CACHE_MS = 1000;
const AUTH_CACHE_MAX = 10_000;
const READ_METHOD = /^(find|list|count|configVersion$)|Of$/;

/** Bumped around every write to users, API tokens or workspaces in this process. */
let authGeneration = 0;
const authWritten = () => {
  authGeneration++;
};

interface CacheEntry {
  value: Promise<unknown>;
  at: number;
  generation: number;
}

class AuthCache {
  private readonly entries = new Map<string, CacheEntry>();

  read<T extends object>(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const now = performance.now();
    const hit = this.entries.get(key);
    if (hit && hit.generation === authGeneration && now - hit.at < AUTH_CACHE_MS) return hit.value as Promise<T | null>;
    const generation = authGeneration;
    // Requests arriving while the read is under way share it.
    const value = load().then(
      (v) => {
        if (v === null || authGeneration !== generation) this.forget(key, value);
        return v === null ? null : freeze(v);
      },
      (e) => {
        this.forget(key, value);
        throw e;
      },
    );
    if (this.entries.size >= AUTH_CACHE_MAX) this.entries.clear();
    this.entries.set(key, { value, at: now, generation });
    return value;
  }

  private forget(key: string, value: Promise<unknown>): void {
    if (this.entries.get(key)?.value === value) this.entries.delete(key);
  }
}

function freeze<T extends object>(v: T): T {
  for (const x of Object.values(v)) if (Array.isArray(x)) Object.freeze(x);
  return Object.freeze(v);
}

function cachedAuthReads(repos: Repositories): Repositories {
  const cache = new AuthCache();
  const { apiTokens, users, workspaces, mailboxes } = repos;
  return {
    ...repos,
    apiTokens: Object.assign(Object.create(apiTokens) as typeof apiTokens, {
      findByHash: (hash: string) => cache.read(`t:${hash}`, () => apiTokens.findByHash(hash)),
    }),
    users: Object.assign(Object.create(users) as typeof users, {
      findById: (workspaceId: string, id: string) => cache.read(`u:${workspaceId}:${id}`, () => users.findById(workspaceId, id)),
    }),
    workspaces: Object.assign(Object.create(workspaces) as typeof workspaces, {
      findById: (id: string) => cache.read(`w:${id}`, () => workspaces.findById(id)),
    }),
    mailboxes: Object.assign(Object.create(mailboxes) as typeof mailboxes, {
      findByAddress: (address: string) => cache.read(`m:${address.toLowerCase()}`, () => mailboxes.findByAddress(address)),
    }),
  };
}

/**
 * `coalesce`: the store's own repositories (not a transaction's) let concurrent hot statements
 * share one statement: ticket creation, the lookup of a user by address and the intake of an
 * inbound message with its ingest job (see coalesce.ts).
 */
function repositories(db: Kysely<DB>, onAuthWrite: () => void, coalesce = false): Repositories {
  return {
    tickets: guard(new KyselyTicketRepository(db, { coalesce })),
    messages: guard(new KyselyMessageRepository(db)),
    // A new customer (each new address writing in) leaves the cached authentication reads valid.
    users: guard(new KyselyUserRepository(db, { coalesce }), onAuthWrite, /^insert$/),
    organizations: guard(new KyselyOrganizationRepository(db)),
    teams: guard(new KyselyTeamRepository(db)),
    skills: guard(new KyselySkillRepository(db)),
    customFields: guard(new KyselyCustomFieldRepository(db)),
    events: guard(new KyselyEventRepository(db)),
    audit: guard(new KyselyAuditRepository(db)),
    sessions: guard(new KyselySessionRepository(db)),
    apiTokens: guard(new KyselyApiTokenRepository(db), onAuthWrite),
    loginAttempts: guard(new KyselyLoginAttemptRepository(db)),
    workspaces: guard(new KyselyWorkspaceRepository(db), onAuthWrite),
    jobs: guard(new KyselyJobRepository(db)),
    mailboxes: guard(new KyselyMailboxRepository(db), onAuthWrite),
    inboundEmails: guard(new KyselyInboundEmailRepository(db, { coalesce })),
    messageEmails: guard(new KyselyMessageEmailRepository(db)),
    outboundEmails: guard(new KyselyOutboundEmailRepository(db)),
    blobs: guard(new KyselyBlobRepository(db)),
    followers: guard(new KyselyFollowerRepository(db)),
    emailFlags: guard(new KyselyEmailAddressFlagRepository(db)),
    ticketLinks: guard(new KyselyTicketLinkRepository(db)),
    businessCalendars: guard(new KyselyBusinessCalendarRepository(db)),
    slaPolicies: guard(new KyselySlaPolicyRepository(db)),
    ticketSla: guard(new KyselyTicketSlaRepository(db)),
    notifications: guard(new KyselyNotificationRepository(db)),
    triggers: guard(new KyselyTriggerRepository(db)),
    routing: guard(new KyselyRoutingRepository(db)),
    passwordResets: guard(new KyselyPasswordResetRepository(db)),
    savedViews: guard(new KyselySavedViewRepository(db)),
    knowledge: guard(new KyselyKnowledgeRepository(db)),
    search: guard(new KyselySearchRepository(db)),
    automations: guard(new KyselyAutomationRepository(db)),
    webhooks: guard(new KyselyWebhookRepository(db)),
    macros: guard(new KyselyMacroRepository(db)),
    staffFollowers: guard(new KyselyStaffFollowerRepository(db)),
    mentions: guard(new KyselyMentionRepository(db)),
    ticketCategories: guard(new KyselyTicketCategoryRepository(db)),
    portal: guard(new KyselyPortalRepository(db)),
    contentGaps: guard(new KyselyContentGapRepository(db)),
  };
}

export function createStore(db: Kysely<DB>): Store {
  return {
    ...cachedAuthReads(repositories(db, authWritten, true)),
    async transaction(work) {
      let wroteAuth = false;
      const written = () => {
        wroteAuth = true;
        authWritten();
      };
      try {
        return await db.transaction().execute((trx) => work(repositories(trx, written)));
      } catch (e) {
        throw translateDbError(e);
      } finally {
        // Committed or rolled back: cached reads taken before this moment are stale either way.
        if (wroteAuth) authWritten();
      }
    },
  };
}
