import type { PasswordResetRepository, PasswordResetToken } from '@guichet/core';
import type { Kysely, Selectable } from 'kysely';
import type { DB, PasswordResetTokensTable } from '../schema.ts';

function toToken(r: Selectable<PasswordResetTokensTable>): PasswordResetToken {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    userId: r.user_id,
    tokenHash: r.token_hash,
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
    usedAt: r.used_at ? new Date(r.used_at) : null,
    requestedIp: r.requested_ip,
  };
}

export class KyselyPasswordResetRepository implements PasswordResetRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(t: PasswordResetToken): Promise<void> {
    await this.db
      .insertInto('password_reset_tokens')
      .values({
        id: t.id,
        workspace_id: t.workspaceId,
        user_id: t.userId,
        token_hash: t.tokenHash,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
        used_at: t.usedAt,
        requested_ip: t.requestedIp,
      })
      .execute();
  }

  async countSince(workspaceId: string, userId: string, since: Date): Promise<number> {
    const r = await this.db
      .selectFrom('password_reset_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .where('created_at', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async consume(tokenHash: string, now: Date): Promise<PasswordResetToken | null> {
    const r = await this.db
      .updateTable('password_reset_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    return r ? toToken(r) : null;
  }

  async retireForUser(workspaceId: string, userId: string, now: Date): Promise<void> {
    await this.db
      .updateTable('password_reset_tokens')
      .set({ used_at: now })
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .execute();
  }
}
