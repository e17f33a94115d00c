import { sql, type Kysely } from 'kysely';
import type {
  ApiToken,
  ApiTokenRepository,
  LoginAttemptRepository,
  Session,
  SessionRepository,
  Workspace,
  WorkspaceRepository,
} from '@guichet/core';
import type { DB } from '../schema.ts';
import { toColumns, toWorkspace } from './mappers.ts';
import { ticketSequenceName } from './tickets.ts';

export class KyselySessionRepository implements SessionRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(s: Session): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id: s.id,
        workspace_id: s.workspaceId,
        user_id: s.userId,
        token_hash: s.tokenHash,
        created_at: s.createdAt,
        last_seen_at: s.lastSeenAt,
        expires_at: s.expiresAt,
      })
      .execute();
  }

  async findByHash(tokenHash: string): Promise<Session | null> {
    const r = await this.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r
      ? {
          id: r.id,
          workspaceId: r.workspace_id,
          userId: r.user_id,
          tokenHash: r.token_hash,
          createdAt: new Date(r.created_at),
          lastSeenAt: new Date(r.last_seen_at),
          expiresAt: new Date(r.expires_at),
        }
      : null;
  }

  async touch(id: string, lastSeenAt: Date, expiresAt: Date): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: lastSeenAt, expires_at: expiresAt }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async deleteForUser(workspaceId: string, userId: string, exceptId?: string): Promise<void> {
    let q = this.db.deleteFrom('sessions').where('workspace_id', '=', workspaceId).where('user_id', '=', userId);
    if (exceptId) q = q.where('id', '!=', exceptId);
    await q.execute();
  }

  async deleteExpired(now: Date): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

function toApiToken(r: {
  id: string;
  workspace_id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: Date | string;
  last_used_at: Date | string | null;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
}): ApiToken {
  const dn = (v: Date | string | null) => (v === null ? null : new Date(v));
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    userId: r.user_id,
    name: r.name,
    tokenHash: r.token_hash,
    prefix: r.prefix,
    createdAt: new Date(r.created_at),
    lastUsedAt: dn(r.last_used_at),
    expiresAt: dn(r.expires_at),
    revokedAt: dn(r.revoked_at),
  };
}

export class KyselyApiTokenRepository implements ApiTokenRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(t: ApiToken): Promise<void> {
    await this.db
      .insertInto('api_tokens')
      .values({
        id: t.id,
        workspace_id: t.workspaceId,
        user_id: t.userId,
        name: t.name,
        token_hash: t.tokenHash,
        prefix: t.prefix,
        created_at: t.createdAt,
        last_used_at: t.lastUsedAt,
        expires_at: t.expiresAt,
        revoked_at: t.revokedAt,
      })
      .execute();
  }

  async findByHash(tokenHash: string): Promise<ApiToken | null> {
    const r = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r ? toApiToken(r) : null;
  }

  async listForUser(workspaceId: string, userId: string): Promise<ApiToken[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toApiToken);
  }

  async findById(workspaceId: string, id: string): Promise<ApiToken | null> {
    const r = await this.db.selectFrom('api_tokens').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toApiToken(r) : null;
  }

  async revoke(workspaceId: string, id: string, at: Date): Promise<void> {
    await this.db.updateTable('api_tokens').set({ revoked_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async revokeForUser(workspaceId: string, userId: string, at: Date): Promise<void> {
    await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}

export class KyselyLoginAttemptRepository implements LoginAttemptRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async record(email: string, ip: string | null, succeeded: boolean, at: Date): Promise<void> {
    await this.db.insertInto('login_attempts').values({ email: email.toLowerCase(), ip, succeeded, created_at: at }).execute();
  }

  async deleteBefore(before: Date): Promise<number> {
    const r = await this.db.deleteFrom('login_attempts').where('created_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Failures since the later of `since` and the last success. */
  async failuresSince(email: string, since: Date): Promise<number> {
    const e = email.toLowerCase();
    const r = await sql<{ n: number }>`
      SELECT count(*) AS n FROM login_attempts
      WHERE email = ${e} AND NOT succeeded AND created_at >= ${since}
        AND created_at > coalesce((SELECT max(created_at) FROM login_attempts WHERE email = ${e} AND succeeded), '-infinity')`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0);
  }
}

export class KyselyWorkspaceRepository implements WorkspaceRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(w: Workspace): Promise<Workspace> {
    const r = await this.db
      .insertInto('workspaces')
      .values({
        id: w.id,
        slug: w.slug,
        name: w.name,
        mail_domain: w.mailDomain,
        default_language: w.defaultLanguage,
        created_at: w.createdAt,
        updated_at: w.updatedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    // A sequence per workspace numbers its tickets 1, 2, 3… without a hot row lock.
    await sql`CREATE SEQUENCE IF NOT EXISTS ${sql.id(ticketSequenceName(w.id))}`.execute(this.db);
    return toWorkspace(r);
  }

  async findById(id: string): Promise<Workspace | null> {
    const r = await this.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toWorkspace(r) : null;
  }

  async configVersion(id: string): Promise<string> {
    const r = await sql<{ v: string }>`SELECT config_version::text AS v FROM workspaces WHERE id = ${id}`.execute(this.db);
    return r.rows[0]?.v ?? '';
  }

  async findBySlug(slug: string): Promise<Workspace | null> {
    const r = await this.db.selectFrom('workspaces').selectAll().where('slug', '=', slug).executeTakeFirst();
    return r ? toWorkspace(r) : null;
  }

  async update(id: string, patch: Partial<Workspace>): Promise<Workspace> {
    const r = await this.db
      .updateTable('workspaces')
      .set(toColumns(patch) as never)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toWorkspace(r);
  }

  async setLogo(id: string, logo: { content: Buffer; contentType: string; sha256: string } | null, at: Date): Promise<Workspace> {
    if (logo) {
      const row = { content: logo.content, content_type: logo.contentType, sha256: logo.sha256, updated_at: at };
      await this.db
        .insertInto('workspace_logos')
        .values({ workspace_id: id, ...row })
        .onConflict((oc) => oc.column('workspace_id').doUpdateSet(row))
        .execute();
    } else {
      await this.db.deleteFrom('workspace_logos').where('workspace_id', '=', id).execute();
    }
    const r = await this.db.updateTable('workspaces').set({ logo_sha256: logo?.sha256 ?? null, updated_at: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    return toWorkspace(r);
  }

  async getLogo(id: string): Promise<{ content: Buffer; contentType: string; sha256: string; updatedAt: Date } | null> {
    const r = await this.db.selectFrom('workspace_logos').selectAll().where('workspace_id', '=', id).executeTakeFirst();
    return r ? { content: Buffer.from(r.content), contentType: r.content_type, sha256: r.sha256, updatedAt: new Date(r.updated_at) } : null;
  }
}
