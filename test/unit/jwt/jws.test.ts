import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { compactVerify, CompactSign, importJWK } from 'jose';
import { ALGORITHMS, keyFitsAlgorithm } from '../../../src/jwt/algorithms.js';
import { parseCompactJws, signJwt, verifyJwsSignature } from '../../../src/jwt/jws.js';
import type { SigningAlgorithm } from '../../../src/store/records.js';

function pairFor(alg: SigningAlgorithm) {
  const spec = ALGORITHMS[alg];
  if (spec.kty === 'RSA') return generateKeyPairSync('rsa', { modulusLength: 2048 });
  if (spec.kty === 'EC') return generateKeyPairSync('ec', { namedCurve: spec.curves![0] });
  return generateKeyPairSync('ed25519');
}

describe('JWS on node:crypto, cross-checked with jose', () => {
  for (const alg of Object.keys(ALGORITHMS) as SigningAlgorithm[]) {
    it(`${alg}: Gatehouse signs, jose verifies; jose signs, Gatehouse verifies`, async () => {
      const { privateKey, publicKey } = pairFor(alg);
      const token = signJwt({ kid: 'k' }, { sub: 'x' }, alg, privateKey);
      const verified = await compactVerify(token, publicKey);
      assert.equal(verified.protectedHeader.alg, alg);
      const joseToken = await new CompactSign(new TextEncoder().encode('{"sub":"y"}')).setProtectedHeader({ alg }).sign(privateKey);
      const parsed = parseCompactJws(joseToken);
      assert.ok(typeof parsed !== 'string');
      assert.equal(verifyJwsSignature(parsed, alg, publicKey), true);
      assert.equal(keyFitsAlgorithm(publicKey, alg), true);
      const tampered = parseCompactJws(`${token.slice(0, token.lastIndexOf('.'))}.${Buffer.from('nope').toString('base64url')}`);
      assert.ok(typeof tampered !== 'string');
      assert.equal(verifyJwsSignature(tampered, alg, publicKey), false);
    });
  }

  it('refuses keys that do not fit the algorithm', async () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    assert.equal(keyFitsAlgorithm(p256, 'ES384'), false);
    assert.equal(keyFitsAlgorithm(p256, 'RS256'), false);
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    assert.equal(keyFitsAlgorithm(rsa1024, 'RS256'), false);
    const jwk = await importJWK(p256.export({ format: 'jwk' }) as never, 'ES256');
    assert.ok(jwk);
  });

  it('parses only well-formed compact JWS', () => {
    const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    assert.equal(parseCompactJws('a.b'), 'MALFORMED');
    assert.equal(parseCompactJws(`${encode({ alg: 'ES256' })}.${encode({})}.`), 'BAD_SIGNATURE_ENCODING');
    assert.equal(parseCompactJws(`${encode([1])}.${encode({})}.AA`), 'BAD_HEADER');
    assert.equal(parseCompactJws(`${encode({ alg: 'ES256' })}.${encode('str')}.AA`), 'BAD_PAYLOAD');
    assert.equal(parseCompactJws(`${encode({ alg: 'ES256' })}.${encode({})}.A+A`), 'BAD_SIGNATURE_ENCODING');
    assert.equal(parseCompactJws('x'.repeat(20000)), 'MALFORMED');
  });
});
