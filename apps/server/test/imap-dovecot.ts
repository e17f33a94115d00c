/**
 * A throwaway Dovecot IMAP server for tests: its own config, users, maildirs, sockets and log in a
 * temporary folder, listening on a free loopback port, plain-text login allowed, no TLS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ImapFlow } from 'imapflow';

export const DOVECOT = '/usr/sbin/dovecot';

export interface Dovecot {
  port: number;
  dir: string;
  users: Record<string, string>;
  /** A connected client for this user (caller logs out). */
  client(user: string, password?: string): Promise<ImapFlow>;
  append(user: string, folder: string, raw: string | Buffer, flags?: string[]): Promise<void>;
  /** UID, flags of each message in the folder. */
  list(user: string, folder: string): Promise<Array<{ uid: number; flags: string[] }>>;
  uidValidity(user: string, folder: string): Promise<number>;
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function idOf(name: string): { uid: number; gid: number } | null {
  try {
    return { uid: Number(execFileSync('id', ['-u', name]).toString().trim()), gid: Number(execFileSync('id', ['-g', name]).toString().trim()) };
  } catch {
    return null;
  }
}

async function greeting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let buf = '';
    s.setTimeout(2000, () => {
      s.destroy();
      resolve(false);
    });
    s.on('data', (d) => {
      buf += d.toString();
      if (/\* OK .*ready/i.test(buf)) {
        s.destroy();
        resolve(true);
      }
    });
    s.on('error', () => resolve(false));
    s.on('close', () => resolve(false));
  });
}

export async function startDovecot(users: Record<string, string>): Promise<Dovecot> {
  if (!existsSync(DOVECOT)) throw new Error(`${DOVECOT} is missing: install the Debian package dovecot-imapd (see .ci/run)`);
  const dir = mkdtempSync(join(tmpdir(), 'guichet-dovecot-'));
  chmodSync(dir, 0o755); // the mail and login processes run as other users and must reach their folders
  const port = await freePort();
  const me = userInfo();
  // Dovecot refuses to run its login and mail processes as root: as root, use its own system users.
  const asRoot = me.uid === 0;
  const internal = asRoot ? 'dovecot' : me.username;
  const login = asRoot ? 'dovenull' : me.username;
  const mailIds = asRoot ? idOf('dovecot') : { uid: me.uid, gid: me.gid };
  if (!mailIds) throw new Error('the "dovecot" system user is missing (is dovecot-core installed?)');
  const group = asRoot ? 'dovecot' : execFileSync('id', ['-gn']).toString().trim();
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub));
  if (asRoot) chownSync(join(dir, 'mail'), mailIds.uid, mailIds.gid);
  writeFileSync(join(dir, 'passwd'), Object.entries(users).map(([u, p]) => `${u}:{PLAIN}${p}\n`).join(''));
  chmodSync(join(dir, 'passwd'), 0o644);
  writeFileSync(
    join(dir, 'dovecot.conf'),
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:${dir}/mail/%n
default_internal_user = ${internal}
default_internal_group = ${group}
default_login_user = ${login}
first_valid_uid = ${mailIds.uid}
last_valid_uid = ${mailIds.uid}
first_valid_gid = ${mailIds.gid}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailIds.uid} gid=${mailIds.gid} home=${dir}/mail/%n
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  inet_listener http {
    port = 0
  }
}
`,
  );
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  const log = () => {
    try {
      return output + readFileSync(join(dir, 'dovecot.log'), 'utf8');
    } catch {
      return output;
    }
  };
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const end = Date.now() + 20_000;
  while (!(await greeting(port))) {
    if (exited || Date.now() > end) {
      const l = log();
      await stop();
      throw new Error(`Dovecot did not start on 127.0.0.1:${port}:\n${l}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const client = async (user: string, password = users[user]!) => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false, disableAutoIdle: true });
    c.on('error', () => {});
    await c.connect();
    return c;
  };
  const withClient = async <T>(user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const c = await client(user);
    try {
      return await fn(c);
    } finally {
      await c.logout().catch(() => c.close());
    }
  };
  const ensureFolder = async (c: ImapFlow, folder: string) => {
    if (folder.toUpperCase() !== 'INBOX' && !(await c.list()).some((f) => f.path === folder)) await c.mailboxCreate(folder);
  };
  return {
    port,
    dir,
    users,
    client,
    append: (user, folder, raw, flags = []) =>
      withClient(user, async (c) => {
        await ensureFolder(c, folder);
        await c.append(folder, raw, flags);
      }),
    list: (user, folder) =>
      withClient(user, async (c) => {
        await ensureFolder(c, folder);
        await c.mailboxOpen(folder);
        if (!c.mailbox || c.mailbox.exists === 0) return [];
        const all = await c.fetchAll('1:*', { uid: true, flags: true });
        return all.map((m) => ({ uid: m.uid, flags: [...(m.flags ?? [])].sort() }));
      }),
    uidValidity: (user, folder) =>
      withClient(user, async (c) => {
        await ensureFolder(c, folder);
        const box = await c.mailboxOpen(folder);
        return Number(box.uidValidity);
      }),
    log,
    stop,
  };
}
