/**
 * The formatting of replies and notes written in Guichet: a small markdown, turned into HTML that is
 * safe by construction (every character of the source is escaped before any tag is added, and only
 * the tags below are ever produced). It lives in the contracts because it is part of the API's
 * meaning: a message sent with `format: "markdown"` is shown, emailed and previewed as this function
 * renders it, by the server and by the web app alike.
 *
 * Blocks: paragraphs (a line break is kept as a break, as in an email), `#` headings, `-`/`*`/`+`
 * and `1.` lists (nested by indentation), `>` quotes (nested), fenced code blocks, `---` rules.
 * Inline: `code`, **bold**, *italic* or _italic_, ~~struck~~, [links](https://…) and bare web
 * addresses (http, https and mailto only), backslash escapes, and mentions `@[Name](user:<id>)`.
 */

export const MESSAGE_FORMATS = ['text', 'markdown'] as const;

export interface MarkdownOptions {
  /** The HTML level of a `#` heading (`##` is one deeper): 3 in messages, 2 in an article under its title. Default 3. */
  headingLevel?: number;
  /** Also links to addresses on the same site (`/help/…`), opened in place: articles link to each other. Default false. */
  relativeLinks?: boolean;
}
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]!);

/** Deeper nesting than this is shown as text: a source cannot make the renderer recurse without end. */
const MAX_DEPTH = 8;
const SAFE_URL = /^(https?:\/\/[^\s<>"']+|mailto:[^\s<>"']+)$/i;
const RELATIVE_URL = /^\/(?!\/)[^\s<>"'\\]*$/;
const MENTION_ID = /^[0-9a-fA-F-]{36}$/;
/**
 * Lines longer than this are shown as plain text: the patterns below may scan ahead for a closing
 * mark, which costs the square of a line's length when none comes.
 */
const LONG_LINE = 4_000;
/** A longer source is shown as escaped paragraphs, without formatting, for the same reason. */
const LONG_SOURCE = 100_000;

function link(href: string, label: string): string {
  if (href.startsWith('/')) return `<a href="${esc(href)}">${label}</a>`;
  return `<a href="${esc(href)}" rel="noopener noreferrer nofollow" target="_blank">${label}</a>`;
}

/** One line of inline markdown to HTML. Code spans, escapes and links are set aside first, so emphasis never reaches into them. */
function inline(src: string, o: Required<MarkdownOptions>): string {
  if (src.length > LONG_LINE) return esc(src.replace(/\u0000/g, ''));
  const held: string[] = [];
  const hold = (html: string) => `\u0000${held.push(html) - 1}\u0000`;
  let s = src.replace(/\u0000/g, '');
  s = s.replace(/\\([\\`*_{}[\]()#+\-.!~>|@])/g, (_, c: string) => hold(esc(c)));
  s = s.replace(/(`+)([^`]|[^`][\s\S]{0,1000}?[^`])\1(?!`)/g, (_, _ticks, code: string) => hold(`<code>${esc(code.trim() || code)}</code>`));
  s = s.replace(/@\[([^\]\n]{1,200})\]\(user:([^)\s]+)\)/g, (whole, name: string, id: string) =>
    MENTION_ID.test(id) ? hold(`<span class="mention" data-user="${esc(id.toLowerCase())}">@${esc(name)}</span>`) : whole,
  );
  s = s.replace(/\[([^\]\n]{1,1000})\]\(\s*<?([^)\s>]+)>?\s*\)/g, (whole, label: string, href: string) =>
    SAFE_URL.test(href) || (o.relativeLinks && RELATIVE_URL.test(href)) ? hold(link(href, emphasis(esc(label)))) : whole,
  );
  s = s.replace(/\b(https?:\/\/[^\s<>"'\u0000]*[^\s<>"'\u0000.,;:!?)\]])/gi, (url: string) => hold(link(url, esc(url))));
  s = emphasis(esc(s));
  // Held pieces may hold others (a link's label with a code span): restore until none is left.
  for (let i = 0; i < 4 && s.includes('\u0000'); i++) s = s.replace(/\u0000(\d+)\u0000/g, (_, n: string) => held[Number(n)] ?? '');
  return s;
}

/** Bold, italics and strikes over text that is already escaped. */
function emphasis(s: string): string {
  return s
    .replace(/\*\*(?=\S)([\s\S]{0,1000}?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\w])__(?=\S)([\s\S]{0,1000}?\S)__(?!\w)/g, '$1<strong>$2</strong>')
    .replace(/~~(?=\S)([\s\S]{0,1000}?\S)~~/g, '<del>$1</del>')
    .replace(/(^|[^*\w])\*(?=[^\s*])([^*]{0,1000}?[^\s*])\*(?!\*)/g, '$1<em>$2</em>')
    .replace(/(^|[^\w])_(?=[^\s_])([^_]{0,1000}?[^\s_])_(?!\w)/g, '$1<em>$2</em>');
}

const BULLET = /^( {0,3})([-*+])\s+(.*)$/;
const NUMBERED = /^( {0,3})(\d{1,9})([.)])\s+(.*)$/;
const FENCE = /^ {0,3}(```+|~~~+)\s*([\w+-]*)\s*$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;

/** `re` matches `line`, which is short enough to be tested at all. */
const is = (re: RegExp, line: string) => line.length <= LONG_LINE && re.test(line);
const match = (re: RegExp, line: string) => (line.length <= LONG_LINE ? re.exec(line) : null);

const indentOf = (line: string) => /^ */.exec(line.replace(/\t/g, '    '))![0].length;

function blocks(lines: string[], depth: number, o: Required<MarkdownOptions>): string {
  if (depth > MAX_DEPTH) return `<p>${lines.map((l) => esc(l)).join('<br>')}</p>`;
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = match(FENCE, line);
    if (fence) {
      const close = fence[1]!;
      const code: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trim().startsWith(close)) code.push(lines[i++]!);
      i++;
      out.push(`<pre><code>${esc(code.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = match(HEADING, line);
    if (heading) {
      const level = Math.min(6, heading[1]!.length + o.headingLevel - 1);
      out.push(`<h${level}>${inline(heading[2]!, o)}</h${level}>`);
      i++;
      continue;
    }
    if (is(RULE, line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    if (is(QUOTE, line)) {
      const inner: string[] = [];
      while (i < lines.length && lines[i]!.trim() && is(QUOTE, lines[i]!)) inner.push(QUOTE.exec(lines[i++]!)![1]!);
      out.push(`<blockquote>${blocks(inner, depth + 1, o)}</blockquote>`);
      continue;
    }
    const bullet = match(BULLET, line);
    const numbered = bullet ? null : match(NUMBERED, line);
    if (bullet || numbered) {
      const ordered = !!numbered;
      const re = ordered ? NUMBERED : BULLET;
      const base = indentOf(line);
      const items: string[][] = [];
      while (i < lines.length) {
        const l = lines[i]!;
        const m = match(re, l);
        if (m && indentOf(l) <= base + 1) {
          items.push([ordered ? m[4]! : m[3]!]);
          i++;
          continue;
        }
        // A deeper line belongs to the item above (a nested list or a continued sentence); a blank
        // line ends the list unless the next line is deeper or another item.
        if (l.trim() && indentOf(l) > base && items.length) {
          items.at(-1)!.push(l.replace(/\t/g, '    ').slice(Math.min(indentOf(l), base + 2)));
          i++;
          continue;
        }
        if (!l.trim() && i + 1 < lines.length && items.length) {
          const next = lines[i + 1]!;
          if (next.trim() && (indentOf(next) > base || (match(re, next) && indentOf(next) <= base + 1))) {
            i++;
            continue;
          }
        }
        break;
      }
      const start = ordered ? Number(numbered![2]) : 1;
      const tag = ordered ? 'ol' : 'ul';
      const open = ordered && start !== 1 ? `<ol start="${start}">` : `<${tag}>`;
      out.push(`${open}${items.map((it) => `<li>${item(it, depth, o)}</li>`).join('')}</${tag}>`);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length) {
      const l = lines[i]!;
      if (!l.trim() || is(FENCE, l) || is(HEADING, l) || is(QUOTE, l) || (para.length && (is(BULLET, l) || is(NUMBERED, l) || is(RULE, l)))) break;
      para.push(l);
      i++;
    }
    if (!para.length) para.push(lines[i++]!);
    out.push(`<p>${para.map((p) => inline(p.trim(), o)).join('<br>')}</p>`);
  }
  return out.join('\n');
}

/** An item's lines: its first line inline, and what is nested under it as blocks. */
function item(lines: string[], depth: number, o: Required<MarkdownOptions>): string {
  if (lines.length === 1) return inline(lines[0]!, o);
  const nestedAt = lines.findIndex((l, n) => n > 0 && (is(BULLET, l) || is(NUMBERED, l) || is(QUOTE, l) || is(FENCE, l)));
  const head = nestedAt < 0 ? lines : lines.slice(0, nestedAt);
  const rest = nestedAt < 0 ? [] : lines.slice(nestedAt);
  return head.map((l) => inline(l.trim(), o)).join('<br>') + (rest.length ? blocks(rest, depth + 1, o) : '');
}

/**
 * The HTML of a message or article written in markdown. Safe to show as is: nothing of the source
 * reaches the output unescaped.
 */
export function renderMarkdown(source: string, options: MarkdownOptions = {}): string {
  const o: Required<MarkdownOptions> = { headingLevel: Math.max(1, Math.min(6, options.headingLevel ?? 3)), relativeLinks: options.relativeLinks ?? false };
  if (source.length > LONG_SOURCE) {
    return source.replace(/\r\n?/g, '\n').split(/\n\s*\n/).filter((p) => p.trim()).map((p) => `<p>${esc(p.trim()).replace(/\n/g, '<br>')}</p>`).join('\n');
  }
  return blocks(source.replace(/\r\n?/g, '\n').split('\n'), 0, o);
}
