/**
 * Real-time updates for the web app over a WebSocket at /api/v1/realtime. Every ticket event
 * written by any Guichet process reaches PostgreSQL's NOTIFY (a trigger on `events`, migration
 * 0007_web), so each web process LISTENs once and forwards what concerns a workspace to the staff
 * connected to it: a change made through one process shows in a browser connected to another.
 * Only what changed is sent (event type and ticket id); the browser reads the record through the
 * API, which applies the usual permissions. The same connection carries who is viewing or
 * replying to which ticket (presence.ts), for the collision warning.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { SESSION_COOKIE, authenticateApiToken, authenticateSession, can, type Authenticated, type Deps } from '@guichet/core';
import type { Database } from '@guichet/db';
import { PRESENCE_CHANNEL, PresenceBoard, parsePresenceMessage, parsePresenceNote, type PresenceNote, type PresenceState } from './presence.ts';

export const REALTIME_PATH = '/api/v1/realtime';
const CHANNEL = 'guichet_events';
const HEARTBEAT_MS = 25_000;
/** A browser may say where it is this often (per connection and window), about this many tickets at once. */
const PRESENCE_BUDGET = { messages: 30, windowMs: 10_000, tickets: 20 };
const PRESENCE_SWEEP_MS = 10_000;

export interface RealtimeHub {
  /** Connected sockets (for tests and health). */
  clients(): number;
  close(): Promise<void>;
}

interface Client {
  socket: WebSocket;
  workspaceId: string;
  alive: boolean;
  key: string;
  userId: string;
  name: string;
  /** Tickets this connection said it is on. */
  tickets: Map<string, PresenceState>;
  budget: { used: number; since: number };
}

export async function startRealtime(opts: { app: FastifyInstance; deps: Deps; database: Pick<Database, 'listen' | 'notify'> }): Promise<RealtimeHub> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const byWorkspace = new Map<string, Set<Client>>();
  const log = opts.app.log;
  const board = new PresenceBoard();
  const processKey = randomBytes(6).toString('hex');
  let connections = 0;

  const sendPeople = (workspaceId: string, ticketId: string, only?: Client) => {
    const msg = JSON.stringify({ type: 'presence', ticketId, people: board.people(workspaceId, ticketId, Date.now()) });
    for (const c of only ? [only] : (byWorkspace.get(workspaceId) ?? [])) if (c.socket.readyState === c.socket.OPEN) c.socket.send(msg);
  };
  let closing = false;
  const publish = (c: Client, ticketId: string, state: PresenceState | null) => {
    if (closing) return; // the others forget this process's entries when they expire
    const note: PresenceNote = { w: c.workspaceId, t: ticketId, k: c.key, u: c.userId, n: c.name, s: state };
    opts.database.notify(PRESENCE_CHANNEL, JSON.stringify(note)).catch((err) => log.warn({ err }, 'presence not published'));
  };
  const onPresence = (c: Client, raw: string) => {
    const m = parsePresenceMessage(raw);
    if (!m) return;
    const now = Date.now();
    if (now - c.budget.since > PRESENCE_BUDGET.windowMs) c.budget = { used: 0, since: now };
    if (++c.budget.used > PRESENCE_BUDGET.messages) return;
    if (m.state === null) {
      if (!c.tickets.delete(m.ticketId)) return;
    } else {
      if (!c.tickets.has(m.ticketId) && c.tickets.size >= PRESENCE_BUDGET.tickets) return;
      const fresh = !c.tickets.has(m.ticketId);
      c.tickets.set(m.ticketId, m.state);
      // Who was already there, at once; the change itself comes back through the channel.
      if (fresh) sendPeople(c.workspaceId, m.ticketId, c);
    }
    publish(c, m.ticketId, m.state);
  };
  const stopPresence = await opts.database.listen(PRESENCE_CHANNEL, (payload) => {
    const n = parsePresenceNote(payload);
    if (n && board.apply(n, Date.now())) sendPeople(n.w, n.t);
  });
  const presenceSweep = setInterval(() => {
    for (const x of board.expire(Date.now())) sendPeople(x.workspaceId, x.ticketId);
  }, PRESENCE_SWEEP_MS);
  presenceSweep.unref();

  const stopListening = await opts.database.listen(CHANNEL, (payload) => {
    let n: { w?: string; t?: string; i?: string; e?: number };
    try {
      n = JSON.parse(payload);
    } catch {
      return;
    }
    const set = n.w ? byWorkspace.get(n.w) : undefined;
    if (!set?.size) return;
    const msg = JSON.stringify({ type: n.t, ticketId: n.i, eventId: n.e });
    for (const c of set) if (c.socket.readyState === c.socket.OPEN) c.socket.send(msg);
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== REALTIME_PATH) return;
    void (async () => {
      let auth: Authenticated;
      try {
        auth = await authenticateUpgrade(opts.deps, req);
      } catch {
        return refuse(socket, 401, 'Unauthorized');
      }
      // Staff only: customers follow their tickets through the portal.
      if (!can(auth.actor, 'tickets:read_all')) return refuse(socket, 403, 'Forbidden');
      wss.handleUpgrade(req, socket, head, (ws) => {
        const client: Client = {
          socket: ws, workspaceId: auth.workspace.id, alive: true,
          key: `${processKey}:${++connections}`, userId: auth.actor.userId ?? 'system', name: auth.actor.name ?? '',
          tickets: new Map(), budget: { used: 0, since: Date.now() },
        };
        let set = byWorkspace.get(client.workspaceId);
        if (!set) byWorkspace.set(client.workspaceId, (set = new Set()));
        set.add(client);
        ws.on('pong', () => (client.alive = true));
        ws.on('message', (data, isBinary) => {
          if (!isBinary) onPresence(client, data.toString());
        });
        ws.on('error', () => ws.terminate());
        ws.on('close', () => {
          for (const ticketId of client.tickets.keys()) publish(client, ticketId, null);
          set!.delete(client);
          if (set!.size === 0) byWorkspace.delete(client.workspaceId);
        });
        ws.send(JSON.stringify({ type: 'hello' }));
      });
    })().catch((err) => {
      log.error({ err }, 'realtime upgrade failed');
      refuse(socket, 500, 'Internal Server Error');
    });
  };
  opts.app.server.on('upgrade', onUpgrade);

  // Dead connections (a laptop closed) are dropped after a missed heartbeat.
  const heartbeat = setInterval(() => {
    for (const set of byWorkspace.values()) {
      for (const c of set) {
        if (!c.alive) {
          c.socket.terminate();
          continue;
        }
        c.alive = false;
        c.socket.ping();
      }
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    clients: () => [...byWorkspace.values()].reduce((n, s) => n + s.size, 0),
    async close() {
      closing = true;
      clearInterval(heartbeat);
      clearInterval(presenceSweep);
      opts.app.server.off('upgrade', onUpgrade);
      for (const set of byWorkspace.values()) for (const c of set) c.socket.close(1001, 'server stopping');
      byWorkspace.clear();
      await new Promise<void>((r) => wss.close(() => r()));
      await stopListening();
      await stopPresence();
    },
  };
}

async function authenticateUpgrade(deps: Deps, req: IncomingMessage): Promise<Authenticated> {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new Error('bad authorization header');
    return authenticateApiToken(deps, m[1]!);
  }
  // A page of another site must not ride the session cookie (cross-site WebSocket hijacking).
  const origin = req.headers.origin;
  if (origin) {
    let host: string | null = null;
    try {
      host = new URL(origin).host;
    } catch {
      /* not a URL */
    }
    if (host !== req.headers.host) throw new Error('cross-site');
  }
  const token = cookieValue(req.headers.cookie ?? '', SESSION_COOKIE);
  if (!token) throw new Error('no session');
  return authenticateSession(deps, token);
}

function cookieValue(header: string, name: string): string | null {
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

function refuse(socket: Duplex, status: number, text: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}
