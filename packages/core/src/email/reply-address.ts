/**
 * Signed reply addresses: `support+<token>@acme.example`, where the token names a ticket and is
 * signed with the server's key, so a reply to it joins that ticket whoever sends it, and a
 * guessed token never does. Lowercase base32 only: some mail systems lowercase local parts.
 */
import type { Deps } from '../deps.ts';

const PURPOSE = 'reply-address';
const SIG_BYTES = 8;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function unbase32(s: string, length: number): Buffer | null {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of s) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) return null;
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return out.length === length ? Buffer.from(out) : null;
}

const ID_CHARS = 26; // 16 bytes
const SIG_CHARS = 13; // 8 bytes

/** The token of a ticket's reply address (39 lowercase characters). */
export function replyAddressToken(deps: Pick<Deps, 'keyring'>, ticketId: string): string {
  const id = ticketId.toLowerCase();
  if (!UUID_RE.test(id)) throw new Error('replyAddressToken takes a ticket id (uuid)');
  const sig = Buffer.from(deps.keyring.sign(PURPOSE, id, SIG_BYTES), 'base64url');
  return base32(Buffer.from(id.replace(/-/g, ''), 'hex')) + base32(sig);
}

/** `local+token@domain` for a mailbox address and a ticket. */
export function replyAddressFor(deps: Pick<Deps, 'keyring'>, mailboxAddress: string, ticketId: string): string {
  const at = mailboxAddress.lastIndexOf('@');
  const local = mailboxAddress.slice(0, at).split('+')[0]!;
  return `${local}+${replyAddressToken(deps, ticketId)}@${mailboxAddress.slice(at + 1)}`.toLowerCase();
}

/**
 * Split an address into its base (`local@domain`, lowercase, the mailbox address) and its
 * `+detail`, if any. Pure: says nothing about whether the detail is a valid token.
 */
export function parseReplyAddress(address: string): { base: string; detail: string | null } {
  const a = address.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  if (at <= 0) return { base: a, detail: null };
  const local = a.slice(0, at);
  const domain = a.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus < 0) return { base: a, detail: null };
  return { base: `${local.slice(0, plus)}@${domain}`, detail: local.slice(plus + 1) || null };
}

/** The ticket id a token names, when its signature verifies; null otherwise. */
export function verifyReplyToken(deps: Pick<Deps, 'keyring'>, token: string): string | null {
  const t = token.trim().toLowerCase();
  if (t.length !== ID_CHARS + SIG_CHARS) return null;
  const idBytes = unbase32(t.slice(0, ID_CHARS), 16);
  const sigBytes = unbase32(t.slice(ID_CHARS), SIG_BYTES);
  if (!idBytes || !sigBytes) return null;
  const hex = idBytes.toString('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return deps.keyring.verify(PURPOSE, id, sigBytes.toString('base64url'), SIG_BYTES) ? id : null;
}
