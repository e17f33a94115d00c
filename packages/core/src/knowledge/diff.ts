/**
 * A readable difference between two texts: lines first (Myers' O(ND) algorithm), then, for each
 * line that was changed rather than added or removed, the words kept, removed and added.
 */

export type Op = 'equal' | 'insert' | 'delete';
export interface Piece {
  op: Op;
  text: string;
}

export interface DiffLine {
  op: 'equal' | 'insert' | 'delete' | 'change';
  oldNumber: number | null;
  newNumber: number | null;
  oldText: string | null;
  newText: string | null;
  words: Piece[] | null;
}

export interface TextDiff {
  lines: DiffLine[];
  stats: { added: number; removed: number; changed: number };
  unified: string;
}

/** Past this many edits the texts are treated as rewritten (all removed, all added): bounded time and memory. */
const MAX_EDITS = 4000;

/** The shortest edit script turning `a` into `b`, as runs of equal, deleted and inserted items. */
export function diffSequences<T>(a: readonly T[], b: readonly T[]): Array<{ op: Op; items: T[] }> {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: Op[] = [];
  for (let i = 0; i < start; i++) ops.push('equal');
  ops.push(...middle(a.slice(start, endA), b.slice(start, endB)));
  for (let i = endA; i < a.length; i++) ops.push('equal');

  const runs: Array<{ op: Op; items: T[] }> = [];
  let i = 0;
  let j = 0;
  for (const op of ops) {
    const item = op === 'insert' ? b[j++]! : a[i++]!;
    if (op === 'equal') j++;
    const last = runs[runs.length - 1];
    if (last && last.op === op) last.items.push(item);
    else runs.push({ op, items: [item] });
  }
  return runs;
}

/** Myers' greedy forward search with a trace of the frontier, then a walk back. */
function middle<T>(a: readonly T[], b: readonly T[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return Array<Op>(m).fill('insert');
  if (m === 0) return Array<Op>(n).fill('delete');
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    v = next;
    if (found >= 0) break;
  }
  if (found < 0) return [...Array<Op>(n).fill('delete'), ...Array<Op>(m).fill('insert')];

  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d]!;
    const k = x - y;
    const down = k === -d || (k !== d && prev[offset + k - 1]! < prev[offset + k + 1]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = prev[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push('equal');
      x--;
      y--;
    }
    ops.push(down ? 'insert' : 'delete');
    if (down) y--;
    else x--;
  }
  while (x > 0 && y > 0) {
    ops.push('equal');
    x--;
    y--;
  }
  return ops.reverse();
}

const TOKEN = /\s+|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

/** Word-level difference of two short texts (a line, a title). */
export function diffWords(from: string, to: string): Piece[] {
  const runs = diffSequences(from.match(TOKEN) ?? [], to.match(TOKEN) ?? []);
  return runs.map((r) => ({ op: r.op, text: r.items.join('') }));
}

const splitLines = (s: string): string[] => (s === '' ? [] : s.replace(/\r\n?/g, '\n').split('\n'));

export function diffTexts(from: string, to: string): TextDiff {
  const runs = diffSequences(splitLines(from), splitLines(to));
  const lines: DiffLine[] = [];
  const stats = { added: 0, removed: 0, changed: 0 };
  let oldNo = 0;
  let newNo = 0;
  for (let r = 0; r < runs.length; r++) {
    const run = runs[r]!;
    if (run.op === 'equal') {
      for (const text of run.items) lines.push({ op: 'equal', oldNumber: ++oldNo, newNumber: ++newNo, oldText: text, newText: text, words: null });
      continue;
    }
    if (run.op === 'delete' && runs[r + 1]?.op === 'insert') {
      // A removed block followed by an added one: pair them line by line as changes.
      const added = runs[++r]!.items;
      const removed = run.items;
      const pairs = Math.min(removed.length, added.length);
      for (let i = 0; i < pairs; i++) {
        lines.push({ op: 'change', oldNumber: ++oldNo, newNumber: ++newNo, oldText: removed[i]!, newText: added[i]!, words: diffWords(removed[i]!, added[i]!) });
        stats.changed++;
      }
      for (const text of removed.slice(pairs)) {
        lines.push({ op: 'delete', oldNumber: ++oldNo, newNumber: null, oldText: text, newText: null, words: null });
        stats.removed++;
      }
      for (const text of added.slice(pairs)) {
        lines.push({ op: 'insert', oldNumber: null, newNumber: ++newNo, oldText: null, newText: text, words: null });
        stats.added++;
      }
      continue;
    }
    for (const text of run.items) {
      if (run.op === 'delete') {
        lines.push({ op: 'delete', oldNumber: ++oldNo, newNumber: null, oldText: text, newText: null, words: null });
        stats.removed++;
      } else {
        lines.push({ op: 'insert', oldNumber: null, newNumber: ++newNo, oldText: null, newText: text, words: null });
        stats.added++;
      }
    }
  }
  const unified = lines
    .flatMap((l) =>
      l.op === 'equal' ? [` ${l.oldText}`] : l.op === 'delete' ? [`-${l.oldText}`] : l.op === 'insert' ? [`+${l.newText}`] : [`-${l.oldText}`, `+${l.newText}`],
    )
    .join('\n');
  return { lines, stats, unified };
}
