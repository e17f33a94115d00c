import {
  ARTICLE_LANGUAGES,
  type ArticleLanguage,
  type CreateArticleInput,
  type ListArticlesQuery,
  type PublishArticleInput,
  type SaveTranslationInput,
  type UpdateArticleInput,
} from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { decodeCursor, toPage } from '../shared/cursor.ts';
import { AppError } from '../shared/errors.ts';
import { recordEvent } from '../shared/record.ts';
import type { Repositories } from '../store.ts';
import { diffTexts, diffWords } from './diff.ts';
import {
  canEditArticle,
  canPublish,
  canReadArticle,
  requireManager,
  requireStaff,
  type KnowledgeActor,
} from './policy.ts';
import type { Article, ArticlePatch, ArticleTranslation, ArticleVersion, ArticleView, VersionKind } from './types.ts';

export const KNOWLEDGE_PUBLISH_JOB = 'knowledge.publish';

export interface ArticleResult {
  view: ArticleView;
  access: KnowledgeActor;
  now: Date;
}

/** What we know about the actor for the knowledge rules (manager flag, teams). */
export async function knowledgeActor(repos: Repositories, ctx: Ctx): Promise<KnowledgeActor> {
  const userId = ctx.actor.userId;
  if (ctx.actor.role === 'customer' || !userId) return { actor: ctx.actor, manager: false, teamIds: [] };
  const [manager, teams] = await Promise.all([
    ctx.actor.role === 'admin' ? Promise.resolve(true) : repos.knowledge.isManager(ctx.workspaceId, userId),
    repos.users.teamIdsOf(ctx.workspaceId, [userId]),
  ]);
  return { actor: ctx.actor, manager, teamIds: teams.map((t) => t.teamId) };
}

const notFound = () => new AppError('ARTICLE_NOT_FOUND', 'Article not found.');

/** Read an article the caller may see; others answer exactly like a missing one. */
export async function loadReadableArticle(repos: Repositories, ctx: Ctx, id: string): Promise<{ view: ArticleView; access: KnowledgeActor }> {
  const [view, access] = await Promise.all([repos.knowledge.findArticle(ctx.workspaceId, id), knowledgeActor(repos, ctx)]);
  if (!view || !canReadArticle(access, view.article)) throw notFound();
  return { view, access };
}

/** A URL slug from a title: accents folded, lower case, words joined by hyphens. */
export function slugify(title: string): string {
  const s = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '');
  return s || 'article';
}

async function checkOwner(repos: Repositories, ctx: Ctx, userId: string | null | undefined, teamId: string | null | undefined) {
  if (userId) {
    const u = await repos.users.findById(ctx.workspaceId, userId);
    if (!u || u.role === 'customer') throw new AppError('USER_NOT_FOUND', 'The owner must be a staff member of this workspace.');
  }
  if (teamId && !(await repos.teams.findById(ctx.workspaceId, teamId))) throw new AppError('TEAM_NOT_FOUND', 'The owning team does not exist.');
}

async function checkCategory(repos: Repositories, ctx: Ctx, categoryId: string | null | undefined) {
  if (categoryId && !(await repos.knowledge.findCategory(ctx.workspaceId, categoryId))) {
    throw new AppError('ARTICLE_CATEGORY_NOT_FOUND', 'The category or section does not exist.');
  }
}

function newVersion(
  deps: Deps,
  ctx: Ctx,
  now: Date,
  articleId: string,
  language: ArticleLanguage,
  number: number,
  content: { title: string; body: string },
  kind: VersionKind,
  extra: { note?: string | null | undefined; restoredFrom?: number | null; authorId?: string | null } = {},
): ArticleVersion {
  return {
    id: deps.ids.uuid(),
    workspaceId: ctx.workspaceId,
    articleId,
    language,
    number,
    title: content.title,
    body: content.body,
    kind,
    note: extra.note ?? null,
    restoredFrom: extra.restoredFrom ?? null,
    authorId: extra.authorId !== undefined ? extra.authorId : ctx.actor.userId,
    createdAt: now,
  };
}

/**
 * Write a translation's new content as its next version (the one path every content change
 * takes: edits, restores, accepted proposals). Returns the version number.
 */
export async function writeTranslation(
  deps: Deps,
  ctx: Ctx,
  tx: Repositories,
  now: Date,
  article: Article,
  current: ArticleTranslation | undefined,
  language: ArticleLanguage,
  content: { title: string; body: string },
  kind: VersionKind,
  extra: { note?: string | null | undefined; restoredFrom?: number | null; authorId?: string | null; bump?: boolean } = {},
): Promise<number> {
  const number = (current?.versionNumber ?? 0) + 1;
  const authorId = extra.authorId !== undefined ? extra.authorId : ctx.actor.userId;
  await tx.knowledge.insertVersion(newVersion(deps, ctx, now, article.id, language, number, content, current ? kind : 'created', extra));
  await tx.knowledge.upsertTranslation({
    workspaceId: ctx.workspaceId,
    articleId: article.id,
    language,
    title: content.title,
    slug: slugify(content.title),
    body: content.body,
    versionNumber: number,
    updatedBy: authorId,
    updatedAt: now,
  });
  if (extra.bump !== false) await tx.knowledge.updateArticle(ctx.workspaceId, article.id, {}, now);
  return number;
}

export async function createArticle(deps: Deps, ctx: Ctx, input: CreateArticleInput): Promise<ArticleResult> {
  const now = deps.clock.now();
  const id = deps.ids.uuid();
  const access = await deps.store.transaction(async (tx) => {
    const access = await knowledgeActor(tx, ctx);
    requireStaff(access);
    await checkCategory(tx, ctx, input.categoryId);
    await checkOwner(tx, ctx, input.ownerUserId, input.ownerTeamId);
    // Nobody named: the author owns what they wrote until someone else takes it over.
    const ownerUserId = input.ownerUserId ?? (input.ownerTeamId ? null : ctx.actor.userId);
    const article = await tx.knowledge.insertArticle({
      id,
      workspaceId: ctx.workspaceId,
      categoryId: input.categoryId,
      status: 'draft',
      visibility: input.visibility,
      tags: [...new Set(input.tags)],
      template: input.template,
      ownerUserId,
      ownerTeamId: input.ownerTeamId,
      verifyIntervalDays: input.verifyIntervalDays,
      verifiedAt: null,
      verifiedBy: null,
      remindedFor: null,
      publishAt: null,
      publishedAt: null,
      archivedAt: null,
      createdBy: ctx.actor.userId,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    const languages: ArticleLanguage[] = [];
    for (const language of ARTICLE_LANGUAGES) {
      const content = input.translations[language];
      if (!content) continue;
      languages.push(language);
      await writeTranslation(deps, ctx, tx, now, article, undefined, language, content, 'created', { bump: false });
    }
    await recordEvent(tx, ctx, now, 'article', id, 'article.created', {
      languages,
      visibility: article.visibility,
      categoryId: article.categoryId,
      tags: article.tags,
      ownerUserId,
      ownerTeamId: input.ownerTeamId,
    });
    return access;
  });
  return { view: (await deps.store.knowledge.findArticle(ctx.workspaceId, id))!, access, now };
}

export async function getArticle(deps: Deps, ctx: Ctx, id: string): Promise<ArticleResult> {
  const { view, access } = await loadReadableArticle(deps.store, ctx, id);
  return { view, access, now: deps.clock.now() };
}

export async function listArticles(deps: Deps, ctx: Ctx, q: ListArticlesQuery) {
  const access = await knowledgeActor(deps.store, ctx);
  const now = deps.clock.now();
  const staff = ctx.actor.role !== 'customer';
  const rows = await deps.store.knowledge.listArticles(
    ctx.workspaceId,
    {
      publicOnly: !staff,
      ...(q.q ? { q: q.q } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.visibility ? { visibility: q.visibility } : {}),
      ...(q.categoryId ? { categoryId: q.categoryId } : {}),
      ...(q.tag ? { tag: q.tag } : {}),
      ...(q.language ? { language: q.language } : {}),
      ...(q.missing ? { missing: q.missing } : {}),
      ...(staff && q.ownerUserId ? { ownerUserId: q.ownerUserId } : {}),
      ...(staff && q.ownerTeamId ? { ownerTeamId: q.ownerTeamId } : {}),
      ...(staff && q.verification ? { verification: q.verification, now } : {}),
    },
    { limit: q.limit + 1, ...(q.cursor ? { after: decodeCursor(q.cursor, 'updated_at', 'desc') } : {}) },
  );
  const page = toPage(rows, q.limit, (v) => ({ sort: 'updated_at', order: 'desc', value: v.article.updatedAt.toISOString(), id: v.article.id }));
  return { items: page.items.map((view) => ({ view, access, now })), nextCursor: page.nextCursor };
}

function checkVersion(expected: number | undefined, current: number, what: string) {
  if (expected !== undefined && expected !== current) {
    throw new AppError('VERSION_CONFLICT', `Someone else changed ${what} since you loaded it; reload and try again.`, {
      expectedVersion: expected,
      currentVersion: current,
    });
  }
}

async function lockEditable(tx: Repositories, ctx: Ctx, id: string) {
  const access = await knowledgeActor(tx, ctx);
  const article = await tx.knowledge.lockArticle(ctx.workspaceId, id);
  if (!article || !canReadArticle(access, article)) throw notFound();
  return { access, article };
}

export async function updateArticle(deps: Deps, ctx: Ctx, id: string, input: UpdateArticleInput): Promise<ArticleResult> {
  const now = deps.clock.now();
  const access = await deps.store.transaction(async (tx) => {
    const { access, article } = await lockEditable(tx, ctx, id);
    if (!canEditArticle(access, article)) {
      throw new AppError('FORBIDDEN', 'Only knowledge managers (and the author of a draft) change this article; propose an edit instead.');
    }
    checkVersion(input.version, article.version, 'this article');
    const patch: ArticlePatch = {};
    const from: Record<string, unknown> = {};
    const to: Record<string, unknown> = {};
    const set = <K extends keyof ArticlePatch>(k: K, v: ArticlePatch[K] | undefined) => {
      if (v === undefined || JSON.stringify(v) === JSON.stringify(article[k as keyof Article])) return;
      patch[k] = v;
      from[k] = article[k as keyof Article];
      to[k] = v;
    };
    if (input.categoryId !== undefined) await checkCategory(tx, ctx, input.categoryId);
    if (input.ownerUserId !== undefined || input.ownerTeamId !== undefined) {
      await checkOwner(tx, ctx, input.ownerUserId, input.ownerTeamId);
      // One owner: naming a person clears the team and the other way round.
      if (input.ownerUserId) set('ownerTeamId', null);
      if (input.ownerTeamId) set('ownerUserId', null);
    }
    set('categoryId', input.categoryId);
    set('visibility', input.visibility);
    set('tags', input.tags ? [...new Set(input.tags)] : undefined);
    set('ownerUserId', input.ownerUserId);
    set('ownerTeamId', input.ownerTeamId);
    set('verifyIntervalDays', input.verifyIntervalDays);
    if (Object.keys(patch).length === 0) return access;
    await tx.knowledge.updateArticle(ctx.workspaceId, id, patch, now);
    await recordEvent(tx, ctx, now, 'article', id, 'article.updated', { from, to });
    return access;
  });
  return { view: (await deps.store.knowledge.findArticle(ctx.workspaceId, id))!, access, now };
}

export async function saveTranslation(
  deps: Deps,
  ctx: Ctx,
  id: string,
  language: ArticleLanguage,
  input: SaveTranslationInput,
): Promise<ArticleResult> {
  const now = deps.clock.now();
  const access = await deps.store.transaction(async (tx) => {
    const { access, article } = await lockEditable(tx, ctx, id);
    if (!canEditArticle(access, article)) {
      throw new AppError('FORBIDDEN', 'Only knowledge managers (and the author of a draft) edit this article directly; propose an edit instead (POST /articles/{id}/proposals).');
    }
    const view = (await tx.knowledge.findArticle(ctx.workspaceId, id))!;
    const current = view.translations.find((t) => t.language === language);
    if (current) checkVersion(input.baseVersion, current.versionNumber, `the ${language} translation`);
    if (current && current.title === input.title && current.body === input.body) return access; // nothing changed: no new version
    const number = await writeTranslation(deps, ctx, tx, now, article, current, language, input, 'edited', { note: input.note });
    await recordEvent(tx, ctx, now, 'article', id, current ? 'article.translation_edited' : 'article.translation_added', {
      language,
      version: number,
      ...(input.note ? { note: input.note } : {}),
    });
    return access;
  });
  return { view: (await deps.store.knowledge.findArticle(ctx.workspaceId, id))!, access, now };
}

/** Publish now, or schedule for later (a job publishes it then; the hourly sweep catches up). */
export async function publishArticle(deps: Deps, ctx: Ctx, id: string, input: PublishArticleInput): Promise<ArticleResult> {
  const now = deps.clock.now();
  const access = await deps.store.transaction(async (tx) => {
    const { access, article } = await lockEditable(tx, ctx, id);
    requireManager(access);
    const at = input.publishAt ? new Date(input.publishAt) : null;
    if (article.status === 'published') {
      throw new AppError('INVALID_ARTICLE_TRANSITION', 'This article is already published.');
    }
    if (at && at.getTime() > now.getTime()) {
      if (article.status !== 'draft') {
        throw new AppError('INVALID_ARTICLE_TRANSITION', 'Only drafts can be scheduled; publish an archived article now or make it a draft again.');
      }
      await tx.knowledge.updateArticle(ctx.workspaceId, id, { publishAt: at }, now);
      await tx.jobs.enqueue(
        { type: KNOWLEDGE_PUBLISH_JOB, payload: { articleId: id }, workspaceId: ctx.workspaceId, runAt: at, dedupeKey: `${id}:${at.toISOString()}`, maxAttempts: 10 },
        now,
      );
      await recordEvent(tx, ctx, now, 'article', id, 'article.publish_scheduled', { publishAt: at.toISOString() });
      return access;
    }
    await publishNow(tx, ctx, now, article);
    return access;
  });
  return { view: (await deps.store.knowledge.findArticle(ctx.workspaceId, id))!, access, now };
}

async function publishNow(tx: Repositories, ctx: Ctx, now: Date, article: Article, scheduled = false) {
  await tx.knowledge.updateArticle(ctx.workspaceId, article.id, { status: 'published', publishedAt: now, publishAt: null, archivedAt: null }, now);
  await recordEvent(tx, ctx, now, 'article', article.id, 'article.published', { from: article.status, ...(scheduled ? { scheduled: true } : {}) });
}

/** Back to draft: unpublish, or cancel a scheduled publication. */
export async function unpublishArticle(deps: Deps, ctx: Ctx, id: string): Promise<ArticleResult> {
  const now = deps.clock.now();
  const access = await deps.store.transaction(async (tx) => {
    const { access, article } = await lockEditable(tx, ctx, id);
    requireManager(access);
    if (article.status === 'draft' && !article.publishAt) throw new AppError('INVALID_ARTICLE_TRANSITION', 'This article is already a draft.');
    await tx.knowledge.updateArticle(ctx.workspaceId, id, { status: 'draft', publishAt: null }, now);
    await recordEvent(tx, ctx, now, 'article', id, article.status === 'draft' ? 'article.schedule_cancelled' : 'article.unpublished', { from: article.status });
    return access;
  });
  return { view: (await deps.store.knowledge.findArticle(ctx.workspaceId, id))!, access, now };
}

export async function archiveArticle(deps: Deps, ctx: Ctx, id: string): Promise<ArticleResult> {
  const now = deps.clock.now();
  const access = await deps.store.transaction(async (tx) => {
    const { access, article } = await lockEditable(tx, ctx, id);
    requireManager(access);
    if (article.status === 'archived') throw new AppError('INVALID_ARTICLE_TRANSITION', 'This article is already archived.');
    await tx.knowledge.updateArticle(ctx.workspaceId, id, { status: 'archived', archivedAt: now, publishAt: null }, now);
    await recordEvent(tx, ctx, now, 'article', id, 'article.archived', { from: article.status });
    return access;
  });
  return { view: (await deps.store.knowledge.findArticle(ctx.workspaceId, id))!, access, now };
}

/**
 * The scheduled-publication job (and the sweep): publish the draft if its time has come and it
 * is still scheduled for then. Safe to run twice; a cancelled or moved schedule does nothing.
 */
export async function runScheduledPublication(deps: Deps, workspaceId: string, articleId: string): Promise<boolean> {
  const now = deps.clock.now();
  const ctx: Ctx = { workspaceId, actor: { type: 'system', userId: null, role: 'admin', name: 'Guichet', organizationId: null, via: 'system' }, requestId: `job:${KNOWLEDGE_PUBLISH_JOB}` };
  return deps.store.transaction(async (tx) => {
    const article = await tx.knowledge.lockArticle(workspaceId, articleId);
    if (!article || article.status !== 'draft' || !article.publishAt || article.publishAt.getTime() > now.getTime()) return false;
    await publishNow(tx, ctx, now, article, true);
    return true;
  });
}

/** Publish every overdue scheduled draft (fallback for a lost job; run by the hourly knowledge sweep). */
export async function publishDueArticles(deps: Deps): Promise<number> {
  let n = 0;
  for (const due of await deps.store.knowledge.listDueScheduled(deps.clock.now(), 500)) {
    if (await runScheduledPublication(deps, due.workspaceId, due.id)) n++;
  }
  return n;
}

// ---- versions, diff, restore ----------------------------------------------------------------

export async function listArticleVersions(
  deps: Deps,
  ctx: Ctx,
  id: string,
  q: { language: ArticleLanguage; limit: number; cursor?: string | undefined },
) {
  const { access } = await loadReadableArticle(deps.store, ctx, id);
  requireStaff(access);
  const before = q.cursor ? Number(decodeCursor(q.cursor, 'id', 'asc').id) : undefined;
  const rows = await deps.store.knowledge.listVersions(ctx.workspaceId, id, q.language, {
    limit: q.limit + 1,
    ...(before !== undefined && Number.isFinite(before) ? { beforeNumber: before } : {}),
  });
  return toPage(rows, q.limit, (v) => ({ sort: 'id', order: 'asc', value: null, id: String(v.number) }));
}

async function versionOf(deps: Deps, ctx: Ctx, id: string, language: ArticleLanguage, number: number) {
  const v = await deps.store.knowledge.findVersion(ctx.workspaceId, id, language, number);
  if (!v) throw new AppError('ARTICLE_VERSION_NOT_FOUND', `Version ${number} of the ${language} translation does not exist.`);
  return v;
}

export async function getArticleVersion(deps: Deps, ctx: Ctx, id: string, language: ArticleLanguage, number: number) {
  const { access } = await loadReadableArticle(deps.store, ctx, id);
  requireStaff(access);
  return versionOf(deps, ctx, id, language, number);
}

export async function diffArticleVersions(deps: Deps, ctx: Ctx, id: string, q: { language: ArticleLanguage; from: number; to: number }) {
  const { access } = await loadReadableArticle(deps.store, ctx, id);
  requireStaff(access);
  const [a, b] = await Promise.all([versionOf(deps, ctx, id, q.language, q.from), versionOf(deps, ctx, id, q.language, q.to)]);
  const text = diffTexts(a.body, b.body);
  return {
    language: q.language,
    from: a.number,
    to: b.number,
    title: { from: a.title, to: b.title, words: diffWords(a.title, b.title) },
    ...text,
  };
}

/** Bring back an old version's content as a new version (history is never rewritten). */
export async function restoreArticleVersion(
  deps: Deps,
  ctx: Ctx,
  id: string,
  number: number,
  input: { language: ArticleLanguage; note?: string | undefined },
): Promise<ArticleResult> {
  const now = deps.clock.now();
  const access = await deps.store.transaction(async (tx) => {
    const { access, article } = await lockEditable(tx, ctx, id);
    if (!canEditArticle(access, article)) throw new AppError('FORBIDDEN', 'Only knowledge managers (and the author of a draft) restore versions.');
    const old = await tx.knowledge.findVersion(ctx.workspaceId, id, input.language, number);
    if (!old) throw new AppError('ARTICLE_VERSION_NOT_FOUND', `Version ${number} of the ${input.language} translation does not exist.`);
    const view = (await tx.knowledge.findArticle(ctx.workspaceId, id))!;
    const current = view.translations.find((t) => t.language === input.language);
    const version = await writeTranslation(deps, ctx, tx, now, article, current, input.language, old, 'restored', {
      note: input.note ?? null,
      restoredFrom: number,
    });
    await recordEvent(tx, ctx, now, 'article', id, 'article.version_restored', { language: input.language, restoredFrom: number, version });
    return access;
  });
  return { view: (await deps.store.knowledge.findArticle(ctx.workspaceId, id))!, access, now };
}

export async function listArticleEvents(deps: Deps, ctx: Ctx, id: string, q: { limit: number; cursor?: string | undefined }) {
  const { access } = await loadReadableArticle(deps.store, ctx, id);
  requireStaff(access);
  const afterId = q.cursor ? Number(decodeCursor(q.cursor, 'id', 'asc').id) : undefined;
  const rows = await deps.store.events.listForSubject(ctx.workspaceId, 'article', id, {
    limit: q.limit + 1,
    ...(afterId !== undefined && Number.isFinite(afterId) ? { afterId } : {}),
  });
  return toPage(rows, q.limit, (e) => ({ sort: 'id', order: 'asc', value: null, id: String(e.id) }));
}


