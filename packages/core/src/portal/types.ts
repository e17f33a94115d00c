import type { DeflectionKind } from '@guichet/contracts';

/** A single-use link mailed by the portal; only the SHA-256 of its secret is stored. */
export interface PortalToken {
  id: string;
  workspaceId: string;
  userId: string;
  /** sign_in: the magic link; confirm: an anonymous visitor proving the address of a request. */
  kind: 'sign_in' | 'confirm';
  ticketId: string | null;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  requestedIp: string | null;
}

export interface DeflectionEvent {
  id: string;
  workspaceId: string;
  kind: DeflectionKind;
  articleId: string | null;
  ticketId: string | null;
  /** One portal form visit (a random id the form carries), so events of one visit can be joined. */
  visit: string | null;
  query: string | null;
  language: string | null;
  createdAt: Date;
}

export interface DeflectionCounts {
  visitsWithSuggestions: number;
  shown: number;
  clicked: number;
  solved: number;
  /** Visits with suggestions that recorded "solved" and no request. */
  deflectedVisits: number;
  submitted: number;
  submittedAfterSuggestions: number;
  articles: Array<{ articleId: string; shown: number; clicked: number; solved: number }>;
}

export interface PortalRepository {
  insertToken(t: PortalToken): Promise<void>;
  /** Links of this kind sent to this person since `since` (the per-address rate limit). */
  countTokensForUser(workspaceId: string, userId: string, kind: PortalToken['kind'], since: Date): Promise<number>;
  /** Links of this kind requested from this address since `since` (the per-IP rate limit). */
  countTokensFromIp(workspaceId: string, ip: string, kind: PortalToken['kind'], since: Date): Promise<number>;
  /** Use a link: atomic, so it works once even when two requests race; null when unknown, used or expired. */
  consumeToken(tokenHash: string, kind: PortalToken['kind'], now: Date): Promise<PortalToken | null>;
  /** Recorded once per visit, kind and article (a repeated event changes nothing). */
  insertDeflection(e: DeflectionEvent): Promise<void>;
  deflectionCounts(workspaceId: string, from: Date, to: Date): Promise<DeflectionCounts>;
}
