import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../src/routing/classifier.ts';
import { hashedCounts, tokenize } from '../src/routing/features.ts';
import { estimateExpertise } from '../src/routing/expertise.ts';
import { chooseAgent, explainDecision, type Candidate } from '../src/routing/scoring.ts';
import { withinWorkingHours } from '../src/routing/working-hours.ts';
import { deserializeTriageModel, LoadedTriageModel, scoreTriageModel, serializeTriageModel, trainTriageModel, type TriageExample } from '../src/routing/triage-model.ts';

const TOPICS: Record<string, string[]> = {
  cards: ['my card was declined at the shop', 'ma carte est refusée au magasin', 'card blocked after three wrong pins', 'new card has not arrived yet', 'contactless payment with my card fails'],
  transfers: ['my transfer has not reached the beneficiary', 'virement bloqué depuis hier', 'wrong iban on a bank transfer', 'how long does an international transfer take', 'cancel a transfer I sent by mistake'],
  identity: ['verify my identity documents', 'vérification de mon identité refusée', 'passport photo rejected during verification', 'why do you need proof of address', 'identity check still pending'],
};

function corpus(n: number): TriageExample[] {
  const out: TriageExample[] = [];
  const teams = Object.keys(TOPICS);
  for (let i = 0; i < n; i++) {
    const team = teams[i % teams.length]!;
    const phrases = TOPICS[team]!;
    const text = `${phrases[i % phrases.length]} ${phrases[(i * 7 + 3) % phrases.length]} ticket ${i % 11}`;
    out.push({ id: `t${i}`, text, createdAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000), labels: { team, priority: i % 2 ? 'high' : 'normal' } });
  }
  return out;
}

describe('text features', () => {
  it('folds case and accents and splits on punctuation', () => {
    assert.deepEqual(tokenize('Carte REFUSÉE, déjà!'), ['carte', 'refusee', 'deja']);
  });
  it('hashes words, word pairs and character n-grams', () => {
    const c = hashedCounts('card declined');
    // 2 words + 1 pair + char 3-5 grams of " card " (4+3+2) and " declined " (8+7+6)
    const total = [...c.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, 2 + 1 + 9 + 21);
  });
});

describe('triage model', () => {
  it('learns teams from history, calibrates on the recent part and reports its metrics', async () => {
    const { model, metrics } = await trainTriageModel(corpus(300));
    assert.equal(metrics.trainExamples + metrics.holdoutExamples, 300);
    assert.ok(metrics.heads.team!.accuracy > 0.95, `accuracy ${metrics.heads.team!.accuracy}`);
    assert.ok(metrics.heads.team!.ece >= 0 && metrics.heads.team!.ece < 0.2);
    assert.ok(metrics.heads.team!.temperature > 0);
    assert.ok(metrics.window.holdoutFrom! > metrics.window.from!);
    const loaded = new LoadedTriageModel(model);
    const p = loaded.predict('ma carte a été refusée');
    assert.equal(p.team!.label, 'cards');
    assert.ok(p.team!.confidence > 0.5 && p.team!.confidence <= 1);
    assert.equal(p.team!.ranked.length, 3);
    assert.ok(Math.abs(p.team!.ranked.reduce((s, r) => s + r.p, 0) - 1) < 1e-9);
    assert.ok(p.priority, 'a second head is trained when the history has it');
  });

  it('survives serialisation byte for byte in its predictions', async () => {
    const { model } = await trainTriageModel(corpus(120));
    const bytes = serializeTriageModel(model);
    const back = deserializeTriageModel(bytes.slice());
    const a = new LoadedTriageModel(model).predict('identity check pending');
    const b = new LoadedTriageModel(back).predict('identity check pending');
    assert.deepEqual(b, a);
    assert.throws(() => deserializeTriageModel(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), /not a triage model/);
    assert.throws(() => deserializeTriageModel(bytes.slice(0, bytes.length - 10)), /truncated/);
  });

  it('trains no head without enough history', async () => {
    const { model } = await trainTriageModel(corpus(10));
    assert.equal(Object.keys(model.heads).length, 0);
    assert.equal(scoreTriageModel(new LoadedTriageModel(model), corpus(10)), null);
  });
});

describe('metrics', () => {
  it('accuracy, macro-F1, recall and expected calibration error', () => {
    const m = evaluate(['a', 'a', 'b', 'b'], [
      { label: 'a', confidence: 0.9 },
      { label: 'b', confidence: 0.6 },
      { label: 'b', confidence: 0.8 },
      { label: 'b', confidence: 0.7 },
    ]);
    assert.equal(m.accuracy, 0.75);
    assert.deepEqual(m.recall, { a: 0.5, b: 1 });
    // F1(a) = 2/3, F1(b) = 0.8
    assert.ok(Math.abs(m.macroF1 - (2 / 3 + 0.8) / 2) < 1e-9);
    // bins: 0.9 right (gap 0.1), 0.6 wrong (0.6), 0.8 right (0.2), 0.7 right (0.3): mean 0.3
    assert.ok(Math.abs(m.ece - 0.3) < 1e-9, String(m.ece));
  });
});

describe('choosing the agent', () => {
  const base = (id: string, over: Partial<Candidate> = {}): Candidate => ({
    userId: id, name: id, languages: ['en'], skills: [], open: 0, capacity: 5, lastAssignedAt: null, solvedSimilar: 0, ...over,
  });
  const expertise = estimateExpertise(
    { label: 'b', confidence: 0.6, ranked: [{ label: 'b', p: 0.6 }, { label: 'a', p: 0.2 }, { label: 'c', p: 0.2 }] },
    { label: 'a', confidence: 0.34, ranked: [{ label: 'a', p: 0.34 }, { label: 'b', p: 0.33 }, { label: 'c', p: 0.33 }] },
    ['a', 'b', 'c'],
    0.6,
  );

  it('skills-based prefers who resolves this kind of request at first contact, never someone full', () => {
    assert.ok(expertise.get('b')!.fcr > expertise.get('a')!.fcr);
    assert.equal(chooseAgent('skills', [base('a'), base('b'), base('c')], { language: 'en', expertise })!.candidate.userId, 'b');
    assert.equal(chooseAgent('skills', [base('a'), base('b', { open: 5 }), base('c')], { language: 'en', expertise })!.candidate.userId !== 'b', true);
    assert.equal(chooseAgent('skills', [base('a', { open: 5 }), base('b', { open: 6 })], { language: 'en', expertise }), null);
  });

  it('language matters when the ticket has one', () => {
    const none = new Map();
    const c = chooseAgent('skills', [base('a', { languages: ['en'] }), base('b', { languages: ['fr', 'en'] })], { language: 'fr', expertise: none });
    assert.equal(c!.candidate.userId, 'b');
    assert.equal(c!.speaksLanguage, true);
  });

  it('load-balanced takes the fewest open, ties to the longest idle; round robin the longest idle; manual nobody', () => {
    const none = new Map();
    const old = new Date('2026-01-01T00:00:00Z');
    const recent = new Date('2026-01-02T00:00:00Z');
    const cs = [base('a', { open: 2, lastAssignedAt: old }), base('b', { open: 1, lastAssignedAt: recent }), base('c', { open: 1, lastAssignedAt: old })];
    assert.equal(chooseAgent('load_balanced', cs, { language: null, expertise: none })!.candidate.userId, 'c');
    assert.equal(chooseAgent('round_robin', [base('a', { lastAssignedAt: recent }), base('b', { lastAssignedAt: old })], { language: null, expertise: none })!.candidate.userId, 'b');
    assert.equal(chooseAgent('manual', cs, { language: null, expertise: none }), null);
  });

  it('explains itself in English and French', () => {
    const chosen = chooseAgent('skills', [base('Marie', { languages: ['fr'], skills: [{ name: 'Indexing', proficiency: 5 }], open: 3, capacity: 8, solvedSimilar: 14 })], {
      language: 'fr',
      expertise: new Map(),
    });
    const input = { team: { name: 'Indexing', confidence: 0.91, source: 'model' as const }, assignee: chosen, mode: 'skills' as const, language: 'fr' };
    assert.equal(explainDecision(input, 'en'), 'Team Indexing (confidence 0.91). Assigned to Marie: skill Indexing 5/5, speaks French, 3 of 8 open, solved 14 similar tickets in 90 days.');
    assert.equal(
      explainDecision(input, 'fr'),
      'Équipe Indexing (confiance 0,91). Attribué à Marie : compétence Indexing 5/5, parle français, 3 sur 8 ouverts, a résolu 14 demandes similaires en 90 jours.',
    );
    assert.match(explainDecision({ ...input, assignee: null, waiting: 'full' }, 'en'), /waiting in the team queue/);
  });
});

describe('working hours', () => {
  const week = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' };
  it('are read in the agent time zone', () => {
    // Tuesday 2026-03-03 08:30 UTC is 09:30 in Paris, 08:30 in London.
    const at = new Date('2026-03-03T08:30:00Z');
    assert.equal(withinWorkingHours(week, 'Europe/Paris', at), true);
    assert.equal(withinWorkingHours(week, 'Europe/London', at), false);
    assert.equal(withinWorkingHours(null, 'Europe/London', at), true);
    assert.equal(withinWorkingHours(week, 'Europe/Paris', new Date('2026-03-07T10:00:00Z')), false, 'Saturday');
  });
  it('a night shift belongs to the day it starts on', () => {
    const night = { days: [5], start: '22:00', end: '06:00' };
    assert.equal(withinWorkingHours(night, 'UTC', new Date('2026-03-06T23:00:00Z')), true, 'Friday night');
    assert.equal(withinWorkingHours(night, 'UTC', new Date('2026-03-07T05:00:00Z')), true, 'Saturday early, Friday shift');
    assert.equal(withinWorkingHours(night, 'UTC', new Date('2026-03-07T23:00:00Z')), false, 'Saturday night');
  });
});
