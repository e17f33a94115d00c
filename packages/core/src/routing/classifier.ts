/**
 * Multinomial logistic regression on sparse rows, trained by stochastic gradient descent with an
 * exact L2 penalty (weights kept as scale × matrix so that the decay costs nothing per step), and
 * a temperature fitted afterwards on held-out examples so that its probabilities are calibrated.
 */
import type { SparseVector } from './features.ts';

export interface LinearModelState {
  classes: string[];
  /** Number of feature columns. */
  dim: number;
  /** classes × dim, row-major. */
  weights: Float32Array;
  bias: Float32Array;
  /** Divides the scores before the softmax; 1 = uncalibrated. */
  temperature: number;
}

export interface TrainOptions {
  epochs: number;
  /** L2 penalty per example. */
  lambda: number;
  learningRate: number;
  seed: number;
  /** Called every few hundred examples so a long training lets other work run. */
  pause?: () => Promise<void>;
}

export const DEFAULT_TRAIN: TrainOptions = { epochs: 12, lambda: 2e-6, learningRate: 0.5, seed: 7 };

/** Small seeded generator (mulberry32): the same data and seed give the same model. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function trainSoftmax(
  rows: SparseVector[],
  labels: string[],
  dim: number,
  opts: TrainOptions = DEFAULT_TRAIN,
): Promise<LinearModelState> {
  const classes = [...new Set(labels)].sort();
  const k = classes.length;
  const y = labels.map((l) => classes.indexOf(l));
  const w = new Float32Array(k * dim);
  const bias = new Float32Array(k);
  if (k < 2) return { classes, dim, weights: w, bias, temperature: 1 };
  const rand = seededRandom(opts.seed);
  const order = rows.map((_, i) => i);
  const scores = new Float64Array(k);
  let scale = 1;
  let t = 0;
  const lambda = opts.lambda;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let n = 0; n < order.length; n++) {
      const r = order[n]!;
      const x = rows[r]!;
      // Bottou's schedule: large steps first, shrinking as 1 / (1 + lr·λ·t).
      const lr = opts.learningRate / (1 + opts.learningRate * lambda * t++);
      softmaxScores(w, bias, scale, dim, x, scores);
      scale *= 1 - lr * lambda;
      if (scale < 1e-6) {
        for (let q = 0; q < w.length; q++) w[q] = w[q]! * scale;
        scale = 1;
      }
      const step = lr / scale;
      for (let c = 0; c < k; c++) {
        const g = scores[c]! - (c === y[r] ? 1 : 0);
        if (g === 0) continue;
        const base = c * dim;
        for (let q = 0; q < x.idx.length; q++) w[base + x.idx[q]!] = w[base + x.idx[q]!]! - step * g * x.val[q]!;
        bias[c] = bias[c]! - lr * g * 0.1;
      }
      if (opts.pause && n % 500 === 499) await opts.pause();
    }
  }
  for (let q = 0; q < w.length; q++) w[q] = w[q]! * scale;
  return { classes, dim, weights: w, bias, temperature: 1 };
}

/** Probabilities into `out` (length = classes), with weights multiplied by `scale` and divided by `temperature`. */
function softmaxScores(w: Float32Array, bias: Float32Array, scale: number, dim: number, x: SparseVector, out: Float64Array, temperature = 1): void {
  const k = bias.length;
  let max = -Infinity;
  for (let c = 0; c < k; c++) {
    let s = 0;
    const base = c * dim;
    for (let q = 0; q < x.idx.length; q++) s += w[base + x.idx[q]!]! * x.val[q]!;
    const z = (s * scale + bias[c]!) / temperature;
    out[c] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const e = Math.exp(out[c]! - max);
    out[c] = e;
    sum += e;
  }
  for (let c = 0; c < k; c++) out[c] = out[c]! / sum;
}

/** Raw scores (logits) of one row. */
export function logits(m: LinearModelState, x: SparseVector): Float64Array {
  const out = new Float64Array(m.classes.length);
  for (let c = 0; c < m.classes.length; c++) {
    let s = m.bias[c]!;
    const base = c * m.dim;
    for (let q = 0; q < x.idx.length; q++) s += m.weights[base + x.idx[q]!]! * x.val[q]!;
    out[c] = s;
  }
  return out;
}

export function softmax(z: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const v of z) if (v / temperature > max) max = v / temperature;
  const out = new Float64Array(z.length);
  let sum = 0;
  for (let c = 0; c < z.length; c++) {
    out[c] = Math.exp(z[c]! / temperature - max);
    sum += out[c]!;
  }
  for (let c = 0; c < z.length; c++) out[c] = out[c]! / sum;
  return out;
}

export interface Prediction {
  label: string;
  confidence: number;
  /** Every class with its probability, most probable first. */
  ranked: Array<{ label: string; p: number }>;
}

export function predict(m: LinearModelState, x: SparseVector): Prediction {
  if (m.classes.length === 1) return { label: m.classes[0]!, confidence: 1, ranked: [{ label: m.classes[0]!, p: 1 }] };
  const p = softmax(logits(m, x), m.temperature);
  const ranked = m.classes.map((label, i) => ({ label, p: p[i]! })).sort((a, b) => b.p - a.p);
  return { label: ranked[0]!.label, confidence: ranked[0]!.p, ranked };
}

/**
 * The temperature that minimises the negative log-likelihood of held-out examples (golden-section
 * search on log T in [1/20, 20]). Labels unknown to the model are skipped.
 */
export function fitTemperature(m: LinearModelState, rows: SparseVector[], labels: string[]): number {
  const z = rows.map((x) => logits(m, x));
  const y = labels.map((l) => m.classes.indexOf(l));
  const nll = (t: number) => {
    let s = 0;
    for (let i = 0; i < z.length; i++) {
      if (y[i]! < 0) continue;
      s -= Math.log(Math.max(1e-12, softmax(z[i]!, t)[y[i]!]!));
    }
    return s;
  };
  if (z.length === 0) return 1;
  let a = Math.log(1 / 20);
  let b = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = nll(Math.exp(c));
  let fd = nll(Math.exp(d));
  for (let i = 0; i < 40; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = nll(Math.exp(c));
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = nll(Math.exp(d));
    }
  }
  return Math.exp((a + b) / 2);
}

export interface ClassMetrics {
  examples: number;
  accuracy: number;
  macroF1: number;
  /** Expected calibration error, 10 equal-width confidence bins. */
  ece: number;
  recall: Record<string, number>;
}

/** Accuracy, macro-F1 over the classes present in truth or predictions, per-class recall, ECE. */
export function evaluate(truth: string[], predicted: Array<{ label: string; confidence: number }>): ClassMetrics {
  const n = truth.length;
  const labels = [...new Set([...truth, ...predicted.map((p) => p.label)])].sort();
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  let correct = 0;
  const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, right: 0 }));
  for (let i = 0; i < n; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    const ok = t === p.label;
    if (ok) {
      correct++;
      tp.set(t, (tp.get(t) ?? 0) + 1);
    } else {
      fp.set(p.label, (fp.get(p.label) ?? 0) + 1);
      fn.set(t, (fn.get(t) ?? 0) + 1);
    }
    const bin = bins[Math.min(9, Math.floor(p.confidence * 10))]!;
    bin.n++;
    bin.conf += p.confidence;
    bin.right += ok ? 1 : 0;
  }
  let f1sum = 0;
  const recall: Record<string, number> = {};
  for (const l of labels) {
    const a = tp.get(l) ?? 0;
    const b = fp.get(l) ?? 0;
    const c = fn.get(l) ?? 0;
    f1sum += a + b + c === 0 ? 0 : (2 * a) / (2 * a + b + c);
    if (a + c > 0) recall[l] = a / (a + c);
  }
  let ece = 0;
  for (const b of bins) if (b.n) ece += (b.n / Math.max(1, n)) * Math.abs(b.right / b.n - b.conf / b.n);
  return { examples: n, accuracy: n ? correct / n : 0, macroF1: labels.length ? f1sum / labels.length : 0, ece, recall };
}
