import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, randomUUID, X509Certificate } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { verifyExternalJwt } from '../../src/idp/external-jwt-verifier.js';
import type { VerifierDeps } from '../../src/idp/external-jwt-verifier.js';
import { OwnSigningKeys } from '../../src/keys/own-signing-keys.js';
import { ManualClock } from '../../src/lib/clock.js';
import type { ExternalJwtIdentityProvider } from '../../src/store/records.js';
import { clientKey, hmacWithPublicKey, jwks, unsignedAssertion } from '../helpers/client-keys.js';
import type { ClientKey } from '../helpers/client-keys.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startDocumentServer } from '../helpers/jwks-server.js';
import type { DocumentServer } from '../helpers/jwks-server.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const ISSUER = 'https://mimoto-test.pie.azuma-health.tech/';
const AUDIENCE = '11186bbc-c07d-48ec-8ce5-8a9839e0ba0e';
const NOW = 1_735_725_600;

/** The mimoto sample ID token of the reference (section 5), with times around NOW. */
const mimotoClaims = (extra: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'b0f3c0de-5a2e-4c51-9a7e-3f1c2d4e5f60',
  iat: NOW,
  exp: NOW + 600,
  'urn:telematik:claims:id': 'X110411675',
  'urn:telematik:claims:email': 'darius_michael@mail.boedefeld.de',
  birthdate: '1973-09-01',
  'ext-mimoto-original-sub-unique': 'X110411675-3e0a9c1b7f',
  ...extra,
});

const sign = (key: ClientKey, claims: Record<string, unknown>, header: Record<string, unknown> = { kid: key.kid }) => {
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: 'JWT', ...header } as { alg: string }).sign(key.privateKey);
};

for (const kind of selectedKinds()) {
  describe(`external JWT verification (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let documents: DocumentServer;
    let deps: VerifierDeps;
    let masterKey: ClientKey;
    let unlisted: ClientKey;
    let jwksKey: ClientKey;
    let legacyKey: ClientKey;
    let provider: ExternalJwtIdentityProvider;
    const clock = new ManualClock(NOW * 1000);

    const create = async (fields: Record<string, unknown>): Promise<ExternalJwtIdentityProvider> => {
      const reply = await server.api('POST', '/api/identity-provider', { identityProvider: { name: `p-${randomUUID()}`, headerKeyParameter: 'kid', ...fields } });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return (await server.gatehouse.services.store.identityProviders.findById(reply.body.identityProvider.id))!;
    };
    const importKey = async (key: ClientKey) => {
      const reply = await server.api('POST', '/api/key/import', { key: { name: `k-${key.kid}`, kid: key.kid, jwk: key.publicJwk } });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body.key.id as string;
    };

    before(async () => {
      db = await createTestDatabase(kind);
      documents = await startDocumentServer();
      server = await startTestServer(db);
      deps = { store: server.gatehouse.services.store, keys: server.gatehouse.services.keys, remoteJwks: server.gatehouse.services.oauth.remoteJwks, ownKeys: new OwnSigningKeys(server.gatehouse.services.store, clock), clock };
      [masterKey, unlisted, jwksKey, legacyKey] = await Promise.all([clientKey('ES256'), clientKey('ES256'), clientKey('RS256'), clientKey('ES384')]);
      const masterKeyId = await importKey(masterKey);
      await importKey(unlisted);
      documents.set('/mimoto/.well-known/jwks', jwks(jwksKey));
      const legacyPem = createPublicKey({ key: legacyKey.publicJwk as JsonWebKey, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString();
      provider = await create({
        verificationKeyIds: [masterKeyId],
        keys: { 'legacy-1': legacyPem },
        jwksUri: `${documents.baseUrl}/mimoto/.well-known/jwks`,
        issuer: ISSUER,
        audiences: [AUDIENCE],
        maximumTokenAgeSeconds: 3600,
        oauth2: { uniqueIdClaim: 'ext-mimoto-original-sub-unique', emailClaim: 'urn:telematik:claims:email' },
      });
    });
    after(async () => {
      await server?.close();
      await documents?.close();
      await db?.drop();
    });

    const verify = (token: string, p = provider) => verifyExternalJwt(p, token, deps);
    const refused = async (token: string, code: string, p = provider) => {
      const result = await verify(token, p);
      assert.equal(result.ok, false, JSON.stringify(result));
      if (!result.ok) assert.equal(result.code, code, result.message);
      return result;
    };

    it('verifies with a listed Key Master key, the default key, a legacy key and the JWKS URL', async () => {
      for (const [key, header] of [
        [masterKey, { kid: masterKey.kid }],
        [masterKey, {}],
        [legacyKey, { kid: 'legacy-1' }],
        [jwksKey, { kid: jwksKey.kid }],
      ] as const) {
        const result = await verify(await sign(key, mimotoClaims(), header));
        assert.equal(result.ok, true, JSON.stringify(result));
        if (result.ok) {
          assert.equal(result.uniqueId, 'X110411675-3e0a9c1b7f');
          assert.equal(result.email, 'darius_michael@mail.boedefeld.de');
          assert.deepEqual(result.steps.map((s) => s.title), ['Decode', 'Algorithm', 'Key', 'Signature', 'Expiry', 'Issuer', 'Audience', 'Age', 'Unique id']);
        }
      }
    });

    it('accepts the mimoto fixtures without email and with an empty email', async () => {
      for (const email of [undefined, '']) {
        const result = await verify(await sign(masterKey, mimotoClaims({ 'urn:telematik:claims:email': email })));
        assert.equal(result.ok, true);
        if (result.ok) assert.equal(result.email, undefined);
      }
    });

    it('refuses alg none, HMAC with a public key and algorithms not allowed', async () => {
      await refused(unsignedAssertion({ kid: masterKey.kid }, mimotoClaims()), 'ALGORITHM_NOT_ALLOWED');
      await refused(hmacWithPublicKey(JSON.stringify(masterKey.publicJwk), { kid: masterKey.kid }, mimotoClaims()), 'ALGORITHM_NOT_ALLOWED');
      const rsOnly = await create({ verificationKeyIds: provider.verificationKeyIds, allowedAlgorithms: ['RS256'] });
      await refused(await sign(masterKey, mimotoClaims()), 'ALGORITHM_NOT_ALLOWED', rsOnly);
    });

    it('never uses a key this provider does not list, even one in the Key Master (FusionAuth fi#2585)', async () => {
      await refused(await sign(unlisted, mimotoClaims()), 'KEY_NOT_FOUND');
      const stranger = await clientKey('RS256');
      await refused(await sign(stranger, mimotoClaims()), 'KEY_NOT_FOUND');
    });

    it('refuses a bad signature', async () => {
      const impostor = await clientKey('ES256', masterKey.kid);
      await refused(await sign(impostor, mimotoClaims()), 'BAD_SIGNATURE');
    });

    it('honours exp and nbf with the clock skew', async () => {
      await refused(await sign(masterKey, mimotoClaims({ exp: NOW - 31 })), 'EXPIRED');
      assert.equal((await verify(await sign(masterKey, mimotoClaims({ exp: NOW - 10 })))).ok, true, 'inside the 30 s skew');
      await refused(await sign(masterKey, mimotoClaims({ exp: undefined })), 'EXPIRED');
      await refused(await sign(masterKey, mimotoClaims({ nbf: NOW + 120 })), 'NOT_YET_VALID');
    });

    it('refuses a wrong issuer or audience, and a token that is too old', async () => {
      await refused(await sign(masterKey, mimotoClaims({ iss: 'https://mimoto-test.pie.azuma-health.tech' })), 'WRONG_ISSUER');
      await refused(await sign(masterKey, mimotoClaims({ aud: 'another-client' })), 'WRONG_AUDIENCE');
      await refused(await sign(masterKey, mimotoClaims({ iat: NOW - 7200, exp: NOW + 60 })), 'TOO_OLD');
    });

    it('refuses a missing or empty unique id claim', async () => {
      await refused(await sign(masterKey, mimotoClaims({ 'ext-mimoto-original-sub-unique': undefined })), 'MISSING_UNIQUE_ID');
      await refused(await sign(masterKey, mimotoClaims({ 'ext-mimoto-original-sub-unique': '' })), 'MISSING_UNIQUE_ID');
    });

    it('refuses an email domain the provider does not manage', async () => {
      const managed = await create({ verificationKeyIds: provider.verificationKeyIds, domains: ['Example.org'], oauth2: { emailClaim: 'email' } });
      assert.equal((await verify(await sign(masterKey, { sub: 'u1', exp: NOW + 60, email: 'a@example.org' }), managed)).ok, true);
      await refused(await sign(masterKey, { sub: 'u1', exp: NOW + 60, email: 'a@elsewhere.org' }), 'DOMAIN_NOT_MANAGED', managed);
      await refused(await sign(masterKey, { sub: 'u1', exp: NOW + 60 }), 'DOMAIN_NOT_MANAGED', managed);
    });

    it('selects by x5t when that is the header parameter', async () => {
      const fixtures = join(process.cwd(), 'test/fixtures');
      const certificate = readFileSync(join(fixtures, 'tls-test-cert.pem'), 'utf8');
      const keyReply = await server.api('POST', '/api/key/import', { key: { name: 'x5t cert', certificate, algorithm: 'ES256' } });
      assert.equal(keyReply.status, 200, JSON.stringify(keyReply.body));
      const byX5t = await create({ headerKeyParameter: 'x5t', verificationKeyIds: [keyReply.body.key.id] });
      const thumbprint = createHash('sha1').update(new X509Certificate(certificate).raw).digest('base64url');
      const privateKey = createPrivateKey(readFileSync(join(fixtures, 'tls-test-key.pem')));
      const token = await new SignJWT({ sub: 'cert-user', exp: NOW + 60 }).setProtectedHeader({ alg: 'ES256', x5t: thumbprint }).sign(privateKey);
      assert.equal((await verify(token, byX5t)).ok, true);
      const wrong = await new SignJWT({ sub: 'cert-user', exp: NOW + 60 }).setProtectedHeader({ alg: 'ES256', x5t: 'AAAA' }).sign(privateKey);
      await refused(wrong, 'KEY_NOT_FOUND', byX5t);
    });

    it('reports an unreadable JWKS URL and malformed tokens', async () => {
      documents.misbehave('/down/jwks', { status: 503 });
      const down = await create({ jwksUri: `${documents.baseUrl}/down/jwks` });
      await refused(await sign(jwksKey, mimotoClaims()), 'JWKS_UNAVAILABLE', down);
      await refused('not-a-jwt', 'MALFORMED');
    });

    it('never accepts a key Gatehouse signs with, even when the provider\'s JWKS URL serves it (FusionAuth #2585)', async () => {
      const tenant = (await server.gatehouse.services.store.tenants.findBySlug('default'))!;
      const own = await server.gatehouse.services.keys.signingKey(tenant.id);
      const mirror = await create({
        jwksUri: `${server.url}/t/default/.well-known/jwks.json`,
        issuer: ISSUER,
        audiences: [AUDIENCE],
        oauth2: { uniqueIdClaim: 'ext-mimoto-original-sub-unique', emailClaim: 'urn:telematik:claims:email' },
      });
      const token = await new SignJWT(mimotoClaims()).setProtectedHeader({ alg: own.alg, kid: own.kid, typ: 'JWT' }).sign(own.privateKey);
      const result = await refused(token, 'KEY_NOT_ALLOWED', mirror);
      assert.deepEqual(result.steps.at(-1), { title: 'Key', success: false, detail: 'The token is signed with a key Gatehouse itself signs with; a provider may not use it.' });
    });
  });
}
