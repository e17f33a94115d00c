/**
 * The knowledge calls of the app: the ticket page's suggestions and capture, and the knowledge
 * area's articles, versions, proposals, categories and reports. Types only from contracts; the
 * server checks every permission and sends each article's own (`permissions`).
 */
import type {
  ArticleDiffOut,
  ArticleLanguage,
  ArticleOut,
  ArticleStatus,
  ArticleVersionOut,
  ArticleVisibility,
  CategoryOut,
  ContentGapReportOut,
  CreateArticleInput,
  DeflectionReportOut,
  Page,
  ProposalOut,
  SearchHitOut,
  SuggestionUseAction,
  UpdateArticleInput,
  VerificationReportOut,
  VerificationState,
} from '@guichet/contracts';
import { queryString, request } from '../api.ts';

export type { ArticleOut, SearchHitOut };

export const LANGUAGES: ArticleLanguage[] = ['en', 'fr'];

export interface ArticleFilters {
  /** Words each found in a title or text. */
  q?: string;
  status?: ArticleStatus | '';
  visibility?: ArticleVisibility | '';
  language?: ArticleLanguage | '';
  verification?: VerificationState | '';
  categoryId?: string;
  missing?: ArticleLanguage | '';
}

/** A new article as the form sends it (the contract's defaults fill the rest). */
export type NewArticle = Partial<Omit<CreateArticleInput, 'translations'>> & Pick<CreateArticleInput, 'translations'>;
export type ArticlePatch = UpdateArticleInput;

const PAGE = 50;

export const knowledgeApi = {
  suggestions: (ticketId: string) => request<{ articles: SearchHitOut[]; solvedTickets: SearchHitOut[] }>('GET', `/tickets/${ticketId}/suggestions`),
  article: (id: string) => request<ArticleOut>('GET', `/articles/${id}`),
  recordUse: (ticketId: string, articleId: string, action: SuggestionUseAction) =>
    request<void>('POST', `/tickets/${ticketId}/suggestions/uses`, { articleId, action }),
  draftFromReply: (ticketId: string, messageId: string) => request<ArticleOut>('POST', `/tickets/${ticketId}/messages/${messageId}/article-draft`, {}),

  // ---- the knowledge area ----
  articles: (f: ArticleFilters, cursor: string | null) => request<Page<ArticleOut>>('GET', `/articles${queryString({ ...f, limit: PAGE, cursor })}`),
  createArticle: (body: NewArticle) => request<ArticleOut>('POST', '/articles', body),
  updateArticle: (id: string, patch: ArticlePatch) => request<ArticleOut>('PATCH', `/articles/${id}`, patch),
  saveTranslation: (id: string, language: ArticleLanguage, body: { title: string; body: string; note?: string; baseVersion?: number }) =>
    request<ArticleOut>('PUT', `/articles/${id}/translations/${language}`, body),
  publish: (id: string, publishAt?: string) => request<ArticleOut>('POST', `/articles/${id}/publish`, publishAt ? { publishAt } : {}),
  unpublish: (id: string) => request<ArticleOut>('POST', `/articles/${id}/unpublish`, {}),
  archive: (id: string) => request<ArticleOut>('POST', `/articles/${id}/archive`, {}),
  verify: (id: string, note?: string) => request<ArticleOut>('POST', `/articles/${id}/verify`, note ? { note } : {}),
  versions: (id: string, language: ArticleLanguage, cursor: string | null) =>
    request<Page<ArticleVersionOut>>('GET', `/articles/${id}/versions${queryString({ language, limit: PAGE, cursor })}`),
  diff: (id: string, language: ArticleLanguage, from: number, to: number) =>
    request<ArticleDiffOut>('GET', `/articles/${id}/diff${queryString({ language, from, to })}`),
  restore: (id: string, language: ArticleLanguage, number: number) =>
    request<ArticleOut>('POST', `/articles/${id}/versions/${number}/restore`, { language }),

  propose: (id: string, body: { language: ArticleLanguage; title: string; body: string; note?: string; baseVersion?: number }) =>
    request<ProposalOut>('POST', `/articles/${id}/proposals`, body),
  proposals: (q: { status?: 'open' | 'accepted' | 'rejected' | ''; articleId?: string }, cursor: string | null) =>
    request<Page<ProposalOut>>('GET', `/article-proposals${queryString({ ...q, limit: PAGE, cursor })}`),
  acceptProposal: (id: string, note?: string) => request<ProposalOut>('POST', `/article-proposals/${id}/accept`, note ? { note } : {}),
  rejectProposal: (id: string, note?: string) => request<ProposalOut>('POST', `/article-proposals/${id}/reject`, note ? { note } : {}),

  categories: () => request<{ items: CategoryOut[] }>('GET', '/article-categories').then((r) => r.items),
  managers: () => request<{ items: Array<{ userId: string; name: string }> }>('GET', '/knowledge-managers').then((r) => r.items),

  verificationReport: () => request<VerificationReportOut>('GET', '/knowledge/verification-report'),
  contentGaps: (from: string, to: string) => request<ContentGapReportOut>('GET', `/knowledge/content-gaps${queryString({ from, to })}`),
  deflection: (from: string, to: string) => request<DeflectionReportOut>('GET', `/knowledge/deflection-report${queryString({ from, to })}`),
};
