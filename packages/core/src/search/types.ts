import type { SearchType } from '@guichet/contracts';
import type { ParsedQuery } from './query.ts';

/** Whose eyes the results are for; the repository turns it into conditions on every document. */
export type SearchScope =
  | { kind: 'staff' }
  /**
   * A customer: their own tickets (and their organization's when it shares them) but those with one
   * of `hiddenTags` (unconfirmed requests), public messages, published public articles.
   */
  | { kind: 'customer'; userId: string; sharedOrganizationId: string | null; hiddenTags: string[] }
  /** The public help center: published public articles only. */
  | { kind: 'public' };

export interface SearchRequest {
  workspaceId: string;
  scope: SearchScope;
  query: ParsedQuery;
  types: SearchType[];
  status?: string[];
  teamId?: string;
  language?: string;
  from?: Date;
  to?: Date;
  mode: 'all' | 'any';
  limit: number;
  offset: number;
  /** Compute highlighted snippets (the API does; suggestions only need titles). */
  snippets: boolean;
}

export interface SearchHit {
  type: SearchType;
  id: string;
  slot: string;
  title: string;
  /** Text with the matches between \u0001 and \u0002 (the presenter escapes and marks them). */
  snippet: string;
  score: number;
  language: string | null;
  createdAt: Date;
  ticket: { id: string; number: number; subject: string; status: string } | null;
  article: { id: string; status: string; visibility: string; slug: string } | null;
  customer: { id: string; name: string; email: string | null } | null;
}

export interface SearchRepository {
  search(req: SearchRequest): Promise<SearchHit[]>;
  /**
   * Re-estimate how many documents hold each frequent word, for the workspaces whose corpus grew or
   * shrank by a tenth, whose estimate is a week old, or that have none (every workspace with
   * `force`). Returns the workspaces refreshed.
   */
  refreshStats(now: Date, opts?: { force?: boolean; workspaceId?: string }): Promise<number>;
}
