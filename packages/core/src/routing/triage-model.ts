/**
 * The triage model: one text vectorizer shared by a classifier per head (team, and where the
 * workspace's history has them, category and priority). Trained on the older part of a time-ordered
 * history, calibrated and measured on the most recent part, then refitted on all of it with the
 * temperature found, so the model in use has seen the latest tickets and reports honest figures.
 */
import { evaluate, fitTemperature, predict, trainSoftmax, DEFAULT_TRAIN, type ClassMetrics, type LinearModelState, type Prediction, type TrainOptions } from './classifier.ts';
import { Vectorizer, type SparseVector, type VectorizerState } from './features.ts';

/**
 * What the model predicts from a ticket's text: its `team`, and where the history has them its
 * `category` and `priority`. Any other label of the examples becomes a head too: the routing code
 * adds `solver:<team>` (the agent of that team who resolved a ticket at first contact) and
 * `attempt:<team>` (the agent of that team who got it first), which together give each agent's
 * chance of resolving this kind of request at first contact (expertise.ts). Per-team heads keep
 * each one small: a team's agents, not the whole workspace's.
 */
export const TRIAGE_HEADS = ['team', 'category', 'priority'] as const;
export type TriageHead = string;

export interface TriageExample {
  id: string;
  text: string;
  createdAt: Date;
  labels: Record<string, string | null | undefined>;
}

export interface TriageModel {
  vectorizer: VectorizerState;
  heads: Record<string, LinearModelState>;
  /** Numbers the routing code keeps with the model (e.g. the history's first-contact rate). */
  meta?: Record<string, number>;
}

export interface HeadMetrics extends ClassMetrics {
  classes: number;
  /** The same held-out examples scored before calibration (temperature 1). */
  eceUncalibrated: number;
  temperature: number;
}

export interface TriageMetrics {
  trainExamples: number;
  holdoutExamples: number;
  /** Created-at of the first and last training example, and where the held-out part starts. */
  window: { from: string | null; to: string | null; holdoutFrom: string | null };
  features: number;
  trainMs: number;
  heads: Record<string, HeadMetrics>;
}

export interface TriageTrainOptions {
  /** Most recent share of the history held out to calibrate and validate (default 0.15). */
  holdoutFraction: number;
  /** A label needs this many examples to be learnt; rarer ones are left out of that head. */
  minPerClass: number;
  /** Retrain on the whole history after validating (default true). */
  refit: boolean;
  train: TrainOptions;
  /** Feature buckets seen in fewer documents are dropped. */
  minDf: number;
}

export const DEFAULT_TRIAGE_TRAIN: TriageTrainOptions = { holdoutFraction: 0.15, minPerClass: 3, refit: true, train: DEFAULT_TRAIN, minDf: 2 };

/** Fewer examples than this for a head: it is not trained (rules and humans decide). */
export const MIN_HEAD_EXAMPLES = 20;

export async function trainTriageModel(
  examples: TriageExample[],
  options: Partial<TriageTrainOptions> = {},
): Promise<{ model: TriageModel; metrics: TriageMetrics }> {
  const opts = { ...DEFAULT_TRIAGE_TRAIN, ...options, train: { ...DEFAULT_TRIAGE_TRAIN.train, ...options.train } };
  const started = performance.now();
  const sorted = [...examples].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  const cut = Math.max(1, Math.floor(sorted.length * (1 - opts.holdoutFraction)));
  const trainPart = sorted.slice(0, cut);
  const holdout = sorted.slice(cut);

  // Validation pass: fit on the older part, calibrate and score on the recent part.
  const fitted = Vectorizer.fit(trainPart.map((e) => e.text), opts.minDf);
  const holdoutRows = holdout.map((e) => fitted.vectorizer.transform(e.text));
  const temperatures: Record<string, number> = {};
  const headMetrics: Record<string, HeadMetrics> = {};
  const validationHeads: Record<string, LinearModelState> = {};
  const headNames = headsOf(sorted);
  for (const head of headNames) {
    const labelled = labelledFor(trainPart, head, opts.minPerClass);
    if (!labelled) continue;
    const m = await trainSoftmax(labelled.idx.map((i) => fitted.vectorizer.fromCounts(fitted.counts[i]!)), labelled.labels, fitted.vectorizer.size, opts.train);
    const hold = holdout.map((e, i) => ({ label: e.labels[head], row: holdoutRows[i]! })).filter((h): h is { label: string; row: typeof h.row } => !!h.label);
    const raw = evaluate(hold.map((h) => h.label), hold.map((h) => predict(m, h.row)));
    m.temperature = hold.length >= 10 ? fitTemperature(m, hold.map((h) => h.row), hold.map((h) => h.label)) : 1;
    const calibrated = evaluate(hold.map((h) => h.label), hold.map((h) => predict(m, h.row)));
    temperatures[head] = m.temperature;
    validationHeads[head] = m;
    headMetrics[head] = { ...calibrated, classes: m.classes.length, eceUncalibrated: raw.ece, temperature: m.temperature };
  }

  let model: TriageModel = { vectorizer: fitted.vectorizer.state, heads: validationHeads };
  if (opts.refit && holdout.length > 0) {
    const all = Vectorizer.fit(sorted.map((e) => e.text), opts.minDf);
    const heads: Record<string, LinearModelState> = {};
    for (const head of headNames) {
      if (temperatures[head] === undefined) continue;
      const labelled = labelledFor(sorted, head, opts.minPerClass)!;
      const m = await trainSoftmax(labelled.idx.map((i) => all.vectorizer.fromCounts(all.counts[i]!)), labelled.labels, all.vectorizer.size, opts.train);
      m.temperature = temperatures[head]!;
      heads[head] = m;
    }
    model = { vectorizer: all.vectorizer.state, heads };
  }
  const iso = (e: TriageExample | undefined) => (e ? e.createdAt.toISOString() : null);
  return {
    model,
    metrics: {
      trainExamples: trainPart.length,
      holdoutExamples: holdout.length,
      window: { from: iso(sorted[0]), to: iso(sorted[sorted.length - 1]), holdoutFrom: iso(holdout[0]) },
      features: model.vectorizer.buckets.length,
      trainMs: Math.round(performance.now() - started),
      heads: headMetrics,
    },
  };
}

/** Label keys in use, the known heads first. */
function headsOf(examples: TriageExample[]): string[] {
  const keys = new Set<string>();
  for (const e of examples) for (const [k, v] of Object.entries(e.labels)) if (v) keys.add(k);
  const known = TRIAGE_HEADS.filter((h) => keys.has(h));
  return [...known, ...[...keys].filter((k) => !(TRIAGE_HEADS as readonly string[]).includes(k)).sort()];
}

function labelledFor(examples: TriageExample[], head: TriageHead, minPerClass: number): { idx: number[]; labels: string[] } | null {
  const counts = new Map<string, number>();
  for (const e of examples) {
    const l = e.labels[head];
    if (l) counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  const idx: number[] = [];
  const labels: string[] = [];
  examples.forEach((e, i) => {
    const l = e.labels[head];
    if (l && counts.get(l)! >= minPerClass) {
      idx.push(i);
      labels.push(l);
    }
  });
  if (idx.length < MIN_HEAD_EXAMPLES || new Set(labels).size < 2) return null;
  return { idx, labels };
}

/** A model loaded for predictions (the vectorizer's lookup table is built once). */
export class LoadedTriageModel {
  private readonly vectorizer: Vectorizer;
  constructor(readonly model: TriageModel) {
    this.vectorizer = new Vectorizer(model.vectorizer);
  }
  /** Predictions of the given heads (default: every head). */
  predict(text: string, only?: string[]): Record<string, Prediction> {
    return this.predictVector(this.vectorize(text), only);
  }

  vectorize(text: string): SparseVector {
    return this.vectorizer.transform(text);
  }

  predictVector(row: SparseVector, only?: string[]): Record<string, Prediction> {
    const out: Record<string, Prediction> = {};
    for (const head of only ?? Object.keys(this.model.heads)) {
      const m = this.model.heads[head];
      if (m) out[head] = predict(m, row);
    }
    return out;
  }

  has(head: string): boolean {
    return head in this.model.heads;
  }
}

/** Score a model on examples (the validation of a new model against the one in use). */
export function scoreTriageModel(model: LoadedTriageModel, examples: TriageExample[], head: TriageHead = 'team'): ClassMetrics | null {
  const hold = examples.filter((e) => e.labels[head]);
  if (!hold.length || !model.model.heads[head]) return null;
  return evaluate(hold.map((e) => e.labels[head]!), hold.map((e) => model.predict(e.text, [head])[head]!));
}

// ---------------------------------------------------------------- serialisation
//
// "GTM1", a little-endian uint32 header length, a JSON header, then the typed arrays back to back
// (4-byte aligned). Compact, and loads without parsing millions of numbers from JSON.

const MAGIC = 0x314d5447; // "GTM1"

export function serializeTriageModel(model: TriageModel): Uint8Array {
  const arrays: Array<Int32Array | Float32Array> = [model.vectorizer.buckets, model.vectorizer.idf];
  const heads: Record<string, { classes: string[]; dim: number; temperature: number }> = {};
  for (const [head, m] of Object.entries(model.heads)) {
    heads[head] = { classes: m.classes, dim: m.dim, temperature: m.temperature };
    arrays.push(m.weights, m.bias);
  }
  const header = new TextEncoder().encode(JSON.stringify({ features: model.vectorizer.buckets.length, heads, meta: model.meta ?? {} }));
  const headerLen = Math.ceil(header.length / 4) * 4;
  const total = 8 + headerLen + arrays.reduce((s, a) => s + a.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, headerLen, true);
  out.set(header, 8);
  out.fill(0x20, 8 + header.length, 8 + headerLen);
  let off = 8 + headerLen;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += a.byteLength;
  }
  return out;
}

export function deserializeTriageModel(bytes: Uint8Array): TriageModel {
  const copy = new Uint8Array(bytes); // aligned, and detached from the caller's buffer
  const view = new DataView(copy.buffer);
  if (copy.length < 8 || view.getUint32(0, true) !== MAGIC) throw new Error('not a triage model');
  const headerLen = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(copy.subarray(8, 8 + headerLen))) as {
    features: number;
    heads: Record<string, { classes: string[]; dim: number; temperature: number }>;
    meta?: Record<string, number>;
  };
  let off = 8 + headerLen;
  const take = <T extends Int32Array | Float32Array>(ctor: new (b: ArrayBuffer, o: number, n: number) => T, n: number): T => {
    if (off + n * 4 > copy.length) throw new Error('truncated triage model');
    const a = new ctor(copy.buffer, off, n);
    off += n * 4;
    return a;
  };
  const buckets = take(Int32Array, header.features);
  const idf = take(Float32Array, header.features);
  const heads: Record<string, LinearModelState> = {};
  for (const [head, h] of Object.entries(header.heads)) {
    const weights = take(Float32Array, h.classes.length * h.dim);
    const bias = take(Float32Array, h.classes.length);
    heads[head] = { classes: h.classes, dim: h.dim, weights, bias, temperature: h.temperature };
  }
  return { vectorizer: { buckets, idf }, heads, meta: header.meta ?? {} };
}
