import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { browse, CookieJar } from '../helpers/browser.js';
import { selectedKinds } from '../helpers/databases.js';
import { LOGGED_OUT, REDIRECT, startOidcOpWorld } from '../helpers/oidc-op-world.js';
import type { OidcOpWorld } from '../helpers/oidc-op-world.js';

for (const kind of selectedKinds()) {
  describe(`RP-initiated logout through openid-client (${kind})`, () => {
    let world: OidcOpWorld;

    before(async () => {
      world = await startOidcOpWorld(kind);
    });
    after(async () => {
      await world?.close();
    });

    const login = async (jar: CookieJar, email: string) => {
      world.upstream.nextUser({ email, sub: `upstream-${email}` });
      const { url, checks } = await world.authorize(jar);
      return client.authorizationCodeGrant(world.rp, url, checks);
    };
    /** The logout endpoint's answer to a browser that is not followed further. */
    const refusal = async (url: URL) => {
      const response = await world.fetch(url.href, { redirect: 'manual' });
      return { status: response.status, location: response.headers.get('location'), body: (await response.json()) as { error?: string; error_description?: string } };
    };

    it('ends the session, revokes its refresh tokens and returns to the registered URL with state', async () => {
      const jar = new CookieJar();
      const tokens = await login(jar, 'logout-ben@example.de');
      const rotated = await client.refreshTokenGrant(world.rp, tokens.refresh_token!);
      const oldSecret = jar.value('gh_sso')!;
      const logout = client.buildEndSessionUrl(world.rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGGED_OUT, state: 'bye-1' });
      assert.equal(logout.searchParams.get('client_id'), world.clientId);
      const { url } = await browse(logout.href, jar, LOGGED_OUT, world.dispatcher);
      assert.equal(url.href, `${LOGGED_OUT}?state=bye-1`);
      assert.equal(jar.value('gh_sso'), undefined, 'the cookie was cleared');
      assert.match(jar.received.at(-1)!, /^gh_sso=; Max-Age=0; Path=\/t\/default; HttpOnly; SameSite=Lax; Secure$/);

      await assert.rejects(client.refreshTokenGrant(world.rp, rotated.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant');
      // The session is gone server-side: even its old cookie gets no silent login.
      const replayed = new CookieJar();
      replayed.take({ headers: { getSetCookie: () => [`gh_sso=${oldSecret}; Path=/t/default`] } });
      const silent = await world.authorize(replayed, { prompt: 'none' });
      assert.equal(silent.url.searchParams.get('error'), 'login_required');
      // An expired hint is still accepted (RP-Initiated Logout §2): the second logout finds nothing to end.
      const again = await browse(client.buildEndSessionUrl(world.rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGGED_OUT }).href, new CookieJar(), LOGGED_OUT, world.dispatcher);
      assert.equal(again.url.href, LOGGED_OUT);
    });

    it('leaves another session alone and logs out without a hint from the browser', async () => {
      const anna = new CookieJar();
      const annaTokens = await login(anna, 'logout-anna@example.de');
      const carl = new CookieJar();
      await login(carl, 'logout-carl@example.de');
      // No hint: the browser's own session ends, and the page is Gatehouse's.
      const response = await world.fetch(`${world.issuer}/oauth2/logout`, { headers: { cookie: carl.header(`${world.issuer}/oauth2/logout`) }, redirect: 'manual' });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      carl.take(response);
      assert.equal(carl.value('gh_sso'), undefined);
      assert.equal((await world.authorize(carl, { prompt: 'none' })).url.searchParams.get('error'), 'login_required');
      // Anna's session still logs her in silently, and her refresh token works.
      const silent = await world.authorize(anna, { prompt: 'none' });
      assert.ok(silent.url.searchParams.get('code'));
      assert.ok((await client.refreshTokenGrant(world.rp, annaTokens.refresh_token!)).access_token);
    });

    it('refuses an unregistered post_logout_redirect_uri and other bad requests without redirecting', async () => {
      const jar = new CookieJar();
      const tokens = await login(jar, 'logout-dora@example.de');
      const cases: [Record<string, string>, string][] = [
        [{ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/logged-out' }, 'post_logout_redirect_uri is not registered for this client.'],
        [{ id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${LOGGED_OUT}/more` }, 'post_logout_redirect_uri is not registered for this client.'],
        [{ id_token_hint: tokens.id_token!, post_logout_redirect_uri: REDIRECT }, 'post_logout_redirect_uri is not registered for this client.'],
        [{ id_token_hint: tokens.id_token!, client_id: 'someone-else' }, 'client_id is not the audience of id_token_hint.'],
        [{ id_token_hint: `${tokens.id_token!.slice(0, -4)}AAAA` }, 'id_token_hint is not an ID token of this issuer.'],
        [{ client_id: 'nobody' }, 'Unknown client_id.'],
      ];
      for (const [parameters, description] of cases) {
        const url = new URL(`${world.issuer}/oauth2/logout`);
        for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
        const answer = await refusal(url);
        assert.equal(answer.status, 400, JSON.stringify(parameters));
        assert.equal(answer.location, null);
        assert.deepEqual(answer.body, { error: 'invalid_request', error_description: description });
      }
      const withoutClient = new URL(`${world.issuer}/oauth2/logout?post_logout_redirect_uri=${encodeURIComponent(LOGGED_OUT)}`);
      assert.equal((await refusal(withoutClient)).body.error_description, 'post_logout_redirect_uri needs id_token_hint or client_id to name the client.');
      // Nothing was ended by the refusals.
      assert.ok((await world.authorize(jar, { prompt: 'none' })).url.searchParams.get('code'));
      // POST works as GET does (RP-Initiated Logout §2).
      const posted = await world.fetch(`${world.issuer}/oauth2/logout`, {
        method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(`${world.issuer}/oauth2/logout`) },
        body: new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGGED_OUT, state: 'posted' }).toString(),
      });
      assert.equal(posted.status, 302);
      assert.equal(posted.headers.get('location'), `${LOGGED_OUT}?state=posted`);
    });

    it('validates the logout URLs of an application', async () => {
      const reply = await world.server.api('POST', '/api/application', {
        application: { name: 'bad logout', oauthConfiguration: { logoutURL: 'http://rp.example/out', postLogoutRedirectURLs: ['https://rp.example/out#x'] } },
      });
      assert.equal(reply.status, 400, JSON.stringify(reply.body));
      assert.deepEqual(Object.keys(reply.body.fieldErrors).sort(), ['application.oauthConfiguration.logoutURL', 'application.oauthConfiguration.postLogoutRedirectURLs']);
    });
  });
}
