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
import { findThread, threadIds } from './threading.ts';
import { queueAutoAcknowledgement } from './outbound.ts';
import type { InboundEmail, InboundStatus, Mailbox, OutboundEmail } from './types.ts';

export interface IngestLimits {
  /** Larger attachments are left out (and said so in the inbound record's reason). */
  maxAttachmentBytes: number;
  /** All attachments of one message together. */
  maxTotalAttachmentBytes: number;
  /**
   * A batch's jobs share one lease (30 s): once parsing a batch has taken this long (slow, huge
   * messages), the rest of it waits for the batch to commit and then goes one by one. Default 10 s.
   */
  batchParseBudgetMs?: number;
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

export interface IngestInput {
  workspaceId: string;
  inboundEmailId: string;
  /** The job this runs for: completed in the transaction that records the result (not when null is returned). */
  job?: { id: number; workerId: string };
}

/** A parsed message, or why it could not be parsed (parsing happens outside any transaction). */
type ParseOutcome = { parsed: ParsedEmail; rejection: null } | { parsed: null; rejection: string };

async function parseRaw(parser: EmailParser, raw: Buffer): Promise<ParseOutcome> {
  try {
    return { parsed: await parser.parse(raw), rejection: null };
  } catch (e) {
    return { parsed: null, rejection: e instanceof EmailRejected ? e.message : `could not parse: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export async function ingestInboundEmail(deps: Deps, parser: EmailParser, input: IngestInput, limits: IngestLimits = DEFAULT_INGEST_LIMITS): Promise<IngestResult | null> {
  // One read: nothing to do for a message already processed (the lock below checks again).
  const raw = await deps.store.inboundEmails.pendingRaw(input.workspaceId, input.inboundEmailId);
  if (!raw) return null;
  // Parse outside the transaction: CPU work must not hold a row lock or a connection.
  return ingestParsed(deps, parser, input, await parseRaw(parser, raw), limits);
}

async function ingestParsed(deps: Deps, parser: EmailParser, input: IngestInput, outcome: ParseOutcome, limits: IngestLimits): Promise<IngestResult | null> {
  const { workspaceId, inboundEmailId, job } = input;
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.store.transaction(async (tx) => {
        const row = await tx.inboundEmails.lock(workspaceId, inboundEmailId);
        if (!row || row.status !== 'pending') return null;
        const result = await ingestRow(deps, parser, tx, row, outcome, limits);
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

function ingestRow(deps: Deps, parser: EmailParser, tx: Repositories, row: InboundEmail, outcome: ParseOutcome, limits: IngestLimits): Promise<IngestResult> {
  return outcome.parsed
    ? process(deps, parser, tx, row, outcome.parsed, limits)
    : Promise.resolve({ status: 'rejected' as const, reason: outcome.rejection, ticketId: null, messageId: null });
}

/**
 * Several accepted messages at once (the worker hands over the ingest jobs it claimed together):
 * one read of their raw bytes, then one transaction that locks them, turns each pending one into
 * its ticket message exactly as `ingestInboundEmail` does, and completes their jobs, so a burst
 * costs one commit and one read of the workspace's mailboxes, SLA policies, calendars and rule
 * fingerprint instead of one per message. When that transaction fails (a lock conflict, a new
 * customer created meanwhile, one bad message), each message runs again on its own. Answers one
 * entry per input, in order: the result, null when there was nothing to do, or the error of a
 * message that failed on its own.
 */
export async function ingestInboundEmails(
  deps: Deps,
  parser: EmailParser,
  inputs: IngestInput[],
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): Promise<Array<IngestResult | null | Error>> {
  const ws = inputs[0]?.workspaceId;
  if (inputs.length < 2 || inputs.some((i) => i.workspaceId !== ws)) return alone(deps, parser, inputs, limits, new Map());
  const raws = await deps.store.inboundEmails.pendingRaws(ws!, inputs.map((i) => i.inboundEmailId));
  const outcomes = new Map<string, ParseOutcome>();
  // Parsing stops at the budget (see IngestLimits.batchParseBudgetMs); the rest go one by one after.
  const budget = limits.batchParseBudgetMs ?? 10_000;
  const started = performance.now();
  for (const [id, raw] of raws) {
    if (outcomes.size > 0 && performance.now() - started >= budget) break;
    outcomes.set(id, await parseRaw(parser, raw));
  }
  const later = inputs.filter((i) => raws.has(i.inboundEmailId) && !outcomes.has(i.inboundEmailId));
  const inBatch = inputs.filter((i) => !later.includes(i));
  const first = outcomes.size ? await inOneTransaction(deps, parser, ws!, inBatch, outcomes, limits) : inBatch.map(() => null);
  const rest = later.length ? await alone(deps, parser, later, limits, new Map()) : [];
  return inputs.map((i) => (later.includes(i) ? rest[later.indexOf(i)]! : first[inBatch.indexOf(i)]!));
}

/** The parsed messages of a batch in one transaction; any failure runs each alone. */
async function inOneTransaction(
  deps: Deps,
  parser: EmailParser,
  ws: string,
  inputs: IngestInput[],
  outcomes: Map<string, ParseOutcome>,
  limits: IngestLimits,
): Promise<Array<IngestResult | null | Error>> {
  try {
    return await deps.store.transaction(async (tx0) => {
      // The whole batch happens at one moment, as it commits at one.
      const now = deps.clock.now();
      const bdeps: Deps = { ...deps, clock: { now: () => new Date(now) } };
      const rows = new Map((await tx0.inboundEmails.lockMany(ws, [...outcomes.keys()])).map((r) => [r.id, r]));
      const work = inputs.flatMap((input) => {
        const row = rows.get(input.inboundEmailId);
        const outcome = outcomes.get(input.inboundEmailId);
        return row && row.status === 'pending' && outcome ? [{ input, row, outcome }] : [];
      });
      const tx = await batchReads(tx0, ws, now, work);
      const results = new Map<IngestInput, IngestResult>();
      for (const { input, row, outcome } of work) {
        if (row.status !== 'pending') continue; // a second job for one message
        const result = await ingestRow(bdeps, parser, tx, row, outcome, limits);
        row.status = result.status;
        results.set(input, result);
      }
      await tx.inboundEmails.markProcessedMany(ws, [...results].map(([i, r]) => ({ id: i.inboundEmailId, ...r })), now);
      const byWorker = new Map<string, number[]>();
      for (const { job } of results.keys()) if (job) byWorker.set(job.workerId, [...(byWorker.get(job.workerId) ?? []), job.id]);
      for (const [workerId, ids] of byWorker) await tx.jobs.completeMany(ids, workerId, now);
      return inputs.map((i) => results.get(i) ?? null);
    });
  } catch {
    return alone(deps, parser, inputs, limits, outcomes);
  }
}

/** Each message in its own transaction (the parse already done is reused). */
async function alone(deps: Deps, parser: EmailParser, inputs: IngestInput[], limits: IngestLimits, outcomes: Map<string, ParseOutcome>): Promise<Array<IngestResult | null | Error>> {
  const out: Array<IngestResult | null | Error> = [];
  for (const input of inputs) {
    try {
      const outcome = outcomes.get(input.inboundEmailId);
      out.push(outcome ? await ingestParsed(deps, parser, input, outcome, limits) : await ingestInboundEmail(deps, parser, input, limits));
    } catch (e) {
      out.push(e instanceof Error ? e : new Error(String(e)));
    }
  }
  return out;
}

/**
 * The transaction's repositories with the reads every message of a batch repeats answered once
 * for the batch: workspace settings ingest never writes (mailboxes, SLA policies, calendars, the
 * rule fingerprint, teams), and, read ahead for all the batch's messages in one statement each,
 * the senders' flood counts, the people behind the addresses, and the known Message-IDs. The
 * last two also see what the batch itself writes (a customer created by an earlier message, a
 * Message-ID it recorded): an address or an id the batch wrote is read from the database again.
 */
async function batchReads(tx: Repositories, ws: string, now: Date, work: Array<{ row: InboundEmail; outcome: ParseOutcome }>): Promise<Repositories> {
  const parsed = work.flatMap(({ row, outcome }) => (outcome.parsed ? [{ row, p: outcome.parsed }] : []));
  const senderOf = (row: InboundEmail, p: ParsedEmail) => (p.from?.address || row.envelope.from || '').toLowerCase();

  const since = new Date(now.getTime() - 3_600_000);
  const byMailbox = new Map<string, string[]>();
  for (const { row, p } of parsed) byMailbox.set(row.mailboxId, [...(byMailbox.get(row.mailboxId) ?? []), row.envelope.from || senderOf(row, p)]);
  const counts = new Map<string, Map<string, number>>();
  for (const [mailboxId, froms] of byMailbox) counts.set(mailboxId, await tx.inboundEmails.countFromSenders(mailboxId, froms, since));

  const addresses = [...new Set(parsed.flatMap(({ row, p }) => [senderOf(row, p), ...[...p.cc, ...p.to].map((a) => a.address.toLowerCase())]).filter((a) => a.includes('@')))];
  const found = await tx.users.findByEmails(ws, addresses);
  const people = new Map<string, User | null>(addresses.map((a) => [a, found.get(a) ?? null]));

  const rfcIds = new Set(parsed.flatMap(({ p }) => [...(p.messageId ? idForms([p.messageId]) : []), ...idForms(threadIds(p))]));
  const known = await tx.messageEmails.findByRfcIds(ws, [...rfcIds]);
  const written = new Set<string>();

  const users = Object.create(tx.users) as Repositories['users'];
  users.findByEmail = (w, email) => (w === ws && people.has(email.toLowerCase()) ? Promise.resolve(people.get(email.toLowerCase())!) : tx.users.findByEmail(w, email));
  users.insert = async (u) => {
    if (u.email) people.delete(u.email.toLowerCase());
    return tx.users.insert(u);
  };
  users.update = async (w, id, patch) => {
    for (const [a, u] of people) if (u?.id === id) people.delete(a);
    return tx.users.update(w, id, patch);
  };
  const messageEmails = Object.create(tx.messageEmails) as Repositories['messageEmails'];
  messageEmails.findByRfcIds = (w, ids) => {
    if (w !== ws || !ids.every((i) => rfcIds.has(i) && !written.has(i))) return tx.messageEmails.findByRfcIds(w, ids);
    const wanted = new Set(ids);
    return Promise.resolve(known.filter((k) => wanted.has(k.rfcMessageId)));
  };
  messageEmails.insert = async (m) => {
    written.add(m.rfcMessageId);
    return tx.messageEmails.insert(m);
  };
  const inboundEmails = Object.create(tx.inboundEmails) as Repositories['inboundEmails'];
  inboundEmails.countFromSender = (mailboxId, from, at) => {
    const n = at.getTime() === since.getTime() ? counts.get(mailboxId)?.get(from) : undefined;
    return n === undefined ? tx.inboundEmails.countFromSender(mailboxId, from, at) : Promise.resolve(n);
  };

  return {
    ...tx,
    users,
    messageEmails,
    inboundEmails,
    mailboxes: memo(tx.mailboxes, ['list']),
    slaPolicies: memo(tx.slaPolicies, ['list', 'findById']),
    businessCalendars: memo(tx.businessCalendars, ['findById', 'forTicket']),
    triggers: memo(tx.triggers, ['rulesFingerprint']),
    teams: memo(tx.teams, ['findById']),
  };
}

function memo<R extends object>(repo: R, methods: Array<keyof R & string>): R {
  const cache = new Map<string, Promise<unknown>>();
  const out = Object.create(repo) as R;
  for (const m of methods) {
    const f = (repo[m] as (...a: unknown[]) => Promise<unknown>).bind(repo);
    (out as Record<string, unknown>)[m] = (...a: unknown[]) => {
      const key = `${m}:${JSON.stringify(a)}`;
      let hit = cache.get(key);
      if (!hit) cache.set(key, (hit = f(...a)));
      return hit;
    };
  }
  return out;
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
  const blobs: Array<{ sha256: string; content: Buffer }> = [];
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
    blobs.push({ sha256, content: a.content });
    const inline = a.inline || (a.contentId !== null && referenced.has(a.contentId));
    out.push({
      att: { id: deps.ids.uuid(), filename, contentType, sizeBytes: size, sha256, storageKey: `blob:${sha256}`, inline },
      contentId: a.contentId,
    });
  }
  await tx.blobs.putMany(ws, blobs, now);
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
