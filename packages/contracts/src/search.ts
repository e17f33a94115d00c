import { z } from 'zod';
import { isoDate, queryList, uuid } from './common.ts';

export const SearchType = z.enum(['ticket', 'message', 'customer', 'article']);
export type SearchType = z.infer<typeof SearchType>;

export const SearchQuery = z.object({
  /** Words, "exact phrases" and -exclusions; the last word also matches as a prefix (search as you type). */
  q: z.string().trim().min(1).max(500),
  type: queryList(SearchType).optional(),
  /** Ticket status for tickets and messages, article status for articles. */
  status: queryList(z.string().regex(/^[a-z_]{1,20}$/)).optional(),
  teamId: uuid.optional(),
  language: z.enum(['en', 'fr']).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  /** all: every word must match; any: the best matches for some of the words; auto (default): all, else any. */
  match: z.enum(['auto', 'all', 'any']).default('auto'),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().max(512).optional(),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchHitOut = z.object({
  type: SearchType,
  id: uuid,
  title: z.string(),
  /** Matching words wrapped in <mark>…</mark>; everything else HTML-escaped. */
  snippet: z.string(),
  score: z.number(),
  language: z.string().nullable(),
  createdAt: isoDate,
  ticket: z.object({ id: uuid, number: z.number().int(), subject: z.string(), status: z.string() }).nullable(),
  article: z
    .object({
      id: uuid,
      status: z.string(),
      visibility: z.string(),
      slug: z.string(),
      /** Staff only: verified, due_soon or expired (expired articles are marked wherever they appear). */
      verification: z.enum(['verified', 'due_soon', 'expired']).optional(),
    })
    .nullable(),
  customer: z.object({ id: uuid, name: z.string(), email: z.string().nullable() }).nullable(),
});
export type SearchHitOut = z.infer<typeof SearchHitOut>;

export const SearchOut = z.object({
  items: z.array(SearchHitOut),
  nextCursor: z.string().nullable(),
  /** Which way the words were matched: all of them, or any of them (no document had all). */
  matched: z.enum(['all', 'any']),
});
export type SearchOut = z.infer<typeof SearchOut>;
