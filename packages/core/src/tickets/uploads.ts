/**
 * Files staff attach to a reply or a note: uploaded first (content-addressed blobs of the
 * workspace, like mail and portal attachments), then referred to by SHA-256 from the message.
 */
import { createHash } from 'node:crypto';
import { MESSAGE_MAX_FILES, UPLOAD_MAX_BYTES, type MessageAttachmentInput, type UploadFileInput, type UploadOut } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { safeFilename, sniffContentType } from '../email/sniff.ts';
import type { Repositories } from '../store.ts';
import { loadReadableTicket, type TicketRef } from './access.ts';
import type { Attachment } from './types.ts';

/** Store one file for a ticket's next message; staff who may reply or write notes on it only. */
export async function uploadTicketFile(deps: Deps, ctx: Ctx, ref: TicketRef, input: UploadFileInput): Promise<UploadOut> {
  if (ctx.actor.role === 'customer') throw new AppError('FORBIDDEN', 'Customers attach files through the portal.');
  const { access } = await loadReadableTicket(deps, ctx, ref);
  if (!access.reply && !access.addNote) throw new AppError('FORBIDDEN', `Your role (${ctx.actor.role}) cannot write on this ticket.`);
  const content = Buffer.from(input.contentBase64, 'base64');
  if (!content.length) throw new AppError('VALIDATION_FAILED', 'The file is empty.', { issues: [{ path: ['contentBase64'], message: 'empty' }] });
  checkFileSize(input.filename, content.length);
  return storeFile(deps, ctx.workspaceId, input.filename, content);
}

/** One file's limit, for staff uploads and the portal's forms alike. */
export function checkFileSize(filename: string, bytes: number): void {
  if (bytes > UPLOAD_MAX_BYTES) {
    throw new AppError('PAYLOAD_TOO_LARGE', `"${filename}" is larger than ${UPLOAD_MAX_BYTES / 1048576} MB.`, { file: filename, limitBytes: UPLOAD_MAX_BYTES });
  }
}

/** How many files one message may carry, for staff and the portal alike. */
export function checkFileCount(count: number): void {
  if (count > MESSAGE_MAX_FILES) {
    throw new AppError('VALIDATION_FAILED', `At most ${MESSAGE_MAX_FILES} files per message.`, { issues: [{ path: ['attachments'], message: 'too many files' }] });
  }
}

/** Store a file's bytes for a workspace (content-addressed) with the type they are, never the declared one. */
export async function storeFile(deps: Deps, workspaceId: string, filename: string, content: Buffer): Promise<UploadOut> {
  const contentType = sniffContentType(content, filename);
  const sha256 = createHash('sha256').update(content).digest('hex');
  await deps.store.blobs.put(workspaceId, sha256, content, deps.clock.now());
  return { sha256, storageKey: `blob:${sha256}`, filename: safeFilename(filename, contentType), contentType, sizeBytes: content.length };
}

/**
 * A new message's files, from the workspace's stored bytes: an unknown reference (or another
 * workspace's) is refused, and size and type are the blob's, never the client's.
 */
export async function resolveMessageAttachments(tx: Repositories, ctx: Ctx, refs: MessageAttachmentInput[]): Promise<Omit<Attachment, 'id'>[]> {
  checkFileCount(refs.length);
  const out: Omit<Attachment, 'id'>[] = [];
  for (const [i, ref] of refs.entries()) {
    const content = await tx.blobs.get(ctx.workspaceId, ref.sha256);
    if (!content) {
      throw new AppError('UNKNOWN_UPLOAD', `No uploaded file ${ref.sha256.slice(0, 12)}… in this workspace; upload it first (POST /tickets/{id}/uploads).`, {
        issues: [{ path: ['attachments', String(i), 'sha256'], message: 'unknown upload' }],
      });
    }
    const contentType = sniffContentType(content, ref.filename);
    out.push({ filename: safeFilename(ref.filename, contentType), contentType, sizeBytes: content.length, sha256: ref.sha256, storageKey: `blob:${ref.sha256}`, inline: ref.inline });
  }
  return out;
}
