import assert from 'node:assert/strict';
import { createHash, createSecretKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { jwtVerify } from 'jose';
import { requestBodySha256, webhookSignatureJwt } from '../../../src/events/webhook-signature.js';

const body = JSON.stringify({ event: { type: 'user.create', id: 'e1', user: { firstName: 'Zoë' } } });

describe('webhook signature JWT', () => {
  it('request_body_sha256 is the standard base64 SHA-256 of the UTF-8 body', () => {
    assert.equal(requestBodySha256(body), createHash('sha256').update(Buffer.from(body, 'utf8')).digest('base64'));
    assert.match(requestBodySha256('x'.repeat(100)), /^[A-Za-z0-9+/]{43}=$/);
  });

  for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
    it(`${alg}: verifies with jose and the secret's UTF-8 bytes`, async () => {
      const secret = 's'.repeat(64);
      const jwt = webhookSignatureJwt(body, { kid: 'hmac-1', alg, key: createSecretKey(Buffer.from(secret, 'utf8')) }, 1_800_000_000);
      const { payload, protectedHeader } = await jwtVerify(jwt, new TextEncoder().encode(secret), { algorithms: [alg], currentDate: new Date(1_800_000_000_000) });
      assert.deepEqual([protectedHeader.alg, protectedHeader.kid], [alg, 'hmac-1']);
      assert.equal(payload.request_body_sha256, requestBodySha256(body));
      await assert.rejects(jwtVerify(jwt, new TextEncoder().encode('t'.repeat(64)), { algorithms: [alg] }));
    });
  }

  it('ES256: verifies with the public key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwt = webhookSignatureJwt(body, { kid: 'ec-1', alg: 'ES256', key: privateKey }, 1_800_000_000);
    const { payload } = await jwtVerify(jwt, publicKey, { algorithms: ['ES256'], currentDate: new Date(1_800_000_000_000) });
    assert.equal(payload.request_body_sha256, requestBodySha256(body));
  });
});
