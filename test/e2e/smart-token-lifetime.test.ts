import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { selectedKinds } from '../helpers/databases.js';
import { decodeJwt, DEFAULT_TENANT, DEFAULT_TENANT_ID, tokenPath } from '../helpers/fixtures.js';
import { MIMOTO_ISSUER, startIdpWorld } from '../helpers/idp-world.js';
import type { IdpWorld } from '../helpers/idp-world.js';
import type { Reply } from '../helpers/test-server.js';
import { startUpstreamOidcProvider } from '../helpers/upstream-oidc-provider.js';
import type { UpstreamOidcProvider } from '../helpers/upstream-oidc-provider.js';

const REDIRECT = 'https://smart-app.example/callback';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const T = { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID };

/** SMART App Launch and Koppeltaal: every access token of a SMART tenant lives at most 300 s, whatever the TTL settings. */
for (const kind of selectedKinds()) {
  describe(`SMART tenant: every grant's access token lives at most 300 s (${kind})`, () => {
    let world: IdpWorld;
    let upstream: UpstreamOidcProvider;
    let clientId: string;
    let secret: string;
    let lifetimeBeforeSmart: number;
    const issuer = () => `${world.server.publicUrl}/t/${DEFAULT_TENANT}`;
    const token = (params: Record<string, string>) => world.server.form(tokenPath(), { client_id: clientId, client_secret: secret, ...params });
    /** The answer's expires_in, checked against the token's own exp − iat. */
    const lifetimeOf = (reply: Reply): number => {
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const { payload } = decodeJwt(reply.body.access_token);
      assert.equal((payload.exp as number) - (payload.iat as number), reply.body.expires_in);
      return reply.body.expires_in as number;
    };

    before(async () => {
      world = await startIdpWorld(kind, {
        roles: [{ name: 'patient', isDefault: true }],
        loginConfiguration: { generateRefreshTokens: true },
        jwtConfiguration: { timeToLiveInSeconds: 7200 },
        oauthConfiguration: {
          clientAuthenticationMethod: 'client_secret_post',
          enabledGrants: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE, JWT_BEARER, 'client_credentials'],
          authorizedRedirectURLs: [REDIRECT],
          allowedScopes: ['system/Patient.rs'],
        },
      });
      clientId = world.application.oauthConfiguration.clientId;
      secret = world.application.oauthConfiguration.clientSecret!;
      await world.provider();
      upstream = await startUpstreamOidcProvider();
      const provider = await world.server.api('POST', '/api/identity-provider', {
        identityProvider: {
          type: 'ExternalJWT',
          name: `upstream-${randomUUID()}`,
          enabled: true,
          headerKeyParameter: 'kid',
          jwksUri: upstream.jwksUri,
          issuer: upstream.issuer,
          oauth2: { authorization_endpoint: upstream.authorizationEndpoint, token_endpoint: upstream.tokenEndpoint, client_id: upstream.clientId, scope: 'openid email' },
          applicationConfiguration: { [world.application.id]: { enabled: true, createRegistration: true } },
        },
      });
      assert.equal(provider.status, 200, JSON.stringify(provider.body));
      lifetimeBeforeSmart = lifetimeOf(await token({ grant_type: 'client_credentials' }));
      // The tenant becomes a SMART domain with a one-hour tenant TTL; the application keeps 7200 s.
      const tenant = await world.server.api('PATCH', `/api/tenant/${DEFAULT_TENANT_ID}`, { tenant: { smartConfiguration: { enabled: true }, jwtConfiguration: { timeToLiveInSeconds: 3600 } } });
      assert.equal(tenant.status, 200, JSON.stringify(tenant.body));
      const role = await world.server.api('POST', '/api/smart/role', { role: { name: 'reader', permissions: [{ resourceType: 'Patient', operations: ['read'], origin: 'all' }] } }, T);
      assert.equal(role.status, 200, JSON.stringify(role.body));
      const app = await world.server.api('PATCH', `/api/application/${world.application.id}`, { application: { smartConfiguration: { roleId: role.body.role.id } } }, T);
      assert.equal(app.status, 200, JSON.stringify(app.body));
    });
    after(async () => {
      await world?.close();
      await upstream?.close();
    });

    it('outside SMART the application TTL applies; on a SMART tenant client_credentials is capped', async () => {
      assert.equal(lifetimeBeforeSmart, 7200);
      assert.equal(lifetimeOf(await token({ grant_type: 'client_credentials' })), 300);
    });

    it('authorization code and the refresh token it brings: 300 s', async () => {
      const verifier = randomBytes(32).toString('base64url');
      const authorize = new URL(`${issuer()}/oauth2/authorize`.replace(world.server.publicUrl, world.server.url));
      const params = {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        scope: 'openid offline_access',
        state: 's',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        aud: `${issuer()}/fhir`,
      };
      for (const [name, value] of Object.entries(params)) authorize.searchParams.set(name, value);
      upstream.nextUser({ email: `smart-${randomUUID().slice(0, 8)}@example.de`, sub: `upstream-${randomUUID()}` });
      // A browser: follow the redirects, carrying the cookie the authorization endpoint sets.
      let next = authorize.toString();
      let cookie = '';
      while (!next.startsWith(REDIRECT)) {
        const response = await fetch(next, { redirect: 'manual', headers: cookie ? { cookie } : {} });
        assert.equal(response.status, 302, `${next}: ${await response.text()}`);
        cookie = [cookie, ...response.headers.getSetCookie().map((c) => c.split(';')[0])].filter(Boolean).join('; ');
        next = response.headers.get('location')!;
      }
      const code = new URL(next).searchParams.get('code');
      assert.ok(code, next);
      const redeemed = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
      assert.equal(lifetimeOf(redeemed), 300);
      const refreshed = await token({ grant_type: 'refresh_token', refresh_token: redeemed.body.refresh_token });
      assert.equal(lifetimeOf(refreshed), 300);
    });

    it('token exchange and JWT bearer: 300 s', async () => {
      const uniqueId = `X-smart-${randomUUID().slice(0, 8)}`;
      const exchanged = await token({ grant_type: TOKEN_EXCHANGE, subject_token: await world.idToken({ 'ext-mimoto-original-sub-unique': uniqueId }), subject_issuer: MIMOTO_ISSUER, subject_token_type: ID_TOKEN_TYPE });
      assert.equal(lifetimeOf(exchanged), 300);
      const now = Math.floor(Date.now() / 1000);
      const assertion = await new SignJWT({ iss: MIMOTO_ISSUER, aud: `${world.server.publicUrl}${tokenPath()}`, sub: 'x', 'ext-mimoto-original-sub-unique': uniqueId, iat: now, exp: now + 120, jti: randomUUID() })
        .setProtectedHeader({ alg: world.issuerKey.alg, kid: world.issuerKey.kid })
        .sign(world.issuerKey.privateKey);
      assert.equal(lifetimeOf(await token({ grant_type: JWT_BEARER, assertion })), 300);
    });

    it('a lifetime below the cap stays as configured', async () => {
      const app = await world.server.api('PATCH', `/api/application/${world.application.id}`, { application: { jwtConfiguration: { timeToLiveInSeconds: 120 } } }, T);
      assert.equal(app.status, 200, JSON.stringify(app.body));
      assert.equal(lifetimeOf(await token({ grant_type: 'client_credentials' })), 120);
      const exchanged = await token({ grant_type: TOKEN_EXCHANGE, subject_token: await world.idToken(), subject_issuer: MIMOTO_ISSUER, subject_token_type: ID_TOKEN_TYPE });
      assert.equal(lifetimeOf(exchanged), 120);
    });
  });
}
