import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { ASSERTION_TYPE, clientKey, jwks, signAssertion } from '../helpers/client-keys.js';
import type { ClientKey } from '../helpers/client-keys.js';
import { createApplication, DEFAULT_TENANT_ID, tokenPath, tokenUrl } from '../helpers/fixtures.js';
import { startDocumentServer } from '../helpers/jwks-server.js';
import type { DocumentServer } from '../helpers/jwks-server.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

/** Literal addresses a JWKS URL may not name; none of them is ever connected to (refused at registration). */
const REFUSED_URLS = ['http://169.254.169.254/jwks', 'http://10.0.0.1/', 'http://[::ffff:169.254.169.254]/', 'http://0x7f000001:1/'];

for (const kind of selectedKinds()) {
  describe(`outbound fetches: address policy and failure cooldown (${kind})`, () => {
    let strictDb: TestDatabase;
    let privateDb: TestDatabase;
    /** The defaults: public addresses only. */
    let strict: TestServer;
    /** --fetch-allow-private true, and a failed fetch remembered for an hour. */
    let privateAllowed: TestServer;
    let documents: DocumentServer;
    let key: ClientKey;
    let port: string;

    before(async () => {
      [strictDb, privateDb, documents] = await Promise.all([createTestDatabase(kind), createTestDatabase(kind), startDocumentServer()]);
      strict = await startTestServer(strictDb, { config: { fetchAllowCidrs: [], fetchAllowPrivate: false } });
      privateAllowed = await startTestServer(privateDb, { config: { fetchAllowCidrs: [], fetchAllowPrivate: true, fetchFailureCooldownSeconds: 3600 } });
      key = await clientKey('ES256');
      documents.set('/client/jwks.json', jwks(key));
      documents.misbehave('/broken/jwks.json', { status: 500 });
      port = new URL(documents.baseUrl).port;
    });
    after(async () => {
      await strict?.close();
      await privateAllowed?.close();
      await documents?.close();
      await strictDb?.drop();
      await privateDb?.drop();
    });

    const privateKeyJwtClient = (clientId: string, jwksUri: string) => ({
      name: clientId,
      oauthConfiguration: { clientId, clientAuthenticationMethod: 'private_key_jwt', jwksUri, enabledGrants: ['client_credentials'], allowedScopes: ['system/Patient.rs'] },
    });
    const tokenRequest = async (server: TestServer, signer: ClientKey, clientId: string) =>
      server.form(tokenPath(), {
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await signAssertion(signer, { clientId, audience: tokenUrl(server) }),
      });

    it('registration refuses a JWKS URL or token endpoint naming a disallowed address, with a stable field-error code', async () => {
      const headers = { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID };
      const applicationsBefore = (await strict.api('GET', '/api/application', undefined, headers)).body.applications.length;
      for (const [i, jwksUri] of REFUSED_URLS.entries()) {
        const reply = await strict.api('POST', '/api/application', { application: privateKeyJwtClient(`refused-${i}`, jwksUri) }, headers);
        assert.equal(reply.status, 400, jwksUri);
        const [error] = reply.body.fieldErrors['application.oauthConfiguration.jwksUri'];
        assert.equal(error.code, '[addressNotAllowed]application.oauthConfiguration.jwksUri', jwksUri);
        assert.match(error.message, /range/, jwksUri);

        const provider = await strict.api('POST', '/api/identity-provider', {
          identityProvider: { type: 'ExternalJWT', name: `refused-${i}`, headerKeyParameter: 'kid', jwksUri, oauth2: { client_id: 'x', authorization_endpoint: 'http://10.0.0.1/authorize', token_endpoint: jwksUri } },
        });
        assert.equal(provider.status, 400, jwksUri);
        assert.equal(provider.body.fieldErrors['identityProvider.jwksUri'][0].code, '[addressNotAllowed]identityProvider.jwksUri', jwksUri);
        assert.equal(provider.body.fieldErrors['identityProvider.oauth2.token_endpoint'][0].code, '[addressNotAllowed]identityProvider.oauth2.token_endpoint', jwksUri);
        assert.equal(provider.body.fieldErrors['identityProvider.oauth2.authorization_endpoint'], undefined, 'the browser, not Gatehouse, follows it');
      }
      assert.equal((await strict.api('GET', '/api/application', undefined, headers)).body.applications.length, applicationsBefore, 'nothing written');
      // With the operator's switch the same literal address registers.
      await createApplication(privateAllowed, privateKeyJwtClient('literal-loopback', `${documents.baseUrl}/client/jwks.json`));
    });

    it('a host name is judged when it connects: localhost (loopback) is refused by default, fetched with --fetch-allow-private', async () => {
      const jwksUri = `http://localhost:${port}/client/jwks.json`;
      const before = documents.hits('/client/jwks.json');
      const refusedClient = (await createApplication(strict, privateKeyJwtClient('by-name', jwksUri))).oauthConfiguration.clientId;
      const refused = await tokenRequest(strict, key, refusedClient);
      assert.equal(refused.status, 401, JSON.stringify(refused.body));
      assert.equal(refused.body.error, 'invalid_client');
      assert.equal(documents.hits('/client/jwks.json'), before, 'refused before connecting');

      const allowedClient = (await createApplication(privateAllowed, privateKeyJwtClient('by-name', jwksUri))).oauthConfiguration.clientId;
      const allowed = await tokenRequest(privateAllowed, key, allowedClient);
      assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
      assert.equal(documents.hits('/client/jwks.json'), before + 1);
    });

    it('30 forged assertions naming a client whose JWKS URL fails cause one fetch, not 30', async () => {
      const clientId = (await createApplication(privateAllowed, privateKeyJwtClient('broken-jwks', `${documents.baseUrl}/broken/jwks.json`))).oauthConfiguration.clientId;
      const forger = await clientKey('ES256');
      const replies = [];
      for (let i = 0; i < 20; i++) replies.push(await tokenRequest(privateAllowed, forger, clientId));
      replies.push(...(await Promise.all(Array.from({ length: 10 }, () => tokenRequest(privateAllowed, forger, clientId)))));
      assert.equal(replies.length, 30);
      for (const reply of replies) {
        assert.equal(reply.status, 401, JSON.stringify(reply.body));
        assert.equal(reply.body.error, 'invalid_client');
      }
      assert.equal(documents.hits('/broken/jwks.json'), 1);
    });
  });
}
