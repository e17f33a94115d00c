/** Admin routing rules: work from day one, before there is history, and win where they match. */
import type { Channel } from '@guichet/contracts';
import { tokenize } from './features.ts';
import type { RoutingRule } from './types.ts';

export interface RuleSubject {
  text: string;
  senderEmail: string | null;
  channel: Channel;
  category: string | null;
}

/** The first enabled rule (by position) whose every given condition holds. */
export function matchRule(rules: RoutingRule[], s: RuleSubject): RoutingRule | null {
  const words = ` ${tokenize(s.text).join(' ')} `;
  const domain = s.senderEmail?.split('@')[1]?.toLowerCase() ?? null;
  for (const r of rules) {
    if (!r.enabled) continue;
    const c = r.conditions;
    let any = false;
    if (c.keywords?.length) {
      any = true;
      // Whole words or phrases, case and accents folded: "carte" does not match "cartel".
      if (!c.keywords.some((k) => words.includes(` ${tokenize(k).join(' ')} `))) continue;
    }
    if (c.senderDomains?.length) {
      any = true;
      if (!domain || !c.senderDomains.some((d) => domain === d.toLowerCase() || domain.endsWith(`.${d.toLowerCase()}`))) continue;
    }
    if (c.channels?.length) {
      any = true;
      if (!c.channels.includes(s.channel)) continue;
    }
    if (c.category) {
      any = true;
      if (!s.category || s.category.toLowerCase() !== c.category.toLowerCase()) continue;
    }
    if (any) return r;
  }
  return null;
}
