/**
 * Relevance of the search ranking on the shared StackFAQ set (719 support FAQ items, questions
 * phrased by people, binary relevance judgements): the items are loaded as public articles
 * through the product's use-cases, and questions run through the same search the API serves.
 * Run by search-relevance-pglite.test.ts and search-relevance-postgres.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createArticle, search, systemActor, type Ctx } from '@guichet/core';
import { testDbKinds, type TestDbKind } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type TestApp } from './harness.ts';

// shared/ lies beside the repository (in CI too, beside the clone); never copied into it.
const STACKFAQ = resolve(fileURLToPath(import.meta.url), '../../../../../shared/datasets/stackfaq');

/** One database kind per test file: loading the corpus takes most of a file's time budget. */
export function relevanceSuite(kind: TestDbKind): void {
  if (!testDbKinds().includes(kind)) return;
  describe(`search relevance on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(async () => {
      await t.close();
    });

    it('ranks StackFAQ answers well enough for suggestions (nDCG@10 against the shared relevance judgements)', async () => {
      const ws = await newWorkspace(t);
      const ctx: Ctx = { workspaceId: ws.id, actor: systemActor, requestId: 'stackfaq' };
      const corpus = readFileSync(`${STACKFAQ}/corpus.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; title: string; text: string });
      const byArticle = new Map<string, string>();
      for (const item of corpus) {
        const r = await createArticle(t.deps, ctx, {
          categoryId: null, visibility: 'public', tags: [], template: null, ownerUserId: null, ownerTeamId: null, verifyIntervalDays: 365,
          translations: { en: { title: item.title.slice(0, 300), body: item.text } },
        });
        byArticle.set(r.view.article.id, item.id);
      }
      const queries = readFileSync(`${STACKFAQ}/queries.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; text: string });
      const qrels = new Map<string, Set<string>>();
      for (const line of readFileSync(`${STACKFAQ}/qrels.tsv`, 'utf8').trim().split('\n').slice(1)) {
        const [q, c] = line.split('\t');
        if (!qrels.has(q!)) qrels.set(q!, new Set());
        qrels.get(q!)!.add(c!);
      }
      let ndcg = 0;
      // A tenth of the queries, not among the third the weights were tuned on, keeps the test short;
      // the articles stay drafts (staff scope) so loading them is one transaction each.
      const sample = queries.filter((_, i) => i % 10 === 5);
      for (const q of sample) {
        const r = await search(t.deps, ctx, { q: q.text.slice(0, 500), type: ['article'], match: 'any', limit: 10 }, { kind: 'staff' });
        const rel = qrels.get(q.id) ?? new Set();
        let dcg = 0;
        r.items.forEach((h, i) => {
          if (rel.has(byArticle.get(h.id) ?? '')) dcg += 1 / Math.log2(i + 2);
        });
        let ideal = 0;
        for (let i = 0; i < Math.min(10, rel.size); i++) ideal += 1 / Math.log2(i + 2);
        ndcg += ideal ? dcg / ideal : 0;
      }
      ndcg /= sample.length;
      console.log(`# stackfaq on ${kind}: nDCG@10 = ${ndcg.toFixed(3)} over ${sample.length} queries (BM25 reference 0.735, ts_rank over OR 0.525)`);
      // Well above PostgreSQL's ts_rank over an OR query (0.525 in SOURCE.md), near BM25 (0.735).
      assert.ok(ndcg > 0.7, `nDCG@10 ${ndcg.toFixed(3)}`);
    });
  });
}
