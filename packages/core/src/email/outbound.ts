/**
 * Outgoing mail: agent replies and automatic acknowledgements are written to the outbox
 * (outbound_emails) in the transaction of the change that calls for them, with a `email.send`
 * job; the worker sends them (apps/server/src/email/outbound-transport.ts). Nothing here talks
 * to a mail server.
 */
import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import type { Ctx } from '../shared/context.ts';
import type { Message, Ticket } from '../tickets/types.ts';
import type { User } from '../people/types.ts';
import type { Mailbox, MessageEmail, OutboundEmail } from './types.ts';
import { replyAddressFor } from './reply-address.ts';
import { renderAutoAck } from './outbound-templates.ts';

export const EMAIL_SEND_JOB = 'email.send';
/** Temporary failures are retried with backoff (2 s … 1 h) this many times: about a day. */
export const EMAIL_SEND_MAX_ATTEMPTS = 30;
const AUTO_ACK_WINDOW_MS = 3_600_000;

/** Addresses that are machines: never acknowledged automatically. */
const MACHINE_SENDER = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|auto-?reply|notifications?)([+\-._@]|$)/i;

/**
 * After a staff member adds a public message to a ticket, queue it as an email to the requester
 * (and the followers who are customers, in Cc), in the same transaction.
 *
 * Which tickets: any channel, as long as the requester has an address and the workspace has an
 * enabled mailbox to send from. A customer who opened a ticket on the portal or whom an agent
 * entered by phone still expects the answer in their inbox, and the reply address brings their
 * answer back to the ticket. A workspace without a mailbox has no email channel: nothing is sent.
 *
 * Never: internal notes, customers' own messages (portal, or their mail coming in), messages
 * that arrived by email, and anything the system itself appends (it has its own paths).
 */
export async function queueReplyEmail(deps: Deps, tx: Repositories, ctx: Ctx, ticket: Ticket, message: Message, opts: { opening?: boolean } = {}): Promise<OutboundEmail | null> {
  if (message.visibility !== 'public' || message.channel === 'email') return null;
  if (ctx.actor.type !== 'user' || (ctx.actor.role !== 'admin' && ctx.actor.role !== 'agent')) return null;
  // One query for workspaces without an email channel, the common case before one is set up.
  const enabled = (await tx.mailboxes.list(ctx.workspaceId)).filter((m) => m.enabled);
  if (!enabled.length) return null;
  const requester = await tx.users.findById(ctx.workspaceId, ticket.requesterId);
  const to = requester?.email?.toLowerCase();
  if (!requester || !to || requester.id === ctx.actor.userId) return null;

  const thread = await tx.messageEmails.listForTicket(ctx.workspaceId, ticket.id);
  const mailbox = await ticketMailbox(tx, ctx.workspaceId, thread, enabled);
  if (await isFlagged(tx, ctx.workspaceId, to)) return null;

  const cc: string[] = [];
  const own = new Set([to, mailbox.address.toLowerCase()]);
  for (const userId of await tx.followers.list(ctx.workspaceId, ticket.id)) {
    const u = await tx.users.findById(ctx.workspaceId, userId);
    const address = u?.email?.toLowerCase();
    // Followers who are customers were Cc'd on the conversation; staff followers get
    // notifications of their own, not copies of customer mail.
    if (!u || u.role !== 'customer' || u.status !== 'active' || !address || own.has(address)) continue;
    if (await isFlagged(tx, ctx.workspaceId, address)) continue;
    own.add(address);
    cc.push(address);
  }

  const { inReplyTo, references } = threadHeaders(thread);
  const workspace = await tx.workspaces.findById(ctx.workspaceId);
  const now = message.createdAt;
  const outbound = await enqueueOutbound(tx, {
    id: deps.ids.uuid(),
    workspaceId: ctx.workspaceId,
    mailboxId: mailbox.id,
    messageId: message.id,
    ticketId: ticket.id,
    kind: 'reply',
    rfcMessageId: `<${deps.ids.uuid()}@${workspace?.mailDomain ?? domainOf(mailbox.address)}>`,
    fromAddress: formatAddress(mailbox.name, mailbox.address),
    replyTo: replyAddressFor(deps, mailbox.address, ticket.id),
    toAddresses: [to],
    ccAddresses: cc,
    subject: replySubject(ticket.subject, ticket.number, opts.opening),
    inReplyTo,
    references,
    textBody: message.bodyText,
    htmlBody: message.bodyHtml ?? textToHtml(message.bodyText),
    headers: { 'X-Guichet-Ticket': String(ticket.number) },
    attachmentIds: message.attachments.map((a) => a.id),
    createdAt: now,
  });
  await tx.messageEmails.insert({
    messageId: message.id,
    workspaceId: ctx.workspaceId,
    direction: 'out',
    rfcMessageId: outbound.rfcMessageId,
    inReplyTo,
    references,
    fromAddress: mailbox.address,
    toAddresses: [to],
    ccAddresses: cc,
    subject: outbound.subject,
    inboundEmailId: null,
    deliveryStatus: 'queued',
    deliveryError: null,
    autoSubmitted: false,
    createdAt: now,
  });
  return outbound;
}

export interface AutoAckInput {
  workspaceId: string;
  ticketId: string;
  mailboxId: string;
  /** The address to acknowledge: the sender of the mail that opened the ticket. */
  to: string;
  /** The Message-ID of that mail (threads the acknowledgement under it). */
  inReplyTo: string | null;
  /** Whether intake classified the mail as automatic (auto-reply, bounce, list, bulk): never acknowledged. */
  automated: boolean;
  /** The customer's name, for the greeting. */
  name?: string | null;
  /**
   * Records the caller already read or wrote in this transaction (the ingest that created the
   * ticket), so they are not read again; each must be the one the ids above designate.
   */
  known?: { mailbox?: Mailbox; ticket?: Pick<Ticket, 'id' | 'number' | 'subject' | 'language' | 'requesterId'>; requester?: User };
}

export type AutoAckResult =
  | { queued: true; outbound: OutboundEmail }
  | { queued: false; reason: 'disabled' | 'automated' | 'machine_sender' | 'own_address' | 'flagged' | 'rate_limited' | 'not_found' };

/**
 * Queue the acknowledgement of a NEW ticket opened by email, when its mailbox asks for one
 * (`autoAck`), inside the caller's transaction (the ingest of that mail). In the customer's
 * language (the ticket's, else their locale, else the workspace's: French or English), marked
 * `Auto-Submitted: auto-replied`, never to automatic mail, machine or flagged addresses or our own
 * mailboxes, and at most one per address per hour (whatever the mailbox), so two robots
 * answering each other cannot loop.
 */
export async function queueAutoAcknowledgement(deps: Deps, tx: Repositories, input: AutoAckInput): Promise<AutoAckResult> {
  const ws = input.workspaceId;
  const to = input.to.trim().toLowerCase();
  const known = input.known ?? {};
  const mailbox = known.mailbox?.id === input.mailboxId ? known.mailbox : await tx.mailboxes.findById(ws, input.mailboxId);
  if (!mailbox || !mailbox.enabled || !mailbox.autoAck) return { queued: false, reason: 'disabled' };
  if (input.automated) return { queued: false, reason: 'automated' };
  if (!to || !to.includes('@') || MACHINE_SENDER.test(to)) return { queued: false, reason: 'machine_sender' };
  if (await tx.mailboxes.findByAddress(to)) return { queued: false, reason: 'own_address' };
  if (await isFlagged(tx, ws, to)) return { queued: false, reason: 'flagged' };
  const now = deps.clock.now();
  if ((await tx.outboundEmails.countSentTo(ws, 'auto_ack', to, new Date(now.getTime() - AUTO_ACK_WINDOW_MS))) > 0) {
    return { queued: false, reason: 'rate_limited' };
  }
  const ticket = known.ticket?.id === input.ticketId ? known.ticket : await tx.tickets.findById(ws, input.ticketId);
  if (!ticket) return { queued: false, reason: 'not_found' };
  const [workspace, requester] = await Promise.all([
    tx.workspaces.findById(ws),
    known.requester?.id === ticket.requesterId ? known.requester : tx.users.findById(ws, ticket.requesterId),
  ]);
  const language = ticket.language ?? requester?.locale ?? workspace?.defaultLanguage ?? 'en';
  const body = renderAutoAck(language, {
    number: ticket.number,
    subject: ticket.subject,
    name: input.name ?? requester?.name ?? null,
    signature: mailbox.name,
  });
  const outbound = await enqueueOutbound(tx, {
    id: deps.ids.uuid(),
    workspaceId: ws,
    mailboxId: mailbox.id,
    messageId: null,
    ticketId: ticket.id,
    kind: 'auto_ack',
    rfcMessageId: `<${deps.ids.uuid()}@${workspace?.mailDomain ?? domainOf(mailbox.address)}>`,
    fromAddress: formatAddress(mailbox.name, mailbox.address),
    replyTo: replyAddressFor(deps, mailbox.address, ticket.id),
    toAddresses: [to],
    ccAddresses: [],
    subject: replySubject(ticket.subject, ticket.number),
    inReplyTo: input.inReplyTo,
    references: input.inReplyTo ? [input.inReplyTo] : [],
    textBody: body.text,
    htmlBody: textToHtml(body.text),
    headers: { 'X-Guichet-Ticket': String(ticket.number), 'Auto-Submitted': 'auto-replied', 'Content-Language': body.language },
    attachmentIds: [],
    createdAt: now,
  });
  await tx.events.append({
    workspaceId: ws,
    subjectType: 'ticket',
    subjectId: ticket.id,
    actor: { type: 'system', id: null },
    type: 'email.auto_ack.queued',
    data: { outboundEmailId: outbound.id, to, language: body.language },
    requestId: null,
    createdAt: now,
  });
  return { queued: true, outbound };
}

/** Write a new outbox row (queued, never tried) and its `email.send` job (not before `runAt` when given), in the caller's transaction. */
export async function enqueueOutbound(
  tx: Repositories,
  fields: Omit<OutboundEmail, 'status' | 'attempts' | 'lastError' | 'sentAt'>,
  runAt?: Date,
): Promise<OutboundEmail> {
  return (await enqueueOutboundMany(tx, [{ fields, runAt }]))[0]!;
}

/** Several mails at once: one statement for the outbox rows, one for their send jobs. */
export async function enqueueOutboundMany(
  tx: Repositories,
  mails: Array<{ fields: Omit<OutboundEmail, 'status' | 'attempts' | 'lastError' | 'sentAt'>; runAt?: Date | undefined }>,
): Promise<OutboundEmail[]> {
  if (!mails.length) return [];
  const out = mails.map(({ fields }): OutboundEmail => ({ ...fields, status: 'queued', attempts: 0, lastError: null, sentAt: null }));
  await tx.outboundEmails.insertMany(out);
  await tx.jobs.enqueueMany(
    out.map((o, i) => ({
      type: EMAIL_SEND_JOB,
      payload: { workspaceId: o.workspaceId, outboundEmailId: o.id },
      workspaceId: o.workspaceId,
      ...(mails[i]!.runAt ? { runAt: mails[i]!.runAt } : {}),
      dedupeKey: o.id,
      maxAttempts: EMAIL_SEND_MAX_ATTEMPTS,
    })),
    out[0]!.createdAt,
  );
  return out;
}

/**
 * The mailbox a ticket's mail leaves from: the one its first inbound mail arrived at, else the
 * workspace's first enabled mailbox.
 */
async function ticketMailbox(tx: Repositories, workspaceId: string, thread: MessageEmail[], enabled: Mailbox[]): Promise<Mailbox> {
  const first = thread.find((m) => m.direction === 'in' && m.inboundEmailId);
  if (first) {
    const inbound = await tx.inboundEmails.findById(workspaceId, first.inboundEmailId!);
    const mailbox = inbound && enabled.find((m) => m.id === inbound.mailboxId);
    if (mailbox) return mailbox;
  }
  return enabled[0]!;
}

/** In-Reply-To: the latest mail from the customer; References: the whole chain, oldest first. */
export function threadHeaders(thread: MessageEmail[]): { inReplyTo: string | null; references: string[] } {
  const lastIn = [...thread].reverse().find((m) => m.direction === 'in') ?? null;
  const chain: string[] = [];
  const add = (id: string | null | undefined) => {
    if (id && !chain.includes(id)) chain.push(id);
  };
  // The customer's own References first (they may go back before the ticket), then ours.
  for (const id of lastIn?.references ?? []) add(id);
  for (const m of thread) add(m.rfcMessageId);
  // Keep the header a reasonable size: the first id (the root) and the most recent ones.
  const references = chain.length > 20 ? [chain[0]!, ...chain.slice(-19)] : chain;
  return { inReplyTo: lastIn?.rfcMessageId ?? thread.at(-1)?.rfcMessageId ?? null, references };
}

/** The subject of mail about a ticket: its own with the reference, "Re:" unless it opens the conversation. */
export function replySubject(subject: string, number: number, opening = false): string {
  let s = subject.replace(/\s*\[#\d+\]\s*/g, ' ').trim();
  while (/^(re|tr|fwd?|aw)\s*:\s*/i.test(s)) s = s.replace(/^(re|tr|fwd?|aw)\s*:\s*/i, '');
  return `${opening ? '' : 'Re: '}${s || '(no subject)'} [#${number}]`;
}

/** Plain text as safe HTML: everything escaped, paragraphs and line breaks kept, links clickable. */
export function textToHtml(text: string): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const html = escape(p).replace(/\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g, (url) => `<a href="${url}">${url}</a>`);
      return `<p>${html.replace(/\n/g, '<br>\n')}</p>`;
    });
  return `<!doctype html>\n<html><body>\n${paragraphs.join('\n')}\n</body></html>`;
}

/** The host name of a URL (the domain of account mails when the workspace has none). */
export function hostOf(url: string): string {
  try {
    return new URL(url).hostname || 'localhost';
  } catch {
    return 'localhost';
  }
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** `"Name" <address>`, the name quoted so commas or brackets in it cannot add recipients. */
export function formatAddress(name: string, address: string): string {
  const clean = name.replace(/["\\\r\n]/g, '').trim();
  return clean ? `"${clean}" <${address}>` : address;
}

async function isFlagged(tx: Repositories, workspaceId: string, address: string): Promise<boolean> {
  return (await tx.emailFlags.get(workspaceId, address)) !== null;
}

/**
 * Queue a mail about someone's account (a password-reset link) in the caller's transaction. It
 * leaves from the workspace's first enabled mailbox, else from no-reply at the workspace's mail
 * domain or `fallbackDomain`, through the same outbox and `email.send` job as replies (so the
 * relay settings and retries apply). Returns null when the address is flagged as bouncing.
 */
export async function queueAccountEmail(
  deps: Deps,
  tx: Repositories,
  input: { workspaceId: string; to: string; subject: string; text: string; language: 'fr' | 'en'; fallbackDomain: string },
): Promise<OutboundEmail | null> {
  const to = input.to.trim().toLowerCase();
  if (await isFlagged(tx, input.workspaceId, to)) return null;
  const [workspace, mailboxes] = await Promise.all([tx.workspaces.findById(input.workspaceId), tx.mailboxes.list(input.workspaceId)]);
  const mailbox = mailboxes.find((m) => m.enabled) ?? null;
  const domain = workspace?.mailDomain ?? (mailbox ? domainOf(mailbox.address) : input.fallbackDomain);
  const now = deps.clock.now();
  const outbound = await enqueueOutbound(tx, {
    id: deps.ids.uuid(),
    workspaceId: input.workspaceId,
    mailboxId: mailbox?.id ?? null,
    messageId: null,
    ticketId: null,
    kind: 'notification',
    rfcMessageId: `<${deps.ids.uuid()}@${domain}>`,
    fromAddress: mailbox ? formatAddress(mailbox.name, mailbox.address) : formatAddress(workspace?.name ?? 'Guichet', `no-reply@${domain}`),
    replyTo: null,
    toAddresses: [to],
    ccAddresses: [],
    subject: input.subject,
    inReplyTo: null,
    references: [],
    textBody: input.text,
    htmlBody: textToHtml(input.text),
    headers: { 'Auto-Submitted': 'auto-generated', 'Content-Language': input.language },
    attachmentIds: [],
    createdAt: now,
  });
  return outbound;
}
