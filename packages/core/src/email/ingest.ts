/**
 * The `email.ingest` job: turn one accepted raw message into a ticket message, or classify it
 * (duplicate, our own mail, bounce, auto-reply, flood, rejected) with a recorded reason.
 * Idempotent: the inbound row is locked and only a pending one is processed, in one transaction.
 */
import { createHash } from 'node:crypto';
import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import { AppError } from '../shared/errors.ts';
import { systemActor, type Actor, type Ctx } from '../shared/context.ts';
import { recordEvent } from '../shared/record.ts';
import { findOrCreateCustomer } from '../people/customers.ts';
import { diffTicket, statusTimestamps } from '../tickets/rules.ts';
import { ticketCreatedEvent } from '../tickets/create-ticket.ts';
import { slaOnTicketChanged, slaOnTicketCreated } from '../sla/track.ts';
import { notifyCustomerReply } from '../notifications/notify.ts';
import { runTriggers } from '../triggers/run.ts';
import { routeTicketJob } from '../routing/route-ticket.ts';
import type { Attachment, Ticket, TicketPatch } from '../tickets/types.ts';
import type { User } from '../people/types.ts';
import { autoReplyReason, bounceInfo, type BounceInfo } from './classify.ts';
import { guessLanguage, languageFromHeader } from './fold.ts';
import { bracketed, idForms } from './headers.ts';
import { EmailRejected, type EmailParser, type ParsedEmail } from './parsed.ts';
import { parseReplyAddress } from './reply-address.ts';
import { safeFilename, sniffContentType } from './sniff.ts';
import { findThread } from './threading.ts';
import { queueAutoAcknowledgement } from './outbound.ts';
import type { InboundEmail, InboundStatus, Mailbox, OutboundEmail } from './types.ts';

export interface IngestLimits {
  /** Larger attachments are left out (and said so in the inbound record's reason). */
  maxAttachmentBytes: number;
  /** All attachments of one message together. */
  maxTotalAttachmentBytes: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = { maxAttachmentBytes: 10 * 1024 * 1024, maxTotalAttachmentBytes: 25 * 1024 * 1024 };

const MAX_CC_FOLLOWERS = 20;

export interface IngestResult {
  status: InboundStatus;
  reason: string | null;
  ticketId: string | null;
  messageId: string | null;
}

/** The URL of an attachment, which inline images in sanitised HTML point to. */
export function attachmentUrl(ticketId: string, messageId: string, attachmentId: string): string {
  return `/api/v1/tickets/${ticketId}/messages/${messageId}/attachments/${attachmentId}`;
}

export async function ingestInboundEmail(
  deps: Deps,
  parser: EmailParser,
  input: {
    workspaceId: string;
    inboundEmailId: string;
    /** The job this runs for: completed in the transaction that records the result (not when null is returned). */
    job?: { id: number; workerId: string };
  },
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): Promise<IngestResult | null> {
  const { workspaceId, inboundEmailId, job } = input;
  // One read: nothing to do for a message already processed (the lock below checks again).
  const raw = await deps.store.inboundEmails.pendingRaw(workspaceId, inboundEmailId);
  if (!raw) return null;

  // Parse outside the transaction: CPU work must not hold a row lock or a connection.
  let parsed: ParsedEmail | null = null;
  let rejection: string | null = null;
  try {
    parsed = await parser.parse(raw);
  } catch (e) {
    rejection = e instanceof EmailRejected ? e.message : `could not parse: ${e instanceof Error ? e.message : String(e)}`;
  }

  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.store.transaction(async (tx) => {
        const row = await tx.inboundEmails.lock(workspaceId, inboundEmailId);
        if (!row || row.status !== 'pending') return null;
        const result = parsed
          ? await process(deps, parser, tx, row, parsed, limits)
          : { status: 'rejected' as const, reason: rejection, ticketId: null, messageId: null };
        const now = deps.clock.now();
        await tx.inboundEmails.markProcessed(workspaceId, row.id, result, now);
        if (job) await tx.jobs.complete(job.id, job.workerId, now);
        return result;
      });
    } catch (e) {
      // Two first mails from one new address at once: one transaction creates the customer, the
      // other hits the unique address and rolls back whole; run it again to find that customer.
      if (e instanceof AppError && e.code === 'EMAIL_TAKEN' && attempt < 3) continue;
      throw e;
    }
  }
}

async function process(
  deps: Deps,
  parser: EmailParser,
  tx: Repositories,
  row: InboundEmail,
  p: ParsedEmail,
  limits: IngestLimits,
): Promise<IngestResult> {
  const ws = row.workspaceId;
  const now = deps.clock.now();
  const ctx: Ctx = { workspaceId: ws, actor: systemActor, requestId: `email-${row.id}` };
  const result = (status: InboundStatus, reason: string | null, ticketId: string | null = null, messageId: string | null = null): IngestResult => ({
    status,
    reason: reason?.slice(0, 2000) ?? null,
    ticketId,
    messageId,
  });

  // One read for this mailbox and all our addresses (the workspace's mailboxes).
  const mailboxes = await tx.mailboxes.list(ws);
  const mailbox = mailboxes.find((m) => m.id === row.mailboxId);
  if (!mailbox) return result('rejected', 'the mailbox no longer exists');
  const own = new Set(mailboxes.map((m) => m.address.toLowerCase()));
  const isOwn = (a: string) => own.has(parseReplyAddress(a).base);
  const sender = (p.from?.address || row.envelope.from || '').toLowerCase();

  // 1. The same message delivered again (another route, another copy): one ticket message.
  if (p.messageId) {
    const prior = await tx.messageEmails.findByRfcIds(ws, idForms([p.messageId]));
    const inbound = prior.find((m) => m.direction === 'in');
    if (inbound) return result('duplicate', `Message-ID <${p.messageId}> was already received`, inbound.ticketId, inbound.messageId);
    if (prior.length) return result('ignored', `Message-ID <${p.messageId}> is one we sent`, prior[0]!.ticketId, null);
  }
  // 2. Delivery reports come from mailer daemons (or a null sender), so before the sender checks.
  const bounce = bounceInfo(p, row.envelope.from);
  if (bounce) return handleBounce(deps, tx, ctx, bounce, now, result);
  if (!sender || !sender.includes('@')) return result('rejected', 'no sender address');
  // 3. Our own mail coming back (a loop through a forward or an alias).
  if (isOwn(sender)) return result('ignored', `sent from our own address ${sender}`);
  // 4. Flood: one sender, this mailbox, over the hourly limit (this message included).
  const since = new Date(now.getTime() - 3_600_000);
  const recent = await tx.inboundEmails.countFromSender(mailbox.id, row.envelope.from || sender, since);
  if (recent > mailbox.floodLimitPerHour) {
    return result('held', `flood: ${recent} messages from ${row.envelope.from || sender} in the last hour (limit ${mailbox.floodLimitPerHour})`);
  }

  const autoReason = autoReplyReason(p);
  const thread = await findThread(deps, tx, ws, p, row.envelope, sender, own);
  if (autoReason && !(thread.ticket && thread.trusted)) {
    return result('auto_reply', `${autoReason}; not part of a ticket`);
  }

  const language = languageFromHeader(p.headers['content-language']) ?? guessLanguage(`${p.subject}\n${p.text}`);
  const requester = await findOrCreateCustomer(deps, ctx, tx, { email: sender, name: p.from?.name || undefined, language }, now);
  const actor: Actor = { type: 'user', userId: requester.id, role: requester.role, name: requester.name, organizationId: requester.organizationId, via: 'system' };
  const actx: Ctx = { ...ctx, actor };

  const append = thread.ticket && thread.trusted && thread.ticket.status !== 'closed' ? thread.ticket : null;
  const ticketId = append?.id ?? deps.ids.uuid();
  const messageId = deps.ids.uuid();
  const notes: string[] = [];
  const attachments = await storeAttachments(deps, tx, ws, p, limits, now, notes);
  const cidUrls = new Map<string, string>();
  for (const a of attachments) if (a.contentId) cidUrls.set(a.contentId, attachmentUrl(ticketId, messageId, a.att.id));
  const html = p.html ? parser.sanitizeHtml(p.html, { cidUrls }).html : null;
  const body = (p.text.trim() || (p.html ? '(HTML message)' : '(empty message)')).slice(0, 1_000_000);
  const visibility = autoReason ? 'internal' : 'public';

  let ticket: Ticket;
  if (append) {
    ticket = append;
    await tx.messages.insert(
      { id: messageId, workspaceId: ws, ticketId, authorId: requester.id, visibility, channel: 'email', bodyText: body, bodyHtml: html, createdAt: now },
      attachments.map((a) => a.att),
    );
    const patch: TicketPatch = {};
    if (!autoReason && (ticket.status === 'pending' || ticket.status === 'solved')) {
      patch.status = 'open';
      Object.assign(patch, statusTimestamps(ticket, 'open', now));
    }
    const updated = await tx.tickets.update(ws, ticketId, patch, now);
    await recordEvent(tx, actx, now, 'ticket', ticketId, 'message.added', {
      messageId,
      visibility,
      channel: 'email',
      attachments: attachments.length,
      via: thread.via,
      ...(autoReason ? { autoSubmitted: autoReason } : {}),
    });
    const changes = diffTicket(ticket, patch);
    if (Object.keys(changes).length) await recordEvent(tx, actx, now, 'ticket', ticketId, 'ticket.updated', { changes });
    await slaOnTicketChanged(tx, actx, ticket, updated, { visibility, byStaff: requester.role !== 'customer' }, now);
    const m = { body, visibility: visibility as 'public' | 'internal', byStaff: requester.role !== 'customer', channel: 'email' };
    await runTriggers(deps, tx, actx, { event: 'message.added', ticket: updated, before: ticket, message: m }, now);
    if (!autoReason && requester.role === 'customer') {
      await notifyCustomerReply(deps, tx, updated, { id: messageId, body, authorId: requester.id, authorName: requester.name }, now);
    }
  } else {
    ticket = await createEmailTicket(deps, tx, actx, { ticketId, messageId, mailbox, requester, p, body, html, attachments: attachments.map((a) => a.att), language, now });
    if (thread.ticket) {
      await tx.ticketLinks.link(ws, ticketId, thread.ticket.id, thread.ticket.status === 'closed' && thread.trusted ? 'follow_up' : 'email_reference', now);
      notes.push(
        thread.trusted
          ? `follow-up of closed ticket #${thread.ticket.number}`
          : `refers to ticket #${thread.ticket.number} (${thread.via}) but the sender is not on it: new ticket, linked`,
      );
    }
  }

  // Cc'd people (and other direct recipients that are not us) follow the ticket.
  const others = [...p.cc, ...p.to].filter((a) => a.address.includes('@') && !isOwn(a.address) && a.address !== sender);
  const followers: string[] = [];
  for (const a of dedupe(others).slice(0, MAX_CC_FOLLOWERS)) {
    const u = await findOrCreateCustomer(deps, ctx, tx, { email: a.address, name: a.name || undefined }, now);
    if (u.id !== ticket.requesterId) followers.push(u.id);
  }
  if (followers.length) await tx.followers.add(ws, ticketId, followers, now);

  await tx.messageEmails.insert({
    messageId,
    workspaceId: ws,
    direction: 'in',
    rfcMessageId: bracketed(p.messageId ?? `inbound-${row.id}@guichet.invalid`),
    inReplyTo: p.inReplyTo ? bracketed(p.inReplyTo) : null,
    references: p.references.slice(0, 100).map(bracketed),
    fromAddress: sender,
    toAddresses: p.to.map((a) => a.address).slice(0, 100),
    ccAddresses: p.cc.map((a) => a.address).slice(0, 100),
    subject: p.subject.slice(0, 2000),
    inboundEmailId: row.id,
    deliveryStatus: 'received',
    deliveryError: null,
    autoSubmitted: !!autoReason,
    createdAt: now,
  });
  if (autoReason) return result('auto_reply', [`${autoReason}; recorded as an internal note, not answered`, ...notes].join('; '), ticketId, messageId);
  if (!append) {
    // A new request: acknowledge it when the mailbox asks for it (never automatic mail: those returned above).
    const ack = await queueAutoAcknowledgement(deps, tx, {
      workspaceId: ws,
      ticketId,
      mailboxId: mailbox.id,
      to: sender,
      inReplyTo: p.messageId ? bracketed(p.messageId) : null,
      automated: false,
      name: p.from?.name || null,
      known: { mailbox, ticket, requester },
    });
    if (ack.queued) notes.push('acknowledged');
  }
  return result('ticketed', notes.length ? notes.join('; ') : null, ticketId, messageId);
}

function dedupe<T extends { address: string }>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((a) => !seen.has(a.address) && seen.add(a.address));
}

async function storeAttachments(
  deps: Deps,
  tx: Repositories,
  ws: string,
  p: ParsedEmail,
  limits: IngestLimits,
  now: Date,
  notes: string[],
): Promise<Array<{ att: Attachment; contentId: string | null }>> {
  const out: Array<{ att: Attachment; contentId: string | null }> = [];
  const referenced = new Set(p.html ? [...p.html.matchAll(/cid:([^'"\s)>]{1,256})/gi)].map((m) => m[1]!) : []);
  let total = 0;
  for (const a of p.attachments.slice(0, 100)) {
    const size = a.content.length;
    const contentType = sniffContentType(a.content, a.filename ?? '');
    const filename = safeFilename(a.filename, contentType);
    if (size > limits.maxAttachmentBytes || total + size > limits.maxTotalAttachmentBytes) {
      notes.push(`attachment "${filename}" (${size} bytes) left out: over the size limit`);
      continue;
    }
    total += size;
    const sha256 = createHash('sha256').update(a.content).digest('hex');
    await tx.blobs.put(ws, sha256, a.content, now);
    const inline = a.inline || (a.contentId !== null && referenced.has(a.contentId));
    out.push({
      att: { id: deps.ids.uuid(), filename, contentType, sizeBytes: size, sha256, storageKey: `blob:${sha256}`, inline },
      contentId: a.contentId,
    });
  }
  if (p.attachments.length > 100) notes.push(`${p.attachments.length - 100} attachments over the 100 per message left out`);
  return out;
}

async function createEmailTicket(
  deps: Deps,
  tx: Repositories,
  ctx: Ctx,
  f: { ticketId: string; messageId: string; mailbox: Mailbox; requester: User; p: ParsedEmail; body: string; html: string | null; attachments: Attachment[]; language: string | null; now: Date },
): Promise<Ticket> {
  const { p, now } = f;
  const language = f.language;
  const teamId = f.mailbox.teamId && (await tx.teams.findById(ctx.workspaceId, f.mailbox.teamId)) ? f.mailbox.teamId : null;
  const ticket: Omit<Ticket, 'number' | 'version'> = {
    id: f.ticketId,
    workspaceId: ctx.workspaceId,
    subject: (p.subject.trim() || '(no subject)').slice(0, 500),
    status: 'new',
    priority: 'normal',
    channel: 'email',
    requesterId: f.requester.id,
    organizationId: f.requester.organizationId,
    assigneeId: null,
    teamId,
    tags: [],
    customFields: {},
    language,
    createdAt: now,
    updatedAt: now,
    solvedAt: null,
    closedAt: null,
    categoryId: null,
  };
  const created = await tx.tickets.create({
    ticket,
    message: {
      id: f.messageId,
      workspaceId: ctx.workspaceId,
      ticketId: f.ticketId,
      authorId: f.requester.id,
      visibility: 'public',
      channel: 'email',
      bodyText: f.body,
      bodyHtml: f.html,
      createdAt: now,
    },
    attachments: f.attachments,
    event: ticketCreatedEvent(ctx, ticket, f.messageId, now, { mailboxId: f.mailbox.id }),
    job: routeTicketJob(ctx.workspaceId, ticket),
  });
  await slaOnTicketCreated(tx, ctx, created, { visibility: 'public', byStaff: false }, now);
  const message = { body: f.body, visibility: 'public' as const, byStaff: false, channel: 'email' };
  return runTriggers(deps, tx, ctx, { event: 'ticket.created', ticket: created, before: null, message }, now);
}

async function handleBounce(
  deps: Deps,
  tx: Repositories,
  ctx: Ctx,
  b: BounceInfo,
  now: Date,
  result: (status: InboundStatus, reason: string | null, ticketId?: string | null, messageId?: string | null) => IngestResult,
): Promise<IngestResult> {
  const ws = ctx.workspaceId;
  const ids = idForms(b.originalIds.slice(0, 50));
  const sent = (await tx.messageEmails.findByRfcIds(ws, ids)).filter((m) => m.direction === 'out');
  const outbound: OutboundEmail[] = [];
  for (const id of ids) {
    const o = await tx.outboundEmails.findByRfcId(id);
    if (o && o.workspaceId === ws && !outbound.some((x) => x.id === o.id)) outbound.push(o);
  }
  const ticketId = sent[0]?.ticketId ?? outbound.find((o) => o.ticketId)?.ticketId ?? null;
  const messageId = sent[0]?.messageId ?? outbound.find((o) => o.messageId)?.messageId ?? null;
  if (!b.failed) return result('bounce', `delivery report (not a failure): ${b.reason}`, ticketId, messageId);
  if (!sent.length && !outbound.length) return result('bounce', `bounce for a message we do not know: ${b.reason}`);

  const messageIds = new Set([...sent.map((m) => m.messageId), ...outbound.map((o) => o.messageId).filter((x): x is string => !!x)]);
  for (const m of messageIds) await tx.messageEmails.setDeliveryStatus(ws, m, 'bounced', b.reason);
  for (const o of outbound) await tx.outboundEmails.update(ws, o.id, { status: 'failed', lastError: `bounced: ${b.reason}` });
  const recipients = b.recipients.length ? b.recipients : [...new Set(outbound.flatMap((o) => o.toAddresses))];
  for (const r of recipients) await tx.emailFlags.flag(ws, r.toLowerCase(), 'bouncing', b.reason.slice(0, 1000), now);
  if (ticketId) await recordEvent(tx, ctx, now, 'ticket', ticketId, 'email.bounced', { messageIds: [...messageIds], recipients, reason: b.reason });
  return result('bounce', b.reason, ticketId, messageId);
}
