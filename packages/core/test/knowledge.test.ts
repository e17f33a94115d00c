import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffSequences, diffTexts, diffWords } from '../src/knowledge/diff.ts';
import { canEditArticle, canReadArticle, canVerify, type KnowledgeActor } from '../src/knowledge/policy.ts';
import { slugify } from '../src/knowledge/articles.ts';
import { verificationOf } from '../src/knowledge/verification-state.ts';
import type { Article } from '../src/knowledge/types.ts';

/** Apply an edit script to `a`; it must give `b`. */
function apply<T>(a: T[], runs: Array<{ op: string; items: T[] }>): T[] {
  const out: T[] = [];
  let i = 0;
  for (const r of runs) {
    if (r.op === 'equal') {
      assert.deepEqual(a.slice(i, i + r.items.length), r.items);
      out.push(...r.items);
      i += r.items.length;
    } else if (r.op === 'delete') {
      assert.deepEqual(a.slice(i, i + r.items.length), r.items);
      i += r.items.length;
    } else out.push(...r.items);
  }
  assert.equal(i, a.length);
  return out;
}

/** Length of a longest common subsequence (reference for the minimality of the script). */
function lcs(a: string[], b: string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) dp[i]![j] = a[i - 1] === b[j - 1] ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
  return dp[a.length]![b.length]!;
}

describe('diff', () => {
  it('turns one sequence into the other with the fewest edits (random sequences against an LCS reference)', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let n = 0; n < 300; n++) {
      const a = Array.from({ length: Math.floor(rnd() * 20) }, () => 'abcde'[Math.floor(rnd() * 5)]!);
      const b = Array.from({ length: Math.floor(rnd() * 20) }, () => 'abcde'[Math.floor(rnd() * 5)]!);
      const runs = diffSequences(a, b);
      assert.deepEqual(apply(a, runs), b);
      const kept = runs.filter((r) => r.op === 'equal').reduce((s, r) => s + r.items.length, 0);
      assert.equal(kept, lcs(a, b), `${a.join('')} -> ${b.join('')}`);
    }
  });

  it('pairs changed lines and shows the words that changed', () => {
    const d = diffTexts('Hello\nOpen the settings page.\nBye', 'Hello\nOpen the account settings page.\nNew line\nBye');
    assert.deepEqual(d.stats, { added: 1, removed: 0, changed: 1 });
    const change = d.lines.find((l) => l.op === 'change')!;
    assert.deepEqual(change.words!.filter((w) => w.op !== 'equal'), [{ op: 'insert', text: 'account ' }]);
    assert.equal(d.unified, ' Hello\n-Open the settings page.\n+Open the account settings page.\n+New line\n Bye');
    assert.deepEqual(diffTexts('', 'a\nb').stats, { added: 2, removed: 0, changed: 0 });
    assert.deepEqual(diffTexts('a\nb', '').stats, { added: 0, removed: 2, changed: 0 });
    assert.deepEqual(diffTexts('same\r\ntext', 'same\ntext').stats, { added: 0, removed: 0, changed: 0 });
    assert.deepEqual(diffWords('café crème', 'café noir'), [
      { op: 'equal', text: 'café ' },
      { op: 'delete', text: 'crème' },
      { op: 'insert', text: 'noir' },
    ]);
  });

  it('stays bounded on texts with nothing in common', () => {
    const a = Array.from({ length: 20_000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 20_000 }, (_, i) => `b${i}`).join('\n');
    const d = diffTexts(a, b);
    assert.equal(d.stats.changed, 20_000);
  });
});

const article = (over: Partial<Article> = {}): Article => ({
  id: 'a', workspaceId: 'w', categoryId: null, status: 'draft', visibility: 'internal', tags: [], template: null,
  ownerUserId: null, ownerTeamId: null, verifyIntervalDays: 40, verifiedAt: null, verifiedBy: null, remindedFor: null,
  publishAt: null, publishedAt: null, archivedAt: null, createdBy: 'u1', version: 1,
  createdAt: new Date('2025-01-01T00:00:00Z'), updatedAt: new Date('2025-01-01T00:00:00Z'), ...over,
});
const who = (role: KnowledgeActor['actor']['role'], userId: string, manager = false, teamIds: string[] = []): KnowledgeActor => ({
  actor: { type: 'user', userId, role, name: userId, organizationId: null, via: 'session' }, manager, teamIds,
});

describe('knowledge rules', () => {
  it('reads: staff everything, customers published public only', () => {
    for (const status of ['draft', 'published', 'archived'] as const) {
      for (const visibility of ['internal', 'public'] as const) {
        assert.equal(canReadArticle(who('light_agent', 'x'), { status, visibility }), true);
        assert.equal(canReadArticle(who('customer', 'c'), { status, visibility }), status === 'published' && visibility === 'public');
      }
    }
  });
  it('edits: managers always, authors their own drafts, nobody else', () => {
    assert.equal(canEditArticle(who('light_agent', 'u1'), article()), true);
    assert.equal(canEditArticle(who('light_agent', 'u1'), article({ status: 'published' })), false);
    assert.equal(canEditArticle(who('agent', 'u2'), article()), false);
    assert.equal(canEditArticle(who('agent', 'u2', true), article({ status: 'published' })), true);
    assert.equal(canEditArticle(who('admin', 'u3'), article({ status: 'archived' })), true);
    assert.equal(canEditArticle(who('customer', 'u1'), article()), false);
  });
  it('verifies: the owner, the owning team, managers', () => {
    assert.equal(canVerify(who('light_agent', 'u1'), article({ ownerUserId: 'u1' })), true);
    assert.equal(canVerify(who('light_agent', 'u2'), article({ ownerUserId: 'u1' })), false);
    assert.equal(canVerify(who('light_agent', 'u2', false, ['t1']), article({ ownerTeamId: 't1' })), true);
    assert.equal(canVerify(who('agent', 'u2', true), article({ ownerUserId: 'u1' })), true);
    assert.equal(canVerify(who('customer', 'u1'), article({ ownerUserId: 'u1' })), false);
  });
  it('verification state: verified, due soon in the last quarter (at most 14 days), expired after', () => {
    const a = article({ verifyIntervalDays: 40 });
    const at = (days: number) => new Date(a.createdAt.getTime() + days * 86_400_000);
    assert.equal(verificationOf(a, at(29)).state, 'verified');
    assert.equal(verificationOf(a, at(31)).state, 'due_soon');
    assert.equal(verificationOf(a, at(40)).state, 'expired');
    const yearly = article({ verifyIntervalDays: 365, verifiedAt: at(10) });
    assert.equal(verificationOf(yearly, at(10 + 355)).state, 'due_soon');
    assert.equal(verificationOf(yearly, at(10 + 340)).state, 'verified', 'at most 14 days of warning');
    assert.equal(verificationOf(yearly, at(10)).dueAt.getTime(), at(375).getTime());
  });
  it('slugs fold accents', () => {
    assert.equal(slugify('Réinitialiser votre mot de passe !'), 'reinitialiser-votre-mot-de-passe');
    assert.equal(slugify('???'), 'article');
  });
});
