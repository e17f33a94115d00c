import { readFileSync } from 'node:fs';
import { startTestApp, newWorkspace } from './test/harness.ts';
import { createArticle, publishArticle, search, systemActor, type Ctx } from '@guichet/core';
const S = '/work/shared/datasets/stackfaq';
const t = await startTestApp('pglite');
const ws = await newWorkspace(t);
const ctx: Ctx = { workspaceId: ws.id, actor: systemActor, requestId: 'p' };
const corpus = readFileSync(`${S}/corpus.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const by = new Map<string, string>();
for (const item of corpus) {
  const r = await createArticle(t.deps, ctx, { categoryId: null, visibility: 'public', tags: [], template: null, ownerUserId: null, ownerTeamId: null, verifyIntervalDays: 365, translations: { en: { title: item.title.slice(0, 300), body: item.text } } });
  await publishArticle(t.deps, ctx, r.view.article.id, {});
  by.set(r.view.article.id, item.id);
}
const queries = readFileSync(`${S}/queries.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((_: any, i: number) => i % 3 === 0);
const qrels = new Map<string, Set<string>>();
for (const line of readFileSync(`${S}/qrels.tsv`, 'utf8').trim().split('\n').slice(1)) { const [q, c] = line.split('\t'); if (!qrels.has(q!)) qrels.set(q!, new Set()); qrels.get(q!)!.add(c!); }
async function run(label: string, tune: Record<string, unknown>) {
  Object.assign(globalThis, { __w: undefined, __norm: undefined, __rf: undefined, __cov: undefined }, tune);
  let ndcg = 0;
  for (const q of queries) {
    const r = await search(t.deps, ctx, { q: q.text.slice(0, 500), type: ['article'], match: 'any', limit: 10 }, { kind: 'public' });
    const rel = qrels.get(q.id) ?? new Set(); let dcg = 0; r.items.forEach((h, i) => { if (rel.has(by.get(h.id) ?? '')) dcg += 1 / Math.log2(i + 2); });
    let ideal = 0; for (let i = 0; i < Math.min(10, rel.size); i++) ideal += 1 / Math.log2(i + 2); ndcg += ideal ? dcg / ideal : 0;
  }
  console.log(label, (ndcg / queries.length).toFixed(3));
}
const variants: Array<[string, Record<string, unknown>]> = JSON.parse(process.argv[2] ?? '[["base",{}]]');
for (const [l, v] of variants) await run(l, v);
await t.close();
