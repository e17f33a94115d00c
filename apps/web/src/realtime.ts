/**
 * The live connection to the server (/api/v1/realtime): it announces ticket changes made by
 * anyone, through any Guichet process. It reconnects by itself with a growing delay, and after a
 * reconnection listeners get a `resync` (changes may have been missed while away).
 */
export interface TicketSignal {
  type: string;
  ticketId: string;
}

type Listener = (s: TicketSignal | { type: 'resync' }) => void;

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
    ws.onmessage = (m) => {
      let data: { type?: string; ticketId?: string };
      try {
        data = JSON.parse(String(m.data));
      } catch {
        return;
      }
      if (data.type === 'hello') {
        delay = 1000;
        if (connectedBefore) listener({ type: 'resync' });
        connectedBefore = true;
        document.documentElement.dataset.live = 'on';
      } else if (data.type && data.ticketId) listener({ type: data.type, ticketId: data.ticketId });
    };
    ws.onclose = () => {
      document.documentElement.dataset.live = 'off';
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
