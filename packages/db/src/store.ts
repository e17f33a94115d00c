import { AppError, type Repositories, type Store } from '@guichet/core';
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { KyselyApiTokenRepository, KyselyLoginAttemptRepository, KyselySessionRepository, KyselyWorkspaceRepository } from './repositories/auth.ts';
import { KyselyAuditRepository, KyselyEventRepository } from './repositories/logs.ts';
import {
  KyselyCustomFieldRepository,
  KyselyOrganizationRepository,
  KyselySkillRepository,
  KyselyTeamRepository,
  KyselyUserRepository,
} from './repositories/people.ts';
import { KyselyMessageRepository, KyselyTicketRepository } from './repositories/tickets.ts';

/** Unique constraints that users can run into, with the error each one means. */
const UNIQUE_ERRORS: Record<string, [AppError['code'], string]> = {
  users_email_uq: ['EMAIL_TAKEN', 'Someone in this workspace already uses this email address.'],
  teams_name_uq: ['NAME_TAKEN', 'A team with this name already exists.'],
  skills_name_uq: ['NAME_TAKEN', 'A skill with this name already exists.'],
  organizations_name_uq: ['NAME_TAKEN', 'An organization with this name already exists.'],
  custom_fields_workspace_id_key_key: ['KEY_TAKEN', 'A custom field with this key already exists.'],
  workspaces_slug_key: ['NAME_TAKEN', 'A workspace with this slug already exists.'],
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

function guard<T extends object>(repo: T): T {
  return new Proxy(repo, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        try {
          return await v.apply(target, args);
        } catch (e) {
          throw translateDbError(e);
        }
      };
    },
  });
}

function repositories(db: Kysely<DB>): Repositories {
  return {
    tickets: guard(new KyselyTicketRepository(db)),
    messages: guard(new KyselyMessageRepository(db)),
    users: guard(new KyselyUserRepository(db)),
    organizations: guard(new KyselyOrganizationRepository(db)),
    teams: guard(new KyselyTeamRepository(db)),
    skills: guard(new KyselySkillRepository(db)),
    customFields: guard(new KyselyCustomFieldRepository(db)),
    events: guard(new KyselyEventRepository(db)),
    audit: guard(new KyselyAuditRepository(db)),
    sessions: guard(new KyselySessionRepository(db)),
    apiTokens: guard(new KyselyApiTokenRepository(db)),
    loginAttempts: guard(new KyselyLoginAttemptRepository(db)),
    workspaces: guard(new KyselyWorkspaceRepository(db)),
  };
}

export function createStore(db: Kysely<DB>): Store {
  return {
    ...repositories(db),
    async transaction(work) {
      try {
        return await db.transaction().execute((trx) => work(repositories(trx)));
      } catch (e) {
        throw translateDbError(e);
      }
    },
  };
}
