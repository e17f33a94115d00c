import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { InboundEmail, NewJob } from '@guichet/core';
import { KyselyInboundEmailRepository } from '../src/repositories/email.ts';
import { at, describeStore, mailboxOf, newWorkspace, uuid } from './fixtures.ts';

describeStore('storage port: inbound email intake', (h) => {
  describe('intake', () => {
    it('messages accepted side by side (coalesced into shared statements) are each stored once with one ingest job; the same bytes twice are one message', async () => {
      const ws = await newWorkspace(h.store);
      const mailbox = mailboxOf(ws);
      await h.store.mailboxes.insert(mailbox);
      const message = (i: number, raw: Buffer) => {
        const id = uuid();
        const e: Omit<InboundEmail, 'status' | 'reason' | 'ticketId' | 'messageId' | 'processedAt'> = {
          id,
          workspaceId: ws.id,
          mailboxId: mailbox.id,
          source: 'smtp',
          sha256: createHash('sha256').update(raw).digest('hex'),
          rfcMessageId: i % 3 ? `<m${i}@client.example>` : null,
          sizeBytes: raw.length,
          envelope: { from: `c${i}@client.example`, rcptTo: [mailbox.address], remoteAddress: i % 2 ? '127.0.0.1' : null },
          receivedAt: at(10 + i),
        };
        const job: NewJob = { type: 'email.ingest', payload: { workspaceId: ws.id, inboundEmailId: id }, workspaceId: ws.id, dedupeKey: id };
        return { e, raw, job };
      };
      const raws = Array.from({ length: 12 }, (_, i) => Buffer.from(`Subject: ${i}\r\n\r\nbody ${i} \u00e9\u0000\xff`, 'latin1'));
      const inputs = raws.map((raw, i) => message(i, raw));
      // The bytes of message 0 again, as a second delivery within the same burst.
      const again = message(99, raws[0]!);
      // Eight in one shared statement (called directly), then the rest through the store side by side.
      const repo = new KyselyInboundEmailRepository(h.database.db, { coalesce: true }) as unknown as { acceptManyWithJobs(l: typeof inputs): Promise<Array<{ id: string } | undefined>> };
      const first = await repo.acceptManyWithJobs([...inputs.slice(0, 8), again]);
      assert.deepEqual(first.map((r) => r?.id), [...inputs.slice(0, 8).map((i) => i.e.id), undefined], 'the repeated bytes are not stored twice');
      const rest = await Promise.all([...inputs.slice(8), again].map((i) => h.store.inboundEmails.accept(i.e, i.raw, i.job)));
      assert.deepEqual(rest.map((r) => r.created), [true, true, true, true, false]);
      assert.equal(rest[4]!.email.id, inputs[0]!.e.id, 'the same bytes answer with the message already held');
      for (const { e, raw } of inputs) {
        const stored = await h.store.inboundEmails.findById(ws.id, e.id);
        assert.deepEqual(stored, { ...e, status: 'pending', reason: null, ticketId: null, messageId: null, processedAt: null });
        assert.deepEqual(await h.store.inboundEmails.pendingRaw(ws.id, e.id), raw);
      }
      const jobs = await h.database.db.selectFrom('jobs').select(['dedupe_key', 'payload', 'run_at']).where('workspace_id', '=', ws.id).where('type', '=', 'email.ingest').execute();
      assert.deepEqual(jobs.map((j) => j.dedupe_key).sort(), inputs.map((i) => i.e.id).sort(), 'one job per new message');
      for (const j of jobs) {
        const input = inputs.find((i) => i.e.id === j.dedupe_key)!;
        assert.deepEqual(j.payload, input.job.payload);
        assert.equal(new Date(j.run_at as unknown as string).getTime(), input.e.receivedAt.getTime());
      }
    });

    it('reads, locks, counts and marks several messages at once, only in the workspace and mailbox asked', async () => {
      const ws = await newWorkspace(h.store);
      const other = await newWorkspace(h.store);
      const mailbox = mailboxOf(ws);
      await h.store.mailboxes.insert(mailbox);
      const accept = async (i: number, from: string, receivedAt: Date) => {
        const raw = Buffer.from(`Subject: ${i} ${uuid()}\r\n\r\nbody`);
        const e = {
          id: uuid(),
          workspaceId: ws.id,
          mailboxId: mailbox.id,
          source: 'smtp' as const,
          sha256: createHash('sha256').update(raw).digest('hex'),
          rfcMessageId: null,
          sizeBytes: raw.length,
          envelope: { from, rcptTo: [mailbox.address], remoteAddress: null },
          receivedAt,
        };
        await h.store.inboundEmails.accept(e, raw);
        return { e, raw };
      };
      const a = await accept(1, 'a@client.example', at(100));
      const b = await accept(2, 'b@client.example', at(200));
      const c = await accept(3, 'a@client.example', at(300));
      const old = await accept(4, 'a@client.example', at(10));
      const ids = [a, b, c].map((m) => m.e.id);

      const raws = await h.store.inboundEmails.pendingRaws(ws.id, [...ids, uuid()]);
      assert.deepEqual([...raws.keys()].sort(), [...ids].sort());
      assert.deepEqual(raws.get(b.e.id), b.raw);
      assert.equal((await h.store.inboundEmails.pendingRaws(other.id, ids)).size, 0);

      const counts = await h.store.inboundEmails.countFromSenders(mailbox.id, ['A@client.example', 'b@client.example', 'z@client.example'], at(50));
      assert.deepEqual([...counts], [['A@client.example', 2], ['b@client.example', 1], ['z@client.example', 0]]);
      assert.equal(await h.store.inboundEmails.countFromSender(mailbox.id, 'a@client.example', at(50)), 2);

      await h.store.transaction(async (tx) => {
        const locked = await tx.inboundEmails.lockMany(ws.id, [...ids].reverse());
        assert.deepEqual(locked.map((r) => r.id), [...ids].sort(), 'locked in id order');
        assert.deepEqual(await tx.inboundEmails.lockMany(other.id, ids), []);
        await tx.inboundEmails.markProcessedMany(
          ws.id,
          [
            { id: a.e.id, status: 'rejected', reason: 'no sender address', ticketId: null, messageId: null },
            { id: c.e.id, status: 'held', reason: "flood: 'quoted' \\ \"x\"", ticketId: null, messageId: null },
          ],
          at(400),
        );
      });
      assert.deepEqual(await h.store.inboundEmails.findById(ws.id, a.e.id), { ...a.e, status: 'rejected', reason: 'no sender address', ticketId: null, messageId: null, processedAt: at(400) });
      assert.deepEqual(await h.store.inboundEmails.findById(ws.id, c.e.id), { ...c.e, status: 'held', reason: "flood: 'quoted' \\ \"x\"", ticketId: null, messageId: null, processedAt: at(400) });
      assert.equal((await h.store.inboundEmails.findById(ws.id, b.e.id))?.status, 'pending');
      assert.deepEqual([...(await h.store.inboundEmails.pendingRaws(ws.id, [...ids, old.e.id])).keys()].sort(), [b.e.id, old.e.id].sort());
    });
  });
});
