/** The knowledge calls of the ticket page: suggestions, their use, articles, and capture. Types only from contracts. */
import type { ArticleOut, SearchHitOut, SuggestionUseAction } from '@guichet/contracts';
import { request } from '../api.ts';

export type { ArticleOut, SearchHitOut };

export const knowledgeApi = {
  suggestions: (ticketId: string) => request<{ articles: SearchHitOut[]; solvedTickets: SearchHitOut[] }>('GET', `/tickets/${ticketId}/suggestions`),
  article: (id: string) => request<ArticleOut>('GET', `/articles/${id}`),
  recordUse: (ticketId: string, articleId: string, action: SuggestionUseAction) =>
    request<void>('POST', `/tickets/${ticketId}/suggestions/uses`, { articleId, action }),
  draftFromReply: (ticketId: string, messageId: string) => request<ArticleOut>('POST', `/tickets/${ticketId}/messages/${messageId}/article-draft`, {}),
};
