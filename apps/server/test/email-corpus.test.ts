/**
 * Robustness on real mail (issue 4, item 9): every message of the shared corpus
 * (../shared/datasets/emails, read as bytes where it lies, never copied) goes through the real
 * durable intake (acceptInboundEmail) and the `email.ingest` job handler, on both databases.
 * None may throw or hang (the parser bounds its own time per message and rejects a too-slow
 * one); each ends as a ticket message or classified with a recorded reason; subjects and bodies
 * come out as readable text; the categories checked by opening the files hold.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { acceptInboundEmail, DEFAULT_INGEST_LIMITS, type InboundStatus, type Job, type ParsedEmail } from '@guichet/core';
import { testDbKinds } from '@guichet/db/testing';
import { emailIngestHandler } from '../src/email/ingest-job.ts';
import { createEmailParser } from '../src/email/parse.ts';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { addMailbox } from './email-inbound-helpers.ts';

const CORPUS = resolve(fileURLToPath(import.meta.url), '../../../../../shared/datasets/emails');
const NOT_MESSAGES = new Set(['LICENSE', 'NOTICE', 'SOURCE.md', 'manifest.tsv']);

function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!NOT_MESSAGES.has(name)) out.push(relative(CORPUS, p));
    }
  };
  walk(CORPUS);
  return out;
}

const manifest = new Map(
  readFileSync(join(CORPUS, 'manifest.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split('\t'))
    .map(([file, category]) => [file!, category!]),
);

/**
 * Messages whose own bytes are broken, so that no decoder can give readable text for the part
 * named; each was opened and checked.
 */
const EXEMPT_READABILITY: Record<string, { fields: Array<'subject' | 'body'>; why: string }> = {
  'mikel-mail/error_emails/content_transfer_encoding_7-bit.eml': {
    fields: ['body'],
    why: 'declares iso-8859-1 but its body bytes are UTF-8 ("Fund\\xC3\\xB4"): correctly decoded as declared, it reads "FundÃ´"',
  },
  'mikel-mail/error_emails/content_transfer_encoding_empty.eml': {
    fields: ['subject', 'body'],
    why: 'Big5 text that was once converted from Latin-1 to UTF-8 (double-encoded): the subject is valid UTF-8 mojibake and the body holds invalid Big5 sequences',
  },
  'mikel-mail/error_emails/must_supply_encoding.eml': {
    fields: ['subject'],
    why: 'the Subject line itself holds the UTF-8 bytes of U+FFFD three times (EF BF BD)',
  },
  'mikel-mail/attachment_emails/attachment_pdf_non_ascii.eml': {
    fields: ['body'],
    why: 'declares ISO-8859-1 but holds the UTF-8 bytes C3 82 ("Â" encoded twice): decoded as declared it reads "Ã‚"',
  },
  'mikel-mail/attachment_emails/attachment_pdf_non_ascii_lf.eml': {
    fields: ['body'],
    why: 'the same message with LF line endings: ISO-8859-1 declared, UTF-8 bytes C3 82 in the body',
  },
  'php-mime-mail-parser/m0019': { fields: ['body'], why: 'a charset="utf-8" part whose quoted-printable text holds Latin-1 bytes (h=E4r), as the fixture demonstrates' },
  'php-mime-mail-parser/m0022': { fields: ['body'], why: 'a charset="utf-8" part whose quoted-printable text holds Latin-1 bytes (h=E4r), as the fixture demonstrates' },
  'php-mime-mail-parser/m0023': { fields: ['body'], why: 'a charset="utf-8" part whose quoted-printable text holds Latin-1 bytes (h=E4r), as the fixture demonstrates' },
};

/**
 * Sisimai files the manifest guesses as bounces that Guichet does not take as bounces, opened and
 * checked: nothing in their headers or MIME structure says "delivery report".
 */
const SISIMAI_NOT_BOUNCE_CLASSIFIED: Record<string, string> = {
  'sisimai/bsd/lhost-amazonses-09.eml':
    'an Amazon SNS notification ("AWS Notification Message" from no-reply@sns.amazonaws.com) whose JSON body says "notificationType":"Bounce": a provider API payload, not a DSN',
  'sisimai/bsd/lhost-apachejames-01.eml':
    'from post_master@ with the subject "Re:Test message", a non-null sender and no delivery-status part: a bounce only by its body text ("Error: Invalid user address")',
};

/**
 * Talon replies whose quoted history the fold cannot mark: it marks one offset from which the rest
 * of the body is history, so a bottom-posted reply (quote first, answer after) is left unfolded.
 */
const TALON_NOT_FOLDED: Record<string, string> = {
  'talon/standard_replies/thunderbird.eml': 'bottom-posted: "On … wrote:" and the quote come first, the answer ("Hello") after it',
};

/** Messages in a non-Latin script (checked by opening them): their text must show that script, not escapes or Latin-1 stand-ins. */
const SCRIPT: Record<string, RegExp> = {
  'mikel-mail/multi_charset/japanese_iso_2022.eml': /\p{Script=Hiragana}/u,
  'mikel-mail/multi_charset/japanese_shift_jis.eml': /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u,
  'mikel-mail/multi_charset/ks_c_5601-1987.eml': /\p{Script=Hangul}/u,
  'mikel-mail/plain_emails/raw_email.eml': /\p{Script=Hangul}/u,
  'mikel-mail/rfc2822/example14.eml': /\p{Script=Katakana}/u,
  'mimekit/messages/japanese.txt': /\p{Script=Han}/u,
  'mimekit/tnef/ukr.eml': /\p{Script=Cyrillic}/u,
  'php-mime-mail-parser/failure.eml': /\p{Script=Han}/u,
  'php-mime-mail-parser/issue230': /\p{Script=Cyrillic}/u,
  'sisimai/bsd/lhost-trendmicro-01.eml': /\p{Script=Hiragana}/u,
};

const REPLACEMENT = /\uFFFD/;
/** UTF-8 read as Latin-1/Windows-1252 ("Ã©", "â€™", "Â "), and ISO-2022 escapes left in the text. */
const MOJIBAKE = /Ã[\u0080-\u00BF\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192\u02C6\u02DC\u2013-\u203A\u20AC\u2122]|â€|Â[\u00A0-\u00BF]|\u001B[$(]/;

function unreadable(text: string): string | null {
  const m = REPLACEMENT.exec(text) ?? MOJIBAKE.exec(text);
  return m ? JSON.stringify(text.slice(Math.max(0, m.index - 30), m.index + 30)) : null;
}

/**
 * The envelope sender a relay would give: Return-Path when the message kept one (<> for a null
 * sender), else the From address, else a stand-in (SMTP always has a MAIL FROM).
 */
function envelopeFrom(raw: Buffer): string {
  const head = raw.subarray(0, 64 * 1024).toString('latin1');
  const rp = /^Return-Path:[ \t]*<?([^>\r\n]*)>?/im.exec(head);
  if (rp) return rp[1]!.trim().includes('@') ? rp[1]!.trim() : '';
  const from = /^From:[^\r\n]*?<([^>\s]+@[^>\s]+)>|^From:[ \t]*([^\s<>"]+@[^\s<>"]+)/im.exec(head);
  return from?.[1] ?? from?.[2] ?? 'sender@corpus.example';
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

interface Outcome {
  file: string;
  status: InboundStatus;
  reason: string | null;
  ticketId: string | null;
  messageId: string | null;
}

const files = corpusFiles();

for (const kind of testDbKinds()) {
  describe(`real-world mail corpus on ${kind}`, () => {
    let t: TestApp;
    let ws: TestWorkspace;
    const outcomes = new Map<string, Outcome>();
    const parsed = new Map<string, ParsedEmail>();

    before(async () => {
      t = await startTestApp(kind);
      ws = await newWorkspace(t);
    });
    after(async () => {
      await t?.close();
    });

    it(`takes every one of the ${files.length} messages through intake and ingest: none throws or hangs, none is left pending or failed`, { timeout: 240_000 }, async () => {
      assert.ok(files.length >= 300, `the corpus is at ${CORPUS} (found ${files.length} messages)`);
      const mailbox = await addMailbox(t, ws.id, `support@${ws.slug}.example`, { floodLimitPerHour: 100_000 });
      const parser = createEmailParser();
      const handler = emailIngestHandler(DEFAULT_INGEST_LIMITS, parser);
      const problems: string[] = [];
      for (const file of files) {
        const raw = readFileSync(join(CORPUS, file));
        try {
          const { email } = await bounded(
            acceptInboundEmail(t.deps, {
              mailbox,
              source: 'smtp',
              raw,
              envelope: { from: envelopeFrom(raw), rcptTo: [mailbox.address], remoteAddress: '127.0.0.1' },
            }),
            `intake of ${file}`,
          );
          await bounded(handler.handle(t.deps, { workspaceId: ws.id, inboundEmailId: email.id }, { id: file } as unknown as Job), `ingest of ${file}`);
          const row = await t.deps.store.inboundEmails.findById(ws.id, email.id);
          assert.ok(row, file);
          outcomes.set(file, { file, status: row.status, reason: row.reason, ticketId: row.ticketId, messageId: row.messageId });
          if (row.status === 'pending' || row.status === 'failed') problems.push(`${file}: left ${row.status}`);
          else if (row.status !== 'ticketed' && !row.reason) problems.push(`${file}: ${row.status} without a reason`);
          else if (row.status === 'ticketed' && !row.messageId) problems.push(`${file}: ticketed without a ticket message`);
          // The same bytes through the parser alone, for the readability checks of what is not ticketed.
          try {
            parsed.set(file, await parser.parse(raw));
          } catch {
            // rejected by the parser: the inbound row says so
          }
        } catch (e) {
          problems.push(`${file}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        }
      }
      const counts: Record<string, number> = {};
      for (const o of outcomes.values()) counts[o.status] = (counts[o.status] ?? 0) + 1;
      console.log(`# corpus on ${kind}: ${files.length} messages → ${Object.entries(counts).sort().map(([s, n]) => `${s} ${n}`).join(', ')}`);
      for (const o of outcomes.values()) if (o.status === 'rejected') console.log(`#   rejected ${o.file}: ${o.reason}`);
      assert.deepEqual(problems, []);
      assert.equal(outcomes.size, files.length);
    });

    it('gives readable subjects and bodies: no U+FFFD, no mojibake, the script of CJK and Cyrillic mail', { timeout: 120_000 }, async () => {
      assert.equal(outcomes.size, files.length, 'the intake test ran first');
      const problems: string[] = [];
      for (const [file, p] of parsed) {
        const exempt = EXEMPT_READABILITY[file]?.fields ?? [];
        const check = (field: 'subject' | 'body', where: string, text: string) => {
          if (exempt.includes(field)) return;
          const bad = unreadable(text);
          if (bad) problems.push(`${file}: ${where}: ${bad}`);
        };
        check('subject', 'parsed subject', p.subject);
        check('body', 'parsed text', p.text);
        check('body', 'parsed html', p.html ?? '');
        const script = SCRIPT[file];
        if (script && !script.test(`${p.subject}\n${p.text}\n${p.html ?? ''}`)) problems.push(`${file}: no ${script.source} text`);
      }
      // What agents read: the ticket subject and the stored message body, through the API.
      for (const o of outcomes.values()) {
        if (o.status !== 'ticketed' || !o.ticketId) continue;
        const tk = await ws.admin.req('GET', `/tickets/${o.ticketId}`);
        assert.equal(tk.status, 200, JSON.stringify(tk.body));
        const msgs = await ws.admin.req('GET', `/tickets/${o.ticketId}/messages?limit=200`);
        assert.equal(msgs.status, 200, JSON.stringify(msgs.body));
        const m = (msgs.body.items as any[]).find((x) => x.id === o.messageId);
        assert.ok(m, `${o.file}: its message is on the ticket`);
        const exempt = EXEMPT_READABILITY[o.file]?.fields ?? [];
        if (!exempt.includes('subject')) {
          const bad = unreadable(tk.body.subject) ?? unreadable(m.email?.subject ?? '');
          if (bad) problems.push(`${o.file}: ticket subject: ${bad}`);
        }
        if (!exempt.includes('body')) {
          const bad = unreadable(m.body) ?? unreadable(m.bodyHtml ?? '');
          if (bad) problems.push(`${o.file}: message body: ${bad}`);
        }
      }
      assert.deepEqual(problems, []);
      for (const [file, e] of Object.entries(EXEMPT_READABILITY)) {
        assert.ok(outcomes.has(file), `exempted ${file} is in the corpus`);
        assert.ok(e.why);
      }
    });

    it('classifies what the corpus says it is, where checked by opening the files', async () => {
      assert.equal(outcomes.size, files.length, 'the intake test ran first');
      const wrong: string[] = [];
      const expect = (file: string, ok: (s: InboundStatus) => boolean, want: string) => {
        const o = outcomes.get(file);
        if (!o) wrong.push(`${file}: missing`);
        else if (!ok(o.status)) wrong.push(`${file}: ${o.status} (${o.reason ?? 'no reason'}), want ${want}`);
      };
      const sisimai = files.filter((f) => f.startsWith('sisimai/'));
      const bounces = sisimai.filter((f) => manifest.get(f)?.startsWith('bounce') && !SISIMAI_NOT_BOUNCE_CLASSIFIED[f]);
      assert.ok(bounces.length >= 45, `sisimai bounces: ${bounces.length}`);
      for (const f of bounces) expect(f, (s) => s === 'bounce', 'bounce');
      const controls = sisimai.filter((f) => f.startsWith('sisimai/not/'));
      assert.equal(controls.length, 3);
      for (const f of controls) expect(f, (s) => s !== 'bounce', 'not a bounce');
      const autoReplies = sisimai.filter((f) => /rfc3834-0[1-6]/.test(f));
      assert.equal(autoReplies.length, 6);
      for (const f of autoReplies) expect(f, (s) => s === 'auto_reply', 'auto_reply');

      // Talon's standard replies: the quoted history is found, so the display can fold it.
      const talon = files.filter((f) => f.startsWith('talon/'));
      assert.equal(talon.length, 12);
      for (const f of talon) {
        if (TALON_NOT_FOLDED[f]) continue;
        const o = outcomes.get(f)!;
        if (o.status !== 'ticketed') {
          wrong.push(`${f}: ${o.status} (${o.reason}), want a ticket message`);
          continue;
        }
        const msgs = await ws.admin.req('GET', `/tickets/${o.ticketId}/messages?limit=200`);
        const m = (msgs.body.items as any[]).find((x) => x.id === o.messageId);
        if (m?.email?.quoteStart === null || m?.email?.quoteStart === undefined) wrong.push(`${f}: no quoted history found in ${JSON.stringify(m?.body?.slice(0, 300))}`);
      }
      assert.deepEqual(wrong, []);
    });

    it('gives the same outcomes when the worker takes the corpus in batches of 16 (one transaction each) as one by one', { timeout: 240_000 }, async () => {
      assert.equal(outcomes.size, files.length, 'the intake test ran first');
      const other = await newWorkspace(t);
      const mailbox = await addMailbox(t, other.id, `support@${other.slug}.example`, { floodLimitPerHour: 100_000 });
      const handler = emailIngestHandler(DEFAULT_INGEST_LIMITS, createEmailParser());
      const ids = new Map<string, string>();
      for (const file of files) {
        const raw = readFileSync(join(CORPUS, file));
        const { email } = await acceptInboundEmail(t.deps, { mailbox, source: 'smtp', raw, envelope: { from: envelopeFrom(raw), rcptTo: [mailbox.address], remoteAddress: '127.0.0.1' } });
        ids.set(file, email.id);
      }
      for (let i = 0; i < files.length; i += 16) {
        const items = files.slice(i, i + 16).map((file, j) => ({ payload: { workspaceId: other.id, inboundEmailId: ids.get(file)! }, job: { id: i + j } as unknown as Job }));
        const results = await bounded(handler.batch!.handle(t.deps, items), `batch from ${files[i]}`);
        for (const r of results) assert.ok(!(r instanceof Error), String(r));
      }
      // Tickets compared by the first file that made each; reasons without ticket numbers.
      const shape = (o: { status: string; reason: string | null; ticketId: string | null }, firsts: Map<string, string>, file: string) => {
        if (o.ticketId && !firsts.has(o.ticketId)) firsts.set(o.ticketId, file);
        return { status: o.status, reason: o.reason?.replace(/#\d+/g, '#n') ?? null, ticket: o.ticketId ? firsts.get(o.ticketId) : null };
      };
      const firstsOne = new Map<string, string>();
      const firstsBatch = new Map<string, string>();
      const mismatches: string[] = [];
      for (const file of files) {
        const row = (await t.deps.store.inboundEmails.findById(other.id, ids.get(file)!))!;
        const one = shape(outcomes.get(file)!, firstsOne, file);
        const batch = shape(row, firstsBatch, file);
        if (JSON.stringify(one) !== JSON.stringify(batch)) mismatches.push(`${file}: one by one ${JSON.stringify(one)}, in batches ${JSON.stringify(batch)}`);
      }
      assert.deepEqual(mismatches, []);
    });

    it('sends the rest of a batch one by one once parsing has used its time budget, each message processed once, answers in order', async () => {
      const other = await newWorkspace(t);
      const mailbox = await addMailbox(t, other.id, `support@${other.slug}.example`, { floodLimitPerHour: 100_000 });
      // No time at all: the first message is parsed for the batch, the others after it, alone.
      const handler = emailIngestHandler({ ...DEFAULT_INGEST_LIMITS, batchParseBudgetMs: 0 }, createEmailParser());
      const picked = files.slice(0, 6);
      const ids: string[] = [];
      for (const file of picked) {
        const raw = readFileSync(join(CORPUS, file));
        ids.push((await acceptInboundEmail(t.deps, { mailbox, source: 'smtp', raw, envelope: { from: envelopeFrom(raw), rcptTo: [mailbox.address], remoteAddress: '127.0.0.1' } })).email.id);
      }
      const items = ids.map((id, j) => ({ payload: { workspaceId: other.id, inboundEmailId: id }, job: { id: j } as unknown as Job }));
      const results = await bounded(handler.batch!.handle(t.deps, items), 'batch with no parse budget');
      assert.equal(results.length, ids.length);
      for (const [j, id] of ids.entries()) {
        const row = (await t.deps.store.inboundEmails.findById(other.id, id))!;
        assert.notEqual(row.status, 'pending', picked[j]);
        const r = results[j];
        assert.ok(r && !(r instanceof Error), `${picked[j]}: ${String(r)}`);
        assert.equal(row.status, outcomes.get(picked[j]!)!.status, `${picked[j]}: the same outcome as one by one`);
      }
      // Taken again (a second delivery of the jobs): nothing left to do, nothing written twice.
      const messages = async () => Number((await t.database.db.selectFrom('messages').select((e) => e.fn.countAll().as('n')).where('workspace_id', '=', other.id).executeTakeFirstOrThrow()).n);
      const before = await messages();
      for (const r of await handler.batch!.handle(t.deps, items)) assert.ok(!(r instanceof Error), String(r));
      assert.equal(await messages(), before);
    });
  });
}
