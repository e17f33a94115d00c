/**
 * A small multipart/form-data reader for the server-rendered forms (the portal's request form with
 * its files). The body is already buffered and bounded by Fastify's body limit; this only splits
 * it into text fields and files.
 */
export interface FormFile {
  field: string;
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: FormFile[];
}

export class MultipartError extends Error {}

export function boundaryOf(contentType: string | undefined): string | null {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]!) : null;
}

/** Split a multipart body. Empty file inputs (no file chosen) are left out. */
export function parseMultipart(body: Buffer, boundary: string): MultipartForm {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Record<string, string> = {};
  const files: FormFile[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MultipartError('no multipart boundary in the body');
  for (let parts = 0; parts < 1000; parts++) {
    pos += delimiter.length;
    // "--" after a delimiter ends the body.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return { fields, files };
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new MultipartError('a part without headers');
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new MultipartError('a part without its closing boundary');
    const content = body.subarray(headerEnd + 4, next);
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined) {
      if (filename !== undefined) {
        if (filename !== '' || content.length > 0) {
          const type = /^content-type:\s*([^\r\n;]+)/im.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
          files.push({ field: name, filename: filename || 'file', contentType: type, content: Buffer.from(content) });
        }
      } else {
        fields[name] = content.toString('utf8');
      }
    }
    pos = next + 2;
  }
  throw new MultipartError('too many parts');
}
