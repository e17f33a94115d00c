import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock, IdGenerator, Keyring, SecretGenerator } from './ports.ts';

export const systemClock: Clock = { now: () => new Date() };

/** RFC 9562 UUIDv7: 48-bit millisecond time, then randomness; monotonic within one process. */
export function createUuidV7(clock: Clock = systemClock): IdGenerator {
  let lastMs = 0;
  let seq = 0;
  return {
    uuid() {
      let ms = clock.now().getTime();
      if (ms <= lastMs) {
        seq = (seq + 1) & 0xfff;
        if (seq === 0) lastMs += 1;
        ms = lastMs;
      } else {
        lastMs = ms;
        seq = randomBytes(2).readUInt16BE(0) & 0x7ff;
      }
      const b = randomBytes(16);
      b.writeUIntBE(ms, 0, 6);
      b[6] = 0x70 | ((seq >> 8) & 0x0f);
      b[7] = seq & 0xff;
      b[8] = 0x80 | (b[8]! & 0x3f);
      const h = b.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
  };
}

export const cryptoSecrets: SecretGenerator = {
  token: (bytes) => randomBytes(bytes).toString('base64url'),
  hash: (secret) => createHash('sha256').update(secret, 'utf8').digest('hex'),
};

/** A keyring from one 32-byte master key; subkeys are derived per purpose with HKDF-SHA256. */
export function createKeyring(masterKey: Buffer): Keyring {
  if (masterKey.length < 32) throw new Error('the master key must hold at least 32 bytes');
  const derived = new Map<string, Buffer>();
  const key = (purpose: string) => {
    let k = derived.get(purpose);
    if (!k) {
      k = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `guichet:${purpose}`, 32));
      derived.set(purpose, k);
    }
    return k;
  };
  const sign = (purpose: string, data: string, bytes = 16) =>
    createHmac('sha256', key(`sign:${purpose}`)).update(data, 'utf8').digest().subarray(0, bytes).toString('base64url');
  return {
    sign,
    verify(purpose, data, signature, bytes = 16) {
      const expected = Buffer.from(sign(purpose, data, bytes));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key('seal'), iv);
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
    },
    open(sealed) {
      const [v, iv, tag, ct] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key('seal'), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
