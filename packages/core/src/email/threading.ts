/** Which ticket an inbound mail belongs to, and whether its sender may add to it. */
import type { Repositories } from '../store.ts';
import type { Deps } from '../deps.ts';
import type { Ticket } from '../tickets/types.ts';
import type { ParsedEmail } from './parsed.ts';
import type { InboundEnvelope } from './types.ts';
import { parseReplyAddress, verifyReplyToken } from './reply-address.ts';
import { idForms } from './headers.ts';
import { followMerges } from '../tickets/merge-ticket.ts';

/** `[#1234]` in a subject (the reference our outgoing mail carries). */
export function ticketNumberFromSubject(subject: string): number | null {
  const m = subject.match(/\[#(\d{1,9})\]/);
  return m ? Number(m[1]) : null;
}

/** The Message-IDs a mail refers to, nearest first (In-Reply-To, then References from the end). */
export function threadIds(p: Pick<ParsedEmail, 'inReplyTo' | 'references'>): string[] {
  return [...new Set([p.inReplyTo, ...[...p.references].reverse()].filter((x): x is string => !!x))].slice(0, 50);
}

export interface ThreadMatch {
  /** The ticket the mail refers to, if any. */
  ticket: Ticket | null;
  /** Whether the mail may be appended to it (signed address, or a known sender). */
  trusted: boolean;
  via: 'reply-address' | 'in-reply-to' | 'subject' | null;
}

export async function findThread(
  deps: Pick<Deps, 'keyring'>,
  tx: Repositories,
  workspaceId: string,
  p: ParsedEmail,
  envelope: InboundEnvelope,
  sender: string,
  ownAddresses: Set<string>,
): Promise<ThreadMatch> {
  // 1. A signed reply address: proof enough on its own (only we can make one).
  const rcpts = [...envelope.rcptTo, ...p.to.map((a) => a.address), ...p.cc.map((a) => a.address)];
  for (const r of rcpts) {
    const { base, detail } = parseReplyAddress(r);
    if (!detail || !ownAddresses.has(base)) continue;
    const ticketId = verifyReplyToken(deps, detail);
    if (!ticketId) continue;
    const ticket = await tx.tickets.lock(workspaceId, ticketId);
    // A merged ticket's mail goes on with the ticket that took its conversation.
    if (ticket) return { ticket: await followMerges((id) => tx.tickets.lock(workspaceId, id), ticket), trusted: true, via: 'reply-address' };
  }
  // 2. Message-IDs we know (ours or earlier mail of the thread), then 3. [#n] in the subject:
  //    both can be guessed or copied, so the sender must belong to the ticket.
  let ticket: Ticket | null = null;
  let via: ThreadMatch['via'] = null;
  const ids = threadIds(p);
  if (ids.length) {
    const known = await tx.messageEmails.findByRfcIds(workspaceId, idForms(ids));
    const byId = new Map(known.map((k) => [k.rfcMessageId.replace(/^<|>$/g, ''), k.ticketId]));
    const hit = ids.map((i) => byId.get(i)).find(Boolean);
    if (hit) {
      ticket = await tx.tickets.lock(workspaceId, hit);
      via = 'in-reply-to';
    }
  }
  if (!ticket) {
    const n = ticketNumberFromSubject(p.subject);
    if (n !== null) {
      const view = await tx.tickets.findByNumber(workspaceId, n);
      if (view) {
        ticket = await tx.tickets.lock(workspaceId, view.id);
        via = 'subject';
      }
    }
  }
  if (!ticket) return { ticket: null, trusted: false, via: null };
  // Merged: the conversation (and its followers) lives on the target now.
  ticket = await followMerges((id) => tx.tickets.lock(workspaceId, id), ticket);
  return { ticket, trusted: await belongsToTicket(tx, workspaceId, ticket, sender), via };
}

/** The requester or a follower of the ticket (by address, case-insensitive). */
async function belongsToTicket(tx: Repositories, workspaceId: string, ticket: Ticket, sender: string): Promise<boolean> {
  const user = await tx.users.findByEmail(workspaceId, sender.toLowerCase());
  if (!user) return false;
  if (user.id === ticket.requesterId) return true;
  return (await tx.followers.list(workspaceId, ticket.id)).includes(user.id);
}
