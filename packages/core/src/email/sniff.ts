/** Attachment content types from the bytes, and filenames that can never be paths. */

const has = (b: Buffer, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Buffer, s: string, at = 0) => b.length >= at + s.length && b.toString('latin1', at, at + s.length) === s;

const OOXML: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
};
const TEXT_BY_EXT: Record<string, string> = { csv: 'text/csv', ics: 'text/calendar', txt: 'text/plain', log: 'text/plain', json: 'application/json' };

/**
 * What the bytes are. The declared type is never trusted: HTML, SVG and scripts come out as
 * text/plain or application/octet-stream, so nothing served back can run in a browser.
 */
export function sniffContentType(content: Buffer, filename: string): string {
  const b = content;
  const ext = (filename.split('.').pop() ?? '').toLowerCase();
  if (has(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (has(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(b, 'GIF87a') || ascii(b, 'GIF89a')) return 'image/gif';
  if (ascii(b, 'RIFF') && ascii(b, 'WEBP', 8)) return 'image/webp';
  if (ascii(b, 'BM') && b.length > 26 && b.readUInt32LE(2) === b.length) return 'image/bmp';
  if (has(b, [0x49, 0x49, 0x2a, 0x00]) || has(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (ascii(b, '%PDF-')) return 'application/pdf';
  if (has(b, [0x50, 0x4b, 0x03, 0x04]) || has(b, [0x50, 0x4b, 0x05, 0x06])) return OOXML[ext] ?? 'application/zip';
  if (has(b, [0x1f, 0x8b])) return 'application/gzip';
  if (has(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    return ({ doc: 'application/msword', xls: 'application/vnd.ms-excel', ppt: 'application/vnd.ms-powerpoint', msg: 'application/vnd.ms-outlook' } as Record<string, string>)[ext] ?? 'application/x-ole-storage';
  }
  if (ascii(b, 'ID3') || has(b, [0xff, 0xfb])) return 'audio/mpeg';
  if (ascii(b, 'ftyp', 4)) return 'video/mp4';
  if (ascii(b, 'OggS')) return 'audio/ogg';
  if (looksLikeText(b)) return TEXT_BY_EXT[ext] ?? 'text/plain';
  return 'application/octet-stream';
}

function looksLikeText(b: Buffer): boolean {
  const sample = b.subarray(0, 8192);
  if (sample.includes(0)) return false;
  let control = 0;
  for (const c of sample) if (c < 0x09 || (c > 0x0d && c < 0x20)) control++;
  if (control > sample.length / 100) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.length < b.length ? sample.subarray(0, sample.length - 4) : sample);
    return true;
  } catch {
    return false;
  }
}

const EXT_FOR: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};

/**
 * A safe basename: the part after the last slash or backslash, without control characters,
 * leading dots or characters file systems refuse, at most 200 characters with its extension.
 */
export function safeFilename(name: string | null | undefined, contentType: string): string {
  let n = (name ?? '').normalize('NFC');
  n = n.split(/[\\/]/).pop() ?? '';
  n = n.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[.\s]+/, '').replace(/[.\s]+$/, '').trim();
  if (n.length > 200) {
    const dot = n.lastIndexOf('.');
    const ext = dot > 0 && n.length - dot <= 16 ? n.slice(dot) : '';
    n = n.slice(0, 200 - ext.length) + ext;
  }
  if (!n || n === '.' || n === '..') n = `attachment${EXT_FOR[contentType] ? '.' + EXT_FOR[contentType] : ''}`;
  return n;
}
