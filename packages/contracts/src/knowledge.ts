import { z } from 'zod';
import { isoDate, nonEmpty, pageQuery, queryBool, uuid } from './common.ts';

// ---- enums ----------------------------------------------------------------------------------
export const ArticleLanguage = z.enum(['en', 'fr']);
export type ArticleLanguage = z.infer<typeof ArticleLanguage>;
export const ARTICLE_LANGUAGES = ArticleLanguage.options;
export const ArticleStatus = z.enum(['draft', 'published', 'archived']);
export type ArticleStatus = z.infer<typeof ArticleStatus>;
export const ArticleVisibility = z.enum(['internal', 'public']);
export type ArticleVisibility = z.infer<typeof ArticleVisibility>;
export const VerificationState = z.enum(['verified', 'due_soon', 'expired']);
export type VerificationState = z.infer<typeof VerificationState>;
export const ArticleTemplate = z.enum(['how_to', 'troubleshooting', 'faq', 'feature_breakdown']);
export type ArticleTemplate = z.infer<typeof ArticleTemplate>;

const title = nonEmpty(300);
/** Markdown, up to 200,000 characters (a long manual page). */
const body = z.string().max(200_000);
const tag = z.string().trim().toLowerCase().min(1).max(50).regex(/^[\p{L}\p{N}][\p{L}\p{N} _.-]*$/u, 'letters, digits, spaces, _ . -');
const note = z.string().trim().max(1000);

export const TranslationInput = z.object({ title, body });
export type TranslationInput = z.infer<typeof TranslationInput>;

// ---- articles -------------------------------------------------------------------------------
export const CreateArticleInput = z
  .object({
    categoryId: uuid.nullable().default(null),
    visibility: ArticleVisibility.default('internal'),
    tags: z.array(tag).max(30).default([]),
    template: ArticleTemplate.nullable().default(null),
    translations: z.object({ en: TranslationInput.optional(), fr: TranslationInput.optional() }),
    ownerUserId: uuid.nullable().default(null),
    ownerTeamId: uuid.nullable().default(null),
    verifyIntervalDays: z.number().int().min(1).max(3650).default(90),
  })
  .refine((v) => v.translations.en || v.translations.fr, { message: 'at least one translation (en or fr)', path: ['translations'] })
  .refine((v) => !(v.ownerUserId && v.ownerTeamId), { message: 'the owner is a person or a team, not both', path: ['ownerTeamId'] });
export type CreateArticleInput = z.infer<typeof CreateArticleInput>;

export const UpdateArticleInput = z
  .object({
    categoryId: uuid.nullable(),
    visibility: ArticleVisibility,
    tags: z.array(tag).max(30),
    ownerUserId: uuid.nullable(),
    ownerTeamId: uuid.nullable(),
    verifyIntervalDays: z.number().int().min(1).max(3650),
    /** The version the change was made from; a stale one answers VERSION_CONFLICT. */
    version: z.number().int().min(1),
  })
  .partial()
  .refine((v) => Object.keys(v).filter((k) => k !== 'version').length > 0, 'nothing to update')
  .refine((v) => !(v.ownerUserId && v.ownerTeamId), { message: 'the owner is a person or a team, not both', path: ['ownerTeamId'] });
export type UpdateArticleInput = z.infer<typeof UpdateArticleInput>;

export const SaveTranslationInput = z.object({
  title,
  body,
  note: note.optional(),
  /** The translation's version number the edit started from; a stale one answers VERSION_CONFLICT. */
  baseVersion: z.number().int().min(1).optional(),
});
export type SaveTranslationInput = z.infer<typeof SaveTranslationInput>;

export const PublishArticleInput = z.object({
  /** Publish later: the article stays a draft until then, and is published by a job. */
  publishAt: isoDate.optional(),
});
export type PublishArticleInput = z.infer<typeof PublishArticleInput>;

export const ListArticlesQuery = pageQuery.extend({
  /** Words that must each appear in the title or text of a translation, case and accents aside. */
  q: z.string().trim().max(200).optional(),
  status: ArticleStatus.optional(),
  visibility: ArticleVisibility.optional(),
  categoryId: uuid.optional(),
  tag: z.string().trim().toLowerCase().max(50).optional(),
  language: ArticleLanguage.optional(),
  /** Only articles that lack this translation. */
  missing: ArticleLanguage.optional(),
  verification: VerificationState.optional(),
  ownerUserId: uuid.optional(),
  ownerTeamId: uuid.optional(),
});
export type ListArticlesQuery = z.infer<typeof ListArticlesQuery>;

export const TranslationOut = z.object({
  language: ArticleLanguage,
  title: z.string(),
  slug: z.string(),
  body: z.string(),
  versionNumber: z.number().int(),
  updatedAt: isoDate,
  updatedBy: uuid.nullable(),
});

export const VerificationOut = z.object({
  state: VerificationState,
  intervalDays: z.number().int(),
  verifiedAt: isoDate.nullable(),
  verifiedBy: uuid.nullable(),
  dueAt: isoDate,
});

export const ArticleOut = z.object({
  id: uuid,
  status: ArticleStatus,
  visibility: ArticleVisibility,
  categoryId: uuid.nullable(),
  tags: z.array(z.string()),
  template: ArticleTemplate.nullable(),
  translations: z.object({ en: TranslationOut.nullable(), fr: TranslationOut.nullable() }),
  /** Languages this article has no translation in yet. */
  missingTranslations: z.array(ArticleLanguage),
  publishAt: isoDate.nullable(),
  publishedAt: isoDate.nullable(),
  archivedAt: isoDate.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
  version: z.number().int(),
  // Staff only (absent for customers):
  owner: z.object({ userId: uuid.nullable(), teamId: uuid.nullable() }).optional(),
  verification: VerificationOut.optional(),
  createdBy: uuid.nullable().optional(),
  /** What the caller may do with this article, so clients do not re-implement the rules. */
  permissions: z
    .object({ edit: z.boolean(), propose: z.boolean(), publish: z.boolean(), verify: z.boolean() })
    .optional(),
});
export type ArticleOut = z.infer<typeof ArticleOut>;

export const VersionsQuery = pageQuery.extend({ language: ArticleLanguage });

export const ArticleVersionOut = z.object({
  id: uuid,
  articleId: uuid,
  language: ArticleLanguage,
  number: z.number().int(),
  title: z.string(),
  body: z.string(),
  kind: z.enum(['created', 'edited', 'restored', 'proposal']),
  note: z.string().nullable(),
  restoredFrom: z.number().int().nullable(),
  authorId: uuid.nullable(),
  authorName: z.string().nullable(),
  createdAt: isoDate,
});
export type ArticleVersionOut = z.infer<typeof ArticleVersionOut>;

export const DiffQuery = z.object({
  language: ArticleLanguage,
  from: z.coerce.number().int().min(1),
  to: z.coerce.number().int().min(1),
});

const WordOp = z.object({ op: z.enum(['equal', 'insert', 'delete']), text: z.string() });
export const DiffLineOut = z.object({
  op: z.enum(['equal', 'insert', 'delete', 'change']),
  oldNumber: z.number().int().nullable(),
  newNumber: z.number().int().nullable(),
  oldText: z.string().nullable(),
  newText: z.string().nullable(),
  /** For changed lines: the words kept, removed and added. */
  words: z.array(WordOp).nullable(),
});
export const ArticleDiffOut = z.object({
  language: ArticleLanguage,
  from: z.number().int(),
  to: z.number().int(),
  title: z.object({ from: z.string(), to: z.string(), words: z.array(WordOp) }),
  lines: z.array(DiffLineOut),
  stats: z.object({ added: z.number().int(), removed: z.number().int(), changed: z.number().int() }),
  /** The same difference as unified-diff text (lines starting with "-", "+" or " "). */
  unified: z.string(),
});
export type ArticleDiffOut = z.infer<typeof ArticleDiffOut>;

export const RestoreVersionInput = z.object({ language: ArticleLanguage, note: note.optional() });

// ---- proposals --------------------------------------------------------------------------------
export const CreateProposalInput = z.object({
  language: ArticleLanguage,
  title,
  body,
  note: note.optional(),
  baseVersion: z.number().int().min(1).optional(),
});
export type CreateProposalInput = z.infer<typeof CreateProposalInput>;

export const ReviewProposalInput = z.object({ note: note.optional() });

export const ListProposalsQuery = pageQuery.extend({
  status: z.enum(['open', 'accepted', 'rejected']).optional(),
  articleId: uuid.optional(),
});

export const ProposalOut = z.object({
  id: uuid,
  articleId: uuid,
  language: ArticleLanguage,
  baseVersion: z.number().int().nullable(),
  title: z.string(),
  body: z.string(),
  note: z.string().nullable(),
  authorId: uuid.nullable(),
  status: z.enum(['open', 'accepted', 'rejected']),
  reviewedBy: uuid.nullable(),
  reviewedAt: isoDate.nullable(),
  reviewNote: z.string().nullable(),
  createdAt: isoDate,
});
export type ProposalOut = z.infer<typeof ProposalOut>;

/** A proposal against the translation as it is now: what accepting it would change. */
export const ProposalDiffOut = ArticleDiffOut.omit({ from: true, to: true }).extend({
  /** The version the proposal was written from, and the current one (null: no such translation). */
  baseVersion: z.number().int().nullable(),
  currentVersion: z.number().int().nullable(),
  /** The translation changed since the proposal was written: accepting it replaces those changes. */
  stale: z.boolean(),
});
export type ProposalDiffOut = z.infer<typeof ProposalDiffOut>;

// ---- categories ------------------------------------------------------------------------------
const names = z
  .object({ en: nonEmpty(200).optional(), fr: nonEmpty(200).optional() })
  .refine((v) => v.en || v.fr, 'a name in at least one language');
const descriptions = z.object({ en: z.string().trim().max(1000).optional(), fr: z.string().trim().max(1000).optional() });

export const CreateCategoryInput = z.object({
  names,
  descriptions: descriptions.default({}),
  /** A section sits inside a category. */
  parentId: uuid.nullable().default(null),
  position: z.number().int().min(0).max(100_000).default(0),
});
export type CreateCategoryInput = z.infer<typeof CreateCategoryInput>;

export const UpdateCategoryInput = z
  .object({ names, descriptions, parentId: uuid.nullable(), position: z.number().int().min(0).max(100_000) })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateCategoryInput = z.infer<typeof UpdateCategoryInput>;

export const CategoryOut = z.object({
  id: uuid,
  parentId: uuid.nullable(),
  names: z.object({ en: z.string().nullable(), fr: z.string().nullable() }),
  descriptions: z.object({ en: z.string().nullable(), fr: z.string().nullable() }),
  position: z.number().int(),
  createdAt: isoDate,
});
export type CategoryOut = z.infer<typeof CategoryOut>;

// ---- knowledge managers, verification, notifications ---------------------------------------
export const KnowledgeManagerOut = z.object({ userId: uuid, name: z.string(), email: z.string().nullable(), since: isoDate });
export type KnowledgeManagerOut = z.infer<typeof KnowledgeManagerOut>;

export const VerificationReportQuery = z.object({
  /** Which states to list (default: expired and due soon). */
  state: z.enum(['expired', 'due_soon', 'all']).default('all'),
});

export const VerificationReportOut = z.object({
  generatedAt: isoDate,
  totals: z.object({ expired: z.number().int(), dueSoon: z.number().int() }),
  owners: z.array(
    z.object({
      owner: z.object({ type: z.enum(['user', 'team', 'none']), id: uuid.nullable(), name: z.string().nullable() }),
      articles: z.array(
        z.object({
          id: uuid,
          title: z.string(),
          state: VerificationState,
          dueAt: isoDate,
          verifiedAt: isoDate.nullable(),
          status: ArticleStatus,
        }),
      ),
    }),
  ),
});
export type VerificationReportOut = z.infer<typeof VerificationReportOut>;

export const KnowledgeNotificationOut = z.object({
  id: uuid,
  kind: z.string(),
  articleId: uuid.nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: isoDate,
  readAt: isoDate.nullable(),
});
export type KnowledgeNotificationOut = z.infer<typeof KnowledgeNotificationOut>;

export const NotificationsQuery = pageQuery.extend({ unread: queryBool.optional() });

// ---- content gaps and suggestion use ----------------------------------------------------------
/** What an agent did with an article suggested in a ticket: opened it, put it in a reply, or said it solved the case. */
export const SuggestionUseAction = z.enum(['opened', 'inserted', 'solved']);
export type SuggestionUseAction = z.infer<typeof SuggestionUseAction>;

export const SuggestionUseInput = z.object({ articleId: uuid, action: SuggestionUseAction });
export type SuggestionUseInput = z.infer<typeof SuggestionUseInput>;

export const ContentGapQuery = z
  .object({
    /** Start of the period (default: 30 days before `to`). */
    from: isoDate.optional(),
    /** End of the period (default: now). */
    to: isoDate.optional(),
    /** Topics listed per part (default 20). */
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: '`from` must be before `to`', path: ['from'] });
export type ContentGapQuery = z.infer<typeof ContentGapQuery>;

const GapTopic = z.object({
  /** The stemmed words the grouped items share, most telling first. */
  terms: z.array(z.string()),
  /** A readable name: the most frequent search, or the subject of the first ticket. */
  label: z.string(),
  count: z.number().int(),
});

export const ContentGapReportOut = z.object({
  from: isoDate,
  to: isoDate,
  searches: z.object({
    total: z.number().int(),
    /** Searches that found nothing. */
    noResults: z.number().int(),
    /** Searches where no document had every word (the results are weaker matches of some words). */
    partial: z.number().int(),
    topics: z.array(
      GapTopic.extend({
        noResults: z.number().int(),
        lastSearchedAt: isoDate,
        queries: z.array(z.object({ query: z.string(), count: z.number().int() })),
      }),
    ),
  }),
  tickets: z.object({
    /** Tickets created in the period and solved or closed since. */
    solved: z.number().int(),
    /** Of those, the ones where no suggested article was opened, inserted or marked as the solution. */
    withoutSuggestionUsed: z.number().int(),
    topics: z.array(GapTopic.extend({ tickets: z.array(z.object({ id: uuid, number: z.number().int(), subject: z.string() })) })),
  }),
});
export type ContentGapReportOut = z.infer<typeof ContentGapReportOut>;

// ---- capture: a reply becomes an article draft ---------------------------------------------------
export const DraftFromReplyInput = z.object({
  /** The draft's language (default: the ticket's, else the workspace's). */
  language: ArticleLanguage.optional(),
  visibility: ArticleVisibility.default('internal'),
  categoryId: uuid.nullable().default(null),
  /** The title (default: the ticket's subject). */
  title: nonEmpty(300).optional(),
});
export type DraftFromReplyInput = z.infer<typeof DraftFromReplyInput>;
