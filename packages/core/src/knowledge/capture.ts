import { ARTICLE_LANGUAGES, type ArticleLanguage, type DraftFromReplyInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { loadReadableTicket, type TicketRef } from '../tickets/access.ts';
import type { MessageView } from '../tickets/types.ts';
import { createArticle, type ArticleResult } from './articles.ts';

const HEADINGS: Record<ArticleLanguage, { question: string; answer: string }> = {
  en: { question: 'The question', answer: 'The answer' },
  fr: { question: 'La question', answer: 'La réponse' },
};
const PART_MAX = 20_000;

/**
 * Knowledge capture: a good reply (or note) of an agent becomes a new article draft in one step:
 * the ticket's subject as title, the customer's first message (else the ticket's first public
 * message) as the question and the reply as the answer, in the ticket's language. Knowledge managers review and publish it as any draft.
 */
export async function draftArticleFromReply(deps: Deps, ctx: Ctx, ref: TicketRef, messageId: string, input: DraftFromReplyInput): Promise<ArticleResult> {
  const { ticket, access } = await loadReadableTicket(deps, ctx, ref);
  if (!access.viewInternal) throw new AppError('FORBIDDEN', 'Only staff turn replies into articles.');
  // The question: the customer's first public message; else (a ticket an agent opened for them,
  // by phone) the ticket's first public message.
  let question: MessageView | null = null;
  let opening: MessageView | null = null;
  let reply: MessageView | null = null;
  let after: { sort: string; order: 'asc'; value: string; id: string } | undefined;
  while (!reply) {
    const page = await deps.store.messages.listForTicket(ctx.workspaceId, ticket.id, { includeInternal: true, limit: 200, ...(after ? { after } : {}) });
    for (const m of page) {
      if (!opening && m.visibility === 'public') opening = m;
      if (!question && m.authorId === ticket.requesterId && m.visibility === 'public') question = m;
      if (m.id === messageId) reply = m;
    }
    const last = page.at(-1);
    if (page.length < 200 || !last) break;
    after = { sort: 'createdAt', order: 'asc', value: last.createdAt.toISOString(), id: last.id };
  }
  if (!reply) throw new AppError('MESSAGE_NOT_FOUND', `Message ${messageId} is not on ticket ${ref}.`);
  question ??= opening;
  if (reply.authorId === ticket.requesterId) {
    throw new AppError('VALIDATION_FAILED', 'Only a reply or a note written by staff can become an article.', { issues: [{ path: ['messageId'], message: 'written by the customer' }] });
  }
  const workspace = await deps.store.workspaces.findById(ctx.workspaceId);
  const language = [input.language, ticket.language, workspace?.defaultLanguage].find((l): l is ArticleLanguage => !!l && (ARTICLE_LANGUAGES as readonly string[]).includes(l)) ?? 'en';
  const h = HEADINGS[language];
  const part = (s: string) => s.trim().slice(0, PART_MAX);
  const body = question && question.id !== reply.id ? `## ${h.question}\n\n${part(question.bodyText)}\n\n## ${h.answer}\n\n${part(reply.bodyText)}\n` : `${part(reply.bodyText)}\n`;
  return createArticle(deps, ctx, {
    categoryId: input.categoryId,
    visibility: input.visibility,
    tags: [],
    template: null,
    translations: { [language]: { title: (input.title ?? ticket.subject).slice(0, 300), body } },
    ownerUserId: null,
    ownerTeamId: null,
    verifyIntervalDays: 90,
  });
}
