/**
 * The search box's little language: words, "exact phrases", -exclusions (also -"a phrase"), and
 * the last word matched as a prefix while the person is still typing it. Words are folded to
 * letters and digits so nothing the user types reaches the database as query syntax.
 */
export interface ParsedQuery {
  words: string[];
  phrases: string[];
  excluded: string[];
  /** The last word, when the text does not end with a space: matched as a prefix too. */
  prefix: string | null;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
const wordsOf = (s: string): string[] => (s.normalize('NFC').match(WORD) ?? []).map((w) => w.replace(/['’]/g, ' ').toLowerCase()).flatMap((w) => w.split(' '));

export function parseSearchQuery(q: string, limits = { maxTerms: 12 }): ParsedQuery {
  const out: ParsedQuery = { words: [], phrases: [], excluded: [], prefix: null };
  const re = /(-?)"([^"]*)"?|(-?)([^\s"]+)/g;
  let m: RegExpExecArray | null;
  let lastWasPlainWord = false;
  while ((m = re.exec(q)) !== null) {
    if (m[2] !== undefined) {
      const words = wordsOf(m[2]);
      lastWasPlainWord = false;
      if (!words.length) continue;
      if (m[1]) out.excluded.push(...words);
      else if (words.length === 1) out.words.push(words[0]!);
      else out.phrases.push(words.join(' '));
    } else {
      const words = wordsOf(m[4]!);
      if (m[3] && words.length) {
        out.excluded.push(...words);
        lastWasPlainWord = false;
      } else {
        out.words.push(...words);
        lastWasPlainWord = words.length > 0;
      }
    }
  }
  out.words = [...new Set(out.words)].slice(0, limits.maxTerms);
  out.phrases = [...new Set(out.phrases)].slice(0, 4);
  out.excluded = [...new Set(out.excluded)].slice(0, limits.maxTerms);
  if (lastWasPlainWord && !/\s$/.test(q)) {
    const last = wordsOf(q.trimEnd()).at(-1);
    if (last && last.length >= 2 && out.words.includes(last)) out.prefix = last;
  }
  return out;
}
