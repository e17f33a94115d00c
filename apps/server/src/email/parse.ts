/**
 * The parsing adapter: `mailparser` for MIME, charsets and RFC 2047 headers, `sanitize-html` for
 * an allow-list of HTML. Guards before the parser (header size, part count, nesting depth) and a
 * time bound per message turn hostile mail into a clear rejection instead of a hang.
 */
import { isUtf8 } from 'node:buffer';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import sanitize from 'sanitize-html';
import { EmailRejected, messageIds, normalizeMessageId, type EmailAddress, type EmailParser, type ParsedEmail, type SanitizedHtml, type SanitizeOptions } from '@guichet/core';

export interface ParserLimits {
  maxMessageBytes: number;
  maxHeaderBytes: number;
  maxParts: number;
  maxDepth: number;
  timeoutMs: number;
}

export const DEFAULT_PARSER_LIMITS: ParserLimits = {
  maxMessageBytes: 40 * 1024 * 1024,
  maxHeaderBytes: 256 * 1024,
  maxParts: 500,
  maxDepth: 20,
  timeoutMs: 15_000,
};

/** Structure checks on the raw bytes, before any parsing. */
export function checkStructure(raw: Buffer, limits: ParserLimits): void {
  if (raw.length > limits.maxMessageBytes) throw new EmailRejected(`message of ${raw.length} bytes is over the ${limits.maxMessageBytes}-byte limit`);
  const text = raw.toString('latin1');
  const blank = text.search(/\r?\n\r?\n/);
  const headerEnd = blank < 0 ? text.length : blank;
  if (headerEnd > limits.maxHeaderBytes) throw new EmailRejected(`header section over ${limits.maxHeaderBytes} bytes`);
  const boundaries = new Set<string>();
  for (const m of text.matchAll(/boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"\r\n]{1,200}))/gi)) {
    boundaries.add(m[1] ?? m[2]!);
    if (boundaries.size > limits.maxDepth * 4) break;
  }
  // Each multipart level declares its own boundary: their number bounds the nesting depth.
  if (boundaries.size > limits.maxDepth) throw new EmailRejected(`MIME nesting deeper than ${limits.maxDepth} levels`);
  if (boundaries.size) {
    let parts = 0;
    const delimiters = [...boundaries].map((b) => `--${b}`);
    for (let i = text.indexOf('\n--'); i >= 0; i = text.indexOf('\n--', i + 3)) {
      const lineEnd = text.indexOf('\n', i + 1);
      const line = text.slice(i + 1, lineEnd < 0 ? undefined : lineEnd).trimEnd();
      if (delimiters.some((d) => line === d)) {
        parts++;
        if (parts > limits.maxParts) throw new EmailRejected(`more than ${limits.maxParts} MIME parts`);
      }
    }
  }
}

/** A message whose lines end with a bare CR (old Mac mailers) and no LF at all: the parser needs LF, so CR becomes CRLF. */
export function normalizeBareCr(raw: Buffer): Buffer {
  if (raw.includes(0x0a) || !raw.includes(0x0d)) return raw;
  return Buffer.from(raw.toString('latin1').replace(/\r/g, '\r\n'), 'latin1');
}

const PASS_THROUGH_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

/** The first legacy charset the message declares (charset=…) that the platform can decode; else windows-1252. */
function declaredLegacyCharset(raw: Buffer): string {
  for (const m of raw.subarray(0, 256 * 1024).toString('latin1').matchAll(/charset\s*=\s*"?([\w.:-]{1,40})/gi)) {
    const label = m[1]!.toLowerCase();
    if (PASS_THROUGH_CHARSETS.has(label) || label.includes('utf')) continue;
    try {
      return new TextDecoder(label).encoding;
    } catch {
      // an unknown label: look further
    }
  }
  return 'windows-1252';
}

/**
 * Raw 8-bit bytes in the top-level header section must be UTF-8 (RFC 6532); real mail often
 * carries Latin-1, Windows-1252 or the body's legacy charset there instead, which the parser
 * would turn into U+FFFD. Those header lines are re-encoded as UTF-8 from the charset the message
 * declares (else Windows-1252) before parsing; the stored raw message is left as it came.
 */
export function normalizeHeaderBytes(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const blank = text.search(/\r?\n\r?\n|\r\r/);
  if (blank < 0) return raw;
  const head = raw.subarray(0, blank);
  if (!head.some((b) => b >= 0x80) || isUtf8(head)) return raw;
  const decoder = new TextDecoder(declaredLegacyCharset(raw));
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = head.indexOf(0x0a, start);
    const line = head.subarray(start, nl < 0 ? head.length : nl + 1);
    lines.push(line.some((b) => b >= 0x80) && !isUtf8(line) ? Buffer.from(decoder.decode(line), 'utf8') : line);
    if (nl < 0) break;
    start = nl + 1;
  }
  return Buffer.concat([...lines, raw.subarray(blank)]);
}

function addresses(v: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  const list = Array.isArray(v) ? v : v ? [v] : [];
  const out: EmailAddress[] = [];
  const walk = (items: AddressObject['value']) => {
    for (const a of items) {
      if (a.group) walk(a.group);
      else if (a.address) out.push({ address: a.address.trim().toLowerCase(), name: (a.name ?? '').trim() });
    }
  };
  for (const o of list) walk(o.value);
  return out.slice(0, 200);
}

function headerText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(headerText).join('\n');
  if (typeof v === 'object') {
    const o = v as { text?: string; value?: unknown; params?: Record<string, string> };
    if (typeof o.text === 'string') return o.text;
    if (typeof o.value === 'string') {
      const params = Object.entries(o.params ?? {}).map(([k, p]) => `; ${k}=${p}`).join('');
      return o.value + params;
    }
  }
  return String(v);
}

/** PostgreSQL text cannot hold U+0000: NUL characters are dropped from every decoded string (attachment bytes are kept as they are). */
function withoutNul<T>(v: T): T {
  if (typeof v === 'string') return (v.includes('\0') ? v.replace(/\0/g, '') : v) as T;
  if (Array.isArray(v)) return v.map(withoutNul) as T;
  if (v && typeof v === 'object' && !Buffer.isBuffer(v) && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[withoutNul(k)] = withoutNul(x);
    return out as T;
  }
  return v;
}

function toParsed(m: ParsedMail): ParsedEmail {
  const headers: Record<string, string> = {};
  for (const [k, v] of m.headers) headers[k.toLowerCase()] = headerText(v).slice(0, 10_000);
  const ct = m.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const refs = Array.isArray(m.references) ? m.references : m.references ? [m.references] : [];
  return {
    messageId: normalizeMessageId(m.messageId),
    inReplyTo: normalizeMessageId(m.inReplyTo),
    references: refs.flatMap((r) => messageIds(r)).slice(0, 200),
    subject: (m.subject ?? '').replace(/[\r\n]+/g, ' ').trim(),
    date: m.date && !Number.isNaN(m.date.getTime()) ? m.date : null,
    from: addresses(m.from)[0] ?? null,
    to: addresses(m.to),
    cc: addresses(m.cc),
    replyTo: addresses(m.replyTo),
    contentType: (ct?.value ?? 'text/plain').toLowerCase(),
    reportType: ct?.params?.['report-type']?.toLowerCase() ?? null,
    headers,
    text: m.text ?? '',
    html: typeof m.html === 'string' ? m.html : null,
    attachments: m.attachments.map((a) => ({
      filename: a.filename ?? null,
      // A broken Content-Type header can leave it something other than a string.
      declaredType: (typeof a.contentType === 'string' && a.contentType ? a.contentType : 'application/octet-stream').toLowerCase(),
      content: a.content,
      contentId: a.cid ?? (a.contentId ? a.contentId.replace(/^<|>$/g, '') : null),
      inline: a.contentDisposition === 'inline' || !!a.related,
    })),
  };
}

const QUOTE_CONTAINER = (attribs: Record<string, string>) =>
  /\b(gmail_quote|moz-cite-prefix|yahoo_quoted|OutlookMessageHeader)\b/.test(attribs.class ?? '') || ['divRplyFwdMsg', 'appendonsend', 'x_divRplyFwdMsg'].includes(attribs.id ?? '');

export function sanitizeEmailHtml(html: string, opts: SanitizeOptions): SanitizedHtml {
  let remoteImages = 0;
  const out = sanitize(html.slice(0, 2_000_000), {
    allowedTags: [
      ...sanitize.defaults.allowedTags.filter((t) => t !== 'style'),
      'img', 'font', 'center', 'u', 's', 'strike', 'del', 'ins', 'sub', 'sup', 'hr', 'span', 'div', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'caption', 'col', 'colgroup',
    ],
    disallowedTagsMode: 'discard',
    allowedAttributes: {
      a: ['href', 'title', 'name', 'rel', 'target'],
      img: ['src', 'alt', 'title', 'width', 'height', 'data-remote-src'],
      td: ['colspan', 'rowspan', 'align', 'valign', 'width'],
      th: ['colspan', 'rowspan', 'align', 'valign', 'width'],
      table: ['width', 'border', 'cellpadding', 'cellspacing', 'align'],
      font: ['color', 'size', 'face'],
      '*': ['dir', 'lang', 'align', 'data-guichet-quoted'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['https', 'http'] },
    allowProtocolRelative: false,
    // Scripts, styles and the like go with their content, not just their tags.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'template'],
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' } }),
      img: (tagName, attribs) => {
        const src = (attribs.src ?? '').trim();
        const { src: _drop, ...rest } = attribs;
        const cid = /^cid:(.+)$/i.exec(src)?.[1];
        if (cid !== undefined) {
          const url = opts.cidUrls.get(cid.replace(/^<|>$/g, ''));
          return url ? { tagName, attribs: { ...rest, src: url } } : { tagName, attribs: rest };
        }
        if (/^https?:\/\//i.test(src)) {
          // Not loaded by default (tracking pixels, IP leaks): the agent may choose to show them.
          remoteImages++;
          return { tagName, attribs: { ...rest, 'data-remote-src': src } };
        }
        return { tagName, attribs: rest };
      },
      blockquote: (tagName, attribs) => ({ tagName, attribs: { ...attribs, 'data-guichet-quoted': '1' } }),
      div: (tagName, attribs) => (QUOTE_CONTAINER(attribs) ? { tagName, attribs: { ...attribs, 'data-guichet-quoted': '1' } } : { tagName, attribs }),
    },
  });
  return { html: out, remoteImages };
}

export function createEmailParser(limits: Partial<ParserLimits> = {}): EmailParser {
  const l = { ...DEFAULT_PARSER_LIMITS, ...limits };
  return {
    async parse(raw: Buffer): Promise<ParsedEmail> {
      checkStructure(raw, l);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new EmailRejected(`parsing took longer than ${l.timeoutMs} ms`)), l.timeoutMs);
      });
      try {
        const options = { keepCidLinks: true, keepDeliveryStatus: true, skipImageLinks: true, skipTextLinks: true, maxHtmlLengthToParse: 2_000_000 };
        const parsed: ParsedMail = await Promise.race([simpleParser(normalizeHeaderBytes(normalizeBareCr(raw)), options as Parameters<typeof simpleParser>[1] & object), timeout]);
        return withoutNul(toParsed(parsed));
      } finally {
        clearTimeout(timer);
      }
    },
    sanitizeHtml: sanitizeEmailHtml,
  };
}
