/**
 * Presenters of the knowledge base: exactly which fields leave the server. Customers get the
 * article without its staff-only parts (owner, verification, author, permissions).
 */
import {
  articlePermissions,
  isKnowledgeStaff,
  verificationOf,
  type ArticleCategory,
  type ArticleProposal,
  type ArticleResult,
  type ArticleTranslation,
  type ArticleVersionView,
  type KnowledgeNotification,
} from '@guichet/core';
import { ARTICLE_LANGUAGES, type ArticleOut, type CategoryOut, type ProposalOut, type ArticleVersionOut } from '@guichet/contracts';

const iso = (d: Date) => d.toISOString();
const isoN = (d: Date | null) => (d ? d.toISOString() : null);

function presentTranslation(t: ArticleTranslation | undefined) {
  if (!t) return null;
  return {
    language: t.language,
    title: t.title,
    slug: t.slug,
    body: t.body,
    versionNumber: t.versionNumber,
    updatedAt: iso(t.updatedAt),
    updatedBy: t.updatedBy,
  };
}

export function presentArticle({ view, access, now }: ArticleResult): ArticleOut {
  const a = view.article;
  const tr = (l: 'en' | 'fr') => view.translations.find((t) => t.language === l);
  const out: ArticleOut = {
    id: a.id,
    status: a.status,
    visibility: a.visibility,
    categoryId: a.categoryId,
    tags: a.tags,
    template: a.template,
    translations: { en: presentTranslation(tr('en')), fr: presentTranslation(tr('fr')) },
    missingTranslations: ARTICLE_LANGUAGES.filter((l) => !tr(l)),
    publishAt: isoN(a.publishAt),
    publishedAt: isoN(a.publishedAt),
    archivedAt: isoN(a.archivedAt),
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
    version: a.version,
  };
  if (!isKnowledgeStaff(access)) {
    // The author's id stays out of the customer's view as well.
    for (const l of ARTICLE_LANGUAGES) if (out.translations[l]) out.translations[l]!.updatedBy = null;
    return out;
  }
  const v = verificationOf(a, now);
  return {
    ...out,
    owner: { userId: a.ownerUserId, teamId: a.ownerTeamId },
    verification: { state: v.state, intervalDays: a.verifyIntervalDays, verifiedAt: isoN(a.verifiedAt), verifiedBy: a.verifiedBy, dueAt: iso(v.dueAt) },
    createdBy: a.createdBy,
    permissions: articlePermissions(access, a),
  };
}

export function presentVersion(v: ArticleVersionView): ArticleVersionOut {
  return {
    id: v.id,
    articleId: v.articleId,
    language: v.language,
    number: v.number,
    title: v.title,
    body: v.body,
    kind: v.kind,
    note: v.note,
    restoredFrom: v.restoredFrom,
    authorId: v.authorId,
    authorName: v.authorName,
    createdAt: iso(v.createdAt),
  };
}

export function presentProposal(p: ArticleProposal): ProposalOut {
  return {
    id: p.id,
    articleId: p.articleId,
    language: p.language,
    baseVersion: p.baseVersion,
    title: p.title,
    body: p.body,
    note: p.note,
    authorId: p.authorId,
    status: p.status,
    reviewedBy: p.reviewedBy,
    reviewedAt: isoN(p.reviewedAt),
    reviewNote: p.reviewNote,
    createdAt: iso(p.createdAt),
  };
}

export function presentCategory(c: ArticleCategory): CategoryOut {
  return {
    id: c.id,
    parentId: c.parentId,
    names: { en: c.names.en ?? null, fr: c.names.fr ?? null },
    descriptions: { en: c.descriptions.en ?? null, fr: c.descriptions.fr ?? null },
    position: c.position,
    createdAt: iso(c.createdAt),
  };
}

export function presentNotification(n: KnowledgeNotification) {
  return { id: n.id, kind: n.kind, articleId: n.articleId, data: n.data, createdAt: iso(n.createdAt), readAt: isoN(n.readAt) };
}
