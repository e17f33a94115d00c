import type { SearchQuery, SearchType } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import type { Repositories } from '../store.ts';
import { parseSearchQuery } from './query.ts';
import type { SearchHit, SearchScope } from './types.ts';
import { verificationOf } from '../knowledge/verification-state.ts';
import { UNCONFIRMED_TAG } from '../tickets/policy.ts';

const ALL_TYPES: SearchType[] = ['ticket', 'message', 'customer', 'article'];
const MAX_OFFSET = 1000;

/** The scope a caller searches in: staff everything, customers their own, the public published public articles. */
export async function searchScopeOf(repos: Repositories, ctx: Ctx): Promise<SearchScope> {
  if (!ctx.actor.userId && ctx.actor.type !== 'system') return { kind: 'public' };
  if (ctx.actor.role !== 'customer') return { kind: 'staff' };
  let shared: string | null = null;
  if (ctx.actor.organizationId) {
    const org = await repos.organizations.findById(ctx.workspaceId, ctx.actor.organizationId);
    if (org?.sharedTickets) shared = org.id;
  }
  return { kind: 'customer', userId: ctx.actor.userId!, sharedOrganizationId: shared, hiddenTags: [UNCONFIRMED_TAG] };
}

function decodeOffset(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^o(\d{1,4})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(n) || n > MAX_OFFSET) throw new AppError('INVALID_CURSOR', 'The cursor is not one this server issued.');
  return n;
}

const encodeOffset = (n: number) => Buffer.from(`o${n}`, 'utf8').toString('base64url');

/**
 * One search over tickets, messages, customers and articles, ranked (title above body, rare
 * words above common ones), with highlighted snippets. `auto` asks for every word first and,
 * when nothing has them all, for the best matches of any of them. `maxTerms` raises the number
 * of words kept (12 by default; each is one more index probe) for long texts such as suggestions.
 */
export async function search(
  deps: Deps,
  ctx: Ctx,
  q: SearchQuery,
  scopeOverride?: SearchScope,
  opts: { maxTerms?: number } = {},
): Promise<{ items: SearchHit[]; nextCursor: string | null; matched: 'all' | 'any' }> {
  const query = opts.maxTerms ? parseSearchQuery(q.q, { maxTerms: opts.maxTerms }) : parseSearchQuery(q.q);
  if (!query.words.length && !query.phrases.length) {
    throw new AppError('VALIDATION_FAILED', 'Search for at least one word (exclusions alone match nothing).', { issues: [{ path: ['q'], message: 'no word to search for' }] });
  }
  const scope = scopeOverride ?? (await searchScopeOf(deps.store, ctx));
  const allowed: SearchType[] = scope.kind === 'staff' ? ALL_TYPES : scope.kind === 'customer' ? ['ticket', 'message', 'article'] : ['article'];
  const types = (q.type?.length ? q.type : allowed).filter((t) => allowed.includes(t));
  const offset = decodeOffset(q.cursor);
  if (!types.length) return { items: [], nextCursor: null, matched: 'all' };
  const base = {
    workspaceId: ctx.workspaceId,
    scope,
    query,
    types,
    ...(q.status?.length ? { status: q.status } : {}),
    ...(q.teamId ? { teamId: q.teamId } : {}),
    ...(q.language ? { language: q.language } : {}),
    ...(q.from ? { from: new Date(q.from) } : {}),
    ...(q.to ? { to: new Date(q.to) } : {}),
    limit: q.limit + 1,
    offset,
    snippets: true,
  };
  let matched: 'all' | 'any' = q.match === 'any' ? 'any' : 'all';
  let rows = await deps.store.search.search({ ...base, mode: matched });
  if (q.match === 'auto' && rows.length === 0 && offset === 0 && query.words.length > 1) {
    matched = 'any';
    rows = await deps.store.search.search({ ...base, mode: 'any' });
  }
  const more = rows.length > q.limit && offset + q.limit < MAX_OFFSET;
  return { items: rows.slice(0, q.limit), nextCursor: more ? encodeOffset(offset + q.limit) : null, matched };
}

/** Staff see each article's verification state wherever it appears (expired ones are marked). */
export async function verificationStatesOf(deps: Deps, ctx: Ctx, hits: SearchHit[]): Promise<Map<string, 'verified' | 'due_soon' | 'expired'>> {
  const out = new Map<string, 'verified' | 'due_soon' | 'expired'>();
  if (ctx.actor.role === 'customer' || !ctx.actor.userId) return out;
  const now = deps.clock.now();
  for (const id of new Set(hits.flatMap((h) => (h.article ? [h.article.id] : [])))) {
    const v = await deps.store.knowledge.findArticle(ctx.workspaceId, id);
    if (v) out.set(id, verificationOf(v.article, now).state);
  }
  return out;
}
