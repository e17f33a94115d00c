import type { Kysely } from 'kysely';
import type { DB } from '../schema.ts';

type RuleTable = 'sla_policies' | 'triggers' | 'automations';

/**
 * The shared storage of admin-ordered rules (SLA policies, triggers, automations): one row per
 * rule with `position`, `enabled` and JSON columns, always scoped by workspace and listed in order.
 */
export class OrderedRules<T> {
  constructor(
    protected readonly db: Kysely<DB>,
    private readonly table: RuleTable,
    private readonly toRecord: (row: never) => T,
    private readonly columns: (patch: Partial<T>) => Record<string, unknown>,
  ) {}

  // Kysely cannot type a query over a table chosen at run time; the three tables share these columns.
  private get q(): Kysely<any> {
    return this.db as Kysely<any>;
  }

  async insert(r: T & { id: string; workspaceId: string; createdAt: Date }): Promise<T> {
    const row = await this.q
      .insertInto(this.table)
      .values({ id: r.id, workspace_id: r.workspaceId, created_at: r.createdAt, ...this.columns(r) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.toRecord(row as never);
  }

  async findById(workspaceId: string, id: string): Promise<T | null> {
    const row = await this.q.selectFrom(this.table).selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? this.toRecord(row as never) : null;
  }

  async update(workspaceId: string, id: string, patch: Partial<T>): Promise<T> {
    const row = await this.q.updateTable(this.table).set(this.columns(patch)).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    return this.toRecord(row as never);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    await this.q.deleteFrom(this.table).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async list(workspaceId: string, opts: { enabledOnly?: boolean } = {}): Promise<T[]> {
    let q = this.q.selectFrom(this.table).selectAll().where('workspace_id', '=', workspaceId);
    if (opts.enabledOnly) q = q.where('enabled', '=', true);
    return (await q.orderBy('position').orderBy('created_at').orderBy('id').execute()).map((r) => this.toRecord(r as never));
  }

  async anyEnabled(workspaceId: string): Promise<boolean> {
    return !!(await this.q.selectFrom(this.table).select('id').where('workspace_id', '=', workspaceId).where('enabled', '=', true).limit(1).executeTakeFirst());
  }
}
