/** Ranking quality at a cut-off with binary relevance: nDCG, recall and reciprocal rank. */
export interface Quality {
  ndcg: number;
  recall: number;
  mrr: number;
}

export function rankQuality(ranked: string[], relevant: Set<string>, k = 10): Quality {
  let dcg = 0;
  let found = 0;
  let rr = 0;
  ranked.slice(0, k).forEach((id, i) => {
    if (!relevant.has(id)) return;
    dcg += 1 / Math.log2(i + 2);
    found++;
    if (!rr) rr = 1 / (i + 1);
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return { ndcg: ideal ? dcg / ideal : 0, recall: relevant.size ? found / relevant.size : 0, mrr: rr };
}

export function meanQuality(qs: Quality[]): Quality {
  const n = Math.max(qs.length, 1);
  return {
    ndcg: qs.reduce((a, q) => a + q.ndcg, 0) / n,
    recall: qs.reduce((a, q) => a + q.recall, 0) / n,
    mrr: qs.reduce((a, q) => a + q.mrr, 0) / n,
  };
}
