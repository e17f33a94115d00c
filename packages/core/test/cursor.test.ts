import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../src/shared/errors.ts';
import { decodeCursor, encodeCursor, toPage, type CursorPosition } from '../src/shared/cursor.ts';

const ID = '0195f0c2-7a1b-7c3d-8e4f-0123456789ab';
const invalid = (e: unknown) => e instanceof AppError && e.code === 'INVALID_CURSOR';
/** A cursor as a client could forge it: the same encoding, any content. */
const forge = (content: unknown) => Buffer.from(JSON.stringify(content), 'utf8').toString('base64url');

describe('cursors', () => {
  it('round-trip every kind of position', () => {
    const positions: CursorPosition[] = [
      { sort: 'created_at', order: 'desc', value: '2025-03-04T10:00:00.123Z', id: ID },
      { sort: 'updated_at', order: 'asc', value: '2025-03-04T10:00:00.000Z', id: ID },
      { sort: 'number', order: 'asc', value: 12345, id: ID },
      { sort: 'priority', order: 'desc', value: 3, id: ID },
      { sort: 'name', order: 'asc', value: 'société générale "ß" 🎫', id: ID },
      { sort: 'id', order: 'asc', value: null, id: '987654' },
    ];
    for (const p of positions) {
      const c = encodeCursor(p);
      assert.match(c, /^[A-Za-z0-9_-]+$/, 'URL-safe without escaping');
      assert.deepEqual(decodeCursor(c, p.sort, p.order), p);
    }
  });

  it('refuse a cursor issued for another sort or order', () => {
    const c = encodeCursor({ sort: 'created_at', order: 'desc', value: '2025-03-04T10:00:00.000Z', id: ID });
    assert.throws(() => decodeCursor(c, 'created_at', 'asc'), invalid);
    assert.throws(() => decodeCursor(c, 'updated_at', 'desc'), invalid);
    assert.throws(() => decodeCursor(c, 'name', 'asc'), invalid);
  });

  it('refuse text that is not a cursor', () => {
    for (const c of ['', 'x', 'not a cursor', '%%%', 'eyJ', forge({ sort: 'created_at' }), forge('created_at'), forge(null), forge(42)]) {
      assert.throws(() => decodeCursor(c, 'created_at', 'desc'), invalid, JSON.stringify(c));
    }
  });

  it('refuse cursors of the wrong shape', () => {
    for (const content of [
      [],
      ['created_at', 'desc', '2025-03-04T10:00:00.000Z'],
      ['created_at', 'desc', '2025-03-04T10:00:00.000Z', ID, 'extra'],
      ['created_at', 'desc', '2025-03-04T10:00:00.000Z', 42],
      ['created_at', 'desc', { $gt: '' }, ID],
      ['created_at', 'desc', ['2025'], ID],
      ['created_at', 'desc', true, ID],
    ]) {
      assert.throws(() => decodeCursor(forge(content), 'created_at', 'desc'), invalid, JSON.stringify(content));
    }
  });

  it('refuse tampered positions that the database could not compare', () => {
    // Each of these used to reach the query and fail there as a 500 instead of INVALID_CURSOR.
    const cases: Array<[string, 'asc' | 'desc', unknown, unknown]> = [
      ['created_at', 'desc', 'yesterday', ID],
      ['created_at', 'desc', '2025-13-45T99:00:00Z', ID],
      ['updated_at', 'asc', 1741082400000, ID],
      ['created_at', 'desc', null, ID],
      ['created_at', 'desc', '2025-03-04T10:00:00.000Z', 'not-a-uuid'],
      ['created_at', 'desc', '2025-03-04T10:00:00.000Z', `${ID}'; drop table tickets; --`],
      ['number', 'asc', '12', ID],
      ['number', 'asc', 1.5, ID],
      ['number', 'asc', 1e300, ID],
      ['priority', 'desc', 'urgent', ID],
      ['name', 'asc', 7, ID],
      ['id', 'asc', null, 'abc'],
      ['id', 'asc', null, '-1'],
    ];
    for (const [sort, order, value, id] of cases) {
      assert.throws(() => decodeCursor(forge([sort, order, value, id]), sort, order), invalid, JSON.stringify([sort, value, id]));
    }
  });

  it('accept an upper-case id but keep it as given', () => {
    const p: CursorPosition = { sort: 'created_at', order: 'desc', value: '2025-03-04T10:00:00.000Z', id: ID.toUpperCase() };
    assert.deepEqual(decodeCursor(encodeCursor(p), 'created_at', 'desc'), p);
  });
});

describe('toPage', () => {
  const rows = Array.from({ length: 6 }, (_, i) => ({ id: `00000000-0000-7000-8000-00000000000${i}`, n: i }));
  const pos = (r: { id: string; n: number }): CursorPosition => ({ sort: 'number', order: 'asc', value: r.n, id: r.id });

  it('cuts limit+1 rows to limit and points the next cursor at the last row kept', () => {
    const page = toPage(rows, 5, pos);
    assert.deepEqual(page.items, rows.slice(0, 5));
    assert.ok(page.nextCursor);
    assert.deepEqual(decodeCursor(page.nextCursor, 'number', 'asc'), pos(rows[4]!));
  });

  it('has no next cursor on the last page, full or not', () => {
    assert.deepEqual(toPage(rows.slice(0, 5), 5, pos), { items: rows.slice(0, 5), nextCursor: null });
    assert.deepEqual(toPage(rows.slice(0, 2), 5, pos), { items: rows.slice(0, 2), nextCursor: null });
    assert.deepEqual(toPage([], 5, pos), { items: [], nextCursor: null });
  });
});
