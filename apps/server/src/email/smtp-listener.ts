/**
 * The inbound SMTP listener (an MX for the workspaces' mailbox addresses). RCPT is refused with
 * 550 for an address no enabled mailbox receives; messages over the size limit get 552; the
 * message is answered 250 only once the raw bytes and their ingest job are committed.
 */
import { readFileSync } from 'node:fs';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { acceptInboundEmail, parseReplyAddress, type Deps, type Mailbox } from '@guichet/core';

export interface SmtpListenerOptions {
  host: string;
  port: number;
  maxBytes: number;
  /** PEM files; STARTTLS is offered only when both are given. */
  tlsKeyFile?: string | undefined;
  tlsCertFile?: string | undefined;
  log?: (msg: string, data?: unknown) => void;
}

export interface SmtpListener {
  host: string;
  port: number;
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** The enabled mailbox receiving mail for this address (plus-addressing maps to the base). */
export async function mailboxForRecipient(deps: Deps, address: string): Promise<Mailbox | null> {
  const a = address.trim().toLowerCase();
  const exact = await deps.store.mailboxes.findByAddress(a);
  const mailbox = exact ?? (await deps.store.mailboxes.findByAddress(parseReplyAddress(a).base));
  return mailbox && mailbox.enabled ? mailbox : null;
}

export async function startSmtpListener(deps: Deps, opts: SmtpListenerOptions): Promise<SmtpListener> {
  const tls = opts.tlsKeyFile && opts.tlsCertFile ? { key: readFileSync(opts.tlsKeyFile), cert: readFileSync(opts.tlsCertFile) } : null;
  const recipients = new Map<string, Map<string, Mailbox>>();

  const server = new SMTPServer({
    name: opts.host,
    banner: 'Guichet',
    size: opts.maxBytes,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ? { key: tls.key, cert: tls.cert } : {}),
    logger: false,
    closeTimeout: 5_000,
    socketTimeout: 120_000,
    maxClients: 200,
    onMailFrom(address: SMTPServerAddress, _session: SMTPServerSession, cb: (err?: Error | null) => void) {
      const args = address.args ? (address.args as Record<string, string>) : {};
      const declared = Number(args['SIZE'] ?? 0);
      if (declared > opts.maxBytes) return cb(smtpError(552, `5.3.4 Message size exceeds the fixed limit of ${opts.maxBytes} bytes`));
      cb();
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      mailboxForRecipient(deps, address.address).then(
        (mailbox) => {
          if (!mailbox) return cb(smtpError(550, `5.1.1 <${address.address}>: no such mailbox here`));
          let map = recipients.get(session.id);
          if (!map) recipients.set(session.id, (map = new Map()));
          map.set(mailbox.id, mailbox);
          cb();
        },
        (e) => {
          opts.log?.('smtp: mailbox lookup failed', { error: String(e) });
          cb(smtpError(451, '4.3.0 Temporary failure, try again later'));
        },
      );
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBytes) over = true;
        else chunks.push(c);
      });
      stream.on('error', (e) => cb(e));
      stream.on('end', () => {
        if (over || stream.sizeExceeded) return cb(smtpError(552, `5.3.4 Message size exceeds the fixed limit of ${opts.maxBytes} bytes`));
        const raw = Buffer.concat(chunks);
        const mailboxes = [...(recipients.get(session.id)?.values() ?? [])];
        recipients.delete(session.id);
        if (!mailboxes.length) return cb(smtpError(554, '5.5.1 No valid recipients'));
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const rcptTo = session.envelope.rcptTo.map((r) => r.address);
        // One stored copy per receiving mailbox (they may belong to different workspaces).
        Promise.all(
          mailboxes.map((mailbox) =>
            acceptInboundEmail(deps, { mailbox, source: 'smtp', raw, envelope: { from, rcptTo, remoteAddress: session.remoteAddress ?? null } }),
          ),
        ).then(
          (accepted) => cb(null, `2.0.0 Ok: queued as ${accepted.map((a) => a.email.id).join(',')}`),
          (e) => {
            opts.log?.('smtp: could not store a message', { error: String(e) });
            cb(smtpError(451, '4.3.0 Could not store the message, try again later'));
          },
        );
      });
    },
    onClose(session) {
      recipients.delete(session.id);
    },
  });
  server.on('error', (e) => opts.log?.('smtp: error', { error: String(e) }));

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    host: opts.host,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
