import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { ASYMMETRIC_ALGORITHMS } from '../../../src/jwt/algorithms.js';
import { importJwkSet } from '../../../src/jwt/jwk-set.js';
import type { ImportedJwk } from '../../../src/jwt/jwk-set.js';
import { signJwt } from '../../../src/jwt/jws.js';
import { jwtFailure } from '../../../src/jwt/jwt-failure.js';
import { RemoteJwksCache } from '../../../src/jwt/remote-jwks-cache.js';
import { verifyJwt } from '../../../src/jwt/verify-jwt.js';
import type { JwtFailureCode, JwtPolicy } from '../../../src/jwt/verify-jwt.js';
import { ManualClock } from '../../../src/lib/clock.js';
import type { SigningAlgorithm } from '../../../src/store/records.js';
import { startDocumentServer } from '../../helpers/jwks-server.js';
import type { DocumentServer } from '../../helpers/jwks-server.js';

const NOW = 1_735_725_600;
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://gatehouse.example/token';

interface TestKey {
  alg: SigningAlgorithm;
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: Record<string, unknown>;
}

function testKey(alg: SigningAlgorithm, kid: string): TestKey {
  const pair =
    alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : alg.startsWith('ES')
        ? generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : 'P-384' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { alg, kid, ...pair, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

const rs256 = testKey('RS256', 'rsa-1');
const es256 = testKey('ES256', 'ec-1');
const eddsa = testKey('EdDSA', 'ed-1');
const es384 = testKey('ES384', 'ec-384');
const impostor = testKey('ES256', 'ec-1');
const keySet = importJwkSet({ keys: [rs256.jwk, es256.jwk, eddsa.jwk, es384.jwk] }) as ImportedJwk[];

const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const baseClaims = () => ({ iss: ISSUER, aud: AUDIENCE, sub: 'client-a', iat: NOW, exp: NOW + 120, jti: 'j-1' });

/** A token signed with node:crypto; `undefined` in claims or header removes the member. */
function sign(key: TestKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const all: Record<string, unknown> = { ...baseClaims(), ...claims };
  const head: Record<string, unknown> = { typ: 'JWT', kid: key.kid, ...header };
  for (const record of [all, head]) for (const [name, value] of Object.entries(record)) if (value === undefined) delete record[name];
  return signJwt(head, all, key.alg, key.privateKey);
}

const clock = new ManualClock(NOW * 1000);
const policy = (overrides: Partial<JwtPolicy> = {}): JwtPolicy => ({
  keys: { kind: 'jwk-set', keys: keySet, label: 'the test key set' },
  algorithms: ASYMMETRIC_ALGORITHMS,
  clock,
  clockToleranceSeconds: 30,
  issuer: ISSUER,
  audience: AUDIENCE,
  ...overrides,
});

interface Rejection {
  name: string;
  token: () => string;
  policy?: Partial<JwtPolicy>;
  code: JwtFailureCode;
  claim?: string;
}

const unsigned = `${encode({ alg: 'none', kid: es256.kid })}.${encode(baseClaims())}.`;
const hmacInput = `${encode({ alg: 'HS256', kid: es256.kid })}.${encode(baseClaims())}`;
const hmacWithPublicKey = `${hmacInput}.${createHmac('sha256', JSON.stringify(es256.jwk)).update(hmacInput).digest('base64url')}`;
const [goodHeader, goodPayload, goodSignature] = sign(es256).split('.');

const rejections: Rejection[] = [
  { name: 'two parts', token: () => `${goodHeader}.${goodPayload}`, code: 'JWT_MALFORMED' },
  { name: 'four parts', token: () => `${goodHeader}.${goodPayload}.${goodSignature}.x`, code: 'JWT_MALFORMED' },
  { name: 'header not base64url', token: () => `${goodHeader}=.${goodPayload}.${goodSignature}`, code: 'JWT_MALFORMED' },
  { name: 'header not JSON', token: () => `${encode('{"alg":')}.${goodPayload}.${goodSignature}`, code: 'JWT_MALFORMED' },
  { name: 'header a JSON array', token: () => `${encode(['ES256'])}.${goodPayload}.${goodSignature}`, code: 'JWT_MALFORMED' },
  { name: 'payload not base64url', token: () => `${goodHeader}.${goodPayload}!.${goodSignature}`, code: 'JWT_MALFORMED' },
  { name: 'payload not JSON', token: () => `${goodHeader}.${encode('exp=1')}.${goodSignature}`, code: 'JWT_MALFORMED' },
  { name: 'payload a JSON string', token: () => `${goodHeader}.${encode('"claims"')}.${goodSignature}`, code: 'JWT_MALFORMED' },
  { name: 'payload null', token: () => `${goodHeader}.${encode('null')}.${goodSignature}`, code: 'JWT_MALFORMED' },
  { name: 'signature not base64url', token: () => `${goodHeader}.${goodPayload}.***`, code: 'JWT_MALFORMED' },
  { name: 'empty signature with an allowed alg', token: () => `${goodHeader}.${goodPayload}.`, code: 'JWT_MALFORMED' },
  { name: 'longer than the limit', token: () => `${goodHeader}.${'A'.repeat(20_000)}.${goodSignature}`, code: 'JWT_MALFORMED' },
  { name: 'alg none (unsigned)', token: () => unsigned, code: 'JWS_ALG_NOT_ALLOWED' },
  { name: 'HS256 keyed with the public key', token: () => hmacWithPublicKey, code: 'JWS_ALG_NOT_ALLOWED' },
  { name: 'alg missing', token: () => `${encode({ kid: es256.kid })}.${goodPayload}.${goodSignature}`, code: 'JWS_ALG_NOT_ALLOWED' },
  { name: 'alg not in the policy', token: () => sign(es256), policy: { algorithms: ['RS256', 'EdDSA'] }, code: 'JWS_ALG_NOT_ALLOWED' },
  { name: 'kid missing', token: () => sign(es256, {}, { kid: undefined }), code: 'JWS_KID_MISSING' },
  { name: 'kid empty', token: () => sign(es256, {}, { kid: '' }), code: 'JWS_KID_MISSING' },
  { name: 'kid optional, but a key set needs it', token: () => sign(es256, {}, { kid: undefined }), policy: { kid: 'optional' }, code: 'JWS_KID_MISSING' },
  { name: 'kid unknown', token: () => sign(es256, {}, { kid: 'nobody' }), code: 'JWKS_NO_MATCHING_KEY' },
  { name: 'kid of an RSA key on an ES256 token', token: () => sign(es256, {}, { kid: rs256.kid }), code: 'JWS_KEY_ALG_MISMATCH' },
  { name: 'kid of a P-384 key on an ES256 token', token: () => sign(es256, {}, { kid: es384.kid }), code: 'JWS_KEY_ALG_MISMATCH' },
  { name: 'a single key of another type', token: () => sign(es256), policy: { keys: { kind: 'key', key: rs256.publicKey, label: 'rsa' } }, code: 'JWS_KEY_ALG_MISMATCH' },
  {
    name: 'two keys under one kid',
    token: () => sign(es256),
    policy: { keys: { kind: 'jwk-set', keys: importJwkSet({ keys: [es256.jwk, impostor.jwk] }) as ImportedJwk[], label: 'twins' } },
    code: 'JWKS_MULTIPLE_MATCHING_KEYS',
  },
  { name: 'signed by another key with the same kid', token: () => sign(impostor), code: 'JWS_SIGNATURE_INVALID' },
  { name: 'payload changed after signing', token: () => `${goodHeader}.${encode({ ...baseClaims(), sub: 'admin' })}.${goodSignature}`, code: 'JWS_SIGNATURE_INVALID' },
  { name: 'RS256 signature under an EdDSA header', token: () => sign(rs256).replace(/^[^.]+/, encode({ alg: 'EdDSA', kid: eddsa.kid })), code: 'JWS_SIGNATURE_INVALID' },
  { name: 'exp missing', token: () => sign(es256, { exp: undefined }), code: 'JWT_CLAIM_MISSING', claim: 'exp' },
  { name: 'exp not a number', token: () => sign(es256, { exp: String(NOW + 60) }), code: 'JWT_CLAIM_INVALID', claim: 'exp' },
  { name: 'exp past beyond the tolerance', token: () => sign(es256, { exp: NOW - 31 }), code: 'JWT_EXPIRED', claim: 'exp' },
  { name: 'exp now, no tolerance', token: () => sign(es256, { exp: NOW }), policy: { clockToleranceSeconds: 0 }, code: 'JWT_EXPIRED' },
  { name: 'exp past, exp tolerance 0 but skew 30', token: () => sign(es256, { exp: NOW - 1 }), policy: { expToleranceSeconds: 0 }, code: 'JWT_EXPIRED' },
  { name: 'nbf in the future beyond the tolerance', token: () => sign(es256, { nbf: NOW + 31 }), code: 'JWT_NOT_YET_VALID', claim: 'nbf' },
  { name: 'nbf not a number', token: () => sign(es256, { nbf: 'soon' }), code: 'JWT_CLAIM_INVALID', claim: 'nbf' },
  { name: 'iat in the future beyond the tolerance', token: () => sign(es256, { iat: NOW + 31 }), code: 'JWT_ISSUED_IN_FUTURE', claim: 'iat' },
  { name: 'iat not a number', token: () => sign(es256, { iat: null }), code: 'JWT_CLAIM_INVALID', claim: 'iat' },
  { name: 'exp further ahead than the maximum lifetime', token: () => sign(es256, { exp: NOW + 300 + 31 }), policy: { maxLifetimeSeconds: 300 }, code: 'JWT_LIFETIME_TOO_LONG' },
  { name: 'iat older than the maximum age', token: () => sign(es256, { iat: NOW - 3631 }), policy: { maxAgeSeconds: 3600 }, code: 'JWT_TOO_OLD' },
  { name: 'iat missing with a maximum age', token: () => sign(es256, { iat: undefined }), policy: { maxAgeSeconds: 3600 }, code: 'JWT_CLAIM_MISSING', claim: 'iat' },
  { name: 'iss wrong', token: () => sign(es256, { iss: 'https://issuer.example/' }), code: 'JWT_ISSUER_INVALID', claim: 'iss' },
  { name: 'iss missing', token: () => sign(es256, { iss: undefined }), code: 'JWT_ISSUER_INVALID', claim: 'iss' },
  { name: 'aud a wrong string', token: () => sign(es256, { aud: 'https://elsewhere.example' }), code: 'JWT_AUDIENCE_INVALID', claim: 'aud' },
  { name: 'aud an array without us', token: () => sign(es256, { aud: ['https://a.example', 'https://b.example'] }), code: 'JWT_AUDIENCE_INVALID' },
  { name: 'aud an array with a non-string', token: () => sign(es256, { aud: [AUDIENCE, 7] }), code: 'JWT_AUDIENCE_INVALID' },
  { name: 'aud an empty array', token: () => sign(es256, { aud: [] }), code: 'JWT_AUDIENCE_INVALID' },
  { name: 'aud missing', token: () => sign(es256, { aud: undefined }), code: 'JWT_AUDIENCE_INVALID' },
  { name: 'aud not among several accepted', token: () => sign(es256), policy: { audience: ['https://x.example', 'https://y.example'] }, code: 'JWT_AUDIENCE_INVALID' },
  { name: 'required claim missing', token: () => sign(es256, { jti: undefined }), policy: { requiredClaims: ['sub', 'jti'] }, code: 'JWT_CLAIM_MISSING', claim: 'jti' },
  { name: 'typ not expected', token: () => sign(es256, {}, { typ: 'at+jwt' }), policy: { typ: ['JWT'] }, code: 'JWT_TYP_INVALID' },
  { name: 'typ not a string', token: () => sign(es256, {}, { typ: ['JWT'] }), policy: { typ: ['JWT'] }, code: 'JWT_TYP_INVALID' },
  { name: 'crit with an unknown extension', token: () => sign(es256, {}, { crit: ['x-ext'], 'x-ext': 1 }), code: 'JWS_CRIT_UNSUPPORTED' },
  { name: 'crit empty', token: () => sign(es256, {}, { crit: [] }), code: 'JWT_MALFORMED' },
  { name: 'crit naming a registered header', token: () => sign(es256, {}, { crit: ['alg'] }), code: 'JWT_MALFORMED' },
  { name: 'crit naming an absent header', token: () => sign(es256, {}, { crit: ['x-ext'] }), policy: { criticalHeaders: ['x-ext'] }, code: 'JWT_MALFORMED' },
  { name: 'jku with keys that come from no URL', token: () => sign(es256, {}, { jku: 'https://evil.example/jwks' }), policy: { jku: 'match-jwks-url' }, code: 'JWS_JKU_NOT_ALLOWED' },
  {
    name: 'a resolver that refuses',
    token: () => sign(es256),
    policy: { keys: { kind: 'resolve', resolve: ({ claims }) => jwtFailure('JWKS_NO_MATCHING_KEY', `no client ${String(claims.sub)}`) } },
    code: 'JWKS_NO_MATCHING_KEY',
  },
];

describe('verifyJwt rejections', () => {
  for (const rejection of rejections) {
    it(`${rejection.name} → ${rejection.code}`, async () => {
      const result = await verifyJwt(rejection.token(), policy(rejection.policy));
      assert.equal(result.ok, false, JSON.stringify(result));
      if (result.ok) return;
      assert.equal(result.code, rejection.code, result.detail);
      assert.equal(typeof result.detail, 'string');
      if (rejection.claim) assert.equal(result.claim, rejection.claim);
    });
  }

  it('hands the verified claims to claim failures, and nothing to failures before the signature', async () => {
    const expired = await verifyJwt(sign(es256, { exp: NOW - 31 }), policy());
    assert.ok(!expired.ok && expired.verified?.claims.exp === NOW - 31 && expired.verified.keyLabel === 'the test key set, kid ec-1');
    const forged = await verifyJwt(sign(impostor, { exp: NOW - 31 }), policy());
    assert.ok(!forged.ok && forged.code === 'JWS_SIGNATURE_INVALID' && forged.verified === undefined);
  });
});

describe('verifyJwt acceptances', () => {
  for (const key of [rs256, es256, eddsa, es384]) {
    it(`verifies ${key.alg} and returns header, claims and the key`, async () => {
      const result = await verifyJwt(sign(key), policy());
      assert.equal(result.ok, true, JSON.stringify(result));
      if (!result.ok) return;
      assert.equal(result.alg, key.alg);
      assert.equal(result.header.kid, key.kid);
      assert.deepEqual(result.claims, baseClaims());
      assert.ok(result.key.equals(key.publicKey));
      assert.equal(result.keyLabel, `the test key set, kid ${key.kid}`);
    });
  }

  it('verifies a token signed by jose (an independent implementation)', async () => {
    const token = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'ES256', kid: es256.kid, typ: 'JWT' }).sign(es256.privateKey);
    assert.equal((await verifyJwt(token, policy())).ok, true);
  });

  const accepted: Array<{ name: string; token: () => string; policy?: Partial<JwtPolicy> }> = [
    { name: 'exp past inside the tolerance', token: () => sign(es256, { exp: NOW - 30 + 1 }) },
    { name: 'nbf and iat in the future inside the tolerance', token: () => sign(es256, { nbf: NOW + 30, iat: NOW + 30 }) },
    { name: 'exp at the maximum lifetime plus tolerance', token: () => sign(es256, { exp: NOW + 330 }), policy: { maxLifetimeSeconds: 300 } },
    { name: 'iat at the maximum age plus tolerance', token: () => sign(es256, { iat: NOW - 3630 }), policy: { maxAgeSeconds: 3600 } },
    { name: 'aud an array containing us', token: () => sign(es256, { aud: ['https://other.example', AUDIENCE] }) },
    { name: 'aud one of several accepted', token: () => sign(es256), policy: { audience: ['https://x.example', AUDIENCE] } },
    { name: 'no issuer or audience expected', token: () => sign(es256, { iss: undefined, aud: undefined }), policy: { issuer: undefined, audience: undefined } },
    { name: 'typ compared case-insensitively, application/ optional', token: () => sign(es256, {}, { typ: 'application/AT+JWT' }), policy: { typ: ['JWT', 'at+jwt'] } },
    { name: 'typ absent when a typ is expected', token: () => sign(es256, {}, { typ: undefined }), policy: { typ: ['JWT'] } },
    { name: 'crit with an understood extension', token: () => sign(es256, {}, { crit: ['x-ext'], 'x-ext': 1 }), policy: { criticalHeaders: ['x-ext'] } },
    { name: 'required claims present', token: () => sign(es256), policy: { requiredClaims: ['sub', 'jti'] } },
    { name: 'no kid with a single chosen key', token: () => sign(eddsa, {}, { kid: undefined }), policy: { kid: 'optional', keys: { kind: 'key', key: eddsa.publicKey, label: 'default' } } },
    { name: 'a resolver that picks a key from the unverified claims', token: () => sign(rs256), policy: { keys: { kind: 'resolve', resolve: ({ claims }) => ({ kind: 'key', key: rs256.publicKey, label: `key of ${String(claims.sub)}` }) } } },
  ];
  for (const { name, token, policy: overrides } of accepted) {
    it(name, async () => {
      const result = await verifyJwt(token(), policy(overrides));
      assert.equal(result.ok, true, JSON.stringify(result));
    });
  }
});

describe('verifyJwt with a remote JWKS', () => {
  let documents: DocumentServer;
  before(async () => {
    documents = await startDocumentServer();
  });
  after(() => documents.close());

  const remote = (path: string, remoteClock: ManualClock) => {
    const cache = new RemoteJwksCache({ fetchPolicy: { timeoutMs: 2000, maxBytes: 65_536, allowHttp: true, addresses: { allowPrivate: false, allowCidrs: ['127.0.0.0/8'] } }, clock: remoteClock, defaultTtlMs: 600_000, maxTtlMs: 600_000, refetchCooldownMs: 10_000, maxEntries: 4 });
    return { kind: 'remote-jwks' as const, url: `${documents.baseUrl}${path}`, cache };
  };

  it('re-reads the JWKS once on an unknown kid, then not again within the cooldown', async () => {
    const remoteClock = new ManualClock(NOW * 1000);
    const keys = remote('/rotating', remoteClock);
    const rotated = testKey('ES256', 'ec-2');
    documents.set('/rotating', { keys: [es256.jwk] });
    const check = (token: string) => verifyJwt(token, policy({ keys, clock: remoteClock }));

    assert.equal((await check(sign(es256))).ok, true);
    assert.equal(documents.hits('/rotating'), 1);
    remoteClock.advance(10_000);
    documents.set('/rotating', { keys: [es256.jwk, rotated.jwk] });
    assert.equal((await check(sign(rotated))).ok, true, 'the rotated key is found by one re-read');
    assert.equal(documents.hits('/rotating'), 2);

    const stranger = sign(testKey('ES256', 'nobody'));
    const first = await check(stranger);
    assert.ok(!first.ok && first.code === 'JWKS_NO_MATCHING_KEY');
    assert.equal(documents.hits('/rotating'), 2, 'inside the cooldown: no fetch');
    remoteClock.advance(10_000);
    const second = await check(stranger);
    assert.ok(!second.ok && second.code === 'JWKS_NO_MATCHING_KEY');
    assert.equal(documents.hits('/rotating'), 3, 'after the cooldown: exactly one re-read');
    await check(stranger);
    assert.equal(documents.hits('/rotating'), 3);
  });

  it('accepts jku only when it is the JWKS URL of the keys', async () => {
    documents.set('/jku', { keys: [es256.jwk] });
    const keys = remote('/jku', clock);
    const rule: Partial<JwtPolicy> = { keys, jku: 'match-jwks-url' };
    assert.equal((await verifyJwt(sign(es256, {}, { jku: keys.url }), policy(rule))).ok, true);
    const other = await verifyJwt(sign(es256, {}, { jku: `${documents.baseUrl}/evil` }), policy(rule));
    assert.ok(!other.ok && other.code === 'JWS_JKU_NOT_ALLOWED');
    assert.equal(documents.hits('/evil'), 0, 'jku is never fetched');
    assert.equal((await verifyJwt(sign(es256, {}, { jku: `${documents.baseUrl}/evil` }), policy({ keys }))).ok, true, 'ignored by default');
  });

  it('reports an unreadable JWKS with the fetch error', async () => {
    documents.misbehave('/down', { status: 503 });
    const result = await verifyJwt(sign(es256), policy({ keys: remote('/down', clock) }));
    assert.ok(!result.ok);
    assert.equal(result.code, 'JWKS_FETCH_FAILED');
    assert.equal(typeof result.fetchError, 'string');
  });
});
