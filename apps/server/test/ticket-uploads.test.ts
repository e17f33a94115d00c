/**
 * Files on staff replies and notes: uploaded to the ticket's workspace, then referred to by
 * SHA-256 from a message, which takes size and type from the stored bytes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UPLOAD_MAX_BYTES } from '@guichet/contracts';
import { testDbKinds } from '@guichet/db/testing';
import { newWorkspace, startTestApp, type TestApp } from './harness.ts';
import { assertError } from './helpers.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

for (const kind of testDbKinds()) {
  describe(`ticket uploads on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(async () => {
      await t.close();
    });

    it('uploads a file, attaches it to a reply with the stored size and sniffed type, and serves it as a download', async () => {
      const ws = await newWorkspace(t);
      const agent = await ws.as('agent');
      const ticket = (await ws.admin.req('POST', '/tickets', { subject: 'Screenshot please', body: 'It breaks.' })).body;
      // The declared name says text; the bytes are a PNG, and the path part of the name goes.
      const up = await agent.req('POST', `/tickets/${ticket.id}/uploads`, { filename: '../../etc/screen.txt', contentBase64: PNG.toString('base64') });
      assert.equal(up.status, 201, JSON.stringify(up.body));
      assert.equal(up.body.sizeBytes, PNG.length);
      assert.equal(up.body.contentType, 'image/png');
      assert.match(up.body.sha256, /^[a-f0-9]{64}$/);
      assert.ok(!up.body.filename.includes('/'), up.body.filename);

      // Whatever size and type a client claims, the stored bytes decide.
      const reply = await agent.req('POST', `/tickets/${ticket.id}/messages`, {
        body: 'Here is what I see.',
        attachments: [{ sha256: up.body.sha256, filename: 'screen.png', sizeBytes: 1, contentType: 'text/html' }],
      });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      const [a] = reply.body.attachments;
      assert.equal(a.filename, 'screen.png');
      assert.equal(a.sizeBytes, PNG.length);
      assert.equal(a.contentType, 'image/png');

      const listed = (await agent.req('GET', `/tickets/${ticket.id}/messages`)).body.items.at(-1);
      assert.deepEqual(listed.attachments.map((x: any) => [x.filename, x.sizeBytes, x.contentType]), [['screen.png', PNG.length, 'image/png']]);
      const dl = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.id}/messages/${reply.body.id}/attachments/${a.id}`, headers: { authorization: `Bearer ${agent.token}` } });
      assert.equal(dl.statusCode, 200);
      assert.match(String(dl.headers['content-disposition']), /^attachment; filename="screen\.png"/);
      assert.equal(dl.headers['content-type'], 'image/png');
      assert.deepEqual(dl.rawPayload, PNG);
    });

    it("refuses unknown references and another workspace's upload, and never serves another workspace's bytes", async () => {
      const ws = await newWorkspace(t);
      const other = await newWorkspace(t);
      const mine = (await ws.admin.req('POST', '/tickets', { subject: 'Mine', body: 'b' })).body;
      const theirs = (await other.admin.req('POST', '/tickets', { subject: 'Theirs', body: 'b' })).body;
      const secret = Buffer.from(`only for ${other.slug}`);
      const up = await other.admin.req('POST', `/tickets/${theirs.id}/uploads`, { filename: 'secret.txt', contentBase64: secret.toString('base64') });
      assert.equal(up.status, 201);

      const stolen = await ws.admin.req('POST', `/tickets/${mine.id}/messages`, { body: 'Look', attachments: [{ sha256: up.body.sha256, filename: 'x.txt' }] });
      assertError(stolen, 422, 'UNKNOWN_UPLOAD');
      assert.deepEqual(stolen.body.error.details.issues[0].path, ['attachments', '0', 'sha256']);
      assertError(await ws.admin.req('POST', `/tickets/${mine.id}/messages`, { body: 'Look', attachments: [{ sha256: 'f'.repeat(64), filename: 'x.txt' }] }), 422, 'UNKNOWN_UPLOAD');
      assertError(await ws.admin.req('POST', `/tickets/${mine.id}/messages`, { body: 'Look', attachments: [{ sha256: 'nope', filename: 'x.txt' }] }), 400, 'VALIDATION_FAILED');
      // Another workspace's ticket is not found, for uploads as for the rest.
      assertError(await ws.admin.req('POST', `/tickets/${theirs.id}/uploads`, { filename: 'a.txt', contentBase64: 'aGk=' }), 404, 'TICKET_NOT_FOUND');
      const messages = (await ws.admin.req('GET', `/tickets/${mine.id}/messages`)).body.items;
      assert.equal(messages.length, 1, 'nothing was added');
    });

    it('refuses an empty or oversize file, and lets light agents attach to notes only', async () => {
      const ws = await newWorkspace(t);
      const ticket = (await ws.admin.req('POST', '/tickets', { subject: 'Limits', body: 'b' })).body;
      assertError(await ws.admin.req('POST', `/tickets/${ticket.id}/uploads`, { filename: 'empty.txt', contentBase64: '' }), 400, 'VALIDATION_FAILED');
      const big = Buffer.alloc(UPLOAD_MAX_BYTES + 1, 0x61).toString('base64');
      const tooBig = await ws.admin.req('POST', `/tickets/${ticket.id}/uploads`, { filename: 'big.txt', contentBase64: big });
      assert.ok(tooBig.status === 400 || tooBig.status === 413, JSON.stringify(tooBig.body).slice(0, 300));
      assert.match(tooBig.body.error.message, /10 MB/);

      const light = await ws.as('light_agent');
      const up = await light.req('POST', `/tickets/${ticket.id}/uploads`, { filename: 'log.txt', contentBase64: Buffer.from('trace').toString('base64') });
      assert.equal(up.status, 201, JSON.stringify(up.body));
      const files = [{ sha256: up.body.sha256, filename: 'log.txt' }];
      assertError(await light.req('POST', `/tickets/${ticket.id}/messages`, { body: 'Public', visibility: 'public', attachments: files }), 403, 'FORBIDDEN');
      const note = await light.req('POST', `/tickets/${ticket.id}/messages`, { body: 'Note', visibility: 'internal', attachments: files });
      assert.equal(note.status, 201, JSON.stringify(note.body));
      assert.equal(note.body.attachments[0].contentType, 'text/plain');
    });
  });
}
