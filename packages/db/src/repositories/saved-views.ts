import type { SavedView, SavedViewRepository } from '@guichet/core';
import type { SavedViewQuery } from '@guichet/contracts';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, SavedViewsTable } from '../schema.ts';

function toView(r: Selectable<SavedViewsTable>): SavedView {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    ownerId: r.owner_id,
    name: r.name,
    query: r.query as SavedViewQuery,
    shared: r.shared,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export class KyselySavedViewRepository implements SavedViewRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(v: SavedView): Promise<SavedView> {
    const r = await this.db
      .insertInto('saved_views')
      .values({
        id: v.id,
        workspace_id: v.workspaceId,
        owner_id: v.ownerId,
        name: v.name,
        query: JSON.stringify(v.query),
        shared: v.shared,
        created_at: v.createdAt,
        updated_at: v.updatedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toView(r);
  }

  async findById(workspaceId: string, id: string): Promise<SavedView | null> {
    const r = await this.db.selectFrom('saved_views').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toView(r) : null;
  }

  async listVisible(workspaceId: string, userId: string): Promise<SavedView[]> {
    const rows = await this.db
      .selectFrom('saved_views')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([eb('owner_id', '=', userId), eb('shared', '=', true)]))
      .orderBy('shared', 'desc')
      .orderBy(sql`lower(name)`)
      .orderBy('id')
      .limit(500)
      .execute();
    return rows.map(toView);
  }

  async countOwned(workspaceId: string, userId: string): Promise<number> {
    const r = await this.db
      .selectFrom('saved_views')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('owner_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async update(workspaceId: string, id: string, patch: Partial<Pick<SavedView, 'name' | 'query' | 'shared' | 'updatedAt'>>): Promise<SavedView> {
    const r = await this.db
      .updateTable('saved_views')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.query !== undefined ? { query: JSON.stringify(patch.query) } : {}),
        ...(patch.shared !== undefined ? { shared: patch.shared } : {}),
        ...(patch.updatedAt !== undefined ? { updated_at: patch.updatedAt } : {}),
      })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toView(r);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    await this.db.deleteFrom('saved_views').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }
}
