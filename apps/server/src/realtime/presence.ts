/**
 * Who is looking at a ticket, and who is writing a reply to it: the collision warning. A browser
 * says so over its live connection (`{type:'presence', ticketId, state:'viewing'|'replying'|'left'}`)
 * and repeats it while it stays; the hub publishes each change with NOTIFY, so every Guichet
 * process on the database keeps the same picture and tells its own browsers. An entry that is not
 * repeated within PRESENCE_TTL_MS (a closed laptop, a killed process) disappears by itself.
 * Who someone is comes from their authenticated connection, never from what the browser says.
 */

export const PRESENCE_CHANNEL = 'guichet_presence';
export const PRESENCE_TTL_MS = 50_000;

export type PresenceState = 'viewing' | 'replying';

/** One notification on the channel: a connection's state on a ticket (`s: null` when it left). */
export interface PresenceNote {
  w: string;
  t: string;
  /** The connection: process and socket. */
  k: string;
  u: string;
  n: string;
  s: PresenceState | null;
}

export interface Person {
  userId: string;
  name: string;
  state: PresenceState;
}

interface Entry {
  userId: string;
  name: string;
  state: PresenceState;
  expiresAt: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a browser may send: anything else is ignored. */
export function parsePresenceMessage(raw: string): { ticketId: string; state: PresenceState | null } | null {
  let m: { type?: unknown; ticketId?: unknown; state?: unknown };
  try {
    m = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!m || m.type !== 'presence' || typeof m.ticketId !== 'string' || !UUID.test(m.ticketId)) return null;
  if (m.state === 'left') return { ticketId: m.ticketId.toLowerCase(), state: null };
  if (m.state !== 'viewing' && m.state !== 'replying') return null;
  return { ticketId: m.ticketId.toLowerCase(), state: m.state };
}

export function parsePresenceNote(payload: string): PresenceNote | null {
  try {
    const n = JSON.parse(payload) as PresenceNote;
    if (typeof n.w !== 'string' || typeof n.t !== 'string' || typeof n.k !== 'string' || typeof n.u !== 'string' || typeof n.n !== 'string') return null;
    if (n.s !== null && n.s !== 'viewing' && n.s !== 'replying') return null;
    return n;
  } catch {
    return null;
  }
}

/** The picture every process keeps: workspace → ticket → connection → entry. */
export class PresenceBoard {
  private readonly tickets = new Map<string, Map<string, Map<string, Entry>>>();

  /** Applies a note; true when the people on that ticket changed. */
  apply(n: PresenceNote, now: number): boolean {
    const before = this.key(n.w, n.t, now);
    let byTicket = this.tickets.get(n.w);
    if (n.s === null) {
      const conns = byTicket?.get(n.t);
      conns?.delete(n.k);
      if (conns && conns.size === 0) byTicket!.delete(n.t);
      if (byTicket && byTicket.size === 0) this.tickets.delete(n.w);
    } else {
      if (!byTicket) this.tickets.set(n.w, (byTicket = new Map()));
      let conns = byTicket.get(n.t);
      if (!conns) byTicket.set(n.t, (conns = new Map()));
      conns.set(n.k, { userId: n.u, name: n.n, state: n.s, expiresAt: now + PRESENCE_TTL_MS });
    }
    return this.key(n.w, n.t, now) !== before;
  }

  /** The people on a ticket, one per person (replying wins over viewing), by name. */
  people(workspaceId: string, ticketId: string, now: number): Person[] {
    const conns = this.tickets.get(workspaceId)?.get(ticketId);
    if (!conns) return [];
    const byUser = new Map<string, Person>();
    for (const e of conns.values()) {
      if (e.expiresAt <= now) continue;
      const seen = byUser.get(e.userId);
      if (!seen || (seen.state === 'viewing' && e.state === 'replying')) byUser.set(e.userId, { userId: e.userId, name: e.name, state: e.state });
    }
    return [...byUser.values()].sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
  }

  /** Drops expired entries; answers the tickets whose people changed. */
  expire(now: number): { workspaceId: string; ticketId: string }[] {
    const changed: { workspaceId: string; ticketId: string }[] = [];
    for (const [w, byTicket] of this.tickets) {
      for (const [t, conns] of byTicket) {
        let dropped = false;
        for (const [k, e] of conns) {
          if (e.expiresAt <= now) {
            conns.delete(k);
            dropped = true;
          }
        }
        if (dropped) changed.push({ workspaceId: w, ticketId: t });
        if (conns.size === 0) byTicket.delete(t);
      }
      if (byTicket.size === 0) this.tickets.delete(w);
    }
    return changed;
  }

  private key(w: string, t: string, now: number): string {
    return this.people(w, t, now).map((p) => `${p.userId}:${p.state}`).join(',');
  }
}
