/**
 * A small closed-loop HTTP/1.1 load generator for loopback benchmarks: a fixed number of
 * keep-alive connections, one request in flight on each (no pipelining), so the number of
 * requests in flight is fixed. It writes prebuilt request bytes and reads only what it needs of
 * the answer (status line, Content-Length), to leave as much CPU as possible to the server under
 * test on a small machine. Answers must carry Content-Length (Fastify always sends it for JSON).
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface Response {
  status: number;
  body: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection; `send` resolves with the next complete answer. */
export class Connection {
  private socket: Socket | null = null;
  private connecting: Promise<Socket> | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { resolve(r: Response): void; reject(e: Error): void } | null = null;
  private expected = -1; // total bytes of the answer being read, once its headers are in
  private headerLength = 0;
  private status = 0;
  private closeAfter = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  private open(): Promise<Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: this.host, port: this.port, noDelay: true });
      s.once('connect', () => {
        this.socket = s;
        this.connecting = null;
        resolve(s);
      });
      s.on('data', (chunk: Buffer) => this.onData(chunk));
      s.on('error', (e) => {
        this.connecting = null;
        this.fail(e);
        reject(e);
      });
      s.on('close', () => {
        if (this.socket === s) this.socket = null;
        this.fail(new Error('connection closed by the server'));
      });
    });
    return this.connecting;
  }

  async send(request: Buffer): Promise<Response> {
    if (this.pending) throw new Error('one request at a time on a connection');
    const socket = await this.open();
    return new Promise<Response>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.buffer = Buffer.alloc(0);
      this.expected = -1;
      socket.write(request);
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    if (this.expected < 0) {
      const end = this.buffer.indexOf(HEADER_END);
      if (end < 0) return;
      const head = this.buffer.toString('latin1', 0, end);
      this.status = Number(head.slice(9, 12));
      const lower = head.toLowerCase();
      const m = /\r\ncontent-length:\s*(\d+)/.exec(lower);
      if (!m) {
        this.fail(new Error(`answer without Content-Length (status ${this.status})`));
        this.socket?.destroy();
        return;
      }
      this.closeAfter = /\r\nconnection:\s*close/.test(lower);
      this.headerLength = end + 4;
      this.expected = this.headerLength + Number(m[1]);
    }
    if (this.buffer.length < this.expected) return;
    const p = this.pending;
    const res: Response = { status: this.status, body: this.buffer.subarray(this.headerLength, this.expected) };
    this.pending = null;
    this.expected = -1;
    this.buffer = Buffer.alloc(0);
    if (this.closeAfter) {
      this.socket?.destroy();
      this.socket = null;
    }
    p?.resolve(res);
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = null;
    this.expected = -1;
    p?.reject(e);
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }
}

export interface LoadOptions {
  host: string;
  port: number;
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** The bytes of the i-th request (called once per request; keep it cheap). */
  request(i: number): Buffer;
  /** Status that counts as success. */
  expectStatus: number;
  /** Called with a few failed answers, to show what went wrong. */
  onError?(what: string): void;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  warmupRequests: number;
  warmupErrors: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/**
 * Closed loop: each connection sends, waits for the answer, sends again. A warm-up (not
 * counted), then a measured window; `onMeasureStart`/`onMeasureEnd` mark the window for
 * callers that sample CPU use. Answers that finish in the window are counted, with their latency.
 */
export async function runLoad(
  opts: LoadOptions,
  hooks: { onMeasureStart?(): void; onMeasureEnd?(): void } = {},
): Promise<LoadResult> {
  let phase: 'warmup' | 'measure' | 'done' = 'warmup';
  let next = 0;
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let errors = 0;
  let warmupRequests = 0;
  let warmupErrors = 0;
  let shownErrors = 0;
  const record = (ms: number) => {
    if (count === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[count++] = ms;
  };
  const noteError = (what: string) => {
    if (phase === 'measure') errors++;
    else if (phase === 'warmup') warmupErrors++;
    if (shownErrors++ < 5) opts.onError?.(what);
  };

  const conns = Array.from({ length: opts.connections }, () => new Connection(opts.host, opts.port));
  const loop = async (c: Connection) => {
    while (phase !== 'done') {
      const req = opts.request(next++);
      const started = performance.now();
      let res: Response;
      try {
        res = await c.send(req);
      } catch (e) {
        noteError((e as Error).message);
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      const ms = performance.now() - started;
      if (res.status !== opts.expectStatus) {
        noteError(`HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
        continue;
      }
      if (phase === 'measure') record(ms);
      else if (phase === 'warmup') warmupRequests++;
    }
  };
  const loops = conns.map(loop);

  await new Promise((r) => setTimeout(r, opts.warmupMs));
  hooks.onMeasureStart?.();
  phase = 'measure';
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, opts.durationMs));
  phase = 'done';
  const seconds = (performance.now() - t0) / 1000;
  hooks.onMeasureEnd?.();
  await Promise.all(loops);
  for (const c of conns) c.close();

  const sorted = latencies.slice(0, count).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  return {
    requests: count,
    errors,
    seconds,
    rps: count / seconds,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: count ? sum / count : NaN,
    warmupRequests,
    warmupErrors,
  };
}

/** The bytes of one HTTP/1.1 request with a JSON (or no) body. */
export function buildRequest(method: string, path: string, host: string, headers: Record<string, string>, body?: string): Buffer {
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (body !== undefined) {
    const bytes = Buffer.from(body, 'utf8');
    head += `content-type: application/json\r\ncontent-length: ${bytes.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
  }
  return Buffer.from(`${head}\r\n`, 'latin1');
}
