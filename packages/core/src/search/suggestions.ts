import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { loadReadableTicket } from '../tickets/access.ts';
import type { TicketRef } from '../tickets/access.ts';
import { parseSearchQuery } from './query.ts';
import { search } from './search.ts';
import type { SearchHit } from './types.ts';

/**
 * Words of a long text kept for suggestions. A question is often longer than the search box's
 * 12 words (half the StackFAQ questions are), and its last words are as telling as its first.
 */
const SUGGESTION_TERMS = 24;

/**
 * What may answer a ticket: the articles most relevant to its conversation (subject and the
 * customer's messages) and similar tickets already solved, ranked by the same search as
 * everything else (any of the words, rare ones first). Staff only.
 */
export async function suggestForTicket(deps: Deps, ctx: Ctx, ref: TicketRef): Promise<{ articles: SearchHit[]; solvedTickets: SearchHit[] }> {
  const { ticket, access } = await loadReadableTicket(deps, ctx, ref);
  if (!access.viewInternal) throw new AppError('FORBIDDEN', 'Suggestions are for staff.');
  const messages = await deps.store.messages.listForTicket(ctx.workspaceId, ticket.id, { includeInternal: false, limit: 5 });
  const fromCustomer = messages.filter((m) => m.authorId === ticket.requesterId).map((m) => m.bodyText);
  const text = [ticket.subject, ...fromCustomer].join(' ').replace(/["-]/g, ' ').slice(0, 500);
  const q = { q: text, match: 'any' as const, limit: 5 };
  const opts = { maxTerms: SUGGESTION_TERMS };
  const articles = (await search(deps, ctx, { ...q, type: ['article'], status: ['published'] }, undefined, opts)).items;
  const solved = (await search(deps, ctx, { ...q, limit: 6, type: ['ticket', 'message'], status: ['solved', 'closed'] }, undefined, opts)).items;
  const seen = new Set<string>([ticket.id]);
  const solvedTickets = solved.filter((h) => h.ticket && !seen.has(h.ticket.id) && (seen.add(h.ticket.id), true)).slice(0, 5);
  return { articles: dedupe(articles), solvedTickets };
}

/** One suggestion per article (its best-matching translation). */
function dedupe(hits: SearchHit[]): SearchHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => (seen.has(h.id) ? false : (seen.add(h.id), true)));
}

/**
 * Articles that may answer a question someone is typing (the portal's request form, the help
 * center): published articles ranked by the same search as everything else, on any of the words.
 * The caller's scope applies: anonymous visitors and customers get public articles only, staff
 * internal ones too. `language` keeps one language's translations; an empty text suggests nothing.
 */
export async function suggestArticlesForText(
  deps: Deps,
  ctx: Ctx,
  input: { text: string; language?: 'en' | 'fr'; limit?: number },
): Promise<SearchHit[]> {
  // Quotes and dashes are the query language's syntax; typed prose means them as punctuation.
  const text = input.text.replace(/["-]/g, ' ').slice(0, 500);
  if (!parseSearchQuery(text, { maxTerms: SUGGESTION_TERMS }).words.length) return [];
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? 5), 1), 20);
  const r = await search(deps, ctx, {
    q: text,
    type: ['article'],
    status: ['published'],
    match: 'any',
    // One more per translation that may share an article, then one hit per article.
    limit: input.language ? limit : Math.min(limit * 2, 50),
    ...(input.language ? { language: input.language } : {}),
  }, undefined, { maxTerms: SUGGESTION_TERMS });
  return dedupe(r.items).slice(0, limit);
}
