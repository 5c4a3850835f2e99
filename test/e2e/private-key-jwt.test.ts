import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { ASSERTION_TYPE, clientKey, hmacWithPublicKey, jwks, signAssertion, signRaw, unsignedAssertion } from '../helpers/client-keys.js';
import type { ClientKey } from '../helpers/client-keys.js';
import { createApplication, decodeJwt, tokenPath, tokenUrl } from '../helpers/fixtures.js';
import { startDocumentServer } from '../helpers/jwks-server.js';
import type { DocumentServer } from '../helpers/jwks-server.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

for (const kind of selectedKinds()) {
  describe(`private_key_jwt client authentication (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let documents: DocumentServer;
    let key: ClientKey;
    let clientId: string;
    let jwksUri: string;

    before(async () => {
      db = await createTestDatabase(kind);
      documents = await startDocumentServer();
      server = await startTestServer(db);
      key = await clientKey('ES256');
      jwksUri = `${documents.baseUrl}/client-a/jwks.json`;
      documents.set('/client-a/jwks.json', jwks(key), { 'cache-control': 'public, max-age=60' });
      const app = await createApplication(server, {
        name: 'Koppeltaal module',
        oauthConfiguration: { clientId: 'module-a', clientAuthenticationMethod: 'private_key_jwt', jwksUri, enabledGrants: ['client_credentials'], allowedScopes: ['system/Patient.rs'] },
      });
      clientId = app.oauthConfiguration.clientId;
    });
    after(async () => {
      await server?.close();
      await documents?.close();
      await db?.drop();
    });

    const request = (assertion: string, extra: Record<string, string> = {}) =>
      server.form(tokenPath(), { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion, ...extra });

    const assertRejected = async (assertion: string, extra: Record<string, string> = {}) => {
      const reply = await request(assertion, extra);
      assert.equal(reply.status, 401, JSON.stringify(reply.body));
      assert.equal(reply.body.error, 'invalid_client');
      assert.equal(reply.headers.get('cache-control'), 'no-store');
      return reply;
    };

    it('issues a signed access token for a valid assertion and the JWKS URL is fetched with Accept: application/json', async () => {
      const reply = await request(await signAssertion(key, { clientId, audience: tokenUrl(server) }));
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.token_type, 'Bearer');
      assert.equal(reply.body.scope, 'system/Patient.rs');
      assert.equal(reply.headers.get('cache-control'), 'no-store');
      assert.equal(documents.lastAccept('/client-a/jwks.json'), 'application/json');
      // Verify Gatehouse's token with jose against the published JWKS: an independent check.
      const published = (await (await fetch(`${server.url}/t/default/.well-known/jwks.json`)).json()) as JSONWebKeySet;
      const { payload, protectedHeader } = await jwtVerify(reply.body.access_token, createLocalJWKSet(published), { issuer: `${server.publicUrl}/t/default` });
      assert.equal(protectedHeader.alg, 'ES256');
      assert.equal(payload.sub, clientId);
      assert.equal(payload.client_id, clientId);
      assert.equal(payload.azp, clientId);
      assert.equal(payload.scope, 'system/Patient.rs');
      assert.equal(typeof payload.jti, 'string');
      assert.equal(payload.exp! - payload.iat!, reply.body.expires_in);
      assert.ok(payload.nbf);
    });

    it('accepts the issuer as audience (RFC 7523 §3) and an array audience containing it', async () => {
      assert.equal((await request(await signAssertion(key, { clientId, audience: `${server.publicUrl}/t/default` }))).status, 200);
      assert.equal((await request(await signAssertion(key, { clientId, audience: ['https://other.example', tokenUrl(server)] }))).status, 200);
    });

    it('accepts an assertion without iat (Inferno omits it)', async () => {
      assert.equal((await request(await signAssertion(key, { clientId, audience: tokenUrl(server), claims: { iat: undefined } }))).status, 200);
    });

    it('rejects a bad signature', async () => {
      const other = await clientKey('ES256', key.kid);
      await assertRejected(await signAssertion(other, { clientId, audience: tokenUrl(server) }));
    });

    it('rejects a wrong aud', async () => {
      await assertRejected(await signAssertion(key, { clientId, audience: 'https://elsewhere.example/token' }));
    });

    it('rejects a missing aud', async () => {
      await assertRejected(await signAssertion(key, { clientId, audience: tokenUrl(server), claims: { aud: undefined } }));
    });

    it('rejects an expired assertion (beyond the clock skew)', async () => {
      const now = Math.floor(Date.now() / 1000);
      await assertRejected(await signAssertion(key, { clientId, audience: tokenUrl(server), claims: { exp: now - 31, iat: now - 100 } }));
    });

    it('rejects an exp more than five minutes ahead', async () => {
      const now = Math.floor(Date.now() / 1000);
      await assertRejected(await signAssertion(key, { clientId, audience: tokenUrl(server), claims: { exp: now + 300 + 31 + 5 } }));
    });

    it('rejects a missing exp', async () => {
      await assertRejected(await signAssertion(key, { clientId, audience: tokenUrl(server), claims: { exp: undefined } }));
    });

    it('rejects nbf and iat in the future', async () => {
      const now = Math.floor(Date.now() / 1000);
      await assertRejected(await signAssertion(key, { clientId, audience: tokenUrl(server), claims: { nbf: now + 120 } }));
      await assertRejected(await signAssertion(key, { clientId, audience: tokenUrl(server), claims: { iat: now + 120 } }));
    });

    it('rejects a missing jti', async () => {
      await assertRejected(await signAssertion(key, { clientId, audience: tokenUrl(server), claims: { jti: undefined } }));
    });

    it('rejects a replayed jti', async () => {
      const assertion = await signAssertion(key, { clientId, audience: tokenUrl(server) });
      assert.equal((await request(assertion)).status, 200);
      await assertRejected(assertion);
    });

    it('rejects an unknown kid, after one re-read of the JWKS', async () => {
      const stranger = await clientKey('ES256', 'not-registered');
      const before = documents.hits('/client-a/jwks.json');
      await assertRejected(await signAssertion(stranger, { clientId, audience: tokenUrl(server) }));
      // The cooldown stops a second re-read for the next unknown kid.
      await assertRejected(await signAssertion(stranger, { clientId, audience: tokenUrl(server) }));
      assert.ok(documents.hits('/client-a/jwks.json') - before <= 1);
    });

    it('rejects a missing kid', async () => {
      await assertRejected(await signAssertion(key, { clientId, audience: tokenUrl(server), header: { kid: undefined } }));
    });

    it('rejects alg none', async () => {
      const now = Math.floor(Date.now() / 1000);
      await assertRejected(unsignedAssertion({ kid: key.kid, typ: 'JWT' }, { iss: clientId, sub: clientId, aud: tokenUrl(server), exp: now + 60, jti: 'none-1' }));
    });

    it('rejects HS256 signed with the public key', async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: clientId, sub: clientId, aud: tokenUrl(server), exp: now + 60, jti: 'hs-1' };
      await assertRejected(hmacWithPublicKey(JSON.stringify(key.publicJwk), { kid: key.kid, typ: 'JWT' }, claims));
    });

    it('rejects a jku that is not the registered JWKS URL, accepts the registered one', async () => {
      documents.set('/evil/jwks.json', jwks(key));
      await assertRejected(await signAssertion(key, { clientId, audience: tokenUrl(server), header: { jku: `${documents.baseUrl}/evil/jwks.json` } }));
      const reply = await request(await signAssertion(key, { clientId, audience: tokenUrl(server), header: { jku: jwksUri } }));
      assert.equal(reply.status, 200);
    });

    it('rejects iss different from sub', async () => {
      await assertRejected(await signAssertion(key, { clientId, audience: tokenUrl(server), claims: { iss: 'someone-else' } }));
    });

    it('rejects an unknown client', async () => {
      await assertRejected(await signAssertion(key, { clientId: 'nobody', audience: tokenUrl(server) }));
    });

    it('rejects a client_id parameter that differs from the assertion', async () => {
      await assertRejected(await signAssertion(key, { clientId, audience: tokenUrl(server) }), { client_id: 'other' });
    });

    it('rejects a client registered for another method (secret client using an assertion)', async () => {
      const secretApp = await createApplication(server, { name: 'secret client', oauthConfiguration: { clientId: 'secret-client', enabledGrants: ['client_credentials'] } });
      await assertRejected(await signAssertion(key, { clientId: secretApp.oauthConfiguration.clientId, audience: tokenUrl(server) }));
    });

    it('rejects an assertion client using a secret instead (wrong method), with a Basic challenge', async () => {
      const reply = await server.form(tokenPath(), { grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`${clientId}:whatever`).toString('base64')}` });
      assert.equal(reply.status, 401);
      assert.equal(reply.body.error, 'invalid_client');
      assert.match(reply.headers.get('www-authenticate') ?? '', /^Basic /);
    });

    it('rejects a wrong client_assertion_type and a garbage assertion', async () => {
      await assertRejected(await signAssertion(key, { clientId, audience: tokenUrl(server) }), { client_assertion_type: 'not_an_assertion_type' });
      await assertRejected('not.a.jwt');
      await assertRejected('%%%');
    });

    it('rejects a typ other than JWT and a crit header', async () => {
      await assertRejected(await signAssertion(key, { clientId, audience: tokenUrl(server), header: { typ: 'at+jwt' } }));
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: clientId, sub: clientId, aud: tokenUrl(server), exp: now + 60, jti: 'crit-1' };
      assert.equal((await request(signRaw(key, { typ: 'JWT' }, claims))).status, 200, 'the raw signer itself works');
      await assertRejected(signRaw(key, { typ: 'JWT', crit: ['x-ext'], 'x-ext': 1 }, { ...claims, jti: 'crit-2' }));
    });

    it('rejects a JWKS with two keys under one kid (ambiguous)', async () => {
      const twin = await clientKey('ES256', key.kid);
      documents.set('/twins/jwks.json', jwks(key, twin));
      const app = await createApplication(server, {
        name: 'twins',
        oauthConfiguration: { clientId: 'twins', clientAuthenticationMethod: 'private_key_jwt', jwksUri: `${documents.baseUrl}/twins/jwks.json`, enabledGrants: ['client_credentials'] },
      });
      await assertRejected(await signAssertion(key, { clientId: app.oauthConfiguration.clientId, audience: tokenUrl(server) }));
    });

    it('answers invalid_client when the client JWKS URL is down or too slow', async () => {
      documents.misbehave('/down/jwks.json', { status: 503 });
      const app = await createApplication(server, {
        name: 'down',
        oauthConfiguration: { clientId: 'down', clientAuthenticationMethod: 'private_key_jwt', jwksUri: `${documents.baseUrl}/down/jwks.json`, enabledGrants: ['client_credentials'] },
      });
      await assertRejected(await signAssertion(key, { clientId: app.oauthConfiguration.clientId, audience: tokenUrl(server) }));
    });

    for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'ES384', 'ES512', 'EdDSA']) {
      it(`accepts ${alg} assertions with an inline JWKS`, async () => {
        const algKey = await clientKey(alg);
        const app = await createApplication(server, {
          name: `inline ${alg}`,
          oauthConfiguration: { clientId: `inline-${alg}`, clientAuthenticationMethod: 'private_key_jwt', jwks: jwks(algKey), enabledGrants: ['client_credentials'] },
        });
        const reply = await request(await signAssertion(algKey, { clientId: app.oauthConfiguration.clientId, audience: tokenUrl(server) }));
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.equal(decodeJwt(reply.body.access_token).payload.client_id, `inline-${alg}`);
      });
    }

    it('rejects a key whose type does not fit alg (RSA key, ES256 header)', async () => {
      const rsa = await clientKey('RS256');
      const app = await createApplication(server, {
        name: 'mismatch',
        oauthConfiguration: { clientId: 'mismatch', clientAuthenticationMethod: 'private_key_jwt', jwks: { keys: [{ ...rsa.publicJwk, alg: undefined }] }, enabledGrants: ['client_credentials'] },
      });
      const es = await clientKey('ES256', rsa.kid);
      await assertRejected(await signAssertion(es, { clientId: app.oauthConfiguration.clientId, audience: tokenUrl(server) }));
    });
  });

  describe(`client key rotation (${kind})`, () => {
    it('picks up a rotated client key on an unknown kid despite a long Cache-Control', async () => {
      const db = await createTestDatabase(kind);
      const documents = await startDocumentServer();
      const server = await startTestServer(db, { config: { jwksRefetchCooldownSeconds: 0 } });
      try {
        const [first, rotated] = [await clientKey('ES256'), await clientKey('ES256')];
        documents.set('/rotating/jwks.json', jwks(first), { 'cache-control': 'max-age=600' });
        await createApplication(server, {
          name: 'rotating',
          oauthConfiguration: { clientId: 'rotating', clientAuthenticationMethod: 'private_key_jwt', jwksUri: `${documents.baseUrl}/rotating/jwks.json`, enabledGrants: ['client_credentials'] },
        });
        const request = async (key: ClientKey) =>
          server.form(tokenPath(), { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: await signAssertion(key, { clientId: 'rotating', audience: tokenUrl(server) }) });
        assert.equal((await request(first)).status, 200);
        assert.equal((await request(first)).status, 200);
        assert.equal(documents.hits('/rotating/jwks.json'), 1, 'cached per Cache-Control');
        documents.set('/rotating/jwks.json', jwks(rotated), { 'cache-control': 'max-age=600' });
        assert.equal((await request(rotated)).status, 200);
        assert.equal(documents.hits('/rotating/jwks.json'), 2);
      } finally {
        await server.close();
        await documents.close();
        await db.drop();
      }
    });
  });

  describe(`jti replay protection survives a restart (${kind})`, () => {
    it('refuses an assertion replayed against a restarted server on the same database', async () => {
      const db = await createTestDatabase(kind);
      const key = await clientKey('ES384');
      let server = await startTestServer(db);
      try {
        await createApplication(server, {
          name: 'restart',
          oauthConfiguration: { clientId: 'restart', clientAuthenticationMethod: 'private_key_jwt', jwks: jwks(key), enabledGrants: ['client_credentials'] },
        });
        const port = Number(new URL(server.url).port);
        const assertion = await signAssertion(key, { clientId: 'restart', audience: tokenUrl(server) });
        const params = { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion };
        assert.equal((await server.form(tokenPath(), params)).status, 200);
        await server.close();
        server = await startTestServer(db, { port, apiKey: server.apiKey });
        const replay = await server.form(tokenPath(), params);
        assert.equal(replay.status, 401);
        assert.equal(replay.body.error, 'invalid_client');
      } finally {
        await server.close();
        await db.drop();
      }
    });
  });
}
