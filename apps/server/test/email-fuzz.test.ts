/**
 * Hostile and mangled mail (issue 4, item 9): seeded random mutations of real messages
 * (truncations, inserted and flipped bytes) and hand-made attacks (1 MB header line, 200 KB of
 * headers, 500 levels of MIME nesting, 10,000 parts, an attachment over the size limit, broken
 * boundaries, NUL bytes, invalid charsets). Each gets a clear outcome: an SMTP refusal, or an
 * inbound record classified with a reason; never a crash, a hang or a record left pending; and
 * memory stays bounded on the nesting and part-count attacks. Set GUICHET_FUZZ_SEED to replay.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { acceptInboundEmail, DEFAULT_INGEST_LIMITS, type InboundEmail, type Job, type Mailbox } from '@guichet/core';
import { testDbKinds } from '@guichet/db/testing';
import { emailIngestHandler } from '../src/email/ingest-job.ts';
import { createEmailParser } from '../src/email/parse.ts';
import { startSmtpListener, type SmtpListener } from '../src/email/smtp-listener.ts';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { addMailbox, mail, sendRaw } from './email-inbound-helpers.ts';

const CORPUS = resolve(fileURLToPath(import.meta.url), '../../../../../shared/datasets/emails');
const SEEDS_FROM = [
  'talon/standard_replies/gmail.eml',
  'nodemailer-mailparser/nested.eml',
  'mikel-mail/multi_charset/japanese_iso_2022.eml',
  'sisimai/bsd/rfc3464-01.eml',
  'php-mime-mail-parser/m0020',
  'postal-mime/mixed.eml',
  'mimekit/messages/japanese.txt',
  'flanker/attached-pdf.eml',
];
const SEED = Number(process.env.GUICHET_FUZZ_SEED ?? 0x6a7e11) >>> 0;
const MUTATIONS = 120;

/** mulberry32: a small seeded PRNG, so a failing mutation can be replayed. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0x00, 0x0a, 0x0d, 0x2d, 0x3d, 0x3f, 0x3b, 0x22, 0x3c, 0x3e, 0x1b, 0x80, 0xc3, 0xff];

function mutate(base: Buffer, random: () => number): { raw: Buffer; how: string } {
  const at = () => Math.floor(random() * base.length);
  switch (Math.floor(random() * 4)) {
    case 0: {
      const n = at();
      return { raw: base.subarray(0, n), how: `truncated at ${n}` };
    }
    case 1: {
      const raw = Buffer.from(base);
      const k = 1 + Math.floor(random() * 32);
      for (let i = 0; i < k; i++) raw[at()] = random() < 0.5 ? Math.floor(random() * 256) : INTERESTING[Math.floor(random() * INTERESTING.length)]!;
      return { raw, how: `${k} bytes flipped` };
    }
    case 2: {
      const n = at();
      const len = 1 + Math.floor(random() * 200);
      const junk = Buffer.from(Array.from({ length: len }, () => (random() < 0.3 ? INTERESTING[Math.floor(random() * INTERESTING.length)]! : Math.floor(random() * 256))));
      return { raw: Buffer.concat([base.subarray(0, n), junk, base.subarray(n)]), how: `${len} random bytes inserted at ${n}` };
    }
    default: {
      // A slice of the message repeated: duplicated boundaries and headers.
      const a = at();
      const b = Math.min(base.length, a + Math.floor(random() * 2000));
      return { raw: Buffer.concat([base.subarray(0, b), base.subarray(a, b), base.subarray(a, b), base.subarray(b)]), how: `bytes ${a}-${b} repeated` };
    }
  }
}

const CRLF = '\r\n';
const head = (extra: string[] = []) => ['From: Fuzz <fuzz@client.example>', 'To: support@fuzz.example', 'Subject: fuzz', 'MIME-Version: 1.0', ...extra].join(CRLF);

function deepNesting(levels: number, sameBoundary: boolean): Buffer {
  let body = `Content-Type: text/plain${CRLF}${CRLF}the bottom${CRLF}`;
  for (let i = levels; i > 0; i--) {
    const b = sameBoundary ? 'b' : `b${i}`;
    body = `Content-Type: multipart/mixed; boundary="${b}"${CRLF}${CRLF}--${b}${CRLF}${body}${CRLF}--${b}--${CRLF}`;
  }
  return Buffer.from(`${head()}${CRLF}${body}`);
}

function rfc822Nesting(levels: number): Buffer {
  let msg = `Subject: inner${CRLF}Content-Type: text/plain${CRLF}${CRLF}the bottom${CRLF}`;
  for (let i = 0; i < levels; i++) msg = `Subject: level ${i}${CRLF}Content-Type: message/rfc822${CRLF}${CRLF}${msg}`;
  return Buffer.from(`${head()}${CRLF}Content-Type: message/rfc822${CRLF}${CRLF}${msg}`);
}

function manyParts(n: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`--p${CRLF}Content-Type: text/plain${CRLF}${CRLF}part ${i}${CRLF}`);
  return Buffer.from(`${head(['Content-Type: multipart/mixed; boundary="p"'])}${CRLF}${CRLF}${parts.join('')}--p--${CRLF}`);
}

/** The hand-made attacks taken through intake and ingest (the size cases go through SMTP below). */
function attacks(): Array<{ name: string; raw: Buffer }> {
  const base64Line = Buffer.alloc(57, 7).toString('base64');
  return [
    { name: '200 KB of headers', raw: Buffer.from(`${head(Array.from({ length: 2000 }, (_, i) => `X-Filler-${i}: ${'f'.repeat(90)}`))}${CRLF}${CRLF}body${CRLF}`) },
    { name: '300 KB of headers (over the header limit)', raw: Buffer.from(`${head(Array.from({ length: 3000 }, (_, i) => `X-Filler-${i}: ${'f'.repeat(90)}`))}${CRLF}${CRLF}body${CRLF}`) },
    { name: '1 MB subject line', raw: Buffer.from(`${head([`X-Long: ${'s'.repeat(1024 * 1024)}`])}${CRLF}${CRLF}body${CRLF}`) },
    { name: '1 MB folded header', raw: Buffer.from(`${head([`X-Folded: a${`${CRLF} ${'w'.repeat(70)}`.repeat(15_000)}`])}${CRLF}${CRLF}body${CRLF}`) },
    { name: '1 MB body line', raw: Buffer.from(`${head(['Content-Type: text/plain'])}${CRLF}${CRLF}${'l'.repeat(1024 * 1024)}${CRLF}`) },
    { name: '500 levels of multipart nesting', raw: deepNesting(500, false) },
    { name: '500 levels of multipart nesting, one boundary', raw: deepNesting(500, true) },
    { name: '500 levels of message/rfc822 nesting', raw: rfc822Nesting(500) },
    { name: '10,000 parts', raw: manyParts(10_000) },
    { name: '400 parts (under the part limit)', raw: manyParts(400) },
    {
      name: 'missing closing boundary',
      raw: Buffer.from(`${head(['Content-Type: multipart/mixed; boundary="x"'])}${CRLF}${CRLF}--x${CRLF}Content-Type: text/plain${CRLF}${CRLF}open ended${CRLF}`),
    },
    { name: 'boundary never used', raw: Buffer.from(`${head(['Content-Type: multipart/mixed; boundary="nope"'])}${CRLF}${CRLF}just text${CRLF}`) },
    { name: 'empty boundary', raw: Buffer.from(`${head(['Content-Type: multipart/mixed; boundary=""'])}${CRLF}${CRLF}--${CRLF}${CRLF}x${CRLF}----${CRLF}`) },
    { name: 'multipart without boundary', raw: Buffer.from(`${head(['Content-Type: multipart/alternative'])}${CRLF}${CRLF}--a${CRLF}${CRLF}x${CRLF}`) },
    {
      name: 'NUL bytes in headers and body',
      raw: Buffer.from(`From: Nul\0 <nul@client.example>${CRLF}To: support@fuzz.example${CRLF}Subject: a\0b${CRLF}Content-Type: text/html${CRLF}${CRLF}<p>x\0y</p>\0\0${CRLF}`),
    },
    { name: 'NUL in a filename', raw: Buffer.from(`${head(['Content-Type: multipart/mixed; boundary="z"'])}${CRLF}${CRLF}--z${CRLF}Content-Type: text/plain${CRLF}${CRLF}hi${CRLF}--z${CRLF}Content-Type: application/octet-stream; name="a\0.exe"${CRLF}Content-Disposition: attachment; filename="../../a\0b.txt"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${base64Line}${CRLF}--z--${CRLF}`) },
    { name: 'only NUL bytes', raw: Buffer.alloc(4096) },
    { name: 'empty message', raw: Buffer.alloc(0) },
    { name: 'no header/body separator', raw: Buffer.from('From: a@client.example\r\nSubject: x') },
    { name: 'unknown charset', raw: Buffer.from(`${head(['Content-Type: text/plain; charset="x-no-such-charset"'])}${CRLF}${CRLF}caf\xe9${CRLF}`, 'latin1') },
    { name: 'charset label with path characters', raw: Buffer.from(`${head(['Content-Type: text/plain; charset="../../etc/passwd"'])}${CRLF}${CRLF}caf\xe9${CRLF}`, 'latin1') },
    { name: 'broken UTF-7', raw: Buffer.from(`${head(['Content-Type: text/plain; charset=utf-7'])}${CRLF}${CRLF}+AOk-+++---+ZZZZZZZZZZ${CRLF}`) },
    { name: 'encoded-words with unknown charsets and bad base64', raw: Buffer.from(`From: =?x-bogus?B?@@@@?= <ew@client.example>${CRLF}To: support@fuzz.example${CRLF}Subject: =?utf-8?B?%%%?= =?unknown?Q?caf=E9?= =?utf-8?Q?=FF=FE?=${CRLF}${CRLF}hi${CRLF}`) },
    { name: 'bad base64 and quoted-printable bodies', raw: Buffer.from(`${head(['Content-Type: text/plain', 'Content-Transfer-Encoding: base64'])}${CRLF}${CRLF}!!!!====****${CRLF}`) },
    { name: 'unknown transfer encoding', raw: Buffer.from(`${head(['Content-Type: text/plain', 'Content-Transfer-Encoding: x-rot13'])}${CRLF}${CRLF}uryyb${CRLF}`) },
    { name: 'huge declared size of nothing', raw: Buffer.from(`${head(['Content-Type: application/octet-stream; name="a.bin"; size=99999999999', 'Content-Disposition: attachment; filename*=utf-8\'\'%FF%FE%00.bin'])}${CRLF}${CRLF}${CRLF}`) },
  ];
}

const BOUND_MS = 60_000;
async function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} hung`)), BOUND_MS)))]);
  } finally {
    clearTimeout(timer);
  }
}

const MB = 1024 * 1024;
const rssMb = () => process.memoryUsage().rss / MB;

for (const kind of testDbKinds()) {
  describe(`hostile and mangled mail on ${kind}`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    let mailbox: Mailbox;
    let smtp: SmtpListener;
    const handler = emailIngestHandler(DEFAULT_INGEST_LIMITS, createEmailParser());

    before(async () => {
      t = await startTestApp(kind);
      ws = await newWorkspace(t);
      mailbox = await addMailbox(t, ws.id, `support@${ws.slug}.example`, { floodLimitPerHour: 100_000 });
      smtp = await startSmtpListener(t.deps, { host: '127.0.0.1', port: 0, maxBytes: 4 * MB });
    });
    after(async () => {
      await smtp?.close();
      await t?.close();
    });

    async function ingest(id: string, what: string, h = handler): Promise<InboundEmail> {
      await bounded(h.handle(t.deps, { workspaceId: ws.id, inboundEmailId: id }, { id } as unknown as Job), `ingest of ${what}`);
      const row = await t.deps.store.inboundEmails.findById(ws.id, id);
      assert.ok(row, what);
      return row;
    }

    /** Intake then ingest; the outcome, or a description of what went wrong. */
    async function through(raw: Buffer, what: string): Promise<{ row: InboundEmail | null; problem: string | null }> {
      try {
        const { email } = await bounded(
          acceptInboundEmail(t.deps, { mailbox, source: 'smtp', raw, envelope: { from: 'fuzz@client.example', rcptTo: [mailbox.address], remoteAddress: '127.0.0.1' } }),
          `intake of ${what}`,
        );
        const row = await ingest(email.id, what);
        if (row.status === 'pending' || row.status === 'failed') return { row, problem: `${what}: left ${row.status}` };
        if (row.status !== 'ticketed' && !row.reason) return { row, problem: `${what}: ${row.status} without a reason` };
        return { row, problem: null };
      } catch (e) {
        return { row: null, problem: `${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
      }
    }

    it(`survives ${MUTATIONS} seeded mutations of real messages (seed ${SEED})`, { timeout: 120_000 }, async () => {
      const random = prng(SEED);
      const bases = SEEDS_FROM.map((f) => ({ f, raw: readFileSync(join(CORPUS, f)) }));
      const problems: string[] = [];
      const counts: Record<string, number> = {};
      for (let i = 0; i < MUTATIONS; i++) {
        const base = bases[Math.floor(random() * bases.length)]!;
        const m = mutate(base.raw, random);
        const { row, problem } = await through(m.raw, `mutation #${i} of ${base.f} (${m.how}, seed ${SEED})`);
        if (problem) problems.push(problem);
        if (row) counts[row.status] = (counts[row.status] ?? 0) + 1;
      }
      console.log(`# fuzz on ${kind}, seed ${SEED}: ${Object.entries(counts).sort().map(([s, n]) => `${s} ${n}`).join(', ')}`);
      assert.deepEqual(problems, []);
    });

    it('gives every hand-made attack a clear outcome, with bounded memory on nesting and part counts', { timeout: 120_000 }, async () => {
      const problems: string[] = [];
      const report: string[] = [];
      for (const a of attacks()) {
        const watchMemory = /nesting|parts/.test(a.name);
        global.gc?.();
        const before = rssMb();
        const { row, problem } = await through(a.raw, a.name);
        const growth = rssMb() - before;
        if (problem) problems.push(problem);
        if (watchMemory && growth > 300) problems.push(`${a.name}: RSS grew by ${growth.toFixed(0)} MB`);
        report.push(`#   ${a.name}: ${row?.status ?? '?'}${row?.reason ? ` (${row.reason.slice(0, 100)})` : ''}${watchMemory ? `, RSS +${growth.toFixed(0)} MB` : ''}`);
      }
      console.log(`# attacks on ${kind}:\n${report.join('\n')}`);
      assert.deepEqual(problems, []);
    });

    it('refuses over SMTP what is over the size limit (552), and accepts then rejects a 1 MB header line', { timeout: 60_000 }, async () => {
      const to = [mailbox.address];
      const from = 'fuzz@client.example';
      const before = (await t.deps.store.inboundEmails.list(ws.id, {}, { limit: 1000 })).length;
      const b64 = Buffer.alloc(5 * MB, 0xa5).toString('base64').replace(/.{76}/g, `$&${CRLF}`);
      const huge = `${head(['Content-Type: multipart/mixed; boundary="h"'])}${CRLF}${CRLF}--h${CRLF}Content-Type: text/plain${CRLF}${CRLF}see attached${CRLF}--h${CRLF}Content-Type: application/octet-stream; name="big.bin"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${b64}${CRLF}--h--${CRLF}`;
      await assert.rejects(sendRaw(smtp.port, { from, to }, huge), (e: any) => {
        assert.equal(e.responseCode, 552, e.message);
        return true;
      });
      await assert.rejects(sendRaw(smtp.port, { from, to }, `${head()}${CRLF}${CRLF}${'x'.repeat(4 * MB + 10)}${CRLF}`), (e: any) => {
        assert.equal(e.responseCode, 552, e.message);
        return true;
      });
      assert.equal((await t.deps.store.inboundEmails.list(ws.id, {}, { limit: 1000 })).length, before, 'nothing refused was stored');

      const [id] = await sendRaw(smtp.port, { from, to }, `${head([`X-Huge: ${'h'.repeat(MB)}`])}${CRLF}${CRLF}body${CRLF}`);
      assert.ok(id, 'answered 250 with its id');
      const row = await ingest(id, '1 MB header line over SMTP');
      assert.equal(row.status, 'rejected');
      assert.match(row.reason ?? '', /header section over/);
    });

    it('rejects, with the reason, a message the parser cannot finish within its time bound', async () => {
      const { email } = await acceptInboundEmail(t.deps, {
        mailbox,
        source: 'smtp',
        raw: Buffer.from(mail({ from: 'slow@client.example', to: mailbox.address, subject: 'slow', body: 'y'.repeat(2 * MB) })),
        envelope: { from: 'slow@client.example', rcptTo: [mailbox.address], remoteAddress: '127.0.0.1' },
      });
      // A bound no parse can meet stands in for a message that takes too long.
      const row = await ingest(email.id, 'slow message', emailIngestHandler(DEFAULT_INGEST_LIMITS, createEmailParser({ timeoutMs: 0 })));
      assert.equal(row.status, 'rejected');
      assert.match(row.reason ?? '', /parsing took longer than 0 ms/);
    });
  });
}
