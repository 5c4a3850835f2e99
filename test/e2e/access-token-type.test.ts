import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { createResourceGuard } from '../../src/smart/resource-guard.js';
import { selectedKinds } from '../helpers/databases.js';
import { decodeJwt, DEFAULT_TENANT, DEFAULT_TENANT_ID, tokenPath } from '../helpers/fixtures.js';
import { MIMOTO_ISSUER, startIdpWorld } from '../helpers/idp-world.js';
import type { IdpWorld } from '../helpers/idp-world.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

for (const kind of selectedKinds()) {
  describe(`access token typ: JWT by default, at+jwt per tenant (RFC 9068) (${kind})`, () => {
    let world: IdpWorld;
    let providerId: string;
    let clientId: string;
    let secret: string;
    let as: oauth.AuthorizationServer;
    const issuer = () => `${world.server.publicUrl}/t/${DEFAULT_TENANT}`;
    const setType = async (accessTokenType: string) =>
      world.server.api('PATCH', `/api/tenant/${DEFAULT_TENANT_ID}`, { tenant: { jwtConfiguration: { accessTokenType } } });
    const clientToken = async () => {
      const reply = await world.server.form(tokenPath(), { grant_type: 'client_credentials', scope: 'reports.read' }, { authorization: basic(clientId, secret) });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body.access_token as string;
    };
    const exchange = async () => {
      const reply = await world.server.form(
        tokenPath(),
        { grant_type: TOKEN_EXCHANGE, subject_token: await world.idToken(), subject_issuer: MIMOTO_ISSUER, subject_token_type: ID_TOKEN_TYPE, scope: 'openid email' },
        { authorization: basic(clientId, secret) },
      );
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body as { access_token: string; id_token: string };
    };
    /** oauth4webapi, unchanged defaults; only plain http is allowed, as the test server has no TLS. */
    const validate = (token: string, audience = clientId) =>
      oauth.validateJwtAccessToken(as, new Request(`${world.server.url}/resource`, { headers: { authorization: `Bearer ${token}` } }), audience, { [oauth.allowInsecureRequests]: true });
    const introspect = async (token: string) => (await world.server.form(`/t/${DEFAULT_TENANT}/oauth2/introspect`, { token }, { authorization: basic(clientId, secret) })).body;

    before(async () => {
      world = await startIdpWorld(kind, { oauthConfiguration: { enabledGrants: ['client_credentials', TOKEN_EXCHANGE], allowedScopes: ['reports.read'] } });
      clientId = world.application.oauthConfiguration.clientId;
      secret = world.application.oauthConfiguration.clientSecret!;
      providerId = await world.provider();
      assert.ok(providerId);
      const discovery = await oauth.discoveryRequest(new URL(issuer()), { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true });
      as = await oauth.processDiscoveryResponse(new URL(issuer()), discovery);
    });
    after(async () => world?.close());

    it('issues typ JWT by default, which oauth4webapi refuses as an RFC 9068 token', async () => {
      const tenant = await world.server.api('GET', `/api/tenant/${DEFAULT_TENANT_ID}`);
      assert.equal(tenant.body.tenant.jwtConfiguration.accessTokenType, 'JWT');
      const token = await clientToken();
      assert.equal(decodeJwt(token).header.typ, 'JWT');
      await assert.rejects(validate(token), (error: Error) => /typ/i.test(error.message));
      assert.equal((await introspect(token)).active, true);
    });

    it('with accessTokenType at+jwt, client and user tokens pass oauth4webapi validateJwtAccessToken; ID tokens stay JWT', async () => {
      const set = await setType('at+jwt');
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(set.body.tenant.jwtConfiguration.accessTokenType, 'at+jwt');
      const client = await clientToken();
      assert.equal(decodeJwt(client).header.typ, 'at+jwt');
      const clientClaims = await validate(client);
      assert.equal(clientClaims.client_id, clientId);
      assert.equal(clientClaims.sub, clientId);
      assert.equal(clientClaims.scope, 'reports.read');

      const { access_token: user, id_token: idToken } = await exchange();
      assert.equal(decodeJwt(user).header.typ, 'at+jwt');
      const userClaims = await validate(user);
      for (const claim of ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti', 'scope']) assert.ok(userClaims[claim] !== undefined, `RFC 9068 §2.2: ${claim}`);
      assert.equal(userClaims.client_id, clientId);
      assert.equal(decodeJwt(idToken).header.typ, 'JWT', 'an ID token is never an at+jwt');
      await assert.rejects(validate(idToken), 'an ID token does not pass as an access token');
      await assert.rejects(validate(client, 'another-audience'));

      // Introspection and the resource guard accept it.
      const introspected = await introspect(user);
      assert.equal(introspected.active, true);
      assert.equal(introspected.client_id, clientId);
      const guard = createResourceGuard({ issuer: issuer(), audience: clientId, allowHttp: true });
      assert.equal((await guard.authenticate(`Bearer ${client}`)).clientId, clientId);
    });

    it('keeps tokens of either typ valid across a switch, and refuses another typ value', async () => {
      assert.equal((await setType('at+jwt')).status, 200);
      const modern = await clientToken();
      assert.equal((await setType('JWT')).status, 200);
      const classic = await clientToken();
      assert.equal(decodeJwt(classic).header.typ, 'JWT');
      assert.equal((await introspect(modern)).active, true);
      assert.equal((await introspect(classic)).active, true);
      for (const bad of ['jwt+at', 'application/jwt', '']) {
        const refused = await setType(bad);
        assert.equal(refused.status, 400, bad);
        assert.equal(refused.body.fieldErrors['tenant.jwtConfiguration.accessTokenType'][0].code, '[invalid]tenant.jwtConfiguration.accessTokenType');
      }
    });
  });
}
