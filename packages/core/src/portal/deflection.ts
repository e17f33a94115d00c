/**
 * Deflection: while a customer writes a request, the published public articles that may answer
 * it, ranked by the product's search (never internal articles or drafts). What happens is recorded
 * per form visit (suggestions shown, clicked, "this solved my question", a request sent anyway), so
 * the knowledge team can see which articles spare requests.
 */
import type { DeflectionKind, DeflectionReportQuery } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { getArticle, knowledgeActor } from '../knowledge/articles.ts';
import { requireManager } from '../knowledge/policy.ts';
import { suggestArticlesForText } from '../search/suggestions.ts';
import type { SearchHit } from '../search/types.ts';

/** A visit id: what the portal's form carries to join its events (random, not a secret). */
export const VISIT_ID = /^[A-Za-z0-9_-]{16,64}$/;

export interface Suggestion {
  articleId: string;
  title: string;
  snippet: string;
  language: string | null;
  slug: string;
}

/**
 * The articles that may answer `text` (subject and description so far), in the visitor's language
 * first, one per article. With a visit id, each one shown is recorded once for that visit.
 */
export async function suggestArticles(
  deps: Deps,
  ctx: Ctx,
  input: { text: string; language: 'fr' | 'en'; visit: string | null; limit?: number },
): Promise<Suggestion[]> {
  // The one suggestion function (the one bench/search-quality measures): any of the words, rare
  // ones first, public published articles only for customers and visitors, one hit per article.
  const q = input.text.trim().slice(0, 300);
  const hits = await suggestArticlesForText(deps, ctx, { text: q, limit: 20 });
  const items = hits
    .filter((h: SearchHit) => h.article?.visibility === 'public')
    .sort((a, b) => Number(b.language === input.language) - Number(a.language === input.language) || b.score - a.score)
    .slice(0, input.limit ?? 5)
    .map((h) => ({ articleId: h.id, title: h.title, snippet: h.snippet, language: h.language, slug: h.article!.slug }));
  if (input.visit && VISIT_ID.test(input.visit)) {
    const now = deps.clock.now();
    for (const s of items) {
      await deps.store.portal.insertDeflection({ id: deps.ids.uuid(), workspaceId: ctx.workspaceId, kind: 'shown', articleId: s.articleId, ticketId: null, visit: input.visit, query: q.slice(0, 200), language: input.language, createdAt: now });
    }
  }
  return items;
}

/** Record a click on a suggestion, a "this solved my question", or a request sent from a visit. */
export async function recordDeflection(
  deps: Deps,
  ctx: Ctx,
  input: { kind: Exclude<DeflectionKind, 'shown'>; visit: string | null; articleId?: string | null; ticketId?: string | null; language: 'fr' | 'en' },
): Promise<void> {
  const visit = input.visit && VISIT_ID.test(input.visit) ? input.visit : null;
  if (input.kind !== 'submitted') {
    if (!input.articleId) throw new AppError('VALIDATION_FAILED', 'Which article?', { issues: [{ path: ['articleId'], message: 'required' }] });
    // Only what the public may read: getArticle answers ARTICLE_NOT_FOUND for anything else.
    await getArticle(deps, ctx, input.articleId);
  } else if (!visit) {
    return;
  }
  await deps.store.portal.insertDeflection({
    id: deps.ids.uuid(),
    workspaceId: ctx.workspaceId,
    kind: input.kind,
    articleId: input.articleId ?? null,
    ticketId: input.ticketId ?? null,
    visit,
    query: null,
    language: input.language,
    createdAt: deps.clock.now(),
  });
}

/** Suggestions shown, clicks, "solved it" and requests sent after suggestions, per article, over a period (knowledge managers). */
export async function deflectionReport(deps: Deps, ctx: Ctx, q: DeflectionReportQuery) {
  requireManager(await knowledgeActor(deps.store, ctx));
  const to = q.to ? new Date(q.to) : deps.clock.now();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
  if (from >= to) throw new AppError('VALIDATION_FAILED', '"from" must be before "to".', { issues: [{ path: ['from'], message: 'after "to"' }] });
  const c = await deps.store.portal.deflectionCounts(ctx.workspaceId, from, to);
  const titles = await Promise.all(
    c.articles.slice(0, 200).map(async (a) => {
      const v = await deps.store.knowledge.findArticle(ctx.workspaceId, a.articleId);
      const tr = v?.translations.find((t) => t.language === 'en') ?? v?.translations[0];
      return tr?.title ?? null;
    }),
  );
  return {
    from,
    to,
    totals: {
      visitsWithSuggestions: c.visitsWithSuggestions,
      shown: c.shown,
      clicked: c.clicked,
      solved: c.solved,
      submittedAfterSuggestions: c.submittedAfterSuggestions,
      submitted: c.submitted,
      deflectionRate: c.visitsWithSuggestions ? Math.round((c.deflectedVisits / c.visitsWithSuggestions) * 1000) / 1000 : null,
    },
    articles: c.articles.slice(0, 200).map((a, i) => ({ ...a, title: titles[i] ?? null })),
  };
}
