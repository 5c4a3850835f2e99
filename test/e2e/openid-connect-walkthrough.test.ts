import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { browse, CookieJar } from '../helpers/browser.js';
import { selectedKinds } from '../helpers/databases.js';
import { createApplication, decodeJwt, DEFAULT_TENANT, DEFAULT_TENANT_ID } from '../helpers/fixtures.js';
import { LOGGED_OUT, ORIGIN, REDIRECT, startOidcDiscoveryWorld } from '../helpers/oidc-discovery-world.js';
import type { OidcDiscoveryWorld } from '../helpers/oidc-discovery-world.js';

const STRANGER = 'https://evil.example';
const T = { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID };

/**
 * Standard OpenID Connect on both sides, in one story (the README's walk-through): the real
 * `oidc-provider` upstream on its defaults (claims only from userinfo, PKCE), registered from its
 * discovery URL; openid-client v6 and oauth4webapi v3 unchanged as the relying party and the
 * resource server.
 */
for (const kind of selectedKinds()) {
  describe(`walk-through: upstream from its discovery URL, openid-client, userinfo, SSO, logout, CORS, at+jwt (${kind})`, () => {
    let world: OidcDiscoveryWorld;
    let rp: client.Configuration;
    let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
    let refreshToken: string;
    const jar = new CookieJar();

    before(async () => {
      world = await startOidcDiscoveryWorld(kind);
    });
    after(async () => {
      await world?.close();
    });

    it('1. previews the discovery document, creates the provider from its URL, sets at+jwt and a public client with an origin', async () => {
      const preview = await world.server.api('POST', '/api/identity-provider/import-config', { discoveryUrl: world.upstream.discoveryUrl });
      assert.equal(preview.status, 200, JSON.stringify(preview.body));
      assert.equal(preview.body.identityProvider.issuer, world.upstream.issuer);
      assert.equal(preview.body.identityProvider.oauth2.userinfo_endpoint, `${world.upstream.issuer}/me`);

      const tenant = await world.server.api('PATCH', `/api/tenant/${DEFAULT_TENANT_ID}`, { tenant: { jwtConfiguration: { accessTokenType: 'at+jwt' } } });
      assert.equal(tenant.status, 200, JSON.stringify(tenant.body));
      const app = await createApplication(world.server, {
        name: `spa-${randomUUID()}`,
        loginConfiguration: { generateRefreshTokens: true },
        oauthConfiguration: {
          clientId: world.clientId, clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code', 'refresh_token'],
          authorizedRedirectURLs: [REDIRECT], postLogoutRedirectURLs: [LOGGED_OUT], authorizedOriginURLs: [ORIGIN],
        },
      });
      const created = await world.server.api('POST', `/api/identity-provider/${world.providerId}`, {
        identityProvider: {
          type: 'ExternalJWT', name: `oidc-provider-${randomUUID()}`, enabled: true, headerKeyParameter: 'kid', linkingStrategy: 'LinkByEmail',
          oauth2: { discoveryUrl: world.upstream.discoveryUrl, client_id: world.upstream.publicClientId, clientAuthenticationMethod: 'none', scope: 'openid email' },
          applicationConfiguration: { [app.id]: { enabled: true, createRegistration: true } },
        },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.identityProvider.issuer, world.upstream.issuer, 'the issuer is implied by the URL');
      rp = await world.discover();
      assert.equal(rp.serverMetadata().userinfo_endpoint, `${world.issuer}/oauth2/userinfo`);
      assert.equal(rp.serverMetadata().end_session_endpoint, `${world.issuer}/oauth2/logout`);
    });

    it('2. logs in with openid-client (code + PKCE) through the upstream, the email read from its userinfo', async () => {
      world.upstream.nextAccount('upstream-walk-anna', { email: 'walk-anna@example.de', email_verified: true });
      const userinfoCalls = world.upstream.userinfoRequests();
      const { url, checks } = await world.authorize(rp, jar);
      assert.equal(world.upstream.authorizationRequests.length, 1, 'the first login goes upstream');
      const upstreamRequest = world.upstream.authorizationRequests[0];
      assert.equal(upstreamRequest.get('code_challenge_method'), 'S256');
      assert.equal(world.upstream.userinfoRequests(), userinfoCalls + 1, 'oidc-provider puts the email only in userinfo');
      tokens = await client.authorizationCodeGrant(rp, url, checks);
      refreshToken = tokens.refresh_token!;
      assert.equal(typeof refreshToken, 'string');
      const user = await world.server.api('GET', `/api/user/${tokens.claims()!.sub}`, undefined, T);
      assert.equal(user.status, 200, JSON.stringify(user.body));
      assert.equal(user.body.user.email, 'walk-anna@example.de');
    });

    it('3. answers openid-client fetchUserInfo with sub and email', async () => {
      const sub = tokens.claims()!.sub;
      const info = await client.fetchUserInfo(rp, tokens.access_token, sub);
      assert.equal(info.sub, sub);
      assert.equal(info.email, 'walk-anna@example.de');
    });

    it('4. refreshes with openid-client (rotated)', async () => {
      const refreshed = await client.refreshTokenGrant(rp, refreshToken);
      assert.equal(typeof refreshed.access_token, 'string');
      assert.notEqual(refreshed.refresh_token, refreshToken);
      refreshToken = refreshed.refresh_token!;
    });

    it('5. logs the same browser in again through the SSO session, without the upstream', async () => {
      const seen = world.upstream.authorizationRequests.length;
      const { url, hops, checks } = await world.authorize(rp, jar);
      assert.equal(world.upstream.authorizationRequests.length, seen, 'the upstream saw no authorization request');
      assert.equal(hops.length, 1, 'straight back to the client');
      const again = await client.authorizationCodeGrant(rp, url, checks);
      assert.equal(again.claims()!.sub, tokens.claims()!.sub);
      assert.equal(again.claims()!.sid, tokens.claims()!.sid);
    });

    it('6. prompt=none: a code with the session, login_required without it', async () => {
      const seen = world.upstream.authorizationRequests.length;
      const silent = await world.authorize(rp, jar, { prompt: 'none' });
      assert.equal((await client.authorizationCodeGrant(rp, silent.url, silent.checks)).claims()!.sub, tokens.claims()!.sub);
      const fresh = await world.authorize(rp, new CookieJar(), { prompt: 'none', state: 'fresh-browser' });
      assert.equal(fresh.url.searchParams.get('error'), 'login_required');
      assert.equal(fresh.url.searchParams.get('state'), 'fresh-browser');
      assert.equal(fresh.url.searchParams.get('code'), null);
      assert.equal(world.upstream.authorizationRequests.length, seen, 'prompt=none never goes upstream');
    });

    it('7. CORS: the token endpoint answers the registered origin, and only it', async () => {
      const preflight = (origin: string) =>
        world.fetch(`${world.issuer}/oauth2/token`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
      const allowed = await preflight(ORIGIN);
      assert.equal(allowed.status, 204);
      assert.equal(allowed.headers.get('access-control-allow-origin'), ORIGIN);
      assert.equal(allowed.headers.get('access-control-allow-methods'), 'POST');
      const stranger = await preflight(STRANGER);
      assert.deepEqual([...stranger.headers.keys()].filter((name) => name.startsWith('access-control-')), []);
      // Every token response openid-client got, sent with the page's Origin: three codes and a refresh.
      assert.deepEqual(world.tokenCors, [ORIGIN, ORIGIN, ORIGIN, ORIGIN]);
    });

    it('8. oauth4webapi validateJwtAccessToken accepts the at+jwt access token', async () => {
      assert.equal(decodeJwt(tokens.access_token).header.typ, 'at+jwt');
      const as = await oauth.processDiscoveryResponse(new URL(world.issuer), await oauth.discoveryRequest(new URL(world.issuer), { [oauth.customFetch]: world.tlsFetch }));
      const request = new Request('https://api.spa.example/resource', { headers: { authorization: `Bearer ${tokens.access_token}` } });
      const claims = await oauth.validateJwtAccessToken(as, request, world.clientId, { [oauth.customFetch]: world.tlsFetch });
      assert.equal(claims.sub, tokens.claims()!.sub);
      assert.equal(claims.client_id, world.clientId);
      assert.equal(claims.iss, world.issuer);
    });

    it('9. logs out via buildEndSessionUrl: back with state; the refresh token and prompt=none are refused', async () => {
      const logout = client.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGGED_OUT, state: 'bye-walk' });
      const { url } = await browse(logout.href, jar, LOGGED_OUT, world.dispatcher);
      assert.equal(url.href, `${LOGGED_OUT}?state=bye-walk`);
      assert.equal(jar.value('gh_sso'), undefined, 'the cookie was cleared');
      await assert.rejects(client.refreshTokenGrant(rp, refreshToken), (error: { error?: string }) => error.error === 'invalid_grant');
      const silent = await world.authorize(rp, jar, { prompt: 'none' });
      assert.equal(silent.url.searchParams.get('error'), 'login_required');
      assert.equal(silent.url.searchParams.get('iss'), `${world.server.publicUrl}/t/${DEFAULT_TENANT}`);
    });
  });
}
