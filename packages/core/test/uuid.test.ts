import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUuidV7 } from '../src/shared/system.ts';

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const msOf = (u: string) => parseInt(u.replace(/-/g, '').slice(0, 12), 16);

function assertStrictlyIncreasing(ids: string[]) {
  for (let i = 1; i < ids.length; i++) {
    assert.ok(ids[i - 1]! < ids[i]!, `id ${i} (${ids[i]}) does not follow ${ids[i - 1]}`);
  }
}

describe('createUuidV7', () => {
  it('produces RFC 9562 version 7, variant 10 UUIDs carrying the clock\'s milliseconds', () => {
    const at = new Date('2025-03-04T10:00:00.123Z');
    const ids = createUuidV7({ now: () => at });
    const u = ids.uuid();
    assert.match(u, FORMAT);
    const bytes = Buffer.from(u.replace(/-/g, ''), 'hex');
    assert.equal(bytes[6]! >> 4, 7, 'version nibble');
    assert.equal(bytes[8]! >> 6, 0b10, 'variant bits');
    assert.equal(msOf(u), at.getTime());
  });

  it('is strictly increasing under a frozen clock, well past 4,096 ids in one millisecond', () => {
    const frozen = new Date('2025-03-04T10:00:00.000Z');
    const ids = createUuidV7({ now: () => frozen });
    const list = Array.from({ length: 20_000 }, () => ids.uuid());
    for (const u of list) assert.match(u, FORMAT);
    assertStrictlyIncreasing(list);
    assert.equal(new Set(list).size, list.length);
    // When a millisecond's counter is spent the ids borrow the next millisecond rather than repeat.
    assert.equal(msOf(list[0]!), frozen.getTime());
    assert.ok(msOf(list[list.length - 1]!) > frozen.getTime());
  });

  it('stays increasing when the clock steps back, and follows it again when it moves forward', () => {
    let now = Date.parse('2025-03-04T10:00:00.000Z');
    const ids = createUuidV7({ now: () => new Date(now) });
    const list: string[] = [];
    for (const step of [0, 5, 0, -1000, 0, 1, 2000, 0, -1]) {
      now += step;
      for (let i = 0; i < 10; i++) list.push(ids.uuid());
    }
    assertStrictlyIncreasing(list);
    const base = Date.parse('2025-03-04T10:00:00.000Z');
    assert.equal(msOf(list[30]!), base + 5, 'a clock that steps back does not move ids back');
    assert.equal(msOf(list[60]!), base + 1006, 'a clock that moves forward is followed');
    assert.equal(msOf(list[list.length - 1]!), base + 1006);
  });

  it('is strictly increasing across many calls on the real clock', () => {
    const ids = createUuidV7();
    const list = Array.from({ length: 50_000 }, () => ids.uuid());
    assertStrictlyIncreasing(list);
  });

  it('keeps generators independent', () => {
    const at = new Date('2025-03-04T10:00:00.000Z');
    const a = createUuidV7({ now: () => at });
    const b = createUuidV7({ now: () => at });
    assert.notEqual(a.uuid(), b.uuid(), 'random bits differ');
  });
});
