/**
 * The composer's formatting commands, as pure edits of the text and its selection: the field stays a
 * plain textarea (so mentions, macros, drafts and undo keep working), and what it holds is the
 * markdown that the server and the preview render the same way (`@guichet/contracts/markdown`).
 */

export type FormatCommand = 'bold' | 'italic' | 'strike' | 'code' | 'link' | 'bullets' | 'numbers' | 'quote';

export interface Edit {
  text: string;
  /** The selection after the edit. */
  from: number;
  to: number;
}

const INLINE_MARK: Partial<Record<FormatCommand, string>> = { bold: '**', italic: '*', strike: '~~', code: '`' };

/** Apply `cmd` to text[from, to). Applying an inline mark to text it already surrounds removes it. */
export function applyFormat(text: string, from: number, to: number, cmd: FormatCommand): Edit {
  const mark = INLINE_MARK[cmd];
  if (mark) return toggleInline(text, from, to, mark);
  if (cmd === 'link') return insertLink(text, from, to);
  return prefixLines(text, from, to, cmd);
}

function toggleInline(text: string, from: number, to: number, mark: string): Edit {
  // Spaces selected at either end stay outside the marks (`** bold**` would not render).
  while (from < to && /\s/.test(text[from]!)) from++;
  while (to > from && /\s/.test(text[to - 1]!)) to--;
  const n = mark.length;
  if (text.slice(from - n, from) === mark && text.slice(to, to + n) === mark && !(mark === '*' && (text[from - n - 1] === '*' || text[to + n] === '*'))) {
    return { text: text.slice(0, from - n) + text.slice(from, to) + text.slice(to + n), from: from - n, to: to - n };
  }
  if (to > from && text.slice(from, from + n) === mark && text.slice(to - n, to) === mark && to - from >= 2 * n) {
    return { text: text.slice(0, from) + text.slice(from + n, to - n) + text.slice(to), from, to: to - 2 * n };
  }
  return { text: text.slice(0, from) + mark + text.slice(from, to) + mark + text.slice(to), from: from + n, to: to + n };
}

function insertLink(text: string, from: number, to: number): Edit {
  const selected = text.slice(from, to);
  if (/^(https?:\/\/|mailto:)\S+$/i.test(selected)) {
    // A selected address becomes the link; the label is left selected to be typed over.
    const label = 'link';
    const out = `[${label}](${selected})`;
    return { text: text.slice(0, from) + out + text.slice(to), from: from + 1, to: from + 1 + label.length };
  }
  const url = 'https://';
  const out = `[${selected || 'link'}](${url})`;
  const at = from + out.length - 1;
  return { text: text.slice(0, from) + out + text.slice(to), from: at, to: at };
}

const PREFIX = { bullets: /^(\s*)[-*+]\s+/, numbers: /^(\s*)\d+[.)]\s+/, quote: /^(\s*)>\s?/ } as const;

/** Lists and quotes act on whole lines: every line the selection touches; again on the same lines removes it. */
function prefixLines(text: string, from: number, to: number, cmd: 'bullets' | 'numbers' | 'quote' | FormatCommand): Edit {
  const kind = cmd as keyof typeof PREFIX;
  const start = text.lastIndexOf('\n', from - 1) + 1;
  const endNl = text.indexOf('\n', to > from && text[to - 1] === '\n' ? to - 1 : to);
  const end = endNl < 0 ? text.length : endNl;
  const lines = text.slice(start, end).split('\n');
  const re = PREFIX[kind];
  const filled = lines.filter((l) => l.trim());
  const remove = filled.length > 0 && filled.every((l) => re.test(l));
  let n = 0;
  const next = lines.map((l) => {
    if (remove) return l.replace(re, '$1');
    if (!l.trim() && lines.length > 1) return l;
    // A line that is another kind of list item changes kind rather than getting two marks.
    const bare = l.replace(PREFIX.bullets, '$1').replace(PREFIX.numbers, '$1');
    const indent = /^\s*/.exec(bare)![0];
    const mark = kind === 'bullets' ? '- ' : kind === 'numbers' ? `${++n}. ` : '> ';
    return indent + mark + bare.slice(indent.length);
  });
  const block = next.join('\n');
  const out = text.slice(0, start) + block + text.slice(end);
  // An empty line that became an item leaves the caret after its mark, ready to type.
  if (from === to && lines.length === 1) {
    const caret = start + block.length;
    return { text: out, from: caret, to: caret };
  }
  return { text: out, from: start, to: start + block.length };
}

/** The command a key combination in the field stands for (Ctrl on Linux and Windows, Cmd on a Mac). */
export function formatShortcut(e: { key: string; code: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }): FormatCommand | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  if (!e.shiftKey) {
    const k = e.key.toLowerCase();
    if (k === 'b') return 'bold';
    if (k === 'i') return 'italic';
    if (k === 'k') return 'link';
    if (k === 'e') return 'code';
    return null;
  }
  // By code, since Shift changes the character (and the layout changes it again).
  if (e.code === 'Digit7') return 'numbers';
  if (e.code === 'Digit8') return 'bullets';
  if (e.code === 'Digit9') return 'quote';
  if (e.code === 'KeyX') return 'strike';
  return null;
}

/** Enter at the end of a list item starts the next one; Enter on an empty item ends the list. */
export function continueList(text: string, caret: number): Edit | null {
  const start = text.lastIndexOf('\n', caret - 1) + 1;
  const line = text.slice(start, caret);
  const after = text.slice(caret, text.indexOf('\n', caret) < 0 ? text.length : text.indexOf('\n', caret));
  if (after.trim()) return null;
  const m = /^(\s*)([-*+]|(\d+)[.)]|>)(\s+)(.*)$/.exec(line);
  if (!m) return null;
  if (!m[5]!.trim()) {
    // An empty item: the mark goes, and the list ends here.
    const out = text.slice(0, start) + text.slice(caret);
    return { text: out, from: start, to: start };
  }
  const mark = m[3] ? `${Number(m[3]) + 1}${m[2]!.slice(-1)}` : m[2]!;
  const insert = `\n${m[1]}${mark}${m[4]}`;
  const out = text.slice(0, caret) + insert + text.slice(caret);
  return { text: out, from: caret + insert.length, to: caret + insert.length };
}
