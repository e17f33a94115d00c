/**
 * A counting TCP proxy between a server under test and PostgreSQL, for `--statements`: it
 * forwards every byte unchanged and reads the frontend messages the server sends, so a bench can
 * print SQL statements and round trips per request without touching the product. It costs a
 * hop and some CPU in the bench process, so throughput measured through it is lower: benches
 * say so when it is on.
 *
 * Counted (PostgreSQL frontend/backend protocol 3.0): Execute ('E', one statement of the
 * extended protocol, which node-postgres uses for every parameterised query), Query ('Q', a
 * simple-protocol query such as BEGIN or COMMIT), Sync ('S', the end of one extended-protocol
 * exchange). Round trips are Sync + Query: node-postgres waits for each answer before sending
 * the next query on a connection.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface PgCounts {
  statements: number;
  roundTrips: number;
  /** BEGIN sent as a simple query (how Kysely opens a transaction). */
  transactions: number;
}

/** How many times each statement text was sent (Parse or simple Query), for `--statements` breakdowns. */
export type PgStatementTally = Map<string, number>;

/** What was sent between two tallies, most frequent first. */
export function tallyDiff(a: PgStatementTally, b: PgStatementTally): Array<[string, number]> {
  return [...b].map(([text, n]): [string, number] => [text, n - (a.get(text) ?? 0)]).filter(([, n]) => n > 0).sort((x, y) => y[1] - x[1]);
}

export interface PgCounter {
  /** The URL to give the server instead of the real one. */
  url: string;
  counts(): PgCounts;
  /** A copy of the per-text tally so far (texts with white space folded, cut at 160 characters). */
  tally(): PgStatementTally;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;

/** Parse one direction of frontend bytes, calling `onMessage(type, body)` for each typed message. */
function frontendParser(onMessage: (type: number, body: Buffer) => void) {
  let buf: Buffer = Buffer.alloc(0);
  let startup = true;
  return (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (startup) {
        // Untyped: int32 length, int32 code (SSLRequest/GSSENCRequest are followed by a real startup).
        if (buf.length < 8) return;
        const len = buf.readInt32BE(0);
        if (buf.length < len) return;
        const code = buf.readInt32BE(4);
        buf = buf.subarray(len);
        if (code !== SSL_REQUEST && code !== GSS_REQUEST) startup = false;
        continue;
      }
      if (buf.length < 5) return;
      const len = buf.readInt32BE(1);
      if (buf.length < 1 + len) return;
      onMessage(buf[0]!, buf.subarray(5, 1 + len));
      buf = buf.subarray(1 + len);
    }
  };
}

/** Start a counting proxy in front of `targetUrl` (a postgres:// URL on TCP). */
export async function startPgCounter(targetUrl: string): Promise<PgCounter> {
  const target = new URL(targetUrl);
  const counts: PgCounts = { statements: 0, roundTrips: 0, transactions: 0 };
  const tally: PgStatementTally = new Map();
  const note = (text: string) => {
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 160);
    tally.set(key, (tally.get(key) ?? 0) + 1);
  };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: target.hostname, port: Number(target.port || 5432), noDelay: true });
    client.setNoDelay(true);
    sockets.add(client).add(upstream);
    const prepared = new Map<string, string>(); // this connection's statements by name ('' the unnamed one)
    const parse = frontendParser((type, body) => {
      if (type === 0x45 /* E */) counts.statements++;
      else if (type === 0x53 /* S */) counts.roundTrips++;
      else if (type === 0x50 /* P: statement name, NUL, query text, NUL, … */) {
        const end = body.indexOf(0);
        prepared.set(body.toString('utf8', 0, end), body.toString('utf8', end + 1, body.indexOf(0, end + 1)));
      } else if (type === 0x42 /* B: portal name, NUL, statement name, NUL, … */) {
        const start = body.indexOf(0) + 1;
        note(prepared.get(body.toString('utf8', start, body.indexOf(0, start))) ?? '(unknown prepared statement)');
      } else if (type === 0x51 /* Q */) {
        note(body.toString('utf8', 0, body.length - 1));
        counts.statements++;
        counts.roundTrips++;
        if (/^\s*begin\b/i.test(body.toString('utf8', 0, Math.min(body.length, 16)))) counts.transactions++;
      }
    });
    client.on('data', (chunk: Buffer) => {
      parse(chunk);
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    counts: () => ({ ...counts }),
    tally: () => new Map(tally),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
