import { AppError } from './errors.ts';

/**
 * Keyset pagination cursors. A cursor names the sort it belongs to and the position after which
 * the next page starts, so a page deep in a large list costs the same as the first one.
 */
export interface CursorPosition {
  sort: string;
  order: 'asc' | 'desc';
  value: string | number | null;
  id: string;
}

export function encodeCursor(pos: CursorPosition): string {
  return Buffer.from(JSON.stringify([pos.sort, pos.order, pos.value, pos.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, sort: string, order: 'asc' | 'desc'): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('INVALID_CURSOR', 'The cursor is not one this server issued.');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    typeof parsed[3] !== 'string' ||
    !(typeof parsed[2] === 'string' || typeof parsed[2] === 'number' || parsed[2] === null)
  ) {
    throw new AppError('INVALID_CURSOR', 'The cursor is not one this server issued.');
  }
  if (parsed[0] !== sort || parsed[1] !== order) {
    throw new AppError(
      'INVALID_CURSOR',
      `This cursor belongs to a list sorted by ${String(parsed[0])} ${String(parsed[1])}; ask again without a cursor to change the order.`,
    );
  }
  if (!fits(sort, parsed[2], parsed[3])) {
    throw new AppError('INVALID_CURSOR', 'The cursor is not one this server issued.');
  }
  return { sort, order, value: parsed[2] as string | number | null, id: parsed[3] };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/** Whether a position holds what its sort compares, so a forged cursor never reaches a query (and a 500). */
function fits(sort: string, value: unknown, id: string): boolean {
  if (sort === 'id') return value === null && /^\d{1,15}$/.test(id);
  if (!UUID.test(id)) return false;
  // Tickets without an SLA deadline come last, after a position without a value.
  if (sort === 'sla_due_at' && value === null) return true;
  if (sort.endsWith('_at')) return typeof value === 'string' && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value));
  if (sort === 'number' || sort === 'priority') return Number.isSafeInteger(value);
  if (sort === 'name') return typeof value === 'string';
  return true;
}

/** Cut a page fetched with limit+1 rows and compute the next cursor. */
export function toPage<T>(
  rows: T[],
  limit: number,
  position: (last: T) => CursorPosition,
): { items: T[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: hasMore && last ? encodeCursor(position(last)) : null };
}
