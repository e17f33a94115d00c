import type { DeflectionCounts, DeflectionEvent, PortalRepository, PortalToken, TicketCategory, TicketCategoryRepository } from '@guichet/core';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, PortalTokensTable, TicketCategoriesTable } from '../schema.ts';
import { json } from './mappers.ts';

function toCategory(r: Selectable<TicketCategoriesTable>): TicketCategory {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    key: r.key,
    names: json<TicketCategory['names']>(r.names, {}),
    position: r.position,
    active: r.active,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export class KyselyTicketCategoryRepository implements TicketCategoryRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(c: TicketCategory): Promise<TicketCategory> {
    const r = await this.db
      .insertInto('ticket_categories')
      .values({
        id: c.id,
        workspace_id: c.workspaceId,
        key: c.key,
        names: JSON.stringify(c.names),
        position: c.position,
        active: c.active,
        created_at: c.createdAt,
        updated_at: c.updatedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCategory(r);
  }

  async findById(workspaceId: string, id: string): Promise<TicketCategory | null> {
    const r = await this.db.selectFrom('ticket_categories').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toCategory(r) : null;
  }

  async update(workspaceId: string, id: string, patch: Partial<Pick<TicketCategory, 'key' | 'names' | 'position' | 'active' | 'updatedAt'>>): Promise<TicketCategory> {
    const cols: Record<string, unknown> = {};
    if (patch.key !== undefined) cols.key = patch.key;
    if (patch.names !== undefined) cols.names = JSON.stringify(patch.names);
    if (patch.position !== undefined) cols.position = patch.position;
    if (patch.active !== undefined) cols.active = patch.active;
    if (patch.updatedAt !== undefined) cols.updated_at = patch.updatedAt;
    const r = await this.db
      .updateTable('ticket_categories')
      .set(cols as never)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCategory(r);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    await this.db.deleteFrom('ticket_categories').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async list(workspaceId: string, opts: { includeInactive: boolean }): Promise<TicketCategory[]> {
    let q = this.db.selectFrom('ticket_categories').selectAll().where('workspace_id', '=', workspaceId);
    if (!opts.includeInactive) q = q.where('active', '=', true);
    const rows = await q.orderBy('position').orderBy('created_at').orderBy('id').limit(1000).execute();
    return rows.map(toCategory);
  }
}

function toToken(r: Selectable<PortalTokensTable>): PortalToken {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    userId: r.user_id,
    kind: r.kind as PortalToken['kind'],
    ticketId: r.ticket_id,
    tokenHash: r.token_hash,
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
    usedAt: r.used_at ? new Date(r.used_at) : null,
    requestedIp: r.requested_ip,
  };
}

export class KyselyPortalRepository implements PortalRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insertToken(t: PortalToken): Promise<void> {
    await this.db
      .insertInto('portal_tokens')
      .values({
        id: t.id,
        workspace_id: t.workspaceId,
        user_id: t.userId,
        kind: t.kind,
        ticket_id: t.ticketId,
        token_hash: t.tokenHash,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
        used_at: t.usedAt,
        requested_ip: t.requestedIp,
      })
      .execute();
  }

  async countTokensForUser(workspaceId: string, userId: string, kind: PortalToken['kind'], since: Date): Promise<number> {
    const r = await this.db
      .selectFrom('portal_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .where('kind', '=', kind)
      .where('created_at', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async countTokensFromIp(workspaceId: string, ip: string, kind: PortalToken['kind'], since: Date): Promise<number> {
    const r = await this.db
      .selectFrom('portal_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('requested_ip', '=', ip)
      .where('kind', '=', kind)
      .where('created_at', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async consumeToken(tokenHash: string, kind: PortalToken['kind'], now: Date): Promise<PortalToken | null> {
    const r = await this.db
      .updateTable('portal_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('kind', '=', kind)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    return r ? toToken(r) : null;
  }

  async insertDeflection(e: DeflectionEvent): Promise<void> {
    await sql`
      INSERT INTO deflection_events (id, workspace_id, kind, article_id, ticket_id, visit, query, language, created_at)
      VALUES (${e.id}, ${e.workspaceId}, ${e.kind}, ${e.articleId}, ${e.ticketId}, ${e.visit}, ${e.query}, ${e.language}, ${e.createdAt})
      ON CONFLICT (workspace_id, visit, kind, article_id) WHERE visit IS NOT NULL AND article_id IS NOT NULL DO NOTHING`.execute(this.db);
  }

  async deflectionCounts(workspaceId: string, from: Date, to: Date): Promise<DeflectionCounts> {
    const totals = await sql<Record<string, string | number>>`
      WITH e AS (
        SELECT kind, article_id, visit FROM deflection_events
        WHERE workspace_id = ${workspaceId} AND created_at >= ${from} AND created_at < ${to}
      ), v AS (
        SELECT visit, bool_or(kind = 'shown') AS shown, bool_or(kind = 'solved') AS solved, bool_or(kind = 'submitted') AS submitted
        FROM e WHERE visit IS NOT NULL GROUP BY visit
      )
      SELECT
        (SELECT count(*) FROM v WHERE shown) AS visits_with_suggestions,
        (SELECT count(*) FROM e WHERE kind = 'shown') AS shown,
        (SELECT count(*) FROM e WHERE kind = 'clicked') AS clicked,
        (SELECT count(*) FROM e WHERE kind = 'solved') AS solved,
        (SELECT count(*) FROM v WHERE shown AND solved AND NOT submitted) AS deflected_visits,
        (SELECT count(*) FROM e WHERE kind = 'submitted') AS submitted,
        (SELECT count(*) FROM e WHERE kind = 'submitted' AND visit IN (SELECT visit FROM v WHERE shown)) AS submitted_after`.execute(this.db);
    const t = totals.rows[0]!;
    const articles = await sql<{ article_id: string; shown: string | number; clicked: string | number; solved: string | number }>`
      SELECT article_id, count(*) FILTER (WHERE kind = 'shown') AS shown, count(*) FILTER (WHERE kind = 'clicked') AS clicked,
        count(*) FILTER (WHERE kind = 'solved') AS solved
      FROM deflection_events
      WHERE workspace_id = ${workspaceId} AND created_at >= ${from} AND created_at < ${to} AND article_id IS NOT NULL
      GROUP BY article_id ORDER BY count(*) FILTER (WHERE kind = 'solved') DESC, count(*) FILTER (WHERE kind = 'clicked') DESC, article_id
      LIMIT 500`.execute(this.db);
    return {
      visitsWithSuggestions: Number(t.visits_with_suggestions),
      shown: Number(t.shown),
      clicked: Number(t.clicked),
      solved: Number(t.solved),
      deflectedVisits: Number(t.deflected_visits),
      submitted: Number(t.submitted),
      submittedAfterSuggestions: Number(t.submitted_after),
      articles: articles.rows.map((r) => ({ articleId: r.article_id, shown: Number(r.shown), clicked: Number(r.clicked), solved: Number(r.solved) })),
    };
  }
}
