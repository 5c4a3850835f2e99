import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { CookieJar } from '../helpers/browser.js';
import { selectedKinds } from '../helpers/databases.js';
import { DEFAULT_TENANT_ID } from '../helpers/fixtures.js';
import { REDIRECT, startOidcOpWorld } from '../helpers/oidc-op-world.js';
import type { OidcOpWorld } from '../helpers/oidc-op-world.js';

for (const kind of selectedKinds()) {
  describe(`Gatehouse as the OpenID provider of openid-client: SSO session, prompt, userinfo (${kind})`, () => {
    let world: OidcOpWorld;
    const jar = new CookieJar();
    let first: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

    before(async () => {
      world = await startOidcOpWorld(kind);
    });
    after(async () => {
      await world?.close();
    });

    it('discovers the provider, logs in upstream with PKCE and sets the SSO session cookie', async () => {
      const metadata = world.rp.serverMetadata();
      assert.equal(metadata.userinfo_endpoint, `${world.issuer}/oauth2/userinfo`);
      assert.equal(metadata.end_session_endpoint, `${world.issuer}/oauth2/logout`);
      world.upstream.nextUser({ email: 'sso-anna@example.de', sub: 'upstream-sso-anna', amr: ['hwk'] });
      const seen = world.upstream.authorizationRequests.length;
      const { url, checks } = await world.authorize(jar);
      assert.equal(world.upstream.authorizationRequests.length, seen + 1, 'the first login goes upstream');
      const cookie = jar.received.find((c) => c.startsWith('gh_sso='));
      assert.match(cookie ?? '', /^gh_sso=[A-Za-z0-9_-]{43}; Max-Age=28800; Path=\/t\/default; HttpOnly; SameSite=Lax; Secure$/);
      first = await client.authorizationCodeGrant(world.rp, url, checks);
      const claims = first.claims()!;
      assert.equal(typeof claims.sid, 'string');
      assert.notEqual(claims.sid, jar.value('gh_sso'), 'sid is not the cookie secret');
      assert.equal(typeof claims.auth_time, 'number');
      assert.equal(typeof first.refresh_token, 'string');
    });

    it('answers userinfo with the claims of the granted scopes (OIDC Core §5.3, §5.4)', async () => {
      const sub = first.claims()!.sub;
      const patched = await world.server.api('PATCH', `/api/user/${sub}`, {
        user: { username: 'anna.muster', firstName: 'Anna', middleName: 'Maria', lastName: 'Muster', fullName: 'Anna Maria Muster', birthDate: '1980-02-03', imageUrl: 'https://img.example/anna.png', timezone: 'Europe/Berlin', preferredLanguages: ['de-DE', 'en'] },
      }, { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const info = await client.fetchUserInfo(world.rp, first.access_token, sub);
      assert.deepEqual(info, {
        sub, name: 'Anna Maria Muster', given_name: 'Anna', family_name: 'Muster', middle_name: 'Maria', preferred_username: 'anna.muster',
        picture: 'https://img.example/anna.png', birthdate: '1980-02-03', zoneinfo: 'Europe/Berlin', locale: 'de-DE', email: 'sso-anna@example.de', email_verified: true,
      });
      // RFC 6750 §2.2: the token as a form parameter of a POST works too.
      const posted = await world.fetch(`${world.issuer}/oauth2/userinfo`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `access_token=${first.access_token}` });
      assert.equal(posted.status, 200);
      assert.equal(posted.headers.get('cache-control'), 'no-store');
      assert.equal(((await posted.json()) as { sub: string }).sub, sub);
    });

    it('refreshes, and logs the same browser in again without the upstream provider', async () => {
      const refreshed = await client.refreshTokenGrant(world.rp, first.refresh_token!);
      assert.equal(typeof refreshed.access_token, 'string');
      assert.notEqual(refreshed.refresh_token, first.refresh_token, 'rotated');
      const seen = world.upstream.authorizationRequests.length;
      const { url, hops, checks } = await world.authorize(jar);
      assert.equal(world.upstream.authorizationRequests.length, seen, 'the upstream saw no request');
      assert.equal(hops.length, 1, 'straight back to the client');
      assert.equal(url.searchParams.get('iss'), world.issuer);
      const again = await client.authorizationCodeGrant(world.rp, url, checks);
      assert.equal(again.claims()!.sub, first.claims()!.sub);
      assert.equal(again.claims()!.sid, first.claims()!.sid);
      assert.equal(again.claims()!.auth_time, first.claims()!.auth_time, 'auth_time is the session login');
    });

    it('honours prompt=none, max_age and prompt=login (OIDC Core §3.1.2.1)', async () => {
      const seen = world.upstream.authorizationRequests.length;
      const silent = await world.authorize(jar, { prompt: 'none', max_age: '3600' });
      const silentTokens = await client.authorizationCodeGrant(world.rp, silent.url, silent.checks);
      assert.equal(silentTokens.claims()!.sub, first.claims()!.sub);
      assert.equal(world.upstream.authorizationRequests.length, seen);

      const stranger = await world.authorize(new CookieJar(), { prompt: 'none', state: 'silent-state' });
      assert.equal(stranger.url.searchParams.get('error'), 'login_required');
      assert.equal(stranger.url.searchParams.get('state'), 'silent-state');
      assert.equal(stranger.url.searchParams.get('iss'), world.issuer);
      assert.equal(stranger.url.searchParams.get('code'), null);
      await assert.rejects(client.authorizationCodeGrant(world.rp, stranger.url, { ...stranger.checks, expectedState: 'silent-state' }), (error: { error?: string }) => error.error === 'login_required');
      assert.equal(world.upstream.authorizationRequests.length, seen, 'prompt=none never goes upstream');

      for (const parameters of [{ prompt: 'login' }, { max_age: '0' }] as Record<string, string>[]) {
        world.upstream.nextUser({ email: 'sso-anna@example.de', sub: 'upstream-sso-anna' });
        const before = world.upstream.authorizationRequests.length;
        const forced = await world.authorize(jar, parameters);
        assert.equal(world.upstream.authorizationRequests.length, before + 1, JSON.stringify(parameters));
        const tokens = await client.authorizationCodeGrant(world.rp, forced.url, forced.checks);
        assert.equal(tokens.claims()!.sid, first.claims()!.sid, 'the same user keeps the session id');
        assert.ok((tokens.claims()!.auth_time as number) >= (first.claims()!.auth_time as number));
      }
      const malformed = await world.authorize(jar, { prompt: 'none login' });
      assert.equal(malformed.url.searchParams.get('error'), 'invalid_request');
      assert.equal(malformed.url.searchParams.get('error_description'), 'prompt=none cannot be combined with other values.');
    });

    it('refuses userinfo requests per RFC 6750 §3 with the exact status and challenge', async () => {
      const userinfo = `${world.issuer}/oauth2/userinfo`;
      const none = await world.fetch(userinfo);
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="gatehouse"');
      const bad = await world.fetch(userinfo, { headers: { authorization: 'Bearer not.a.token' } });
      assert.equal(bad.status, 401);
      assert.equal(bad.headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="invalid_token", error_description="The access token is invalid, expired or revoked."');
      assert.deepEqual(await bad.json(), { error: 'invalid_token', error_description: 'The access token is invalid, expired or revoked.' });
      const twice = await world.fetch(userinfo, { method: 'POST', headers: { authorization: `Bearer ${first.access_token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: `access_token=${first.access_token}` });
      assert.equal(twice.status, 400);
      assert.match(twice.headers.get('www-authenticate') ?? '', /^Bearer realm="gatehouse", error="invalid_request", /);
      const basic = await world.fetch(userinfo, { headers: { authorization: 'Basic eDp5' } });
      assert.equal(basic.status, 400);

      // A token granted without openid (from the session, so no upstream login).
      const { url, checks } = await world.authorize(jar, { scope: 'email' });
      const token = await world.server.form(`/t/default/oauth2/token`, { grant_type: 'authorization_code', code: url.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: checks.pkceCodeVerifier!, client_id: world.clientId });
      assert.equal(token.status, 200, JSON.stringify(token.body));
      assert.equal(token.body.scope, 'email');
      const narrow = await world.fetch(userinfo, { headers: { authorization: `Bearer ${token.body.access_token}` } });
      assert.equal(narrow.status, 403);
      assert.equal(narrow.headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="insufficient_scope", error_description="The access token was not granted the openid scope."');
    });
  });
}
