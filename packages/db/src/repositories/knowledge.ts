import { sql, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type {
  Article,
  ArticleCategory,
  ArticleFeedback,
  ArticleFilter,
  ArticlePatch,
  ArticleProposal,
  ArticleTranslation,
  ArticleVersion,
  ArticleVersionView,
  ArticleView,
  KnowledgeNotification,
  KnowledgeRepository,
  PageRequest,
} from '@guichet/core';
import type {
  ArticleCategoriesTable,
  ArticleProposalsTable,
  ArticlesTable,
  ArticleTranslationsTable,
  DB,
  KnowledgeNotificationsTable,
} from '../schema.ts';
import { json } from './mappers.ts';

const d = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
const dn = (v: Date | string | null): Date | null => (v === null ? null : d(v));

function toArticle(r: Selectable<ArticlesTable>): Article {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    categoryId: r.category_id,
    status: r.status as Article['status'],
    visibility: r.visibility as Article['visibility'],
    tags: r.tags ?? [],
    template: r.template as Article['template'],
    ownerUserId: r.owner_user_id,
    ownerTeamId: r.owner_team_id,
    verifyIntervalDays: r.verify_interval_days,
    verifiedAt: dn(r.verified_at),
    verifiedBy: r.verified_by,
    remindedFor: dn(r.reminded_for),
    publishAt: dn(r.publish_at),
    publishedAt: dn(r.published_at),
    archivedAt: dn(r.archived_at),
    createdBy: r.created_by,
    version: r.version,
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

function toTranslation(r: Selectable<ArticleTranslationsTable>): ArticleTranslation {
  return {
    workspaceId: r.workspace_id,
    articleId: r.article_id,
    language: r.language as ArticleTranslation['language'],
    title: r.title,
    slug: r.slug,
    body: r.body,
    versionNumber: r.version_number,
    updatedBy: r.updated_by,
    updatedAt: d(r.updated_at),
  };
}

function toProposal(r: Selectable<ArticleProposalsTable>): ArticleProposal {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    articleId: r.article_id,
    language: r.language as ArticleProposal['language'],
    baseVersion: r.base_version,
    title: r.title,
    body: r.body,
    note: r.note,
    authorId: r.author_id,
    status: r.status as ArticleProposal['status'],
    reviewedBy: r.reviewed_by,
    reviewedAt: dn(r.reviewed_at),
    reviewNote: r.review_note,
    createdAt: d(r.created_at),
  };
}

function toCategory(r: Selectable<ArticleCategoriesTable>): ArticleCategory {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    parentId: r.parent_id,
    names: json(r.names, {}),
    descriptions: json(r.descriptions, {}),
    position: r.position,
    createdAt: d(r.created_at),
    updatedAt: d(r.updated_at),
  };
}

function toNotification(r: Selectable<KnowledgeNotificationsTable>): KnowledgeNotification {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    userId: r.user_id,
    kind: r.kind,
    articleId: r.article_id,
    data: json(r.data, {}),
    createdAt: d(r.created_at),
    readAt: dn(r.read_at),
  };
}

const ARTICLE_COLUMNS: Record<keyof ArticlePatch, keyof ArticlesTable> = {
  categoryId: 'category_id',
  status: 'status',
  visibility: 'visibility',
  tags: 'tags',
  ownerUserId: 'owner_user_id',
  ownerTeamId: 'owner_team_id',
  verifyIntervalDays: 'verify_interval_days',
  verifiedAt: 'verified_at',
  verifiedBy: 'verified_by',
  remindedFor: 'reminded_for',
  publishAt: 'publish_at',
  publishedAt: 'published_at',
  archivedAt: 'archived_at',
};

/** Due date of verification and the start of its "due soon" window, in SQL (see core verification-state.ts). */
const DUE_AT = sql`(coalesce(a.verified_at, a.created_at) + make_interval(days => a.verify_interval_days))`;
const WARN_AT = sql`(${DUE_AT} - least(interval '14 days', make_interval(days => a.verify_interval_days) / 4))`;

export class KyselyKnowledgeRepository implements KnowledgeRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insertArticle(a: Article): Promise<Article> {
    const r = await this.db
      .insertInto('articles')
      .values({
        id: a.id,
        workspace_id: a.workspaceId,
        category_id: a.categoryId,
        status: a.status,
        visibility: a.visibility,
        tags: sql`${a.tags}::text[]` as never,
        template: a.template,
        owner_user_id: a.ownerUserId,
        owner_team_id: a.ownerTeamId,
        verify_interval_days: a.verifyIntervalDays,
        verified_at: a.verifiedAt,
        verified_by: a.verifiedBy,
        reminded_for: a.remindedFor,
        publish_at: a.publishAt,
        published_at: a.publishedAt,
        archived_at: a.archivedAt,
        created_by: a.createdBy,
        version: a.version,
        created_at: a.createdAt,
        updated_at: a.updatedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toArticle(r);
  }

  private async withTranslations(workspaceId: string, articles: Article[]): Promise<ArticleView[]> {
    if (!articles.length) return [];
    const rows = await this.db
      .selectFrom('article_translations')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('article_id', 'in', articles.map((a) => a.id))
      .orderBy('language')
      .execute();
    const by = new Map<string, ArticleTranslation[]>();
    for (const r of rows) {
      const list = by.get(r.article_id) ?? [];
      list.push(toTranslation(r));
      by.set(r.article_id, list);
    }
    return articles.map((article) => ({ article, translations: by.get(article.id) ?? [] }));
  }

  async findArticle(workspaceId: string, id: string): Promise<ArticleView | null> {
    const r = await this.db.selectFrom('articles').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    if (!r) return null;
    return (await this.withTranslations(workspaceId, [toArticle(r)]))[0]!;
  }

  async lockArticle(workspaceId: string, id: string): Promise<Article | null> {
    const r = await this.db.selectFrom('articles').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).forUpdate().executeTakeFirst();
    return r ? toArticle(r) : null;
  }

  async updateArticle(workspaceId: string, id: string, patch: ArticlePatch, updatedAt: Date): Promise<Article> {
    const cols: Record<string, unknown> = { updated_at: updatedAt, version: sql`version + 1` };
    for (const [k, v] of Object.entries(patch)) {
      const col = ARTICLE_COLUMNS[k as keyof ArticlePatch];
      if (col) cols[col] = k === 'tags' ? sql`${v}::text[]` : v;
    }
    const r = await this.db
      .updateTable('articles')
      .set(cols as never)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toArticle(r);
  }

  async deleteArticle(workspaceId: string, id: string): Promise<void> {
    await this.db.deleteFrom('articles').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async listArticles(workspaceId: string, f: ArticleFilter, page: PageRequest): Promise<ArticleView[]> {
    let q = this.db.selectFrom('articles as a').selectAll('a').where('a.workspace_id', '=', workspaceId);
    if (f.publicOnly) q = q.where('a.status', '=', 'published').where('a.visibility', '=', 'public');
    if (f.status) q = q.where('a.status', '=', f.status);
    if (f.visibility) q = q.where('a.visibility', '=', f.visibility);
    if (f.categoryId) {
      const c = f.categoryId;
      // A category lists its sections' articles too.
      q = q.where((eb) =>
        eb.or([
          eb('a.category_id', '=', c),
          eb('a.category_id', 'in', eb.selectFrom('article_categories').select('id').where('workspace_id', '=', workspaceId).where('parent_id', '=', c)),
        ]),
      );
    }
    if (f.tag) q = q.where(sql<SqlBool>`${f.tag} = ANY(a.tags)`);
    // Each word, as typed (LIKE's own characters escaped), somewhere in a translation: a plain
    // filter that combines with all the others, for the knowledge base's own list (the ranked,
    // stemmed search is GET /search).
    for (const word of (f.q ?? '').split(/\s+/).filter(Boolean).slice(0, 10)) {
      const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(
        sql<SqlBool>`EXISTS (SELECT 1 FROM article_translations tr WHERE tr.article_id = a.id AND guichet_fold(tr.title || ' ' || tr.body) LIKE guichet_fold(${pattern}))`,
      );
    }
    if (f.ownerUserId) q = q.where('a.owner_user_id', '=', f.ownerUserId);
    if (f.ownerTeamId) q = q.where('a.owner_team_id', '=', f.ownerTeamId);
    const hasTranslation = (lang: string) =>
      sql<SqlBool>`EXISTS (SELECT 1 FROM article_translations tr WHERE tr.article_id = a.id AND tr.language = ${lang})`;
    if (f.language) q = q.where(hasTranslation(f.language));
    if (f.missing) q = q.where(sql<SqlBool>`NOT ${hasTranslation(f.missing)}`);
    if (f.verification && f.now) {
      const now = f.now;
      q = q.where('a.status', '<>', 'archived');
      if (f.verification === 'expired') q = q.where(sql<SqlBool>`${DUE_AT} <= ${now}`);
      else if (f.verification === 'due_soon') q = q.where(sql<SqlBool>`${DUE_AT} > ${now} AND ${WARN_AT} <= ${now}`);
      else q = q.where(sql<SqlBool>`${WARN_AT} > ${now}`);
    }
    if (page.after) q = q.where(sql<SqlBool>`(a.updated_at, a.id) < (${new Date(String(page.after.value))}, ${page.after.id})`);
    const rows = await q.orderBy('a.updated_at', 'desc').orderBy('a.id', 'desc').limit(page.limit).execute();
    return this.withTranslations(workspaceId, rows.map(toArticle));
  }

  async listForVerification(workspaceId: string): Promise<ArticleView[]> {
    const rows = await this.db
      .selectFrom('articles')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('status', '<>', 'archived')
      .orderBy('created_at')
      .limit(10_000)
      .execute();
    return this.withTranslations(workspaceId, rows.map(toArticle));
  }

  async listDueScheduled(now: Date, limit: number): Promise<Array<{ workspaceId: string; id: string }>> {
    const rows = await this.db
      .selectFrom('articles')
      .select(['workspace_id', 'id'])
      .where('publish_at', '<=', now)
      .where('status', '=', 'draft')
      .orderBy('publish_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ workspaceId: r.workspace_id, id: r.id }));
  }

  async workspacesWithArticles(): Promise<string[]> {
    const rows = await this.db.selectFrom('articles').select('workspace_id').where('status', '<>', 'archived').distinct().execute();
    return rows.map((r) => r.workspace_id);
  }

  async upsertTranslation(t: ArticleTranslation): Promise<void> {
    await this.db
      .insertInto('article_translations')
      .values({
        workspace_id: t.workspaceId,
        article_id: t.articleId,
        language: t.language,
        title: t.title,
        slug: t.slug,
        body: t.body,
        version_number: t.versionNumber,
        updated_by: t.updatedBy,
        updated_at: t.updatedAt,
      })
      .onConflict((oc) =>
        oc.columns(['article_id', 'language']).doUpdateSet({
          title: t.title,
          slug: t.slug,
          body: t.body,
          version_number: t.versionNumber,
          updated_by: t.updatedBy,
          updated_at: t.updatedAt,
        }),
      )
      .execute();
  }

  async insertVersion(v: ArticleVersion): Promise<void> {
    await this.db
      .insertInto('article_versions')
      .values({
        id: v.id,
        workspace_id: v.workspaceId,
        article_id: v.articleId,
        language: v.language,
        number: v.number,
        title: v.title,
        body: v.body,
        kind: v.kind,
        note: v.note,
        restored_from: v.restoredFrom,
        author_id: v.authorId,
        created_at: v.createdAt,
      })
      .execute();
  }

  private versions(workspaceId: string, articleId: string, language: string) {
    return this.db
      .selectFrom('article_versions as v')
      .leftJoin('users as u', 'u.id', 'v.author_id')
      .selectAll('v')
      .select('u.name as author_name')
      .where('v.workspace_id', '=', workspaceId)
      .where('v.article_id', '=', articleId)
      .where('v.language', '=', language);
  }

  async listVersions(
    workspaceId: string,
    articleId: string,
    language: ArticleVersion['language'],
    page: { limit: number; beforeNumber?: number },
  ): Promise<ArticleVersionView[]> {
    let q = this.versions(workspaceId, articleId, language);
    if (page.beforeNumber !== undefined) q = q.where('v.number', '<', page.beforeNumber);
    const rows = await q.orderBy('v.number', 'desc').limit(page.limit).execute();
    return rows.map(toVersionView);
  }

  async findVersion(workspaceId: string, articleId: string, language: ArticleVersion['language'], number: number): Promise<ArticleVersionView | null> {
    const r = await this.versions(workspaceId, articleId, language).where('v.number', '=', number).executeTakeFirst();
    return r ? toVersionView(r) : null;
  }

  async insertProposal(p: ArticleProposal): Promise<ArticleProposal> {
    const r = await this.db
      .insertInto('article_proposals')
      .values({
        id: p.id,
        workspace_id: p.workspaceId,
        article_id: p.articleId,
        language: p.language,
        base_version: p.baseVersion,
        title: p.title,
        body: p.body,
        note: p.note,
        author_id: p.authorId,
        status: p.status,
        reviewed_by: p.reviewedBy,
        reviewed_at: p.reviewedAt,
        review_note: p.reviewNote,
        created_at: p.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toProposal(r);
  }

  async findProposal(workspaceId: string, id: string): Promise<ArticleProposal | null> {
    const r = await this.db.selectFrom('article_proposals').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toProposal(r) : null;
  }

  async updateProposal(
    workspaceId: string,
    id: string,
    patch: Partial<Pick<ArticleProposal, 'status' | 'reviewedBy' | 'reviewedAt' | 'reviewNote'>>,
  ): Promise<ArticleProposal> {
    const cols: Record<string, unknown> = {};
    if (patch.status !== undefined) cols.status = patch.status;
    if (patch.reviewedBy !== undefined) cols.reviewed_by = patch.reviewedBy;
    if (patch.reviewedAt !== undefined) cols.reviewed_at = patch.reviewedAt;
    if (patch.reviewNote !== undefined) cols.review_note = patch.reviewNote;
    const r = await this.db
      .updateTable('article_proposals')
      .set(cols as never)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toProposal(r);
  }

  async listProposals(
    workspaceId: string,
    f: { status?: ArticleProposal['status']; articleId?: string; authorId?: string },
    page: PageRequest,
  ): Promise<ArticleProposal[]> {
    let q = this.db.selectFrom('article_proposals as p').selectAll('p').where('p.workspace_id', '=', workspaceId);
    if (f.status) q = q.where('p.status', '=', f.status);
    if (f.articleId) q = q.where('p.article_id', '=', f.articleId);
    if (f.authorId) q = q.where('p.author_id', '=', f.authorId);
    if (page.after) q = q.where(sql<SqlBool>`(p.created_at, p.id) < (${new Date(String(page.after.value))}, ${page.after.id})`);
    const rows = await q.orderBy('p.created_at', 'desc').orderBy('p.id', 'desc').limit(page.limit).execute();
    return rows.map(toProposal);
  }

  async insertCategory(c: ArticleCategory): Promise<ArticleCategory> {
    const r = await this.db
      .insertInto('article_categories')
      .values({
        id: c.id,
        workspace_id: c.workspaceId,
        parent_id: c.parentId,
        names: JSON.stringify(c.names),
        descriptions: JSON.stringify(c.descriptions),
        position: c.position,
        created_at: c.createdAt,
        updated_at: c.updatedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCategory(r);
  }

  async findCategory(workspaceId: string, id: string): Promise<ArticleCategory | null> {
    const r = await this.db.selectFrom('article_categories').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? toCategory(r) : null;
  }

  async updateCategory(workspaceId: string, id: string, patch: Partial<ArticleCategory>): Promise<ArticleCategory> {
    const cols: Record<string, unknown> = {};
    if (patch.names !== undefined) cols.names = JSON.stringify(patch.names);
    if (patch.descriptions !== undefined) cols.descriptions = JSON.stringify(patch.descriptions);
    if (patch.parentId !== undefined) cols.parent_id = patch.parentId;
    if (patch.position !== undefined) cols.position = patch.position;
    if (patch.updatedAt !== undefined) cols.updated_at = patch.updatedAt;
    const r = await this.db
      .updateTable('article_categories')
      .set(cols as never)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCategory(r);
  }

  async deleteCategory(workspaceId: string, id: string): Promise<void> {
    await this.db.deleteFrom('article_categories').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async listCategories(workspaceId: string): Promise<ArticleCategory[]> {
    const rows = await this.db
      .selectFrom('article_categories')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('position')
      .orderBy('created_at')
      .limit(5000)
      .execute();
    return rows.map(toCategory);
  }

  async isManager(workspaceId: string, userId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('knowledge_managers')
      .select('user_id')
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return r !== undefined;
  }

  async setManager(workspaceId: string, userId: string, on: boolean, at: Date): Promise<void> {
    if (on) {
      await this.db
        .insertInto('knowledge_managers')
        .values({ workspace_id: workspaceId, user_id: userId, created_at: at })
        .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doNothing())
        .execute();
    } else {
      await this.db.deleteFrom('knowledge_managers').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).execute();
    }
  }

  async listManagers(workspaceId: string): Promise<Array<{ userId: string; since: Date }>> {
    const rows = await this.db.selectFrom('knowledge_managers').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute();
    return rows.map((r) => ({ userId: r.user_id, since: d(r.created_at) }));
  }

  async insertNotification(n: KnowledgeNotification): Promise<void> {
    await this.db
      .insertInto('knowledge_notifications')
      .values({
        id: n.id,
        workspace_id: n.workspaceId,
        user_id: n.userId,
        kind: n.kind,
        article_id: n.articleId,
        data: JSON.stringify(n.data),
        created_at: n.createdAt,
        read_at: n.readAt,
      })
      .execute();
  }

  async listNotifications(
    workspaceId: string,
    userId: string,
    opts: { unread?: boolean; limit: number; after?: PageRequest['after'] },
  ): Promise<KnowledgeNotification[]> {
    let q = this.db.selectFrom('knowledge_notifications as n').selectAll('n').where('n.workspace_id', '=', workspaceId).where('n.user_id', '=', userId);
    if (opts.unread) q = q.where('n.read_at', 'is', null);
    if (opts.after) q = q.where(sql<SqlBool>`(n.created_at, n.id) < (${new Date(String(opts.after.value))}, ${opts.after.id})`);
    const rows = await q.orderBy('n.created_at', 'desc').orderBy('n.id', 'desc').limit(opts.limit).execute();
    return rows.map(toNotification);
  }

  async markNotificationRead(workspaceId: string, userId: string, id: string, at: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('knowledge_notifications')
      .set({ read_at: sql`coalesce(read_at, ${at})` as never })
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async insertFeedback(f: ArticleFeedback): Promise<void> {
    await this.db
      .insertInto('article_feedback')
      .values({
        id: f.id,
        workspace_id: f.workspaceId,
        article_id: f.articleId,
        language: f.language,
        helpful: f.helpful,
        comment: f.comment,
        user_id: f.userId,
        created_at: f.createdAt,
      })
      .execute();
  }

  async feedbackSummary(workspaceId: string, articleId: string): Promise<{ helpful: number; notHelpful: number }> {
    const r = await this.db
      .selectFrom('article_feedback')
      .select([sql<number>`count(*) FILTER (WHERE helpful)`.as('yes'), sql<number>`count(*) FILTER (WHERE NOT helpful)`.as('no')])
      .where('workspace_id', '=', workspaceId)
      .where('article_id', '=', articleId)
      .executeTakeFirstOrThrow();
    return { helpful: Number(r.yes), notHelpful: Number(r.no) };
  }
}

function toVersionView(r: Record<string, any>): ArticleVersionView {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    articleId: r.article_id,
    language: r.language,
    number: r.number,
    title: r.title,
    body: r.body,
    kind: r.kind,
    note: r.note,
    restoredFrom: r.restored_from,
    authorId: r.author_id,
    authorName: r.author_name ?? null,
    createdAt: d(r.created_at),
  };
}
