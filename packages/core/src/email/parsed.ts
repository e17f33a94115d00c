/**
 * What intake needs from a parsed message. Parsing (MIME, charsets, RFC 2047) and HTML
 * sanitising are adapters (apps/server/src/email/parse.ts); core only sees this shape.
 */

export interface EmailAddress {
  /** Lowercase. */
  address: string;
  name: string;
}

export interface ParsedAttachment {
  /** As the mail names it; not trusted (see safeFilename). */
  filename: string | null;
  /** As the mail declares it; not trusted (see sniffContentType). */
  declaredType: string;
  content: Buffer;
  /** Content-ID without angle brackets. */
  contentId: string | null;
  /** Content-Disposition inline, or referred to by a cid: link. */
  inline: boolean;
}

export interface ParsedEmail {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  date: Date | null;
  from: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  replyTo: EmailAddress[];
  /** Top-level content type, lowercase, without parameters (e.g. multipart/report). */
  contentType: string;
  /** Report type parameter of a multipart/report (e.g. delivery-status), lowercase. */
  reportType: string | null;
  /** Every header, name lowercase, values decoded to text; repeated headers joined by "\n". */
  headers: Record<string, string>;
  text: string;
  /** As received (not sanitised yet); null when the mail has no HTML part. */
  html: string | null;
  attachments: ParsedAttachment[];
}

export interface SanitizeOptions {
  /** cid (without brackets) → the URL the HTML shows instead. */
  cidUrls: Map<string, string>;
}

export interface SanitizedHtml {
  html: string;
  /** Remote images found and rewritten to data-remote-src (not loaded). */
  remoteImages: number;
}

/** The parsing port. Throws EmailRejected for a message it will not parse (limits). */
export interface EmailParser {
  parse(raw: Buffer): Promise<ParsedEmail>;
  sanitizeHtml(html: string, opts: SanitizeOptions): SanitizedHtml;
}

/** A message refused by the parser (too big, too deep, too many parts, too slow): not retried. */
export class EmailRejected extends Error {}
