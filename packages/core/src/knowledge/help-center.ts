import type { ArticleLanguage } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { recordEvent } from '../shared/record.ts';
import type { Workspace } from '../people/types.ts';
import { getArticle, listArticles, type ArticleResult } from './articles.ts';
import { listCategories } from './categories.ts';
import type { ArticleCategory } from './types.ts';

/**
 * The public help center's reads: a workspace is found by its slug, and everything is read as
 * an anonymous visitor, so only published public articles can come out.
 */
export async function helpCenterContext(deps: Deps, slug: string): Promise<{ workspace: Workspace; ctx: Ctx }> {
  const workspace = await deps.store.workspaces.findBySlug(slug);
  if (!workspace) throw new AppError('NOT_FOUND', 'No help center here.');
  const ctx: Ctx = {
    workspaceId: workspace.id,
    actor: { type: 'user', userId: null, role: 'customer', name: null, organizationId: null, via: 'session' },
    requestId: 'help-center',
  };
  return { workspace, ctx };
}

export async function helpCenterHome(deps: Deps, ctx: Ctx): Promise<{ categories: ArticleCategory[]; articles: ArticleResult[] }> {
  const [categories, page] = await Promise.all([listCategories(deps, ctx), listArticles(deps, ctx, { limit: 200 })]);
  return { categories, articles: page.items };
}

export async function helpCenterArticle(deps: Deps, ctx: Ctx, id: string): Promise<ArticleResult> {
  return getArticle(deps, ctx, id);
}

/** "Did this help?" from anyone who could read the article; the comment is optional. */
export async function recordArticleFeedback(
  deps: Deps,
  ctx: Ctx,
  id: string,
  input: { language: ArticleLanguage; helpful: boolean; comment?: string | null },
): Promise<void> {
  await getArticle(deps, ctx, id);
  const comment = input.comment?.trim().slice(0, 2000) || null;
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    await tx.knowledge.insertFeedback({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      articleId: id,
      language: input.language,
      helpful: input.helpful,
      comment,
      userId: ctx.actor.userId,
      createdAt: now,
    });
    await recordEvent(tx, ctx, now, 'article', id, 'article.feedback', { language: input.language, helpful: input.helpful, comment: comment !== null });
  });
}
