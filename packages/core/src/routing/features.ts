/**
 * Text features for triage: hashed word 1–2 grams and character 3–5 grams taken inside word
 * boundaries, weighted by sublinear TF × IDF and L2-normalised. Hashing keeps memory bounded
 * whatever the vocabulary; the vocabulary of buckets seen while fitting maps them to compact
 * columns, so a stored model holds only the weights of features that occurred in training.
 */

/** A sparse row: column indices (ascending) and their values. */
export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

export const HASH_BITS = 20;
const HASH_MASK = (1 << HASH_BITS) - 1;

/** FNV-1a, 32 bits, over UTF-16 code units: stable across processes and versions of Node. */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Lower case, accents folded (é → e), split on anything that is not a letter or digit. */
export function tokenize(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  return folded.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Hashed feature buckets of a text, with raw counts. */
export function hashedCounts(text: string): Map<number, number> {
  const counts = new Map<number, number>();
  const add = (key: string, seed: number) => {
    const b = fnv1a(key, seed) & HASH_MASK;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  };
  const words = tokenize(text.slice(0, 20_000));
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    add(w, 0x811c9dc5);
    if (i + 1 < words.length) add(`${w} ${words[i + 1]}`, 0x01234567);
    const padded = ` ${w} `;
    for (let n = 3; n <= 5; n++) {
      for (let j = 0; j + n <= padded.length; j++) add(padded.slice(j, j + n), 0x9e3779b9 + n);
    }
  }
  return counts;
}

export interface VectorizerState {
  /** Hash bucket of each column, ascending. */
  buckets: Int32Array;
  idf: Float32Array;
}

/** Maps texts to TF-IDF rows over the columns learnt from a corpus. */
export class Vectorizer {
  private readonly column: Map<number, number>;
  constructor(readonly state: VectorizerState) {
    this.column = new Map();
    state.buckets.forEach((b, i) => this.column.set(b, i));
  }

  get size(): number {
    return this.state.buckets.length;
  }

  /** Fit on a corpus: keep buckets seen in at least `minDf` documents; smooth IDF. */
  static fit(texts: string[], minDf = 2): { vectorizer: Vectorizer; counts: Array<Map<number, number>> } {
    const counts = texts.map(hashedCounts);
    const df = new Map<number, number>();
    for (const c of counts) for (const b of c.keys()) df.set(b, (df.get(b) ?? 0) + 1);
    const kept = [...df.entries()].filter(([, n]) => n >= minDf).sort((a, b) => a[0] - b[0]);
    const n = texts.length;
    const buckets = new Int32Array(kept.length);
    const idf = new Float32Array(kept.length);
    kept.forEach(([b, d], i) => {
      buckets[i] = b;
      idf[i] = Math.log((1 + n) / (1 + d)) + 1;
    });
    return { vectorizer: new Vectorizer({ buckets, idf }), counts };
  }

  transform(text: string): SparseVector {
    return this.fromCounts(hashedCounts(text));
  }

  fromCounts(counts: Map<number, number>): SparseVector {
    const cols: number[] = [];
    for (const b of counts.keys()) {
      const c = this.column.get(b);
      if (c !== undefined) cols.push(c);
    }
    cols.sort((a, b) => a - b);
    const idx = Int32Array.from(cols);
    const val = new Float32Array(cols.length);
    let norm = 0;
    const byCol = new Map<number, number>();
    for (const [b, n] of counts) {
      const c = this.column.get(b);
      if (c !== undefined) byCol.set(c, n);
    }
    for (let i = 0; i < idx.length; i++) {
      const c = idx[i]!;
      const v = (1 + Math.log(byCol.get(c)!)) * this.state.idf[c]!;
      val[i] = v;
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < val.length; i++) val[i] = val[i]! * inv;
    return { idx, val };
  }
}
