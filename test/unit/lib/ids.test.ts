import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomSecret } from '../../../src/lib/ids.js';

describe('randomSecret', () => {
  it('gives base64url secrets of the asked entropy, never the same twice, across many pool refills', () => {
    const seen = new Set<string>();
    // 24 and 32 bytes in turn: 2,000 secrets are 56 KB, so the 4 KB pool is refilled 14 times,
    // at offsets that do not divide it evenly.
    for (let i = 0; i < 2000; i++) {
      const bytes = i % 2 === 0 ? 32 : 24;
      const secret = randomSecret(bytes);
      assert.match(secret, /^[A-Za-z0-9_-]+$/);
      assert.equal(Buffer.from(secret, 'base64url').length, bytes);
      assert.ok(!seen.has(secret), `secret ${i} repeated`);
      seen.add(secret);
    }
  });

  it('is not a zeroed (already handed out) part of the pool', () => {
    // A secret cut from zeroed bytes would decode to all zeros; 32 random bytes practically never do.
    for (let i = 0; i < 500; i++) assert.notEqual(Buffer.from(randomSecret(32), 'base64url').toString('hex'), '0'.repeat(64));
  });

  it('serves secrets larger than a pool share straight from the generator', () => {
    const secret = randomSecret(2048);
    assert.equal(Buffer.from(secret, 'base64url').length, 2048);
    assert.notEqual(secret, randomSecret(2048));
  });
});
