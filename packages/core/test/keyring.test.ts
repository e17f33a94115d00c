import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createKeyring } from '../src/shared/system.ts';

describe('keyring', () => {
  const key = randomBytes(32);
  const ring = createKeyring(key);

  it('signs per purpose and verifies only the same data, purpose and key', () => {
    const sig = ring.sign('reply-address', 'ticket:42');
    assert.match(sig, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(ring.verify('reply-address', 'ticket:42', sig), true);
    assert.equal(ring.verify('reply-address', 'ticket:43', sig), false);
    assert.equal(ring.verify('other-purpose', 'ticket:42', sig), false);
    assert.equal(createKeyring(randomBytes(32)).verify('reply-address', 'ticket:42', sig), false);
    assert.equal(ring.verify('reply-address', 'ticket:42', sig.slice(0, -1)), false);
    assert.equal(ring.sign('reply-address', 'ticket:42', 6).length, 8);
    assert.equal(createKeyring(key).sign('reply-address', 'ticket:42'), sig, 'the same key signs the same way after a restart');
  });

  it('seals with authenticated encryption: random per call, refuses tampering and other keys', () => {
    const a = ring.seal('imap password é');
    const b = ring.seal('imap password é');
    assert.notEqual(a, b);
    assert.ok(!a.includes('password'));
    assert.equal(ring.open(a), 'imap password é');
    assert.equal(createKeyring(key).open(b), 'imap password é');
    const parts = a.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0]! ^= 1;
    assert.throws(() => ring.open([parts[0], parts[1], parts[2], flipped.toString('base64url')].join('.')));
    assert.throws(() => createKeyring(randomBytes(32)).open(a));
    assert.throws(() => ring.open('garbage'));
    assert.throws(() => createKeyring(randomBytes(16)), /32 bytes/);
  });
});
