import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { selectedKinds } from '../helpers/databases.js';
import { MIMOTO_CLIENT, startIdpWorld } from '../helpers/idp-world.js';
import type { IdpWorld } from '../helpers/idp-world.js';

for (const kind of selectedKinds()) {
  describe(`Health-ID preset (${kind})`, () => {
    let world: IdpWorld;
    let issuer: string;
    let providerId: string;

    before(async () => {
      world = await startIdpWorld(kind);
      // The issuer stands in for mimoto: its JWKS is served at {issuer}.well-known/jwks.
      issuer = `${world.documents.baseUrl}/mimoto/`;
      const reply = await world.server.api('POST', '/api/identity-provider', {
        identityProvider: { preset: 'health-id-mimoto', issuer, audiences: [MIMOTO_CLIENT], enabled: true, applicationConfiguration: { [world.application.id]: { enabled: true } } },
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      providerId = reply.body.identityProvider.id;
      const provider = reply.body.identityProvider;
      assert.equal(provider.jwksUri, world.jwksUri);
      assert.equal(provider.oauth2.uniqueIdClaim, 'ext-mimoto-original-sub-unique');
      assert.equal(provider.oauth2.emailClaim, 'urn:telematik:claims:email');
      // mimoto's endpoints for the browser login (used once an oauth2.client_id is set).
      assert.equal(provider.oauth2.authorization_endpoint, `${issuer}connect/auth`);
      assert.equal(provider.oauth2.token_endpoint, `${issuer}connect/token`);
      assert.equal(provider.oauth2.scope, 'openid urn:telematik:versicherter');
      assert.equal(provider.linkingStrategy, 'LinkByUsername');
      assert.equal(provider.type, 'ExternalJWT');
    });
    after(async () => world?.close());

    it('turns a mimoto ID token into a user with KVNR, names and birth date', async () => {
      const reply = await world.login(providerId, await world.idToken({ iss: issuer, 'ext-mimoto-original-sub-unique': 'X110411675-preset', 'urn:telematik:claims:email': 'preset@example.de' }));
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const { user } = reply.body;
      assert.equal(user.username, 'X110411675-preset');
      assert.equal(user.email, 'preset@example.de');
      assert.equal(user.data.kvnr, 'X110411675');
      assert.equal(user.firstName, 'Darius');
      assert.equal(user.lastName, 'Boedefeld');
      assert.equal(user.fullName, 'Darius Michael Boedefeld');
      assert.equal(user.birthDate, '1973-09-01');
    });

    it('logs in tokens without an email and with an empty email (RemoveClaims / AddEmptyClaims)', async () => {
      for (const [tag, email] of [['absent', undefined], ['empty', '']] as const) {
        const reply = await world.login(providerId, await world.idToken({ iss: issuer, 'ext-mimoto-original-sub-unique': `X-${tag}`, 'urn:telematik:claims:email': email }));
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.equal(reply.body.user.username, `X-${tag}`);
        assert.equal(reply.body.user.email, undefined);
      }
    });

    it('refuses ID tokens issued to another mimoto client, and a preset without audiences', async () => {
      const reply = await world.login(providerId, await world.idToken({ iss: issuer, aud: 'someone-elses-app' }));
      assert.equal(reply.status, 401);
      const missing = await world.server.api('POST', '/api/identity-provider', { identityProvider: { preset: 'health-id-mimoto', name: 'no audiences' } });
      assert.equal(missing.status, 400);
      assert.ok(missing.body.fieldErrors['identityProvider.audiences']);
      const unknown = await world.server.api('POST', '/api/identity-provider', { identityProvider: { preset: 'nope', audiences: ['x'] } });
      assert.equal(unknown.status, 400);
      assert.ok(unknown.body.fieldErrors['identityProvider.preset']);
    });

    it('defaults to the mimoto test environment', async () => {
      const reply = await world.server.api('POST', '/api/identity-provider', { identityProvider: { preset: 'health-id-mimoto', name: 'mimoto default', audiences: [MIMOTO_CLIENT] } });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.identityProvider.issuer, 'https://mimoto-test.pie.azuma-health.tech/');
      assert.equal(reply.body.identityProvider.jwksUri, 'https://mimoto-test.pie.azuma-health.tech/.well-known/jwks');
    });
  });
}
