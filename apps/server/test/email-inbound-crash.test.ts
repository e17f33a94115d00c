/**
 * Durable intake (issue 4, item 3): a real server process receives a stream of SMTP messages and
 * is killed (SIGKILL) mid-stream; after a restart on the same data, every message that got 250
 * became exactly one ticket message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADMIN_EMAIL, Scope, freePort, tokenClient, type Client } from './process-helpers.ts';
import { mail, sendRaw } from './email-inbound-helpers.ts';

const PASSWORD = 'email-crash-password';
const MARK = 'crash-mail';

async function waitProcessed(client: Client, boundMs = 90_000): Promise<void> {
  const end = Date.now() + boundMs;
  for (;;) {
    const r = await client.req('GET', '/inbound-emails?status=pending&limit=1');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    if (r.body.items.length === 0) return;
    if (Date.now() > end) throw new Error('inbound mail still pending after the restart');
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('inbound email survives a crash', () => {
  it('SIGKILL while SMTP messages stream in: every message answered 250 becomes exactly one ticket message', { timeout: 240_000 }, async () => {
    const scope = new Scope();
    try {
      const dir = scope.tempDir();
      const smtpPort = await freePort();
      const env = { GUICHET_DATA_DIR: dir, GUICHET_ADMIN_PASSWORD: PASSWORD, GUICHET_SMTP_PORT: String(smtpPort), GUICHET_DEMO: '1' };
      const server = scope.start(env);
      const base = await server.ready();
      const client = await tokenClient(base, ADMIN_EMAIL, PASSWORD);
      const address = 'crash-support@demo.guichet.test';
      const mb = await client.req('POST', '/mailboxes', { name: 'Crash', address, floodLimitPerHour: 100_000 });
      assert.equal(mb.status, 201, JSON.stringify(mb.body));

      const acked = new Map<string, string>(); // Message-ID → subject
      let n = 0;
      let killed = false;
      const target = 15 + Math.floor(Math.random() * 25);
      let reach!: () => void;
      const reached = new Promise<void>((r) => (reach = r));
      const loops = Array.from({ length: 6 }, async () => {
        for (let i = 0; i < 400 && !killed; i++) {
          const k = ++n;
          const id = `crash-${k}-${process.pid}@client.example`;
          const subject = `${MARK} ${k}`;
          const from = `sender${k}@client.example`;
          try {
            await sendRaw(smtpPort, { from, to: [address] }, mail({ from, to: address, subject, messageId: `<${id}>`, body: `Message ${k}` }));
            acked.set(id, subject);
            if (acked.size === target) reach();
          } catch {
            return; // the server went away: this one was never acknowledged
          }
        }
      });
      await Promise.race([reached, Promise.all(loops)]);
      server.signal('SIGKILL');
      killed = true;
      await server.waitExit();
      await Promise.all(loops);
      assert.ok(acked.size >= target, `at least ${target} messages acknowledged before the kill (got ${acked.size})`);

      const again = scope.start(env);
      const base2 = await again.ready();
      const client2 = await tokenClient(base2, ADMIN_EMAIL, PASSWORD);
      await waitProcessed(client2);

      const tickets = (await client2.all('/tickets?channel=email')).filter((t) => t.subject.startsWith(`${MARK} `));
      const seen = new Map<string, number>();
      for (const t of tickets) {
        for (const m of await client2.all(`/tickets/${t.id}/messages`)) {
          const id = m.email?.rfcMessageId?.replace(/^<|>$/g, '');
          if (id) seen.set(id, (seen.get(id) ?? 0) + 1);
        }
      }
      for (const [id, subject] of acked) assert.equal(seen.get(id), 1, `"${subject}" (<${id}>) was answered 250 and must be exactly one ticket message`);
      for (const [id, count] of seen) assert.equal(count, 1, `<${id}> is one ticket message`);
      const failed = await client2.req('GET', '/inbound-emails?status=failed');
      assert.deepEqual(failed.body.items, [], 'no ingest failed');
      await again.stop('SIGTERM');
    } finally {
      await scope.cleanup();
    }
  });
});
