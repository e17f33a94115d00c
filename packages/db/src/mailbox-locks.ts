import type { Database } from './database.ts';

/**
 * At most one IMAP poller per mailbox across processes (used by apps/server/src/email/imap.ts).
 *
 * On a PostgreSQL server every Guichet process with the worker role runs a poller, so two of them
 * could watch the same mailbox and race to fetch the same message. Each mailbox is therefore
 * guarded by a session-level advisory lock (`pg_try_advisory_lock`) held on one dedicated
 * connection per process for as long as this process watches the mailbox. Advisory locks were
 * chosen over a lease row because they need no schema, no clock agreement between machines and no
 * renewal: when a process dies or its connection drops, PostgreSQL releases its locks at once and
 * another process takes the mailbox over on its next refresh. If the lock connection breaks, this
 * process can no longer prove it holds anything, so `onLost` fires and every watcher stops until
 * the locks are taken again.
 *
 * On the embedded database (PGlite) one process owns the data folder anyway (lock file), so no
 * cross-process lock is needed and every mailbox is granted.
 */
export interface MailboxLocks {
  tryAcquire(mailboxId: string): Promise<boolean>;
  release(mailboxId: string): Promise<void>;
  /** Called when locks this process held may have been lost (connection broken). */
  onLost(cb: () => void): void;
  close(): Promise<void>;
}

/** The part of a pg pool client used here. */
interface Client {
  query<R>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
  on(event: 'error', cb: (e: Error) => void): unknown;
  release(destroy?: boolean): void;
}

/** Two int4 keys: a namespace ("GUIC") and a hash of the mailbox id. */
const NAMESPACE = 0x47554943;

export function createMailboxLocks(database: Pick<Database, 'kind' | 'pool'>): MailboxLocks {
  if (database.kind !== 'postgres' || !database.pool) return localLocks();
  const pool = database.pool;
  let client: Client | null = null;
  let connecting: Promise<Client> | null = null;
  const held = new Set<string>();
  let lostCb: () => void = () => {};
  let closed = false;

  const drop = (c: Client) => {
    if (client !== c) return;
    client = null;
    try {
      c.release(true); // destroys the connection: whatever it held is released by the server
    } catch {
      /* already gone */
    }
    if (held.size > 0) {
      held.clear();
      lostCb();
    }
  };

  const connection = async (): Promise<Client> => {
    if (client) return client;
    if (!connecting) {
      connecting = (pool.connect() as Promise<unknown> as Promise<Client>)
        .then((c) => {
          c.on('error', () => drop(c));
          client = c;
          return c;
        })
        .finally(() => {
          connecting = null;
        });
    }
    return connecting;
  };

  return {
    async tryAcquire(mailboxId) {
      if (closed) return false;
      if (held.has(mailboxId)) return true;
      const c = await connection();
      try {
        const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int4, hashtext($2)) AS ok', [NAMESPACE, mailboxId]);
        if (r.rows[0]?.ok) held.add(mailboxId);
        return held.has(mailboxId);
      } catch (e) {
        drop(c);
        throw e;
      }
    },
    async release(mailboxId) {
      if (!held.delete(mailboxId) || !client) return;
      const c = client;
      await c.query('SELECT pg_advisory_unlock($1::int4, hashtext($2))', [NAMESPACE, mailboxId]).catch(() => drop(c));
    },
    onLost(cb) {
      lostCb = cb;
    },
    async close() {
      closed = true;
      held.clear();
      const c = client ?? (connecting ? await connecting.catch(() => null) : null);
      client = null;
      if (c) {
        try {
          c.release(true);
        } catch {
          /* already gone */
        }
      }
    },
  };
}

function localLocks(): MailboxLocks {
  return {
    tryAcquire: async () => true,
    release: async () => {},
    onLost: () => {},
    close: async () => {},
  };
}
