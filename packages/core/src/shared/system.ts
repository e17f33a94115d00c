import { createHash, randomBytes } from 'node:crypto';
import type { Clock, IdGenerator, SecretGenerator } from './ports.ts';

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
