/** Ticket messages with their email side, and attachment downloads, under the ticket's read rules. */
import type { ListMessagesQuery } from '@guichet/contracts';
import type { Deps } from '../deps.ts';
import type { Ctx } from '../shared/context.ts';
import { AppError } from '../shared/errors.ts';
import { loadReadableTicket, type TicketRef } from '../tickets/access.ts';
import { listMessages } from '../tickets/messages.ts';
import type { Attachment, MessageView } from '../tickets/types.ts';
import { foldText } from './fold.ts';
import type { MessageEmail } from './types.ts';

export interface MessageWithEmail extends MessageView {
  email: (MessageEmail & { quoteStart: number | null; signatureStart: number | null; remoteImages: number }) | null;
}

/** Remote images left unloaded by the sanitiser, given back their src when the agent asks. */
export function showRemoteImages(html: string): string {
  return html.replace(/<img\b[^>]*>/gi, (tag) => (/\ssrc=/i.test(tag) ? tag : tag.replace(/\sdata-remote-src="/i, ' src="')));
}

export async function listMessagesWithEmail(deps: Deps, ctx: Ctx, ref: TicketRef, q: ListMessagesQuery) {
  const page = await listMessages(deps, ctx, ref, q);
  const emails = await deps.store.messageEmails.findByMessageIds(ctx.workspaceId, page.items.map((m) => m.id));
  const byId = new Map(emails.map((e) => [e.messageId, e]));
  const items: MessageWithEmail[] = page.items.map((m) => {
    const e = byId.get(m.id);
    const remoteImages = m.bodyHtml ? (m.bodyHtml.match(/data-remote-src=/g)?.length ?? 0) : 0;
    const bodyHtml = m.bodyHtml && q.remoteImages === 'show' ? showRemoteImages(m.bodyHtml) : m.bodyHtml;
    return { ...m, bodyHtml, email: e ? { ...e, ...foldText(m.bodyText), remoteImages } : null };
  });
  return { items, nextCursor: page.nextCursor };
}

/** An attachment's record and bytes; 404 for anything the caller may not read. */
export async function getAttachment(
  deps: Deps,
  ctx: Ctx,
  ref: TicketRef,
  messageId: string,
  attachmentId: string,
): Promise<{ attachment: Attachment; content: Buffer }> {
  const { ticket, access } = await loadReadableTicket(deps, ctx, ref);
  let found: Attachment | null = null;
  let after: Parameters<typeof deps.store.messages.listForTicket>[2]['after'];
  // Walk the conversation the caller may see (internal notes only for staff).
  for (let pages = 0; pages < 1000 && !found; pages++) {
    const rows = await deps.store.messages.listForTicket(ctx.workspaceId, ticket.id, { includeInternal: access.viewInternal, limit: 200, ...(after ? { after } : {}) });
    const m = rows.find((r) => r.id === messageId);
    if (m) {
      found = m.attachments.find((a) => a.id === attachmentId) ?? null;
      break;
    }
    if (rows.length < 200) break;
    const last = rows[rows.length - 1]!;
    after = { sort: 'created_at', order: 'asc', value: last.createdAt.toISOString(), id: last.id };
  }
  if (!found || !found.sha256) throw new AppError('ATTACHMENT_NOT_FOUND', 'Attachment not found.');
  const content = await deps.store.blobs.get(ctx.workspaceId, found.sha256);
  if (!content) throw new AppError('ATTACHMENT_NOT_FOUND', 'Attachment not found.');
  return { attachment: found, content };
}
