import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { Deps, ImapSettings, InboundEnvelope, Mailbox } from '@guichet/core';
import type { MailboxLocks } from '@guichet/db';

/**
 * Inbound mail by IMAP: one watcher per enabled IMAP mailbox, each with its own connection.
 *
 * A watcher opens the folder, fetches every message it has not processed yet, hands the raw bytes
 * to the intake (which commits them and enqueues the ingest job) and only then marks the message
 * on the server: `\Seen` plus the `$GuichetProcessed` keyword, then a move to `processedFolder`
 * when one is configured. Marked messages are never fetched again (the search excludes the
 * keyword), so even a lost `imapState` does not refetch them. `imapState` keeps the folder's
 * UIDVALIDITY and the highest processed UID, which spares searching old messages; a UIDVALIDITY
 * change starts over from UID 1, relying on the idempotent intake (the same bytes in the same
 * mailbox are stored once). A crash between the commit and the mark means the message is fetched
 * again and the intake recognises it: at least once on the wire, exactly once in the database.
 *
 * The watcher waits in IDLE (imapflow's auto-IDLE) and wakes on EXISTS; a periodic poll is the
 * fallback for servers without IDLE and for missed notifications. Errors close the connection and
 * the watcher reconnects with exponential backoff; the last error is kept in `imapState.lastError`.
 */

export const PROCESSED_KEYWORD = '$GuichetProcessed';

export type AcceptInbound = (deps: Deps, input: { mailbox: Mailbox; source: 'imap'; raw: Buffer; envelope: InboundEnvelope }) => Promise<unknown>;

/** What the poller keeps in `mailboxes.imap_state`. */
export interface ImapState {
  uidValidity?: number;
  lastUid?: number;
  lastSyncAt?: string;
  lastError?: string | null;
  lastErrorAt?: string | null;
}

export interface ImapPollerOptions {
  /** The intake: commits the raw message and enqueues its ingest (acceptInboundEmail). */
  accept: AcceptInbound;
  /** Fallback poll period while connected (IDLE wakes the watcher sooner). */
  pollMs: number;
  /** How often the list of mailboxes is re-read (new, changed, disabled mailboxes). Default: pollMs. */
  refreshMs?: number;
  /** Reconnection backoff after an error: doubles from minMs up to maxMs. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Cross-process exclusivity (see @guichet/db mailbox-locks.ts); default: every mailbox is ours. */
  locks?: MailboxLocks;
  /** Connection timeouts and auto-IDLE delay, for tests. */
  connectionTimeoutMs?: number;
  autoIdleDelayMs?: number;
  log?: (msg: string, data?: Record<string, unknown>) => void;
}

/** A short, secret-free description of an IMAP or network error. */
export function describeImapError(e: unknown, settings?: Pick<ImapSettings, 'host' | 'port'>): string {
  const err = (e ?? {}) as { message?: string; code?: string; authenticationFailed?: boolean; responseText?: string; serverResponseCode?: string; tlsFailed?: boolean; mailboxMissing?: boolean };
  const where = settings ? `${settings.host}:${settings.port}` : 'the server';
  if (err.authenticationFailed || err.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return `authentication failed: ${where} refused this user name and password${err.responseText ? ` (${err.responseText})` : ''}`;
  }
  if (err.tlsFailed) return `TLS negotiation with ${where} failed${err.message ? `: ${err.message}` : ''}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${where}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found: ${settings?.host ?? 'unknown host'}`;
    case 'ETIMEDOUT':
    case 'CONNECT_TIMEOUT':
    case 'GREETING_TIMEOUT':
      return `no answer from ${where} (timeout)`;
    case 'ECONNRESET':
    case 'NoConnection':
    case 'EConnectionClosed':
      return `connection to ${where} closed unexpectedly`;
  }
  if (err.mailboxMissing) return `folder not found on ${where}${err.responseText ? `: ${err.responseText}` : ''}`;
  const text = err.responseText || err.message || String(e);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function clientOptions(settings: ImapSettings, password: string, extra: Partial<ImapFlowOptions> = {}): ImapFlowOptions {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: { user: settings.user, pass: password },
    logger: false,
    clientInfo: { name: 'Guichet' },
    connectionTimeout: 30_000,
    greetingTimeout: 15_000,
    socketTimeout: 5 * 60_000,
    ...extra,
  };
}

/**
 * Try the settings: connect, sign in, list the folders, check that the watched folder (and the
 * processed folder, when set) exist. For the mailbox API's "test connection".
 */
export async function testImapConnection(
  settings: ImapSettings,
  password: string,
  opts: { timeoutMs?: number } = {},
): Promise<{ ok: boolean; error?: string; folders?: string[] }> {
  const timeout = opts.timeoutMs ?? 15_000;
  const client = new ImapFlow(clientOptions(settings, password, { connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout * 2 }));
  client.on('error', () => {}); // reported through the rejected promise below
  try {
    await client.connect();
    const list = await client.list();
    const folders = list.map((f) => f.path).sort();
    const folder = settings.folder || 'INBOX';
    const has = (p: string) => list.some((f) => f.path === p || (p.toUpperCase() === 'INBOX' && f.path.toUpperCase() === 'INBOX'));
    if (!has(folder)) return { ok: false, error: `folder "${folder}" does not exist on ${settings.host}`, folders };
    if (settings.processedFolder && !has(settings.processedFolder)) {
      // Not fatal: the poller creates it on first use.
      return { ok: true, folders };
    }
    return { ok: true, folders };
  } catch (e) {
    return { ok: false, error: describeImapError(e, settings) };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** The poller: keeps one watcher per enabled IMAP mailbox this process holds the lock of. */
export class ImapPoller {
  private readonly watchers = new Map<string, MailboxWatcher>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly deps: Deps,
    private readonly opts: ImapPollerOptions,
  ) {
    opts.locks?.onLost(() => {
      this.opts.log?.('imap: lost the mailbox locks; stopping watchers until they are taken again');
      for (const [id, w] of this.watchers) {
        this.watchers.delete(id);
        void w.stop();
      }
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.refresh();
  }

  /** Re-read the mailbox list now: start, restart (changed settings) or stop watchers. */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.refreshing) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.refreshing = this.doRefresh()
        .catch((e) => this.opts.log?.('imap: could not read the mailbox list', { error: describeImapError(e) }))
        .finally(() => {
          this.refreshing = null;
          if (!this.stopped) {
            this.timer = setTimeout(() => void this.refresh(), this.opts.refreshMs ?? this.opts.pollMs);
            this.timer.unref();
          }
        });
    }
    return this.refreshing;
  }

  /** Mailbox ids this process is watching now. */
  watching(): string[] {
    return [...this.watchers.keys()];
  }

  watcher(mailboxId: string): MailboxWatcher | undefined {
    return this.watchers.get(mailboxId);
  }

  private async doRefresh(): Promise<void> {
    const mailboxes = (await this.deps.store.mailboxes.listEnabledImap()).filter((m) => m.imapSettings && m.imapSecret);
    const wanted = new Map(mailboxes.map((m) => [m.id, m]));
    for (const [id, w] of this.watchers) {
      const m = wanted.get(id);
      if (!m || fingerprint(m) !== w.fingerprint) {
        this.watchers.delete(id);
        await w.stop();
        await this.opts.locks?.release(id);
      }
    }
    for (const m of mailboxes) {
      if (this.stopped) return;
      if (this.watchers.has(m.id)) continue;
      if (this.opts.locks && !(await this.opts.locks.tryAcquire(m.id))) continue; // another process watches it
      if (this.stopped) {
        await this.opts.locks?.release(m.id);
        return;
      }
      const w = new MailboxWatcher(this.deps, m, this.opts);
      this.watchers.set(m.id, w);
      w.start();
    }
  }

  /** Stop every watcher (closing its connection) and release the locks. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.refreshing;
    const all = [...this.watchers.entries()];
    this.watchers.clear();
    await Promise.all(all.map(async ([id, w]) => {
      await w.stop();
      await this.opts.locks?.release(id);
    }));
    await this.opts.locks?.close();
  }
}

function fingerprint(m: Mailbox): string {
  return JSON.stringify([m.address, m.imapSettings, m.imapSecret, m.enabled]);
}

/** One mailbox: one connection, synced on start, on EXISTS and every pollMs; reconnects with backoff. */
export class MailboxWatcher {
  readonly fingerprint: string;
  private stopped = false;
  private client: ImapFlow | null = null;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private sleeper: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private state: ImapState;
  /** Consecutive failed sessions (0 while connected and syncing fine). */
  failures = 0;
  /** Completed syncs since start (tests wait on it). */
  syncs = 0;
  lastError: string | null = null;

  constructor(
    private readonly deps: Deps,
    private mailbox: Mailbox,
    private readonly opts: ImapPollerOptions,
  ) {
    this.fingerprint = fingerprint(mailbox);
    this.state = { ...(mailbox.imapState as ImapState) };
  }

  get idling(): boolean {
    return this.client?.idling ?? false;
  }

  start(): void {
    this.loop = this.run();
  }

  /** Sync now (as if the server had announced new mail). */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /**
   * Stop after the message in hand (accepted, then marked) and log out; a connection still stuck
   * after `graceMs` (connecting, a slow download) is cut: that message is fetched again later.
   */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.wake();
    if (this.sleeper) {
      clearTimeout(this.sleeper.timer);
      this.sleeper.resolve();
    }
    if (!this.loop) return;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      this.loop.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (!finished) this.client?.close();
    await this.loop;
  }

  private log(msg: string, data: Record<string, unknown> = {}) {
    this.opts.log?.(`imap: ${msg}`, { mailboxId: this.mailbox.id, ...data });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.session();
      } catch (e) {
        if (this.stopped) break;
        this.failures++;
        const error = describeImapError(e, this.mailbox.imapSettings ?? undefined);
        this.lastError = error;
        this.log('mailbox watcher failed; will reconnect', { error, failures: this.failures });
        await this.saveState({ lastError: error, lastErrorAt: this.deps.clock.now().toISOString() }).catch(() => {});
      }
      if (this.stopped) break;
      const min = this.opts.backoffMinMs ?? 1000;
      const max = this.opts.backoffMaxMs ?? 5 * 60_000;
      const delay = Math.min(max, min * 2 ** Math.max(0, this.failures - 1)) * (0.75 + 0.5 * Math.random());
      await this.sleep(this.failures === 0 ? min : delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeper = null;
        resolve();
      }, ms);
      timer.unref();
      this.sleeper = { timer, resolve };
    });
  }

  /** One connection's life: returns or throws when it ends. */
  private async session(): Promise<void> {
    // Re-read the row: the state may have moved on (another process held this mailbox before).
    const fresh = await this.deps.store.mailboxes.findById(this.mailbox.workspaceId, this.mailbox.id);
    if (!fresh || !fresh.enabled || !fresh.imapSettings || !fresh.imapSecret) {
      this.stopped = true;
      return;
    }
    this.mailbox = fresh;
    this.state = { ...(fresh.imapState as ImapState) };
    const settings = fresh.imapSettings!;
    let password: string;
    try {
      password = this.deps.keyring.open(fresh.imapSecret!);
    } catch {
      throw new Error('the stored IMAP password cannot be decrypted with this server key (was GUICHET_SECRET_KEY changed?)');
    }
    const client = new ImapFlow(
      clientOptions(settings, password, {
        autoIdleDelay: this.opts.autoIdleDelayMs ?? 1000,
        // Re-issue IDLE every few minutes: some servers and NAT boxes drop long-silent connections.
        maxIdleTime: 4 * 60_000,
        ...(this.opts.connectionTimeoutMs ? { connectionTimeout: this.opts.connectionTimeoutMs, greetingTimeout: this.opts.connectionTimeoutMs } : {}),
      }),
    );
    let closed = false;
    let lastError: unknown = null;
    client.on('error', (e) => {
      lastError = e;
    });
    client.on('close', () => {
      closed = true;
      this.wakeUp?.();
    });
    client.on('exists', () => this.wake());
    this.client = client;
    try {
      await client.connect();
      if (this.stopped) return;
      const folder = settings.folder || 'INBOX';
      if (settings.processedFolder) {
        const exists = (await client.list()).some((f) => f.path === settings.processedFolder);
        if (!exists) await client.mailboxCreate(settings.processedFolder);
      }
      await client.mailboxOpen(folder);
      this.log('connected', { folder, idle: client.capabilities.has('IDLE') });
      while (!this.stopped && !closed) {
        this.pendingWake = false;
        await this.sync(client, settings);
        this.failures = 0;
        this.syncs++;
        if (this.lastError !== null || this.state.lastError) {
          this.lastError = null;
          await this.saveState({ lastError: null, lastErrorAt: null });
        }
        if (this.stopped || closed) break;
        if (!this.pendingWake) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, this.opts.pollMs);
            t.unref();
            this.wakeUp = () => {
              clearTimeout(t);
              resolve();
            };
          });
          this.wakeUp = null;
        }
      }
      if (closed && !this.stopped) throw lastError ?? Object.assign(new Error('connection closed by the server'), { code: 'EConnectionClosed' });
    } finally {
      this.client = null;
      if (!closed) await client.logout().catch(() => client.close());
    }
  }

  /** Fetch, accept and mark every message not processed yet. */
  private async sync(client: ImapFlow, settings: ImapSettings): Promise<void> {
    const box = client.mailbox;
    if (!box) throw new Error('no folder selected');
    const uidValidity = Number(box.uidValidity);
    let lastUid = this.state.lastUid ?? 0;
    if (this.state.uidValidity !== uidValidity) {
      if (this.state.uidValidity !== undefined) this.log('UIDVALIDITY changed: reading the folder again', { was: this.state.uidValidity, now: uidValidity });
      lastUid = 0;
      await this.saveState({ uidValidity, lastUid: 0 });
    }
    // Keywords are permanent on nearly every server; where they are not, the UID alone guards.
    const keywords = box.permanentFlags?.has('\\*') || box.permanentFlags?.has(PROCESSED_KEYWORD);
    const query = keywords ? { uid: `${lastUid + 1}:*`, unKeyword: PROCESSED_KEYWORD } : { uid: `${lastUid + 1}:*` };
    const found = (await client.search(query, { uid: true })) || [];
    // "n:*" always matches the highest UID, even below n.
    const uids = found.filter((u) => u > lastUid).sort((a, b) => a - b);
    for (const uid of uids) {
      if (this.stopped) return;
      const msg = await client.fetchOne(String(uid), { uid: true, flags: true, envelope: true, source: true }, { uid: true });
      if (!msg || !msg.source) continue; // expunged meanwhile
      if (!msg.flags?.has(PROCESSED_KEYWORD)) {
        const from = msg.envelope?.from?.[0]?.address?.toLowerCase() ?? '';
        await this.opts.accept(this.deps, {
          mailbox: this.mailbox,
          source: 'imap',
          raw: msg.source,
          envelope: { from, rcptTo: [this.mailbox.address], imapUid: uid, imapUidValidity: uidValidity },
        });
        // Committed: now (and only now) mark it on the server.
        await client.messageFlagsAdd(String(uid), ['\\Seen', PROCESSED_KEYWORD], { uid: true });
        if (settings.processedFolder && settings.processedFolder !== (settings.folder || 'INBOX')) {
          await client.messageMove(String(uid), settings.processedFolder, { uid: true });
        }
      }
      await this.saveState({ uidValidity, lastUid: uid, lastSyncAt: this.deps.clock.now().toISOString() });
    }
    if (uids.length === 0 && !this.state.lastSyncAt) await this.saveState({ uidValidity, lastUid, lastSyncAt: this.deps.clock.now().toISOString() });
  }

  private async saveState(patch: Partial<ImapState>): Promise<void> {
    this.state = { ...this.state, ...patch };
    await this.deps.store.mailboxes.update(this.mailbox.workspaceId, this.mailbox.id, { imapState: { ...this.state } as Record<string, unknown> });
  }
}
