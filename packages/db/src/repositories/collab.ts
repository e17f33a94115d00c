import type { Macro, MacroRepository, MentionRepository, StaffFollowerRepository } from '@guichet/core';
import type { MacroActions } from '@guichet/contracts';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, MacrosTable } from '../schema.ts';
import { likeEscape } from './people.ts';

function toMacro(r: Selectable<MacrosTable>): Macro {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    ownerId: r.owner_id,
    shared: r.shared,
    title: r.title,
    bodyEn: r.body_en,
    bodyFr: r.body_fr,
    actions: r.actions as MacroActions,
    usageCount: r.usage_count,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}


export class KyselyMacroRepository implements MacroRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(m: Macro): Promise<Macro> {
    const r = await this.db
      .insertInto('macros')
      .values({
        id: m.id,
        workspace_id: m.workspaceId,
        owner_id: m.ownerId,
        shared: m.shared,
        title: m.title,
        body_en: m.bodyEn,
        body_fr: m.bodyFr,
        actions: JSON.stringify(m.actions),
        usage_count: m.usageCount,
        created_at: m.createdAt,
        updated_at: m.updatedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toMacro(r);
  }

  async findById(workspaceId: string, id: string): Promise<Macro | null> {
    const r = await this.db.selectFrom('macros').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toMacro(r) : null;
  }

  async listVisible(workspaceId: string, userId: string, f: { text?: string; scope: 'all' | 'mine' | 'shared' }): Promise<Macro[]> {
    let q = this.db.selectFrom('macros').selectAll().where('workspace_id', '=', workspaceId);
    if (f.scope === 'mine') q = q.where('owner_id', '=', userId).where('shared', '=', false);
    else if (f.scope === 'shared') q = q.where('shared', '=', true);
    else q = q.where((eb) => eb.or([eb('shared', '=', true), eb('owner_id', '=', userId)]));
    if (f.text) {
      // Every word must appear in the title or a body (accents and case as typed, lowercased).
      for (const word of f.text.split(/\s+/).filter(Boolean).slice(0, 10)) {
        const like = `%${likeEscape(word.toLowerCase())}%`;
        q = q.where((eb) => eb.or([eb(sql`lower(title)`, 'like', like), eb(sql`lower(coalesce(body_en, ''))`, 'like', like), eb(sql`lower(coalesce(body_fr, ''))`, 'like', like)]));
      }
    }
    const rows = await q.orderBy('usage_count', 'desc').orderBy(sql`lower(title)`).orderBy('id').limit(500).execute();
    return rows.map(toMacro);
  }

  async countOwned(workspaceId: string, userId: string): Promise<number> {
    const r = await this.db
      .selectFrom('macros')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('owner_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async update(workspaceId: string, id: string, patch: Partial<Pick<Macro, 'title' | 'bodyEn' | 'bodyFr' | 'actions' | 'shared' | 'updatedAt'>>): Promise<Macro> {
    const r = await this.db
      .updateTable('macros')
      .set({
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.bodyEn !== undefined ? { body_en: patch.bodyEn } : {}),
        ...(patch.bodyFr !== undefined ? { body_fr: patch.bodyFr } : {}),
        ...(patch.actions !== undefined ? { actions: JSON.stringify(patch.actions) } : {}),
        ...(patch.shared !== undefined ? { shared: patch.shared } : {}),
        ...(patch.updatedAt !== undefined ? { updated_at: patch.updatedAt } : {}),
      })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toMacro(r);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    await this.db.deleteFrom('macros').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async incrementUsage(workspaceId: string, id: string): Promise<number> {
    const r = await this.db
      .updateTable('macros')
      .set({ usage_count: sql`usage_count + 1` })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returning('usage_count')
      .executeTakeFirst();
    return r?.usage_count ?? 0;
  }
}

export class KyselyStaffFollowerRepository implements StaffFollowerRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async follow(workspaceId: string, ticketId: string, userId: string, at: Date): Promise<boolean> {
    const r = await this.db
      .insertInto('ticket_staff_followers')
      .values({ workspace_id: workspaceId, ticket_id: ticketId, user_id: userId, created_at: at })
      .onConflict((oc) => oc.columns(['ticket_id', 'user_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    return !!r;
  }

  async unfollow(workspaceId: string, ticketId: string, userId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('ticket_staff_followers')
      .where('workspace_id', '=', workspaceId)
      .where('ticket_id', '=', ticketId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async list(workspaceId: string, ticketId: string): Promise<Array<{ id: string; name: string }>> {
    return this.db
      .selectFrom('ticket_staff_followers as f')
      .innerJoin('users as u', (j) => j.onRef('u.id', '=', 'f.user_id').onRef('u.workspace_id', '=', 'f.workspace_id'))
      .select(['u.id as id', 'u.name as name'])
      .where('f.workspace_id', '=', workspaceId)
      .where('f.ticket_id', '=', ticketId)
      .orderBy('f.created_at')
      .orderBy('u.id')
      .execute();
  }
}

export class KyselyMentionRepository implements MentionRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async add(workspaceId: string, ticketId: string, messageId: string, userIds: string[], at: Date): Promise<void> {
    if (!userIds.length) return;
    await this.db
      .insertInto('message_mentions')
      .values(userIds.map((userId) => ({ workspace_id: workspaceId, ticket_id: ticketId, message_id: messageId, user_id: userId, created_at: at })))
      .onConflict((oc) => oc.columns(['message_id', 'user_id']).doNothing())
      .execute();
  }

  async listForMessage(workspaceId: string, messageId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('message_mentions').select('user_id').where('workspace_id', '=', workspaceId).where('message_id', '=', messageId).orderBy('user_id').execute();
    return rows.map((r) => r.user_id);
  }
}
