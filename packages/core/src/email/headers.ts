/**
 * A small header scanner over raw bytes: finds a header without parsing the whole message
 * (intake reads the Message-ID before anything else is done with the mail).
 */

const MAX_SCAN = 256 * 1024;

/** The header block (up to the first empty line, or `MAX_SCAN` bytes) as latin1 text. */
function headerBlock(raw: Buffer): string {
  const limit = Math.min(raw.length, MAX_SCAN);
  let end = limit;
  for (let i = 0; i < limit - 1; i++) {
    if (raw[i] === 0x0a && (raw[i + 1] === 0x0a || (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a))) {
      end = i;
      break;
    }
  }
  return raw.subarray(0, end).toString('latin1');
}

/** Unfolded headers of a raw message or header block: [name lowercase, value]. */
export function scanHeaders(raw: Buffer | string): Array<[string, string]> {
  const text = typeof raw === 'string' ? raw : headerBlock(raw);
  const out: Array<[string, string]> = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && out.length) {
      out[out.length - 1]![1] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return out;
}

export function headerValue(headers: Array<[string, string]>, name: string): string | null {
  const n = name.toLowerCase();
  for (const [k, v] of headers) if (k === n) return v;
  return null;
}

/** Every `<id>` in a header value (Message-ID, In-Reply-To, References), brackets removed. */
export function messageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  // No control characters (a NUL cannot even be stored in PostgreSQL text).
  const ids = [...value.matchAll(/<([^<>\s\x00-\x1f\x7f]{1,900})>/g)].map((m) => m[1]!);
  if (ids.length) return ids;
  const bare = value.trim();
  return bare && !/[\s\x00-\x1f\x7f]/.test(bare) && bare.includes('@') && bare.length <= 900 ? [bare] : [];
}

/** Normalised Message-ID: no brackets, at most 900 characters; null when absent. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  return messageIds(value)[0] ?? null;
}

/** The Message-ID of a raw message, from its headers only. */
export function rawMessageId(raw: Buffer): string | null {
  return normalizeMessageId(headerValue(scanHeaders(raw), 'message-id'));
}

/** How Message-IDs are stored (as header values, with angle brackets, like the outgoing side). */
export function bracketed(id: string): string {
  const bare = id.replace(/^<|>$/g, '');
  return `<${bare}>`;
}

/** Both spellings of a Message-ID, to match stored values whichever way they were written. */
export function idForms(ids: Array<string | null | undefined>): string[] {
  const out = new Set<string>();
  for (const id of ids) {
    if (!id) continue;
    const bare = id.replace(/^<|>$/g, '');
    out.add(`<${bare}>`);
    out.add(bare);
  }
  return [...out];
}
