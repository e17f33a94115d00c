/**
 * Okapi BM25, the in-run reference for search-quality. Words: NFKD, combining marks removed
 * (accents folded), lower-cased, runs of letters and digits; then, when a stemmer is given, each
 * word is replaced by its stem and stop words (stem null) are dropped. A document is its title
 * twice then its text. IDF is ln(1 + (N − df + 0.5) / (df + 0.5)), which stays positive for words
 * in more than half the documents; a query word counts once.
 */
export function foldedWords(text: string): string[] {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** A word's stem, or null for a stop word. */
export type Stemmer = (word: string) => string | null;

function tokens(text: string, stem: Stemmer | null): string[] {
  const words = foldedWords(text);
  if (!stem) return words;
  const out: string[] = [];
  for (const w of words) {
    const s = stem(w);
    if (s) out.push(s);
  }
  return out;
}

export interface Bm25Index {
  search(query: string, limit: number): string[];
}

export function bm25Index(docs: Array<{ id: string; text: string }>, opts: { stem?: Stemmer | null; k1?: number; b?: number } = {}): Bm25Index {
  const { stem = null, k1 = 1.2, b = 0.75 } = opts;
  const postings = new Map<string, Array<[doc: number, tf: number]>>();
  const lengths: number[] = [];
  docs.forEach((d, i) => {
    const words = tokens(d.text, stem);
    lengths.push(words.length);
    const tf = new Map<string, number>();
    for (const t of words) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      let list = postings.get(t);
      if (!list) postings.set(t, (list = []));
      list.push([i, n]);
    }
  });
  const n = docs.length;
  const avg = lengths.reduce((a, x) => a + x, 0) / Math.max(n, 1);
  return {
    search(query, limit) {
      const scores = new Float64Array(n);
      for (const term of new Set(tokens(query, stem))) {
        const list = postings.get(term);
        if (!list) continue;
        const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
        for (const [i, tf] of list) scores[i]! += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * lengths[i]!) / avg));
      }
      return [...scores.keys()]
        .filter((i) => scores[i]! > 0)
        .sort((x, y) => scores[y]! - scores[x]! || x - y)
        .slice(0, limit)
        .map((i) => docs[i]!.id);
    },
  };
}
