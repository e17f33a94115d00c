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
  KnowledgeManagerOut,
  KnowledgeNotificationOut,
  Page,
  ProposalDiffOut,
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

/** A category or section as the forms send it: names in one language at least; descriptions, parent and position optional. */
export interface CategoryInput {
  names?: { en?: string; fr?: string };
  descriptions?: { en?: string; fr?: string };
  parentId?: string | null;
  position?: number;
}

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
  proposalDiff: (id: string) => request<ProposalDiffOut>('GET', `/article-proposals/${id}/diff`),
  acceptProposal: (id: string, note?: string) => request<ProposalOut>('POST', `/article-proposals/${id}/accept`, note ? { note } : {}),
  rejectProposal: (id: string, note?: string) => request<ProposalOut>('POST', `/article-proposals/${id}/reject`, note ? { note } : {}),

  categories: () => request<{ items: CategoryOut[] }>('GET', '/article-categories').then((r) => r.items),
  createCategory: (body: CategoryInput) => request<CategoryOut>('POST', '/article-categories', body),
  updateCategory: (id: string, patch: CategoryInput) => request<CategoryOut>('PATCH', `/article-categories/${id}`, patch),
  deleteCategory: (id: string) => request<void>('DELETE', `/article-categories/${id}`),

  managers: () => request<{ items: KnowledgeManagerOut[] }>('GET', '/knowledge-managers').then((r) => r.items),
  addManager: (userId: string) => request<void>('PUT', `/knowledge-managers/${userId}`, {}),
  removeManager: (userId: string) => request<void>('DELETE', `/knowledge-managers/${userId}`),

  notifications: (q: { unread?: boolean }, cursor: string | null) =>
    request<Page<KnowledgeNotificationOut>>('GET', `/knowledge/notifications${queryString({ unread: q.unread ? 'true' : undefined, limit: PAGE, cursor })}`),
  markNotificationRead: (id: string) => request<void>('POST', `/knowledge/notifications/${id}/read`, {}),

  verificationReport: () => request<VerificationReportOut>('GET', '/knowledge/verification-report'),
  contentGaps: (from: string, to: string) => request<ContentGapReportOut>('GET', `/knowledge/content-gaps${queryString({ from, to })}`),
  deflection: (from: string, to: string) => request<DeflectionReportOut>('GET', `/knowledge/deflection-report${queryString({ from, to })}`),
};
