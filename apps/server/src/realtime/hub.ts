/**
 * Real-time updates for the web app over a WebSocket at /api/v1/realtime. Every ticket event
 * written by any Guichet process reaches PostgreSQL's NOTIFY (a trigger on `events`, migration
 * 0007_web), so each web process LISTENs once and forwards what concerns a workspace to the staff
 * connected to it: a change made through one process shows in a browser connected to another.
 * Only what changed is sent (event type and ticket id); the browser reads the record through the
 * API, which applies the usual permissions.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { SESSION_COOKIE, authenticateApiToken, authenticateSession, can, type Authenticated, type Deps } from '@guichet/core';
import type { Database } from '@guichet/db';

export const REALTIME_PATH = '/api/v1/realtime';
const CHANNEL = 'guichet_events';
const HEARTBEAT_MS = 25_000;

export interface RealtimeHub {
  /** Connected sockets (for tests and health). */
  clients(): number;
  close(): Promise<void>;
}

interface Client {
  socket: WebSocket;
  workspaceId: string;
  alive: boolean;
}

export async function startRealtime(opts: { app: FastifyInstance; deps: Deps; database: Pick<Database, 'listen'> }): Promise<RealtimeHub> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const byWorkspace = new Map<string, Set<Client>>();
  const log = opts.app.log;

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
        const client: Client = { socket: ws, workspaceId: auth.workspace.id, alive: true };
        let set = byWorkspace.get(client.workspaceId);
        if (!set) byWorkspace.set(client.workspaceId, (set = new Set()));
        set.add(client);
        ws.on('pong', () => (client.alive = true));
        ws.on('message', () => {}); // nothing is expected from the browser
        ws.on('error', () => ws.terminate());
        ws.on('close', () => {
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
      clearInterval(heartbeat);
      opts.app.server.off('upgrade', onUpgrade);
      for (const set of byWorkspace.values()) for (const c of set) c.socket.close(1001, 'server stopping');
      byWorkspace.clear();
      await new Promise<void>((r) => wss.close(() => r()));
      await stopListening();
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
