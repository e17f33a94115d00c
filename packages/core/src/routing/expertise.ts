/**
 * Learnt expertise: how likely each agent is to resolve this kind of request at first contact.
 *
 * Bayes' rule over two heads of the triage model: P(resolved | agent, text) =
 * P(agent | resolved, text) · P(resolved | text) / P(agent | text). The `solver` head estimates the
 * first factor (trained on tickets resolved at first contact, labelled with who resolved them), the
 * `attempt` head the denominator (trained on every ticket, labelled with who got it first, so it
 * learns how work was handed out, round robin or not). Their ratio, smoothed so an agent the
 * history barely shows stays near the average, times the history's first-contact rate, is the
 * estimate.
 */
import type { Prediction } from './classifier.ts';

export interface ExpertiseEstimate {
  /** Estimated first-contact resolution probability, 0–1. */
  fcr: number;
  /** Evidence behind it: the share of this kind of request the agent resolved at first contact, and got. */
  solverShare: number;
  attemptShare: number;
}

export function estimateExpertise(
  solver: Prediction | undefined,
  attempt: Prediction | undefined,
  agentIds: string[],
  baseRate: number,
): Map<string, ExpertiseEstimate> {
  const out = new Map<string, ExpertiseEstimate>();
  if (!solver || !attempt) return out;
  const ps = new Map(solver.ranked.map((r) => [r.label, r.p]));
  const pa = new Map(attempt.ranked.map((r) => [r.label, r.p]));
  const eps = 0.5 / Math.max(1, attempt.ranked.length);
  for (const id of agentIds) {
    if (!pa.has(id) && !ps.has(id)) continue;
    const s = ps.get(id) ?? 0;
    const a = pa.get(id) ?? 0;
    const ratio = (s + eps) / (a + eps);
    out.set(id, { fcr: Math.min(0.95, Math.max(0.05, baseRate * ratio)), solverShare: s, attemptShare: a });
  }
  return out;
}
