/**
 * Notifications of people's work: a mention in a note, a ticket assigned to you, a customer's
 * reply on a ticket you are assigned to or follow. Written in the transaction of the change that
 * causes them, in each recipient's language; mailed too (through the outbox) to those who asked.
 */
import type { Deps } from '../deps.ts';
import type { Repositories } from '../store.ts';
import type { Ticket } from '../tickets/types.ts';
import type { User } from '../people/types.ts';
import { enqueueOutboundMany, formatAddress } from '../email/outbound.ts';
import { mentionsAsText } from '../tickets/mentions.ts';

export type WorkKind = 'mention' | 'assigned' | 'reply';
export type Lang = 'en' | 'fr';

export interface WorkNotice {
  kind: WorkKind;
  ticket: Pick<Ticket, 'id' | 'number' | 'subject' | 'workspaceId'>;
  /** Who caused it (never notified of their own action); null for the routing engine or a rule. */
  actorId: string | null;
  actorName: string | null;
  /** The note or reply, for mentions and replies. */
  excerpt?: string;
  /** Part of the dedupe key: one notice per recipient and cause. */
  cause: string;
}

const EXCERPT = 280;

export function excerptOf(text: string): string {
  const flat = mentionsAsText(text).replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
}

/** The words of a notice in one language (pure). */
export function workNoticeText(n: Pick<WorkNotice, 'kind' | 'ticket' | 'actorName' | 'excerpt'>, lang: Lang): { title: string; body: string } {
  const num = n.ticket.number;
  const who = n.actorName?.trim() || 'Guichet';
  const excerpt = n.excerpt ? excerptOf(n.excerpt) : '';
  if (n.kind === 'mention') {
    return lang === 'fr'
      ? { title: `${who} vous a mentionné sur le ticket #${num}`, body: excerpt || `« ${n.ticket.subject} »` }
      : { title: `${who} mentioned you on ticket #${num}`, body: excerpt || `"${n.ticket.subject}"` };
  }
  if (n.kind === 'assigned') {
    if (lang === 'fr') {
      return { title: `Ticket #${num} assigné à vous`, body: n.actorName ? `« ${n.ticket.subject} », assigné par ${who}.` : `« ${n.ticket.subject} », assigné par le routage automatique.` };
    }
    return { title: `Ticket #${num} assigned to you`, body: n.actorName ? `"${n.ticket.subject}", assigned by ${who}.` : `"${n.ticket.subject}", assigned by automatic routing.` };
  }
  return lang === 'fr'
    ? { title: `Nouvelle réponse de ${who} sur le ticket #${num}`, body: excerpt || `« ${n.ticket.subject} »` }
    : { title: `New reply from ${who} on ticket #${num}`, body: excerpt || `"${n.ticket.subject}"` };
}

/** Active staff among `userIds`, each once, without the actor. */
async function recipients(tx: Repositories, workspaceId: string, userIds: Array<string | null | undefined>, actorId: string | null): Promise<User[]> {
  const out: User[] = [];
  for (const id of new Set(userIds.filter((x): x is string => !!x && x !== actorId))) {
    const u = await tx.users.findById(workspaceId, id);
    if (u && u.role !== 'customer' && u.status === 'active') out.push(u);
  }
  return out;
}

/** Write the notice for each recipient (once per dedupe key) and queue its email for those who want one. Returns how many were written. */
export async function notifyWork(deps: Deps, tx: Repositories, userIds: Array<string | null | undefined>, n: WorkNotice, now: Date): Promise<number> {
  const ws = n.ticket.workspaceId;
  const people = await recipients(tx, ws, userIds, n.actorId);
  let written = 0;
  let sender: NotificationSender | null | undefined;
  for (const u of people) {
    const lang: Lang = u.locale === 'fr' ? 'fr' : 'en';
    const text = workNoticeText(n, lang);
    const inserted = await tx.notifications.insert({
      id: deps.ids.uuid(),
      workspaceId: ws,
      userId: u.id,
      ticketId: n.ticket.id,
      kind: n.kind,
      title: text.title,
      body: text.body,
      data: { ticketNumber: n.ticket.number, actorId: n.actorId },
      dedupeKey: `${n.kind}:${n.ticket.id}:${n.cause}`,
      createdAt: now,
      readAt: null,
    });
    if (!inserted) continue;
    written++;
    if (!u.emailNotifications || !u.email) continue;
    if (sender === undefined) sender = await notificationSender(tx, ws);
    if (!sender) continue;
    await queueNotificationMail(deps, tx, sender, { ticket: n.ticket, to: u.email, subject: text.title, text: `${text.body}\n\nTicket #${n.ticket.number} — ${n.ticket.subject}\n`, lang, now });
  }
  return written;
}

export interface NotificationSender {
  from: string;
  mailboxId: string | null;
  /** Of the Message-ID. */
  domain: string;
}

/** Notifications leave from the workspace's first enabled mailbox, else no-reply@ its mail domain; none without either. */
export async function notificationSender(tx: Repositories, ws: string): Promise<NotificationSender | null> {
  const workspace = await tx.workspaces.findById(ws);
  const mailbox = (await tx.mailboxes.list(ws)).find((m) => m.enabled);
  const domain = workspace?.mailDomain ?? mailbox?.address.split('@')[1] ?? 'guichet.invalid';
  if (mailbox) return { from: formatAddress(workspace?.name ?? 'Guichet', mailbox.address), mailboxId: mailbox.id, domain };
  if (workspace?.mailDomain) return { from: `Guichet <no-reply@${workspace.mailDomain}>`, mailboxId: null, domain };
  return null;
}

export interface NotificationMail {
  ticket: Pick<Ticket, 'id' | 'number' | 'workspaceId'>;
  to: string;
  subject: string;
  text: string;
  lang: Lang;
  now: Date;
  runAt?: Date;
}

/** A notification's email to one person (outbox row and send job, in the caller's transaction; not before `runAt`). */
export async function queueNotificationMail(deps: Deps, tx: Repositories, sender: NotificationSender, m: NotificationMail): Promise<void> {
  await queueNotificationMails(deps, tx, sender, [m]);
}

/** Several notification emails from one sender, in two statements. */
export async function queueNotificationMails(deps: Deps, tx: Repositories, sender: NotificationSender, mails: NotificationMail[]): Promise<void> {
  await enqueueOutboundMany(
    tx,
    mails.map((m) => ({
      fields: {
        id: deps.ids.uuid(),
        workspaceId: m.ticket.workspaceId,
        mailboxId: sender.mailboxId,
        messageId: null,
        ticketId: m.ticket.id,
        kind: 'notification',
        rfcMessageId: `<${deps.ids.uuid()}@${sender.domain}>`,
        fromAddress: sender.from,
        replyTo: null,
        toAddresses: [m.to],
        ccAddresses: [],
        subject: m.subject,
        inReplyTo: null,
        references: [],
        textBody: m.text,
        htmlBody: null,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Guichet-Ticket': String(m.ticket.number), 'Content-Language': m.lang },
        attachmentIds: [],
        createdAt: m.now,
      },
      runAt: m.runAt,
    })),
  );
}

/** A ticket changed hands: tell the new assignee (unless they took it themselves). */
export async function notifyAssigned(deps: Deps, tx: Repositories, before: Pick<Ticket, 'assigneeId'> | null, after: Ticket, actor: { id: string | null; name: string | null }, now: Date): Promise<void> {
  if (!after.assigneeId || after.assigneeId === before?.assigneeId) return;
  await notifyWork(deps, tx, [after.assigneeId], { kind: 'assigned', ticket: after, actorId: actor.id, actorName: actor.name, cause: `${after.assigneeId}:${now.toISOString()}` }, now);
}

/** A customer wrote on a ticket: tell its assignee and the staff who follow it. */
export async function notifyCustomerReply(deps: Deps, tx: Repositories, ticket: Ticket, m: { id: string; body: string; authorId: string | null; authorName: string | null }, now: Date): Promise<void> {
  const followers = await tx.staffFollowers.list(ticket.workspaceId, ticket.id);
  await notifyWork(deps, tx, [ticket.assigneeId, ...followers.map((f) => f.id)], { kind: 'reply', ticket, actorId: m.authorId, actorName: m.authorName, excerpt: m.body, cause: m.id }, now);
}
