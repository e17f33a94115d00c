import type { CreateProposalInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { decodeCursor, toPage } from '../shared/cursor.ts';
import { AppError } from '../shared/errors.ts';
import { recordEvent } from '../shared/record.ts';
import { knowledgeActor, loadReadableArticle, writeTranslation } from './articles.ts';
import { diffTexts, diffWords } from './diff.ts';
import { canProposeEdit, requireManager, requireStaff } from './policy.ts';
import type { ArticleProposal } from './types.ts';

/**
 * Proposed edits: any employee suggests new content for one translation; a knowledge manager
 * accepts it (it becomes the next version, credited to its author) or rejects it with a note.
 */
export async function proposeArticleEdit(deps: Deps, ctx: Ctx, articleId: string, input: CreateProposalInput): Promise<ArticleProposal> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const { view, access } = await loadReadableArticle(tx, ctx, articleId);
    if (!canProposeEdit(access)) throw new AppError('FORBIDDEN', 'Only staff propose edits to articles.');
    const current = view.translations.find((t) => t.language === input.language);
    const proposal = await tx.knowledge.insertProposal({
      id: deps.ids.uuid(),
      workspaceId: ctx.workspaceId,
      articleId,
      language: input.language,
      baseVersion: input.baseVersion ?? current?.versionNumber ?? null,
      title: input.title,
      body: input.body,
      note: input.note ?? null,
      authorId: ctx.actor.userId,
      status: 'open',
      reviewedBy: null,
      reviewedAt: null,
      reviewNote: null,
      createdAt: now,
    });
    await recordEvent(tx, ctx, now, 'article', articleId, 'article.edit_proposed', { proposalId: proposal.id, language: input.language, baseVersion: proposal.baseVersion });
    // The article's owner hears about it in the app (unless they proposed it themselves).
    const owner = view.article.ownerUserId;
    if (owner && owner !== ctx.actor.userId) {
      await tx.knowledge.insertNotification({
        id: deps.ids.uuid(),
        workspaceId: ctx.workspaceId,
        userId: owner,
        kind: 'article.edit_proposed',
        articleId,
        data: { proposalId: proposal.id, language: input.language, by: ctx.actor.name },
        createdAt: now,
        readAt: null,
      });
    }
    return proposal;
  });
}

export async function listProposals(
  deps: Deps,
  ctx: Ctx,
  q: { status?: ArticleProposal['status'] | undefined; articleId?: string | undefined; limit: number; cursor?: string | undefined },
) {
  requireStaff(await knowledgeActor(deps.store, ctx));
  const rows = await deps.store.knowledge.listProposals(
    ctx.workspaceId,
    { ...(q.status ? { status: q.status } : {}), ...(q.articleId ? { articleId: q.articleId } : {}) },
    { limit: q.limit + 1, ...(q.cursor ? { after: decodeCursor(q.cursor, 'created_at', 'desc') } : {}) },
  );
  return toPage(rows, q.limit, (p) => ({ sort: 'created_at', order: 'desc', value: p.createdAt.toISOString(), id: p.id }));
}

export async function getProposal(deps: Deps, ctx: Ctx, id: string): Promise<ArticleProposal> {
  requireStaff(await knowledgeActor(deps.store, ctx));
  const p = await deps.store.knowledge.findProposal(ctx.workspaceId, id);
  if (!p) throw new AppError('PROPOSAL_NOT_FOUND', 'Proposal not found.');
  return p;
}

/**
 * What accepting a proposal would change: the translation as it is now against the proposed text
 * (not against the version it was written from), and whether the article changed since then.
 */
export async function diffProposal(deps: Deps, ctx: Ctx, id: string) {
  const p = await getProposal(deps, ctx, id);
  const { view } = await loadReadableArticle(deps.store, ctx, p.articleId);
  const current = view.translations.find((t) => t.language === p.language);
  const from = { title: current?.title ?? '', body: current?.body ?? '' };
  const currentVersion = current?.versionNumber ?? null;
  return {
    language: p.language,
    baseVersion: p.baseVersion,
    currentVersion,
    stale: currentVersion !== p.baseVersion,
    title: { from: from.title, to: p.title, words: diffWords(from.title, p.title) },
    ...diffTexts(from.body, p.body),
  };
}

export async function reviewProposal(
  deps: Deps,
  ctx: Ctx,
  id: string,
  decision: 'accepted' | 'rejected',
  input: { note?: string | undefined },
): Promise<ArticleProposal> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const access = await knowledgeActor(tx, ctx);
    requireStaff(access);
    const p = await tx.knowledge.findProposal(ctx.workspaceId, id);
    if (!p) throw new AppError('PROPOSAL_NOT_FOUND', 'Proposal not found.');
    requireManager(access);
    const article = await tx.knowledge.lockArticle(ctx.workspaceId, p.articleId);
    if (!article) throw new AppError('PROPOSAL_NOT_FOUND', 'Proposal not found.');
    if (p.status !== 'open') throw new AppError('PROPOSAL_CLOSED', `This proposal was already ${p.status}.`);
    let version: number | null = null;
    let stale = false;
    if (decision === 'accepted') {
      const view = (await tx.knowledge.findArticle(ctx.workspaceId, p.articleId))!;
      const current = view.translations.find((t) => t.language === p.language);
      // Accepting over newer changes is allowed (they stay in the history); the event says so.
      stale = (current?.versionNumber ?? null) !== p.baseVersion;
      version = await writeTranslation(deps, ctx, tx, now, article, current, p.language, p, 'proposal', {
        note: input.note ?? p.note,
        authorId: p.authorId,
      });
    }
    const updated = await tx.knowledge.updateProposal(ctx.workspaceId, id, { status: decision, reviewedBy: ctx.actor.userId, reviewedAt: now, reviewNote: input.note ?? null });
    await recordEvent(tx, ctx, now, 'article', p.articleId, `article.proposal_${decision}`, {
      proposalId: id,
      language: p.language,
      ...(version !== null ? { version, stale } : {}),
    });
    if (p.authorId && p.authorId !== ctx.actor.userId) {
      await tx.knowledge.insertNotification({
        id: deps.ids.uuid(),
        workspaceId: ctx.workspaceId,
        userId: p.authorId,
        kind: `article.proposal_${decision}`,
        articleId: p.articleId,
        data: { proposalId: id, note: input.note ?? null, by: ctx.actor.name },
        createdAt: now,
        readAt: null,
      });
    }
    return updated;
  });
}
