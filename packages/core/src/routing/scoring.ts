/**
 * Choosing the agent: pure functions over candidates already known to be available. The same
 * code serves the server's assignment job and `npm run routing:eval`.
 */
import type { ExpertiseEstimate } from './expertise.ts';

export const ROUTING_MODES = ['skills', 'round_robin', 'load_balanced', 'manual'] as const;
export type RoutingMode = (typeof ROUTING_MODES)[number];

export interface Candidate {
  userId: string;
  name: string;
  languages: string[];
  /** Declared skills relevant to this ticket (matched by the caller), with proficiency 1–5. */
  skills: Array<{ name: string; proficiency: number }>;
  open: number;
  /** Most open tickets this agent may hold; null = no limit. */
  capacity: number | null;
  lastAssignedAt: Date | null;
  /** Tickets of this kind the agent resolved at first contact recently (for the explanation). */
  solvedSimilar: number;
}

export interface RoutingSignal {
  language: string | null;
  expertise: Map<string, ExpertiseEstimate>;
}

export interface ScoredCandidate {
  candidate: Candidate;
  score: number;
  expertise: ExpertiseEstimate | null;
  speaksLanguage: boolean | null;
}

/** Weights of the skills-based score; expertise dominates, the others break near-ties. */
export const SCORE_WEIGHTS = { expertise: 1, skill: 0.15, language: 0.25, load: 0.1, solvedSimilar: 0.05 };

export function hasRoom(c: Pick<Candidate, 'open' | 'capacity'>): boolean {
  return c.capacity === null || c.open < c.capacity;
}

/**
 * The best candidate with room under the team's mode, or null when everyone is full (the ticket
 * then waits in the team queue). Ties go to whoever was idle longest, then by id (deterministic).
 */
export function chooseAgent(mode: RoutingMode, candidates: Candidate[], signal: RoutingSignal): ScoredCandidate | null {
  if (mode === 'manual') return null;
  const open = candidates.filter(hasRoom);
  if (!open.length) return null;
  const scored = open.map((c) => scoreCandidate(mode, c, signal));
  scored.sort((a, b) => b.score - a.score || idle(a.candidate) - idle(b.candidate) || (a.candidate.userId < b.candidate.userId ? -1 : 1));
  return scored[0]!;
}

const idle = (c: Candidate) => c.lastAssignedAt?.getTime() ?? 0;

export function scoreCandidate(mode: RoutingMode, c: Candidate, signal: RoutingSignal): ScoredCandidate {
  const expertise = signal.expertise.get(c.userId) ?? null;
  const speaksLanguage = signal.language ? c.languages.length === 0 ? null : c.languages.some((l) => sameLanguage(l, signal.language!)) : null;
  let score = 0;
  if (mode === 'load_balanced') {
    score = -c.open;
  } else if (mode === 'round_robin') {
    score = 0; // the tie-break (longest idle) alone decides
  } else {
    const w = SCORE_WEIGHTS;
    const best = c.skills.reduce((m, s) => Math.max(m, s.proficiency), 0);
    score += w.expertise * (expertise?.fcr ?? 0);
    score += w.skill * (best / 5);
    if (speaksLanguage === true) score += w.language;
    if (speaksLanguage === false) score -= w.language;
    if (c.capacity) score -= w.load * (c.open / c.capacity);
    score += w.solvedSimilar * Math.min(1, c.solvedSimilar / 20);
  }
  return { candidate: c, score, expertise, speaksLanguage };
}

export function sameLanguage(a: string, b: string): boolean {
  return a.toLowerCase().slice(0, 2) === b.toLowerCase().slice(0, 2);
}

// ---------------------------------------------------------------- explanations (FR and EN)

export interface ExplanationInput {
  team: { name: string; confidence: number | null; source: 'model' | 'rule' | 'given' | 'triage'; rule?: string | null };
  assignee: ScoredCandidate | null;
  mode: RoutingMode;
  language: string | null;
  /** Why nobody was assigned, when nobody was. */
  waiting?: 'full' | 'manual' | 'nobody' | 'low_confidence' | null;
}

const LANGUAGE_NAMES: Record<string, { en: string; fr: string }> = {
  fr: { en: 'French', fr: 'français' },
  en: { en: 'English', fr: 'anglais' },
  de: { en: 'German', fr: 'allemand' },
  es: { en: 'Spanish', fr: 'espagnol' },
  it: { en: 'Italian', fr: 'italien' },
  nl: { en: 'Dutch', fr: 'néerlandais' },
  pt: { en: 'Portuguese', fr: 'portugais' },
};

export function explainDecision(input: ExplanationInput, locale: 'en' | 'fr'): string {
  const fr = locale === 'fr';
  const num = (n: number) => (fr ? n.toFixed(2).replace('.', ',') : n.toFixed(2));
  const parts: string[] = [];
  const t = input.team;
  if (t.source === 'rule') parts.push(fr ? `Équipe ${t.name} (règle « ${t.rule ?? ''} »).` : `Team ${t.name} (rule "${t.rule ?? ''}").`);
  else if (t.source === 'given') parts.push(fr ? `Équipe ${t.name} (choisie à la création).` : `Team ${t.name} (set when created).`);
  else if (t.source === 'triage') parts.push(fr ? `Équipe ${t.name} (choisie au tri).` : `Team ${t.name} (chosen at triage).`);
  else parts.push(fr ? `Équipe ${t.name} (confiance ${num(t.confidence ?? 0)}).` : `Team ${t.name} (confidence ${num(t.confidence ?? 0)}).`);
  const a = input.assignee;
  if (a) {
    const c = a.candidate;
    const reasons: string[] = [];
    if (input.mode === 'round_robin') reasons.push(fr ? 'tour de rôle' : 'round robin');
    if (input.mode === 'load_balanced') reasons.push(fr ? 'le moins chargé' : 'fewest open tickets');
    for (const s of c.skills.slice(0, 2)) reasons.push(fr ? `compétence ${s.name} ${s.proficiency}/5` : `skill ${s.name} ${s.proficiency}/5`);
    if (a.speaksLanguage && input.language) {
      const name = LANGUAGE_NAMES[input.language.slice(0, 2)]?.[locale] ?? input.language;
      reasons.push(fr ? `parle ${name}` : `speaks ${name}`);
    }
    if (c.capacity !== null) reasons.push(fr ? `${c.open} sur ${c.capacity} ouverts` : `${c.open} of ${c.capacity} open`);
    else reasons.push(fr ? `${c.open} ouverts` : `${c.open} open`);
    if (c.solvedSimilar > 0) {
      reasons.push(fr ? `a résolu ${c.solvedSimilar} demandes similaires en 90 jours` : `solved ${c.solvedSimilar} similar tickets in 90 days`);
    }
    if (a.expertise && input.mode === 'skills') {
      const pct = Math.round(a.expertise.fcr * 100);
      reasons.push(fr ? `résolution au premier contact estimée ${pct} %` : `estimated first-contact resolution ${pct}%`);
    }
    parts.push(fr ? `Attribué à ${c.name} : ${reasons.join(', ')}.` : `Assigned to ${c.name}: ${reasons.join(', ')}.`);
  } else if (input.waiting === 'full') {
    parts.push(fr ? "Tous les agents disponibles sont à pleine capacité : en file d'attente de l'équipe." : 'Every available agent is at capacity: waiting in the team queue.');
  } else if (input.waiting === 'manual') {
    parts.push(fr ? "L'équipe attribue ses demandes à la main." : 'This team assigns its tickets by hand.');
  } else if (input.waiting === 'nobody') {
    parts.push(fr ? "Aucun agent de l'équipe n'est disponible : en file d'attente de l'équipe." : 'No agent of the team is available: waiting in the team queue.');
  } else if (input.waiting === 'low_confidence') {
    parts.push(fr ? 'Confiance trop basse : en attente de tri par une personne.' : 'Confidence too low: waiting for a person to triage it.');
  }
  return parts.join(' ');
}
