/**
 * The live connection to the server (/api/v1/realtime): it announces ticket changes made by
 * anyone, through any Guichet process. It reconnects by itself with a growing delay, and after a
 * reconnection listeners get a `resync` (changes may have been missed while away).
 */
export interface TicketSignal {
  type: string;
  ticketId: string;
}

/** Who else is on a ticket (the collision warning), as the server tells it. */
export interface PresenceSignal {
  type: 'presence';
  ticketId: string;
  people: Array<{ userId: string; name: string; state: 'viewing' | 'replying' }>;
}

/** `hello` on every (re)connection, `resync` after a reconnection (changes may have been missed). */
type Listener = (s: TicketSignal | PresenceSignal | { type: 'resync' } | { type: 'hello' }) => void;

let current: WebSocket | null = null;

/** Tell the server where this page is: on a ticket, replying to it, or gone. Dropped while disconnected (it is said again). */
export function sendPresence(ticketId: string, state: 'viewing' | 'replying' | 'left'): void {
  if (current?.readyState === WebSocket.OPEN) current.send(JSON.stringify({ type: 'presence', ticketId, state }));
}

export function connectRealtime(listener: Listener): () => void {
  let ws: WebSocket | null = null;
  let stopped = false;
  let delay = 1000;
  let timer: number | undefined;
  let connectedBefore = false;

  const open = () => {
    if (stopped) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/realtime`;
    ws = new WebSocket(url);
    current = ws;
    ws.onmessage = (m) => {
      let data: { type?: string; ticketId?: string; people?: PresenceSignal['people'] };
      try {
        data = JSON.parse(String(m.data));
      } catch {
        return;
      }
      if (data.type === 'hello') {
        delay = 1000;
        listener({ type: 'hello' });
        if (connectedBefore) listener({ type: 'resync' });
        connectedBefore = true;
        document.documentElement.dataset.live = 'on';
      } else if (data.type === 'presence' && data.ticketId && Array.isArray(data.people)) {
        listener({ type: 'presence', ticketId: data.ticketId, people: data.people });
      } else if (data.type && data.ticketId) listener({ type: data.type, ticketId: data.ticketId });
    };
    ws.onclose = () => {
      document.documentElement.dataset.live = 'off';
      if (current === ws) current = null;
      ws = null;
      if (stopped) return;
      timer = window.setTimeout(open, delay);
      delay = Math.min(delay * 2, 30_000);
    };
  };
  open();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    ws?.close();
  };
}
