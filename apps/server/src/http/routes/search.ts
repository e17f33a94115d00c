import { z } from 'zod';
import { SearchHitOut, SearchOut, SearchQuery, SuggestionUseInput } from '@guichet/contracts';
import * as core from '@guichet/core';
import type { Router } from '../route.ts';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The database marks matches with \u0001…\u0002; everything else is escaped before the marks become <mark>. */
export function markSnippet(s: string): string {
  return escapeHtml(s.replace(/\s+/g, ' ').trim()).replace(/\u0001/g, '<mark>').replace(/\u0002/g, '</mark>');
}

export function presentSearchHit(h: core.SearchHit, verification?: 'verified' | 'due_soon' | 'expired'): SearchHitOut {
  return {
    type: h.type,
    id: h.id,
    title: h.title,
    snippet: markSnippet(h.snippet),
    score: Math.round(h.score * 10_000) / 10_000,
    language: h.language,
    createdAt: h.createdAt.toISOString(),
    ticket: h.ticket,
    article: h.article ? { ...h.article, ...(verification ? { verification } : {}) } : null,
    customer: h.customer,
  };
}

export function searchRoutes(route: Router): void {
  route({
    method: 'GET', url: '/tickets/{id}/suggestions', tag: 'Search',
    summary: 'Articles most relevant to a ticket\'s conversation and similar solved tickets (staff; expired articles are marked)',
    params: z.object({ id: z.string().regex(/^(\d{1,15}|[0-9a-f-]{36})$/i, 'a ticket number or id') }),
    response: z.object({ articles: z.array(SearchHitOut), solvedTickets: z.array(SearchHitOut) }),
    handler: async ({ deps, ctx, params }) => {
      const r = await core.suggestForTicket(deps, ctx, params.id);
      const states = await core.verificationStatesOf(deps, ctx, r.articles);
      return {
        articles: r.articles.map((h) => presentSearchHit(h, states.get(h.id))),
        solvedTickets: r.solvedTickets.map((h) => presentSearchHit(h)),
      };
    },
  });
  route({
    method: 'POST', url: '/tickets/{id}/suggestions/uses', tag: 'Search',
    summary: 'Record that a suggested article was opened, inserted into a reply or solved the ticket (staff; feeds the content-gap report)',
    params: z.object({ id: z.string().regex(/^(\d{1,15}|[0-9a-f-]{36})$/i, 'a ticket number or id') }),
    body: SuggestionUseInput, status: 204,
    handler: async ({ deps, ctx, params, body }) => {
      await core.recordSuggestionUse(deps, ctx, params.id, body);
      return undefined;
    },
  });
  route({
    method: 'GET', url: '/search', tag: 'Search',
    summary: 'One search over tickets, messages, customers and articles: ranked, highlighted, filtered, limited to what the caller may see',
    query: SearchQuery, response: SearchOut,
    handler: async ({ deps, ctx, query }) => {
      const r = await core.search(deps, ctx, query);
      // The first page of each search is what the content-gap report counts.
      if (!query.cursor) await core.recordSearch(deps, ctx, { source: 'api', query: query.q, language: query.language, results: r.items.length, matched: r.matched });
      const states = await core.verificationStatesOf(deps, ctx, r.items);
      return { items: r.items.map((h) => presentSearchHit(h, h.article ? states.get(h.article.id) : undefined)), nextCursor: r.nextCursor, matched: r.matched };
    },
  });
}
