import { sql, type Kysely } from 'kysely';
import type {
  AuditRepository,
  EventRepository,
  NewAuditEntry,
  NewEvent,
  StoredAuditEntry,
  StoredEvent,
} from '@guichet/core';
import type { DB } from '../schema.ts';
import { json } from './mappers.ts';

export class KyselyEventRepository implements EventRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async append(e: NewEvent): Promise<void> {
    await this.appendMany([e]);
  }

  async appendMany(events: NewEvent[]): Promise<void> {
    if (!events.length) return;
    await this.db
      .insertInto('events')
      .values(
        events.map((e) => ({
          workspace_id: e.workspaceId,
          subject_type: e.subjectType,
          subject_id: e.subjectId,
          actor_type: e.actor.type,
          actor_id: e.actor.id,
          type: e.type,
          data: JSON.stringify(e.data),
          request_id: e.requestId,
          created_at: e.createdAt,
        })),
      )
      .execute();
  }

  async listForSubject(
    workspaceId: string,
    subjectType: NewEvent['subjectType'],
    subjectId: string,
    page: { limit: number; afterId?: number },
  ): Promise<StoredEvent[]> {
    let q = this.db
      .selectFrom('events as e')
      .leftJoin('users as u', 'u.id', 'e.actor_id')
      .selectAll('e')
      .select('u.name as actor_name')
      .where('e.workspace_id', '=', workspaceId)
      .where('e.subject_type', '=', subjectType)
      .where('e.subject_id', '=', subjectId);
    if (page.afterId !== undefined) q = q.where('e.id', '>', page.afterId);
    const rows = await q.orderBy('e.id', 'asc').limit(page.limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      workspaceId: r.workspace_id,
      subjectType: r.subject_type as NewEvent['subjectType'],
      subjectId: r.subject_id,
      actor: { type: r.actor_type as NewEvent['actor']['type'], id: r.actor_id },
      actorName: r.actor_name,
      type: r.type,
      data: json(r.data, {}),
      requestId: r.request_id,
      createdAt: new Date(r.created_at),
    }));
  }
}

export class KyselyAuditRepository implements AuditRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async append(a: NewAuditEntry): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        workspace_id: a.workspaceId,
        actor_type: a.actor.type,
        actor_id: a.actor.id,
        action: a.action,
        target_type: a.targetType,
        target_id: a.targetId,
        data: JSON.stringify(a.data),
        ip: a.ip,
        request_id: a.requestId,
        created_at: a.createdAt,
      })
      .execute();
  }

  async list(
    workspaceId: string,
    filter: { action?: string; actorId?: string },
    page: { limit: number; beforeId?: number },
  ): Promise<StoredAuditEntry[]> {
    let q = this.db
      .selectFrom('audit_log as a')
      .leftJoin('users as u', 'u.id', 'a.actor_id')
      .selectAll('a')
      .select('u.name as actor_name')
      .where('a.workspace_id', '=', workspaceId);
    if (filter.action) q = q.where(sql`a.action`, 'like', filter.action.replace(/[%_\\]/g, '\\$&') + '%');
    if (filter.actorId) q = q.where('a.actor_id', '=', filter.actorId);
    if (page.beforeId !== undefined) q = q.where('a.id', '<', page.beforeId);
    const rows = await q.orderBy('a.id', 'desc').limit(page.limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      workspaceId: r.workspace_id,
      actor: { type: r.actor_type as NewAuditEntry['actor']['type'], id: r.actor_id },
      actorName: r.actor_name,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      data: json(r.data, {}),
      ip: r.ip,
      requestId: r.request_id,
      createdAt: new Date(r.created_at),
    }));
  }
}
