import type { VerificationState } from '@guichet/contracts';
import type { Article } from './types.ts';

const DAY = 86_400_000;

/**
 * An article is verified until its due date (last verification, or creation when it was never
 * verified, plus its interval); "due soon" in the last quarter of the interval, at most 14 days
 * before; expired after.
 */
export function verificationOf(a: Pick<Article, 'verifiedAt' | 'createdAt' | 'verifyIntervalDays'>, now: Date) {
  const base = a.verifiedAt ?? a.createdAt;
  const dueAt = new Date(base.getTime() + a.verifyIntervalDays * DAY);
  const warnMs = Math.min(14 * DAY, (a.verifyIntervalDays * DAY) / 4);
  const left = dueAt.getTime() - now.getTime();
  const state: VerificationState = left <= 0 ? 'expired' : left <= warnMs ? 'due_soon' : 'verified';
  return { state, dueAt, warnAt: new Date(dueAt.getTime() - warnMs) };
}
