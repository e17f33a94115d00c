import type { ArticleLanguage, ArticleStatus, ArticleTemplate, ArticleVisibility, VerificationState } from '@guichet/contracts';
import type { PageRequest } from '../store.ts';

export interface Article {
  id: string;
  workspaceId: string;
  categoryId: string | null;
  status: ArticleStatus;
  visibility: ArticleVisibility;
  tags: string[];
  template: ArticleTemplate | null;
  ownerUserId: string | null;
  ownerTeamId: string | null;
  verifyIntervalDays: number;
  verifiedAt: Date | null;
  verifiedBy: string | null;
  /** The due date a reminder was last sent for (one reminder per due date). */
  remindedFor: Date | null;
  publishAt: Date | null;
  publishedAt: Date | null;
  archivedAt: Date | null;
  createdBy: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ArticleTranslation {
  workspaceId: string;
  articleId: string;
  language: ArticleLanguage;
  title: string;
  slug: string;
  body: string;
  versionNumber: number;
  updatedBy: string | null;
  updatedAt: Date;
}

export interface ArticleView {
  article: Article;
  translations: ArticleTranslation[];
}

export type VersionKind = 'created' | 'edited' | 'restored' | 'proposal';

export interface ArticleVersion {
  id: string;
  workspaceId: string;
  articleId: string;
  language: ArticleLanguage;
  number: number;
  title: string;
  body: string;
  kind: VersionKind;
  note: string | null;
  restoredFrom: number | null;
  authorId: string | null;
  createdAt: Date;
}

export interface ArticleVersionView extends ArticleVersion {
  authorName: string | null;
}

export interface ArticleProposal {
  id: string;
  workspaceId: string;
  articleId: string;
  language: ArticleLanguage;
  baseVersion: number | null;
  title: string;
  body: string;
  note: string | null;
  authorId: string | null;
  status: 'open' | 'accepted' | 'rejected';
  reviewedBy: string | null;
  reviewedAt: Date | null;
  reviewNote: string | null;
  createdAt: Date;
}

export interface ArticleCategory {
  id: string;
  workspaceId: string;
  parentId: string | null;
  names: Partial<Record<ArticleLanguage, string>>;
  descriptions: Partial<Record<ArticleLanguage, string>>;
  position: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface KnowledgeNotification {
  id: string;
  workspaceId: string;
  userId: string;
  kind: string;
  articleId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
  readAt: Date | null;
}

export interface ArticleFeedback {
  id: string;
  workspaceId: string;
  articleId: string;
  language: ArticleLanguage;
  helpful: boolean;
  comment: string | null;
  userId: string | null;
  createdAt: Date;
}

export interface ArticleFilter {
  /** Customers and the public: published public articles only. */
  publicOnly: boolean;
  /** Words each found in a translation's title or text (case and accents aside). */
  q?: string;
  status?: ArticleStatus;
  visibility?: ArticleVisibility;
  categoryId?: string;
  tag?: string;
  language?: ArticleLanguage;
  missing?: ArticleLanguage;
  ownerUserId?: string;
  ownerTeamId?: string;
  /** Verification state as of `now`. */
  verification?: VerificationState;
  now?: Date;
}

export type ArticlePatch = Partial<
  Pick<
    Article,
    | 'categoryId'
    | 'status'
    | 'visibility'
    | 'tags'
    | 'ownerUserId'
    | 'ownerTeamId'
    | 'verifyIntervalDays'
    | 'verifiedAt'
    | 'verifiedBy'
    | 'remindedFor'
    | 'publishAt'
    | 'publishedAt'
    | 'archivedAt'
  >
>;

/** The knowledge base's storage port (packages/db implements it). */
export interface KnowledgeRepository {
  insertArticle(article: Article): Promise<Article>;
  findArticle(workspaceId: string, id: string): Promise<ArticleView | null>;
  /** Lock the article row for the rest of the transaction. */
  lockArticle(workspaceId: string, id: string): Promise<Article | null>;
  /** Apply a patch, bump the version and updated_at. */
  updateArticle(workspaceId: string, id: string, patch: ArticlePatch, updatedAt: Date): Promise<Article>;
  deleteArticle(workspaceId: string, id: string): Promise<void>;
  /** Newest change first; keyset on (updated_at, id). */
  listArticles(workspaceId: string, filter: ArticleFilter, page: PageRequest): Promise<ArticleView[]>;
  /** Every article that is not archived (verification report, reminders). */
  listForVerification(workspaceId: string): Promise<ArticleView[]>;
  /** Drafts whose scheduled time has come, in every workspace. */
  listDueScheduled(now: Date, limit: number): Promise<Array<{ workspaceId: string; id: string }>>;
  /** Workspaces that have articles needing verification attention. */
  workspacesWithArticles(): Promise<string[]>;

  upsertTranslation(t: ArticleTranslation): Promise<void>;
  insertVersion(v: ArticleVersion): Promise<void>;
  listVersions(workspaceId: string, articleId: string, language: ArticleLanguage, page: { limit: number; beforeNumber?: number }): Promise<ArticleVersionView[]>;
  findVersion(workspaceId: string, articleId: string, language: ArticleLanguage, number: number): Promise<ArticleVersionView | null>;

  insertProposal(p: ArticleProposal): Promise<ArticleProposal>;
  findProposal(workspaceId: string, id: string): Promise<ArticleProposal | null>;
  updateProposal(workspaceId: string, id: string, patch: Partial<Pick<ArticleProposal, 'status' | 'reviewedBy' | 'reviewedAt' | 'reviewNote'>>): Promise<ArticleProposal>;
  listProposals(
    workspaceId: string,
    filter: { status?: ArticleProposal['status']; articleId?: string; authorId?: string },
    page: PageRequest,
  ): Promise<ArticleProposal[]>;

  insertCategory(c: ArticleCategory): Promise<ArticleCategory>;
  findCategory(workspaceId: string, id: string): Promise<ArticleCategory | null>;
  updateCategory(workspaceId: string, id: string, patch: Partial<ArticleCategory>): Promise<ArticleCategory>;
  deleteCategory(workspaceId: string, id: string): Promise<void>;
  listCategories(workspaceId: string): Promise<ArticleCategory[]>;

  isManager(workspaceId: string, userId: string): Promise<boolean>;
  setManager(workspaceId: string, userId: string, on: boolean, at: Date): Promise<void>;
  listManagers(workspaceId: string): Promise<Array<{ userId: string; since: Date }>>;

  insertNotification(n: KnowledgeNotification): Promise<void>;
  listNotifications(workspaceId: string, userId: string, opts: { unread?: boolean; limit: number; after?: PageRequest['after'] }): Promise<KnowledgeNotification[]>;
  markNotificationRead(workspaceId: string, userId: string, id: string, at: Date): Promise<boolean>;

  insertFeedback(f: ArticleFeedback): Promise<void>;
  feedbackSummary(workspaceId: string, articleId: string): Promise<{ helpful: number; notHelpful: number }>;
}
