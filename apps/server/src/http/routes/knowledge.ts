import { z } from 'zod';
import {
  DraftFromReplyInput,
  ContentGapQuery,
  ContentGapReportOut,
  ArticleDiffOut,
  ArticleLanguage,
  ArticleOut,
  ArticleVersionOut,
  CategoryOut,
  CreateArticleInput,
  CreateCategoryInput,
  CreateProposalInput,
  DiffQuery,
  EventOut,
  KnowledgeManagerOut,
  ListArticlesQuery,
  ListProposalsQuery,
  KnowledgeNotificationOut,
  NotificationsQuery,
  ProposalDiffOut,
  ProposalOut,
  PublishArticleInput,
  RestoreVersionInput,
  ReviewProposalInput,
  SaveTranslationInput,
  UpdateArticleInput,
  UpdateCategoryInput,
  VerificationReportOut,
  VerificationReportQuery,
  VersionsQuery,
  pageOf,
  pageQuery,
  uuid,
} from '@guichet/contracts';
import * as core from '@guichet/core';
import { presentEvent } from '../presenters.ts';
import { presentArticle, presentCategory, presentNotification, presentProposal, presentVersion } from '../knowledge-presenters.ts';
import type { Router } from '../route.ts';

/** Actions that need nothing more than the path: the body is an empty object, like every POST of the API. */
const NoBody = z.object({}).strict();

const IdParams = z.object({ id: uuid });
const TranslationParams = z.object({ id: uuid, language: ArticleLanguage });
const VersionParams = z.object({ id: uuid, number: z.coerce.number().int().min(1) });
const UserParams = z.object({ userId: uuid });
const VersionQuery = z.object({ language: ArticleLanguage });
const NoteInput = z.object({ note: z.string().trim().max(1000).optional() });

export function knowledgeRoutes(route: Router): void {
  const tag = 'Knowledge base';
  // ---- articles ----
  route({
    method: 'GET', url: '/articles', tag, summary: 'List articles (customers: published public ones only), newest change first',
    query: ListArticlesQuery, response: pageOf(ArticleOut),
    handler: async ({ deps, ctx, query }) => {
      const page = await core.listArticles(deps, ctx, query);
      return { items: page.items.map(presentArticle), nextCursor: page.nextCursor };
    },
  });
  route({
    method: 'POST', url: '/articles', tag, summary: 'Write a new article (always a draft; any staff member)',
    body: CreateArticleInput, response: ArticleOut,
    handler: async ({ deps, ctx, body }) => presentArticle(await core.createArticle(deps, ctx, body)),
  });
  route({
    method: 'POST', url: '/tickets/{id}/messages/{messageId}/article-draft', tag,
    summary: "Turn a staff reply or note into a new article draft: the ticket's subject, the customer's question and the reply (any staff member)",
    params: z.object({ id: z.string().regex(/^(\d{1,15}|[0-9a-f-]{36})$/i, 'a ticket number or id'), messageId: z.uuid() }),
    body: DraftFromReplyInput, response: ArticleOut,
    handler: async ({ deps, ctx, params, body }) => presentArticle(await core.draftArticleFromReply(deps, ctx, params.id, params.messageId, body)),
  });
  route({
    method: 'GET', url: '/articles/{id}', tag, summary: 'Read an article with its translations (missing ones are listed)',
    params: IdParams, response: ArticleOut,
    handler: async ({ deps, ctx, params }) => presentArticle(await core.getArticle(deps, ctx, params.id)),
  });
  route({
    method: 'PATCH', url: '/articles/{id}', tag, summary: 'Change category, visibility, tags, owner or verification interval (knowledge managers; the author of a draft)',
    params: IdParams, body: UpdateArticleInput, response: ArticleOut,
    handler: async ({ deps, ctx, params, body }) => presentArticle(await core.updateArticle(deps, ctx, params.id, body)),
  });
  route({
    method: 'PUT', url: '/articles/{id}/translations/{language}', tag, summary: 'Save a translation\'s title and markdown body as a new version (adds a missing translation)',
    params: TranslationParams, body: SaveTranslationInput, response: ArticleOut,
    handler: async ({ deps, ctx, params, body }) => presentArticle(await core.saveTranslation(deps, ctx, params.id, params.language, body)),
  });
  route({
    method: 'POST', url: '/articles/{id}/publish', tag, summary: 'Publish now, or at publishAt (knowledge managers)',
    params: IdParams, body: PublishArticleInput, response: ArticleOut, status: 200,
    handler: async ({ deps, ctx, params, body }) => presentArticle(await core.publishArticle(deps, ctx, params.id, body)),
  });
  route({
    method: 'POST', url: '/articles/{id}/unpublish', tag, summary: 'Back to draft: unpublish, or cancel a scheduled publication (knowledge managers)',
    params: IdParams, body: NoBody, response: ArticleOut, status: 200,
    handler: async ({ deps, ctx, params }) => presentArticle(await core.unpublishArticle(deps, ctx, params.id)),
  });
  route({
    method: 'POST', url: '/articles/{id}/archive', tag, summary: 'Archive an article (knowledge managers)',
    params: IdParams, body: NoBody, response: ArticleOut, status: 200,
    handler: async ({ deps, ctx, params }) => presentArticle(await core.archiveArticle(deps, ctx, params.id)),
  });
  route({
    method: 'POST', url: '/articles/{id}/verify', tag, summary: 'Confirm the article is still right (its owner or a knowledge manager)',
    params: IdParams, body: NoteInput, response: ArticleOut, status: 200,
    handler: async ({ deps, ctx, params, body }) => presentArticle(await core.verifyArticle(deps, ctx, params.id, body)),
  });
  route({
    method: 'GET', url: '/articles/{id}/versions', tag, summary: 'Version history of one translation, newest first (staff)',
    params: IdParams, query: VersionsQuery, response: pageOf(ArticleVersionOut),
    handler: async ({ deps, ctx, params, query }) => {
      const page = await core.listArticleVersions(deps, ctx, params.id, query);
      return { items: page.items.map(presentVersion), nextCursor: page.nextCursor };
    },
  });
  route({
    method: 'GET', url: '/articles/{id}/versions/{number}', tag, summary: 'One version of a translation (staff)',
    params: VersionParams, query: VersionQuery, response: ArticleVersionOut,
    handler: async ({ deps, ctx, params, query }) => presentVersion(await core.getArticleVersion(deps, ctx, params.id, query.language, params.number)),
  });
  route({
    method: 'POST', url: '/articles/{id}/versions/{number}/restore', tag, summary: 'Restore a version: its content becomes a new version (knowledge managers; the author of a draft)',
    params: VersionParams, body: RestoreVersionInput, response: ArticleOut, status: 200,
    handler: async ({ deps, ctx, params, body }) => presentArticle(await core.restoreArticleVersion(deps, ctx, params.id, params.number, body)),
  });
  route({
    method: 'GET', url: '/articles/{id}/diff', tag, summary: 'What changed between two versions of a translation: lines, and words within changed lines (staff)',
    params: IdParams, query: DiffQuery, response: ArticleDiffOut,
    handler: async ({ deps, ctx, params, query }) => core.diffArticleVersions(deps, ctx, params.id, query),
  });
  route({
    method: 'GET', url: '/articles/{id}/events', tag, summary: 'The article\'s history: every change, who made it and when (staff)',
    params: IdParams, query: pageQuery, response: pageOf(EventOut),
    handler: async ({ deps, ctx, params, query }) => {
      const page = await core.listArticleEvents(deps, ctx, params.id, query);
      return { items: page.items.map(presentEvent), nextCursor: page.nextCursor };
    },
  });

  // ---- proposals ----
  route({
    method: 'POST', url: '/articles/{id}/proposals', tag, summary: 'Propose an edit to a translation, for a knowledge manager to review (any staff member)',
    params: IdParams, body: CreateProposalInput, response: ProposalOut,
    handler: async ({ deps, ctx, params, body }) => presentProposal(await core.proposeArticleEdit(deps, ctx, params.id, body)),
  });
  route({
    method: 'GET', url: '/article-proposals', tag, summary: 'Proposed edits, newest first (staff)',
    query: ListProposalsQuery, response: pageOf(ProposalOut),
    handler: async ({ deps, ctx, query }) => {
      const page = await core.listProposals(deps, ctx, query);
      return { items: page.items.map(presentProposal), nextCursor: page.nextCursor };
    },
  });
  route({
    method: 'GET', url: '/article-proposals/{id}', tag, summary: 'One proposed edit (staff)',
    params: IdParams, response: ProposalOut,
    handler: async ({ deps, ctx, params }) => presentProposal(await core.getProposal(deps, ctx, params.id)),
  });
  route({
    method: 'GET', url: '/article-proposals/{id}/diff', tag,
    summary: "What accepting a proposed edit would change: the translation's current version against the proposed text, and whether it changed since the proposal was written (staff)",
    params: IdParams, response: ProposalDiffOut,
    handler: async ({ deps, ctx, params }) => core.diffProposal(deps, ctx, params.id),
  });
  route({
    method: 'POST', url: '/article-proposals/{id}/accept', tag, summary: 'Accept a proposed edit: it becomes the next version, credited to its author (knowledge managers)',
    params: IdParams, body: ReviewProposalInput, response: ProposalOut, status: 200,
    handler: async ({ deps, ctx, params, body }) => presentProposal(await core.reviewProposal(deps, ctx, params.id, 'accepted', body)),
  });
  route({
    method: 'POST', url: '/article-proposals/{id}/reject', tag, summary: 'Reject a proposed edit, with a note for its author (knowledge managers)',
    params: IdParams, body: ReviewProposalInput, response: ProposalOut, status: 200,
    handler: async ({ deps, ctx, params, body }) => presentProposal(await core.reviewProposal(deps, ctx, params.id, 'rejected', body)),
  });

  // ---- categories and sections ----
  route({
    method: 'GET', url: '/article-categories', tag, summary: 'Categories and their sections, in order',
    response: z.object({ items: z.array(CategoryOut) }),
    handler: async ({ deps, ctx }) => ({ items: (await core.listCategories(deps, ctx)).map(presentCategory) }),
  });
  route({
    method: 'POST', url: '/article-categories', tag, summary: 'Create a category, or a section inside one (knowledge managers)',
    body: CreateCategoryInput, response: CategoryOut,
    handler: async ({ deps, ctx, body }) => presentCategory(await core.createCategory(deps, ctx, body)),
  });
  route({
    method: 'PATCH', url: '/article-categories/{id}', tag, summary: 'Rename, describe, move or reorder a category (knowledge managers)',
    params: IdParams, body: UpdateCategoryInput, response: CategoryOut,
    handler: async ({ deps, ctx, params, body }) => presentCategory(await core.updateCategory(deps, ctx, params.id, body)),
  });
  route({
    method: 'DELETE', url: '/article-categories/{id}', tag, summary: 'Delete a category and its sections; their articles keep no category (knowledge managers)',
    params: IdParams,
    handler: async ({ deps, ctx, params }) => {
      await core.deleteCategory(deps, ctx, params.id);
      return undefined;
    },
  });

  // ---- knowledge managers, verification, notifications ----
  route({
    method: 'GET', url: '/knowledge-managers', tag, summary: 'Staff who may publish and curate (admins always may)',
    response: z.object({ items: z.array(KnowledgeManagerOut) }),
    handler: async ({ deps, ctx }) => ({
      items: (await core.listKnowledgeManagers(deps, ctx)).map((m) => ({ userId: m.user.id, name: m.user.name, email: m.user.email, since: m.since.toISOString() })),
    }),
  });
  route({
    method: 'PUT', url: '/knowledge-managers/{userId}', tag, summary: 'Make a staff member a knowledge manager (admin)',
    params: UserParams, body: NoBody, status: 204,
    handler: async ({ deps, ctx, params }) => {
      await core.setKnowledgeManager(deps, ctx, params.userId, true);
      return undefined;
    },
  });
  route({
    method: 'DELETE', url: '/knowledge-managers/{userId}', tag, summary: 'Take the knowledge-manager capability away (admin)',
    params: UserParams,
    handler: async ({ deps, ctx, params }) => {
      await core.setKnowledgeManager(deps, ctx, params.userId, false);
      return undefined;
    },
  });
  route({
    method: 'GET', url: '/knowledge/verification-report', tag, summary: 'Articles whose verification is expired or due soon, grouped by owner (staff)',
    query: VerificationReportQuery, response: VerificationReportOut,
    handler: async ({ deps, ctx, query }) => core.verificationReport(deps, ctx, query) as Promise<VerificationReportOut>,
  });
  route({
    method: 'GET', url: '/knowledge/content-gaps', tag,
    summary: 'What to write next: searches with no or weak results and solved tickets where no suggestion was used, grouped by topic (admins and knowledge managers)',
    query: ContentGapQuery, response: ContentGapReportOut,
    handler: async ({ deps, ctx, query }) => core.contentGapReport(deps, ctx, query),
  });
  route({
    method: 'GET', url: '/knowledge/notifications', tag, summary: 'My knowledge notifications: verification reminders, proposals (staff)',
    query: NotificationsQuery, response: pageOf(KnowledgeNotificationOut),
    handler: async ({ deps, ctx, query }) => {
      const page = await core.listNotifications(deps, ctx, query);
      return { items: page.items.map(presentNotification), nextCursor: page.nextCursor };
    },
  });
  route({
    method: 'POST', url: '/knowledge/notifications/{id}/read', tag, summary: 'Mark one of my notifications read (staff)',
    params: IdParams, body: NoBody, status: 204,
    handler: async ({ deps, ctx, params }) => {
      await core.markNotificationRead(deps, ctx, params.id);
      return undefined;
    },
  });
}
