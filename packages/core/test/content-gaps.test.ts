import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backgroundOf, groupByTopic } from '../src/knowledge/content-gaps.ts';

const row = (q: string, weight = 1) => ({ item: q, lexemes: q.split(' '), weight });

describe('content-gap topics', () => {
  it('groups items by the word they share, heaviest topic first, and leaves loners alone', () => {
    const gaps = [row('export invoic pdf', 3), row('invoic vat number'), row('export invoic csv'), row('passport renew'), row('chang email')];
    const topics = groupByTopic(gaps, backgroundOf(gaps));
    assert.deepEqual(topics.map((t) => t.items), [['export invoic pdf', 'invoic vat number', 'export invoic csv'], ['passport renew'], ['chang email']]);
    assert.equal(topics[0]!.weight, 5);
    // "export" is in 4 of the topic's 5 weight: it names the topic too.
    assert.deepEqual(topics[0]!.terms, ['invoic', 'export']);
    assert.deepEqual(topics[1]!.terms, ['passport', 'renew']);
  });

  it('prefers a word that is rare in the background over one found everywhere', () => {
    // "help" is in every gap item but also in everything else searched; "refund" is the gap's own word.
    const gaps = [row('help refund'), row('help refund card'), row('help login'), row('help password')];
    const all = [...gaps, ...Array.from({ length: 40 }, (_, i) => row(`help topic${i}`))];
    const topics = groupByTopic(gaps, backgroundOf(all));
    assert.deepEqual(topics[0]!.terms, ['refund', 'help']);
    assert.deepEqual(topics[0]!.items, ['help refund', 'help refund card']);
    // The two left share only "help": grouped by it once "refund" took its own.
    assert.deepEqual(topics[1]!.items, ['help login', 'help password']);
  });

  it('needs two items to make a topic, ignores one-letter words, and handles nothing', () => {
    assert.deepEqual(groupByTopic([], backgroundOf([])), []);
    const topics = groupByTopic([row('a wifi'), row('a vpn')], backgroundOf([row('a wifi'), row('a vpn')]));
    assert.equal(topics.length, 2);
    assert.deepEqual(topics.map((t) => t.terms), [['wifi'], ['vpn']]);
  });
});
