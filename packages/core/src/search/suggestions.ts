import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { loadReadableTicket } from '../tickets/access.ts';
import type { TicketRef } from '../tickets/access.ts';
import { search } from './search.ts';
import type { SearchHit } from './types.ts';

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
  const articles = (await search(deps, ctx, { ...q, type: ['article'], status: ['published'] })).items;
  const solved = (await search(deps, ctx, { ...q, limit: 6, type: ['ticket', 'message'], status: ['solved', 'closed'] })).items;
  const seen = new Set<string>([ticket.id]);
  const solvedTickets = solved.filter((h) => h.ticket && !seen.has(h.ticket.id) && (seen.add(h.ticket.id), true)).slice(0, 5);
  return { articles: dedupe(articles), solvedTickets };
}

/** One suggestion per article (its best-matching translation). */
function dedupe(hits: SearchHit[]): SearchHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => (seen.has(h.id) ? false : (seen.add(h.id), true)));
}
