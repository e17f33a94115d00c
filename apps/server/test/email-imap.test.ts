/**
 * Inbound mail by IMAP against a real Dovecot started by the test (see imap-dovecot.ts), on the
 * embedded database and on PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { acceptInboundEmail, createKeyring, createUuidV7, cryptoSecrets, systemClock, type Deps, type ImapSettings, type Mailbox } from '@guichet/core';
import { createStore, openDatabase, type Database } from '@guichet/db';
import { createPgDatabase, testDbKinds } from '@guichet/db/testing';
import { ImapPoller, PROCESSED_KEYWORD, testImapConnection, type AcceptInbound, type ImapPollerOptions } from '../src/email/imap.ts';
import { createMailboxLocks } from '@guichet/db';
import { startDovecot, type Dovecot } from './imap-dovecot.ts';
import { fastHasher } from './harness.ts';

/** Wait for a condition, failing (not timing) after a generous bound. */
async function until(cond: () => boolean | Promise<boolean>, what: string, boundMs = 20_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const KEY = randomBytes(32);
function depsFor(database: Database, key = KEY): Deps {
  return {
    store: createStore(database.db),
    clock: systemClock,
    ids: createUuidV7(systemClock),
    secrets: cryptoSecrets,
    keyring: createKeyring(key),
    passwords: fastHasher,
    settings: { sessionTtlMs: 3_600_000, maxLoginFailures: 5, loginWindowMs: 60_000 },
  };
}

let n = 0;
function message(from: string, subject: string, body = 'Hello, I need help.'): string {
  n++;
  return [
    `From: Customer ${n} <${from}>`,
    'To: support@example.test',
    `Subject: ${subject}`,
    `Message-ID: <imap-test-${n}-${randomBytes(4).toString('hex')}@example.test>`,
    'Date: Mon, 2 Mar 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

/** Counts the poller's completed calls to the intake. */
function countingAccept(): AcceptInbound & { calls: number } {
  const f = (async (deps, input) => {
    const r = await acceptInboundEmail(deps, input);
    f.calls++; // counted once committed
    return r;
  }) as AcceptInbound & { calls: number };
  f.calls = 0;
  return f;
}

const USERS = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`user${i}`, `pw-${i}-${randomBytes(6).toString('hex')}`]));
let nextUser = 0;
let dovecot: Dovecot;

before(async () => {
  dovecot = await startDovecot(USERS);
});
after(async () => {
  await dovecot?.stop();
});

describe('testImapConnection', () => {
  it('lists the folders with the right password and gives a clear error with a wrong one', async () => {
    const user = `user${nextUser++}`;
    await dovecot.append(user, 'Archive', message('a@example.test', 'seed'));
    const settings: ImapSettings = { host: '127.0.0.1', port: dovecot.port, secure: false, user, folder: 'INBOX', processedFolder: null };
    const good = await testImapConnection(settings, USERS[user]!);
    assert.equal(good.ok, true, good.error);
    assert.ok(good.folders?.includes('INBOX') && good.folders.includes('Archive'), JSON.stringify(good.folders));
    const bad = await testImapConnection(settings, 'not the password');
    assert.equal(bad.ok, false);
    assert.match(bad.error!, /authentication failed/i);
    assert.ok(!bad.error!.includes('not the password'), 'the error never echoes the password');
    const missing = await testImapConnection({ ...settings, folder: 'Nope' }, USERS[user]!);
    assert.equal(missing.ok, false);
    assert.match(missing.error!, /folder "Nope" does not exist/);
    const refused = await testImapConnection({ ...settings, port: 1 }, USERS[user]!);
    assert.equal(refused.ok, false);
    assert.match(refused.error!, /connection refused/);
  });
});

for (const kind of testDbKinds()) {
  describe(`IMAP poller on ${kind} against Dovecot`, () => {
    let database: Database;
    let second: Database | null = null;
    let dropPg: (() => Promise<void>) | null = null;
    let deps: Deps;
    let workspaceId: string;
    const pollers: ImapPoller[] = [];

    before(async () => {
      if (kind === 'pglite') {
        database = await openDatabase({ memory: true });
      } else {
        const created = await createPgDatabase();
        dropPg = created.drop;
        database = await openDatabase({ url: created.url, poolSize: 4 });
        second = await openDatabase({ url: created.url, poolSize: 4 });
      }
      deps = depsFor(database);
      const now = new Date();
      const ws = await deps.store.workspaces.insert({
        id: deps.ids.uuid(), slug: `imap-${kind}-${Date.now()}`, name: 'IMAP', mailDomain: null, defaultLanguage: 'en', createdAt: now, updatedAt: now,
      });
      workspaceId = ws.id;
    });
    after(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
      await second?.close();
      await database.close();
      await dropPg?.();
    });

    async function newMailbox(opts: { folder?: string; processedFolder?: string | null; password?: string } = {}): Promise<{ mailbox: Mailbox; user: string }> {
      const user = `user${nextUser++}`;
      const now = new Date();
      // One mailbox at a time: earlier tests' mailboxes stop being polled.
      for (const m of await deps.store.mailboxes.list(workspaceId)) if (m.enabled) await deps.store.mailboxes.update(workspaceId, m.id, { enabled: false });
      const mailbox = await deps.store.mailboxes.insert({
        id: deps.ids.uuid(),
        workspaceId,
        name: user,
        address: `${user}-${kind}@support.example.test`,
        kind: 'imap',
        enabled: true,
        teamId: null,
        autoAck: false,
        floodLimitPerHour: 30,
        imapSettings: { host: '127.0.0.1', port: dovecot.port, secure: false, user, folder: opts.folder ?? 'INBOX', processedFolder: opts.processedFolder ?? null },
        imapSecret: deps.keyring.seal(opts.password ?? USERS[user]!),
        smtpSettings: null,
        smtpSecret: null,
        imapState: {},
        createdAt: now,
        updatedAt: now,
      });
      return { mailbox, user };
    }

    function poller(accept: AcceptInbound, extra: Partial<ImapPollerOptions> = {}, d: Deps = deps): ImapPoller {
      const p = new ImapPoller(d, { accept, pollMs: 3_600_000, refreshMs: 3_600_000, backoffMinMs: 50, backoffMaxMs: 400, autoIdleDelayMs: 100, ...extra });
      pollers.push(p);
      p.start();
      return p;
    }

    async function stopPoller(p: ImapPoller) {
      await p.stop();
      pollers.splice(pollers.indexOf(p), 1);
    }

    const inbound = (mailboxId: string) =>
      database.db.selectFrom('inbound_emails').select(['id', 'source', 'envelope', 'sha256', 'status']).where('mailbox_id', '=', mailboxId).orderBy('received_at').execute();
    const ingestJobs = async (ids: string[]) =>
      ids.length === 0 ? [] : database.db.selectFrom('jobs').select(['id', 'payload']).where('type', '=', 'email.ingest').execute().then((rows) =>
        rows.filter((r) => ids.includes((r.payload as { inboundEmailId?: string }).inboundEmailId ?? '')),
      );
    const syncsOf = (p: ImapPoller, id: string) => p.watcher(id)?.syncs ?? 0;
    /** Ask the watcher for one more complete sync and wait for it. */
    async function syncAgain(p: ImapPoller, id: string) {
      const before = syncsOf(p, id);
      p.watcher(id)!.wake();
      await until(() => syncsOf(p, id) > before, 'one more sync');
    }

    it('turns each message into one inbound email and one job, flags it, and fetches nothing twice', async () => {
      const { mailbox, user } = await newMailbox();
      const raws = [message('Marie@Example.TEST', 'Card declined'), message('paul@example.test', 'Où est ma commande ?'), message('zoe@example.test', 'Refund')];
      for (const raw of raws) await dovecot.append(user, 'INBOX', raw);
      const accept = countingAccept();
      const p = poller(accept);
      await until(async () => (await dovecot.list(user, 'INBOX')).every((m) => m.flags.includes(PROCESSED_KEYWORD)) && accept.calls === 3, 'three messages processed and flagged');
      const rows = await inbound(mailbox.id);
      assert.equal(rows.length, 3);
      assert.ok(rows.every((r) => r.source === 'imap'));
      const envelopes = rows.map((r) => r.envelope as { from: string; rcptTo: string[]; imapUid: number; imapUidValidity: number });
      assert.deepEqual(envelopes.map((e) => e.from).sort(), ['marie@example.test', 'paul@example.test', 'zoe@example.test']);
      assert.ok(envelopes.every((e) => e.rcptTo.length === 1 && e.rcptTo[0] === mailbox.address));
      const validity = await dovecot.uidValidity(user, 'INBOX');
      assert.ok(envelopes.every((e) => e.imapUidValidity === validity && e.imapUid > 0));
      assert.equal((await ingestJobs(rows.map((r) => r.id))).length, 3, 'one ingest job per message');
      const flags = await dovecot.list(user, 'INBOX');
      assert.equal(flags.length, 3, 'left in place when no processed folder is set');
      assert.ok(flags.every((m) => m.flags.includes('\\Seen') && m.flags.includes(PROCESSED_KEYWORD)), JSON.stringify(flags));
      const state = (await deps.store.mailboxes.findById(workspaceId, mailbox.id))!.imapState;
      assert.equal(state.uidValidity, validity);
      assert.equal(state.lastUid, Math.max(...flags.map((m) => m.uid)));

      // A second poll finds nothing new.
      await syncAgain(p, mailbox.id);
      await syncAgain(p, mailbox.id);
      assert.equal(accept.calls, 3);
      assert.equal((await inbound(mailbox.id)).length, 3);
      await stopPoller(p);
    });

    it('picks up a message arriving while idling (no poll due)', async () => {
      const { mailbox, user } = await newMailbox();
      await dovecot.append(user, 'INBOX', message('first@example.test', 'first'));
      const accept = countingAccept();
      const p = poller(accept); // polls once an hour: only IDLE can bring the next message in
      await until(() => accept.calls === 1, 'the first message');
      await until(() => p.watcher(mailbox.id)?.idling === true, 'the watcher to enter IDLE');
      await dovecot.append(user, 'INBOX', message('second@example.test', 'second'));
      await until(async () => (await inbound(mailbox.id)).length === 2, 'the message announced by EXISTS');
      assert.equal(accept.calls, 2);
      await stopPoller(p);
    });

    it('a restarted poller (same database, new process state) does not refetch, even with its state reset', async () => {
      const { mailbox, user } = await newMailbox();
      for (let i = 0; i < 2; i++) await dovecot.append(user, 'INBOX', message(`r${i}@example.test`, `restart ${i}`));
      const first = countingAccept();
      const p1 = poller(first);
      await until(() => first.calls === 2 && (p1.watcher(mailbox.id)?.syncs ?? 0) >= 1, 'the first poller to process both');
      await stopPoller(p1);

      // A new poller with fresh deps, as a restarted process would have.
      const second = countingAccept();
      const p2 = poller(second, {}, depsFor(database));
      await until(() => syncsOf(p2, mailbox.id) >= 1, 'the restarted poller to sync');
      assert.equal(second.calls, 0, 'nothing fetched again after a restart');
      await dovecot.append(user, 'INBOX', message('new@example.test', 'after restart'));
      await until(() => second.calls === 1, 'the new message');
      await stopPoller(p2);

      // Lost bookkeeping: the $GuichetProcessed keyword still keeps processed mail out.
      await deps.store.mailboxes.update(workspaceId, mailbox.id, { imapState: {} });
      const third = countingAccept();
      const p3 = poller(third, {}, depsFor(database));
      await until(() => syncsOf(p3, mailbox.id) >= 1, 'the poller with reset state to sync');
      assert.equal(third.calls, 0, 'flagged messages are skipped even after imapState was reset');
      assert.equal((await inbound(mailbox.id)).length, 3);
      await stopPoller(p3);
    });

    it('moves processed messages to the processed folder when one is configured', async () => {
      const { mailbox, user } = await newMailbox({ processedFolder: 'Guichet-Done' });
      for (let i = 0; i < 2; i++) await dovecot.append(user, 'INBOX', message(`m${i}@example.test`, `move ${i}`));
      const accept = countingAccept();
      const p = poller(accept);
      await until(async () => (await dovecot.list(user, 'Guichet-Done')).length === 2, 'both messages moved');
      assert.deepEqual(await dovecot.list(user, 'INBOX'), []);
      const moved = await dovecot.list(user, 'Guichet-Done');
      assert.ok(moved.every((m) => m.flags.includes('\\Seen') && m.flags.includes(PROCESSED_KEYWORD)));
      assert.equal((await inbound(mailbox.id)).length, 2);
      await syncAgain(p, mailbox.id);
      assert.equal(accept.calls, 2);
      await stopPoller(p);
    });

    it('starts over when UIDVALIDITY changes, storing the same message once', async () => {
      const { mailbox, user } = await newMailbox({ folder: 'Support' });
      const old = [message('u1@example.test', 'uv 1'), message('u2@example.test', 'uv 2')];
      for (const raw of old) await dovecot.append(user, 'Support', raw);
      const accept = countingAccept();
      const p1 = poller(accept);
      await until(() => accept.calls === 2, 'the first two messages');
      await stopPoller(p1);
      const before = await dovecot.uidValidity(user, 'Support');

      // The folder is recreated (a server migration, a restore): new UIDVALIDITY, unflagged copies.
      const c = await dovecot.client(user);
      await c.mailboxDelete('Support');
      await c.logout();
      for (const raw of [...old, message('u3@example.test', 'uv 3')]) await dovecot.append(user, 'Support', raw);
      const after = await dovecot.uidValidity(user, 'Support');
      assert.notEqual(after, before);

      const again = countingAccept();
      const p2 = poller(again);
      await until(async () => (await dovecot.list(user, 'Support')).every((m) => m.flags.includes(PROCESSED_KEYWORD)), 'the recreated folder processed');
      assert.equal(again.calls, 3, 'every message of the new folder goes through the intake');
      const rows = await inbound(mailbox.id);
      assert.equal(rows.length, 3, 'the two known messages are stored once');
      const state = (await deps.store.mailboxes.findById(workspaceId, mailbox.id))!.imapState;
      assert.equal(state.uidValidity, after);
      await stopPoller(p2);
    });

    it('backs off on wrong credentials without crashing, records the error, and recovers when they are fixed', async () => {
      const { mailbox, user } = await newMailbox({ password: 'wrong password' });
      await dovecot.append(user, 'INBOX', message('late@example.test', 'after fix'));
      const accept = countingAccept();
      const p = poller(accept, { refreshMs: 100 });
      // Dovecot delays repeated failed logins from one address (anvil's auth penalty): generous bounds.
      await until(() => (p.watcher(mailbox.id)?.failures ?? 0) >= 2, 'several failed attempts', 60_000);
      assert.match(p.watcher(mailbox.id)!.lastError!, /authentication failed/);
      const state = (await deps.store.mailboxes.findById(workspaceId, mailbox.id))!.imapState;
      assert.match(String(state.lastError), /authentication failed/);
      assert.equal(accept.calls, 0);
      // The admin fixes the password: the poller notices the change and connects.
      await deps.store.mailboxes.update(workspaceId, mailbox.id, { imapSecret: deps.keyring.seal(USERS[user]!) });
      await until(() => accept.calls === 1, 'the message after the fix', 60_000);
      await until(async () => (await deps.store.mailboxes.findById(workspaceId, mailbox.id))!.imapState.lastError === null, 'the error to clear');
      await stopPoller(p);
    });

    it('keeps the password sealed at rest: the column never holds it, only the keyring opens it', async () => {
      const { mailbox, user } = await newMailbox();
      const row = await database.db.selectFrom('mailboxes').select(['imap_secret', 'imap_settings']).where('id', '=', mailbox.id).executeTakeFirstOrThrow();
      const password = USERS[user]!;
      assert.ok(row.imap_secret && !row.imap_secret.includes(password));
      assert.ok(!JSON.stringify(row.imap_settings).includes(password));
      assert.ok(!Buffer.from(row.imap_secret, 'utf8').toString('base64').includes(Buffer.from(password).toString('base64')));
      assert.equal(deps.keyring.open(row.imap_secret), password);
      assert.throws(() => createKeyring(randomBytes(32)).open(row.imap_secret!), 'another key cannot open it');
    });

    if (kind === 'postgres') {
      it('lets only one process watch a mailbox (advisory lock), and another take over when it stops', async () => {
        const { mailbox, user } = await newMailbox();
        await dovecot.append(user, 'INBOX', message('lock@example.test', 'lock 1'));
        const a = countingAccept();
        const b = countingAccept();
        const pa = poller(a, { locks: createMailboxLocks(database), refreshMs: 100 });
        await until(() => a.calls === 1, 'process A to take the mailbox');
        const depsB = depsFor(second!);
        const pb = poller(b, { locks: createMailboxLocks(second!), refreshMs: 100 }, depsB);
        await pb.refresh();
        await pb.refresh();
        assert.ok(!pb.watching().includes(mailbox.id), 'process B does not watch a mailbox A holds');
        await stopPoller(pa);
        await until(() => pb.watching().includes(mailbox.id), 'process B to take over');
        await dovecot.append(user, 'INBOX', message('lock@example.test', 'lock 2'));
        await until(() => b.calls === 1, 'process B to fetch the new message');
        assert.equal(a.calls, 1);
        assert.equal((await inbound(mailbox.id)).length, 2);
        await stopPoller(pb);
      });
    }
  });
}
