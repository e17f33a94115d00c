import type { ContentGapQuery, ContentGapReportOut, SuggestionUseInput } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { loadReadableTicket, type TicketRef } from '../tickets/access.ts';
import { knowledgeActor } from './articles.ts';
import { requireManager } from './policy.ts';

/**
 * What the knowledge team should write next: searches that found nothing or only weak matches,
 * and solved tickets where no suggested article helped, each grouped by topic.
 */

export type SearchSource = 'api' | 'help_center' | 'portal';
export type SearchAudience = 'staff' | 'customer' | 'public';

export interface SearchLogEntry {
  id: string;
  workspaceId: string;
  createdAt: Date;
  source: SearchSource;
  audience: SearchAudience;
  query: string;
  language: string | null;
  results: number;
  /** `all`: some document had every word; `any`: only some words matched; `none`: nothing. */
  matched: 'all' | 'any' | 'none';
}

export interface SuggestionUse {
  id: string;
  workspaceId: string;
  ticketId: string;
  articleId: string;
  userId: string | null;
  action: SuggestionUseInput['action'];
  createdAt: Date;
}

/** Searches of a period, one row per distinct query (case and spacing ignored). */
export interface LoggedQuery {
  query: string;
  count: number;
  noResults: number;
  partial: number;
  lastAt: Date;
  /** The query's words as the search stems them (its language, else the workspace's). */
  lexemes: string[];
}

export interface SolvedTicketSignal {
  id: string;
  number: number;
  subject: string;
  suggestionUsed: boolean;
  lexemes: string[];
}

export interface ContentGapRepository {
  logSearch(entry: SearchLogEntry): Promise<void>;
  /** Housekeeping, every workspace: forget the searches logged before `before`; answers how many. */
  deleteSearchesBefore(before: Date): Promise<number>;
  insertSuggestionUse(use: SuggestionUse): Promise<void>;
  /** At most `max` distinct queries, the most searched first. */
  queriesInPeriod(workspaceId: string, from: Date, to: Date, defaultLanguage: string, max: number): Promise<LoggedQuery[]>;
  /** Tickets solved or closed in the period (at most `max`, the latest first), with whether a suggestion was used. */
  solvedTicketsInPeriod(workspaceId: string, from: Date, to: Date, defaultLanguage: string, max: number): Promise<SolvedTicketSignal[]>;
}

const QUERY_MAX = 500;

/** Records the first page of a search; called by whatever ran it (API, help center, portal). Never fails the search. */
export async function recordSearch(
  deps: Deps,
  ctx: Ctx,
  s: { source: SearchSource; query: string; language?: string | null | undefined; results: number; matched: 'all' | 'any' },
): Promise<void> {
  const query = s.query.replace(/\s+/g, ' ').trim().slice(0, QUERY_MAX);
  if (!query) return;
  const audience: SearchAudience = ctx.actor.type === 'system' ? 'staff' : !ctx.actor.userId ? 'public' : ctx.actor.role === 'customer' ? 'customer' : 'staff';
  await deps.store.contentGaps.logSearch({
    id: deps.ids.uuid(),
    workspaceId: ctx.workspaceId,
    createdAt: deps.clock.now(),
    source: s.source,
    audience,
    query,
    language: s.language ?? null,
    results: s.results,
    matched: s.results === 0 ? 'none' : s.matched,
  });
}

/** An agent opened a suggested article, put it in a reply, or said it solved the ticket. */
export async function recordSuggestionUse(deps: Deps, ctx: Ctx, ref: TicketRef, input: SuggestionUseInput): Promise<void> {
  const { ticket, access } = await loadReadableTicket(deps, ctx, ref);
  if (!access.viewInternal) throw new AppError('FORBIDDEN', 'Suggestions are for staff.');
  const article = await deps.store.knowledge.findArticle(ctx.workspaceId, input.articleId);
  if (!article) throw new AppError('ARTICLE_NOT_FOUND', `Article ${input.articleId} not found.`);
  await deps.store.contentGaps.insertSuggestionUse({
    id: deps.ids.uuid(),
    workspaceId: ctx.workspaceId,
    ticketId: ticket.id,
    articleId: input.articleId,
    userId: ctx.actor.userId,
    action: input.action,
    createdAt: deps.clock.now(),
  });
}

const DAY = 86_400_000;
/** Rows read per part of the report: beyond that, the most searched queries and the latest tickets. */
const MAX_ROWS = 20_000;

export async function contentGapReport(deps: Deps, ctx: Ctx, q: ContentGapQuery): Promise<ContentGapReportOut> {
  requireManager(await knowledgeActor(deps.store, ctx));
  const to = q.to ? new Date(q.to) : deps.clock.now();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY);
  const workspace = await deps.store.workspaces.findById(ctx.workspaceId);
  const lang = workspace?.defaultLanguage ?? 'en';
  const [queries, tickets] = await Promise.all([
    deps.store.contentGaps.queriesInPeriod(ctx.workspaceId, from, to, lang, MAX_ROWS),
    deps.store.contentGaps.solvedTicketsInPeriod(ctx.workspaceId, from, to, lang, MAX_ROWS),
  ]);

  const failed = queries.filter((r) => r.noResults + r.partial > 0);
  const searchTopics = groupByTopic(
    failed.map((r) => ({ item: r, lexemes: r.lexemes, weight: r.noResults + r.partial })),
    backgroundOf(queries.map((r) => ({ lexemes: r.lexemes, weight: r.count }))),
  )
    .slice(0, q.limit)
    .map((t) => {
      const byCount = [...t.items].sort((a, b) => b.noResults + b.partial - (a.noResults + a.partial) || a.query.localeCompare(b.query));
      return {
        terms: t.terms,
        label: byCount[0]!.query,
        count: t.weight,
        noResults: t.items.reduce((n, r) => n + r.noResults, 0),
        lastSearchedAt: new Date(Math.max(...t.items.map((r) => r.lastAt.getTime()))).toISOString(),
        queries: byCount.slice(0, 10).map((r) => ({ query: r.query, count: r.noResults + r.partial })),
      };
    });

  const unhelped = tickets.filter((t) => !t.suggestionUsed);
  const ticketTopics = groupByTopic(
    unhelped.map((t) => ({ item: t, lexemes: t.lexemes, weight: 1 })),
    backgroundOf(tickets.map((t) => ({ lexemes: t.lexemes, weight: 1 }))),
  )
    .slice(0, q.limit)
    .map((t) => ({
      terms: t.terms,
      label: t.items[0]!.subject,
      count: t.weight,
      tickets: t.items.slice(0, 10).map((x) => ({ id: x.id, number: x.number, subject: x.subject })),
    }));

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    searches: {
      total: queries.reduce((n, r) => n + r.count, 0),
      noResults: queries.reduce((n, r) => n + r.noResults, 0),
      partial: queries.reduce((n, r) => n + r.partial, 0),
      topics: searchTopics,
    },
    tickets: { solved: tickets.length, withoutSuggestionUsed: unhelped.length, topics: ticketTopics },
  };
}

// ---------------------------------------------------------------- topics (pure)

export interface Background {
  total: number;
  df: Map<string, number>;
}

/** How often each word appears in everything of the period (searches, or solved tickets). */
export function backgroundOf(rows: { lexemes: string[]; weight: number }[]): Background {
  const df = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    total += r.weight;
    for (const l of new Set(r.lexemes)) df.set(l, (df.get(l) ?? 0) + r.weight);
  }
  return { total, df };
}

export interface Topic<T> {
  terms: string[];
  items: T[];
  weight: number;
}

/**
 * Groups items (failed searches, unhelped tickets) by the word that best tells them apart: at each
 * step the word shared by the most remaining weight, counted more when it is over-represented
 * against the background (a word in every ticket, such as "help", says little), takes every
 * remaining item that has it. The topic also names a second word when most of its items share
 * it. Items sharing no word with another stay alone. Topics come out heaviest first.
 */
export function groupByTopic<T>(rows: { item: T; lexemes: string[]; weight: number }[], bg: Background): Topic<T>[] {
  let remaining = rows.map((r) => ({ ...r, set: new Set(r.lexemes.filter((l) => l.length > 1)) }));
  const gapTotal = rows.reduce((n, r) => n + r.weight, 0);
  const topics: Topic<T>[] = [];
  while (remaining.length) {
    const weightOf = new Map<string, number>();
    const itemsOf = new Map<string, number>();
    for (const r of remaining) {
      for (const l of r.set) {
        weightOf.set(l, (weightOf.get(l) ?? 0) + r.weight);
        itemsOf.set(l, (itemsOf.get(l) ?? 0) + 1);
      }
    }
    let best: string | null = null;
    let bestScore = 0;
    for (const [l, w] of weightOf) {
      if ((itemsOf.get(l) ?? 0) < 2) continue;
      const lift = (w / gapTotal) / (((bg.df.get(l) ?? 0) + 1) / (bg.total + 1));
      const score = w * Math.log2(1 + lift);
      if (score > bestScore || (score === bestScore && best !== null && l < best)) {
        best = l;
        bestScore = score;
      }
    }
    if (best === null) break;
    const taken = remaining.filter((r) => r.set.has(best));
    remaining = remaining.filter((r) => !r.set.has(best));
    topics.push(topicOf(best, taken));
  }
  for (const r of remaining) topics.push({ terms: [...r.set].sort(), items: [r.item], weight: r.weight });
  return topics.sort((a, b) => b.weight - a.weight || b.items.length - a.items.length);
}

function topicOf<T>(word: string, taken: { item: T; set: Set<string>; weight: number }[]): Topic<T> {
  const weight = taken.reduce((n, r) => n + r.weight, 0);
  const co = new Map<string, number>();
  for (const r of taken) for (const l of r.set) if (l !== word) co.set(l, (co.get(l) ?? 0) + r.weight);
  const second = [...co].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  const terms = second && second[1] * 2 > weight ? [word, second[0]] : [word];
  return { terms, items: [...taken].sort((a, b) => b.weight - a.weight).map((r) => r.item), weight };
}
