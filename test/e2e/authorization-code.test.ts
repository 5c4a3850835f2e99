import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { selectedKinds } from '../helpers/databases.js';
import { createTestDatabase } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { createApplication, decodeJwt, DEFAULT_TENANT, DEFAULT_TENANT_ID, tokenPath } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';
import { startUpstreamOidcProvider } from '../helpers/upstream-oidc-provider.js';
import type { UpstreamOidcProvider } from '../helpers/upstream-oidc-provider.js';

const REDIRECT = 'https://app.example/callback';
const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** A browser's cookies (enough of RFC 6265 for this flow: name, value, path, Max-Age=0). */
class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  take(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';').map((p) => p.trim());
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      if (attributes.some((a) => a.toLowerCase() === 'max-age=0')) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }

  header(url: string): string {
    const { pathname } = new URL(url);
    return [...this.cookies].filter(([, c]) => pathname.startsWith(c.path)).map(([name, c]) => `${name}=${c.value}`).join('; ');
  }
}

/** Follows redirects like a browser would, up to the client's redirect URI; returns that URL. */
async function browse(start: string, jar = new CookieJar(), stopAt = REDIRECT): Promise<{ url: URL; hops: string[]; jar: CookieJar }> {
  const hops: string[] = [];
  let next = start;
  for (let i = 0; i < 5; i++) {
    if (next.startsWith(stopAt)) return { url: new URL(next), hops, jar };
    const cookie = jar.header(next);
    const response = await fetch(next, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    jar.take(response);
    const location = response.headers.get('location');
    assert.equal(response.status, 302, `${next} answered ${response.status}: ${await response.text()}`);
    hops.push(location!);
    next = location!;
  }
  throw new Error('too many redirects');
}

for (const kind of selectedKinds()) {
  describe(`authorization code flow brokered to an upstream OpenID provider (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let upstream: UpstreamOidcProvider;
    let providerId: string;
    let app: { id: string; oauthConfiguration: { clientId: string } };
    const clientId = `spa-${randomUUID().slice(0, 8)}`;
    const issuer = () => `${server.publicUrl}/t/${DEFAULT_TENANT}`;

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
      upstream = await startUpstreamOidcProvider();
      app = await createApplication(server, {
        name: `spa-${randomUUID()}`,
        roles: [{ name: 'patient', isDefault: true }],
        loginConfiguration: { generateRefreshTokens: true },
        oauthConfiguration: { clientId, clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code', 'refresh_token'], authorizedRedirectURLs: [REDIRECT] },
      });
      const reply = await server.api('POST', '/api/identity-provider', {
        identityProvider: {
          type: 'ExternalJWT',
          name: `upstream-${randomUUID()}`,
          enabled: true,
          headerKeyParameter: 'kid',
          jwksUri: upstream.jwksUri,
          issuer: upstream.issuer,
          linkingStrategy: 'LinkByEmail',
          oauth2: { authorization_endpoint: `${upstream.authorizationEndpoint}?prompt=login`, token_endpoint: upstream.tokenEndpoint, client_id: upstream.clientId, scope: 'openid email' },
          applicationConfiguration: { [app.id]: { enabled: true, createRegistration: true } },
        },
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      providerId = reply.body.identityProvider.id;
    });
    after(async () => {
      await server?.close();
      await upstream?.close();
      await db?.drop();
    });

    const authorizeUrl = (params: Record<string, string | undefined>) => {
      const url = new URL(`${issuer()}/oauth2/authorize`);
      for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
      return url.toString().replace(server.publicUrl, server.url);
    };
    const validParams = (challenge: string, extra: Record<string, string | undefined> = {}) => ({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'openid offline_access',
      state: 'client-state-1',
      nonce: 'client-nonce-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
    const redeem = (code: string, verifier: string, extra: Record<string, string> = {}) =>
      server.form(tokenPath(), { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, client_id: clientId, ...extra });

    it('logs a user in at the upstream provider and issues Gatehouse tokens for the code (PKCE, nonce, iss)', async () => {
      const { verifier, challenge } = pkce();
      upstream.nextUser({ email: 'anna@example.de', sub: 'upstream-anna' });
      const { url, hops } = await browse(authorizeUrl(validParams(challenge)));
      // Gatehouse sent the browser to the upstream provider with its own state, nonce and PKCE.
      const toUpstream = new URL(hops[0]);
      assert.equal(toUpstream.origin + toUpstream.pathname, upstream.authorizationEndpoint);
      assert.equal(toUpstream.searchParams.get('prompt'), 'login', 'parameters of the configured endpoint are kept');
      assert.equal(toUpstream.searchParams.get('redirect_uri'), `${issuer()}/broker/${providerId}/endpoint`);
      assert.equal(toUpstream.searchParams.get('scope'), 'openid email');
      assert.notEqual(toUpstream.searchParams.get('state'), 'client-state-1');
      assert.notEqual(toUpstream.searchParams.get('code_challenge'), challenge);
      // The client gets its state back, a code, and the issuer (RFC 9207).
      assert.equal(url.searchParams.get('state'), 'client-state-1');
      assert.equal(url.searchParams.get('iss'), issuer());
      const code = url.searchParams.get('code')!;
      assert.ok(code.length >= 43);
      const last = upstream.tokenRequests.at(-1)!;
      assert.equal(last.form.client_id, upstream.clientId, 'public upstream client: client_id in the form, no secret');
      assert.equal(last.authorization, undefined);

      const reply = await redeem(code, verifier);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.headers.get('cache-control'), 'no-store');
      assert.equal(reply.body.token_type, 'Bearer');
      assert.equal(reply.body.scope, 'openid offline_access');
      const jwks = createRemoteJWKSet(new URL(`${server.url}/t/${DEFAULT_TENANT}/.well-known/jwks.json`));
      const { payload: access } = await jwtVerify(reply.body.access_token, jwks, { issuer: issuer(), audience: clientId });
      assert.equal(access.authenticationType, 'OPENID_CONNECT');
      assert.equal(access.email, 'anna@example.de');
      assert.equal(access.applicationId, app.id);
      assert.deepEqual(access.roles, ['patient']);
      assert.equal(access.sub, reply.body.userId);
      const { payload: id } = await jwtVerify(reply.body.id_token, jwks, { issuer: issuer(), audience: clientId });
      assert.equal(id.nonce, 'client-nonce-1');
      assert.equal(id.sub, access.sub);
      assert.equal(typeof reply.body.refresh_token, 'string');

      // The same upstream identity again: the link holds, the same user.
      const second = pkce();
      upstream.nextUser({ email: 'anna@example.de', sub: 'upstream-anna' });
      const again = await browse(authorizeUrl(validParams(second.challenge)));
      const secondReply = await redeem(again.url.searchParams.get('code')!, second.verifier);
      assert.equal(secondReply.status, 200, JSON.stringify(secondReply.body));
      assert.equal(decodeJwt(secondReply.body.access_token).payload.sub, access.sub);
      const links = await server.api('GET', `/api/identity-provider/link?identityProviderId=${providerId}&userId=${access.sub}`);
      assert.equal(links.status, 200, JSON.stringify(links.body));
      assert.equal(links.body.identityProviderLinks[0].identityProviderUserId, 'upstream-anna');
    });

    it('refuses a second use of a code and revokes what the first use issued (RFC 6749 §4.1.2)', async () => {
      const { verifier, challenge } = pkce();
      const { url } = await browse(authorizeUrl(validParams(challenge)));
      const code = url.searchParams.get('code')!;
      const first = await redeem(code, verifier);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      // The refresh token works until the code is used again.
      const rotated = await server.form(tokenPath(), { grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id: clientId });
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      const second = await redeem(code, verifier);
      assert.equal(second.status, 400);
      assert.equal(second.body.error, 'invalid_grant');
      const refreshed = await server.form(tokenPath(), { grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token, client_id: clientId });
      assert.equal(refreshed.status, 400, JSON.stringify(refreshed.body));
      assert.equal(refreshed.body.error, 'invalid_grant');
    });

    it('checks the verifier, the redirect URI and the client at the token endpoint', async () => {
      const other = await createApplication(server, {
        name: `other-${randomUUID()}`,
        oauthConfiguration: { clientId: `other-${randomUUID().slice(0, 8)}`, clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code'], authorizedRedirectURLs: [REDIRECT] },
      });
      const cases: [string, (code: string, verifier: string) => Promise<{ status: number; body: Record<string, unknown> }>][] = [
        ['wrong verifier', (code) => redeem(code, pkce().verifier)],
        ['missing verifier', (code) => server.form(tokenPath(), { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: clientId })],
        ['other redirect URI', (code, verifier) => redeem(code, verifier, { redirect_uri: 'https://app.example/other' })],
        ['other client', (code, verifier) => redeem(code, verifier, { client_id: other.oauthConfiguration.clientId })],
      ];
      for (const [name, attempt] of cases) {
        const { verifier, challenge } = pkce();
        const { url } = await browse(authorizeUrl(validParams(challenge)));
        const reply = await attempt(url.searchParams.get('code')!, verifier);
        assert.equal(reply.status, 400, `${name}: ${JSON.stringify(reply.body)}`);
        assert.equal(reply.body.error, 'invalid_grant', name);
      }
      const missingRedirect = await server.form(tokenPath(), { grant_type: 'authorization_code', code: 'x', client_id: clientId });
      assert.equal(missingRedirect.body.error, 'invalid_request');
      const unknown = await redeem(randomBytes(32).toString('base64url'), pkce().verifier);
      assert.equal(unknown.body.error, 'invalid_grant');
    });

    it('answers client and redirect URI errors directly, never redirecting to an unchecked URI', async () => {
      const { challenge } = pkce();
      const cases: [Record<string, string | undefined>, string][] = [
        [{ client_id: undefined }, 'client_id is missing.'],
        [{ client_id: 'nobody' }, 'Unknown client_id.'],
        [{ redirect_uri: 'https://evil.example/callback' }, 'redirect_uri is not registered for this client.'],
        [{ redirect_uri: `${REDIRECT}/more` }, 'redirect_uri is not registered for this client.'],
        [{ redirect_uri: undefined }, 'redirect_uri is missing.'],
      ];
      for (const [change, description] of cases) {
        const response = await fetch(authorizeUrl(validParams(challenge, change)), { redirect: 'manual' });
        assert.equal(response.status, 400, JSON.stringify(change));
        assert.equal(response.headers.get('location'), null);
        assert.deepEqual(await response.json(), { error: 'invalid_request', error_description: description });
      }
      const duplicated = await fetch(`${authorizeUrl(validParams(challenge))}&state=again`, { redirect: 'manual' });
      assert.equal(duplicated.status, 400);
      assert.equal(((await duplicated.json()) as { error: string }).error, 'invalid_request');
      const unknownTenant = await fetch(`${server.url}/t/nowhere/oauth2/authorize?client_id=x`, { redirect: 'manual' });
      assert.equal(unknownTenant.status, 404);
      assert.equal(((await unknownTenant.json()) as { error: string }).error, 'invalid_tenant');
      const asJson = await fetch(`${server.url}/t/${DEFAULT_TENANT}/oauth2/authorize`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json' }, body: JSON.stringify(validParams(challenge)) });
      assert.equal(asJson.status, 400);
      assert.deepEqual(await asJson.json(), { error: 'invalid_request', error_description: 'Send the parameters as application/x-www-form-urlencoded.' });
    });

    it('sends other request errors back to the client with state and iss', async () => {
      const { challenge } = pkce();
      const cases: [Record<string, string | undefined>, string][] = [
        [{ response_type: 'token' }, 'unsupported_response_type'],
        [{ response_type: undefined }, 'invalid_request'],
        [{ code_challenge: undefined }, 'invalid_request'],
        [{ code_challenge_method: 'plain' }, 'invalid_request'],
        [{ code_challenge: 'short' }, 'invalid_request'],
        [{ scope: 'openid admin' }, 'invalid_scope'],
        [{ idp_hint: randomUUID() }, 'invalid_request'],
        [{ nonce: 'n'.repeat(513) }, 'invalid_request'],
      ];
      for (const [change, error] of cases) {
        const response = await fetch(authorizeUrl(validParams(challenge, change)), { redirect: 'manual' });
        assert.equal(response.status, 302, JSON.stringify(change));
        const location = new URL(response.headers.get('location')!);
        assert.equal(location.origin + location.pathname, REDIRECT);
        assert.equal(location.searchParams.get('error'), error, JSON.stringify(change));
        assert.equal(location.searchParams.get('state'), 'client-state-1');
        assert.equal(location.searchParams.get('iss'), issuer());
        assert.equal(location.searchParams.get('code'), null);
      }
      // POST works too (SMART authorize-post).
      const posted = await fetch(`${server.url}/t/${DEFAULT_TENANT}/oauth2/authorize`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(validParams(challenge) as Record<string, string>).toString(),
      });
      assert.equal(posted.status, 302);
      assert.ok(posted.headers.get('location')!.startsWith(upstream.authorizationEndpoint));
    });

    it('turns upstream refusals, failures and a wrong nonce into errors at the client, and creates nobody', async () => {
      const email = `nobody-${randomUUID()}@example.de`;
      upstream.nextUser({ email });
      const { challenge } = pkce();

      upstream.refuseNext('access_denied');
      const refused = await browse(authorizeUrl(validParams(challenge)));
      assert.equal(refused.url.searchParams.get('error'), 'access_denied');
      assert.equal(refused.url.searchParams.get('state'), 'client-state-1');

      upstream.misbehave({ tokenStatus: 500 });
      const failed = await browse(authorizeUrl(validParams(challenge)));
      assert.equal(failed.url.searchParams.get('error'), 'temporarily_unavailable');

      upstream.misbehave({ wrongNonce: true });
      const replayed = await browse(authorizeUrl(validParams(challenge)));
      assert.equal(replayed.url.searchParams.get('error'), 'access_denied');
      assert.equal(replayed.url.searchParams.get('reason'), 'NONCE_MISMATCH');
      upstream.misbehave(undefined);
      upstream.nextUser({});
      const created = await server.api('GET', `/api/user?email=${encodeURIComponent(email)}`, undefined, { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID });
      assert.equal(created.status, 404);
      const events = await server.api('POST', '/api/system/event-log/search', { search: { message: '*UPSTREAM_TOKEN_REQUEST_FAILED*' } });
      assert.ok(events.body.total >= 1, JSON.stringify(events.body));
    });

    it('binds the login to the browser that started it (RFC 6749 §10.12): another browser cannot complete it', async () => {
      const { challenge } = pkce();
      const started = await fetch(authorizeUrl(validParams(challenge)), { redirect: 'manual' });
      const cookie = started.headers.getSetCookie()[0];
      assert.match(cookie, /^gh_authz_[A-Za-z0-9]{16}=[A-Za-z0-9_-]{43}; Path=\/t\/default\/broker; Max-Age=600; HttpOnly; SameSite=Lax$/);
      // The victim's browser follows the attacker's upstream URL: it has no binding cookie.
      const atUpstream = await fetch(started.headers.get('location')!, { redirect: 'manual' });
      const callback = atUpstream.headers.get('location')!.replace(server.publicUrl, server.url);
      const elsewhere = await fetch(callback, { redirect: 'manual', headers: { cookie: 'gh_authz_0000000000000000=wrong' } });
      assert.equal(elsewhere.status, 400);
      assert.equal(elsewhere.headers.get('location'), null);
      assert.equal(((await elsewhere.json()) as { error_description: string }).error_description, 'This login was not started in this browser.');
      // And the started login is spent: the right cookie afterwards does not revive it.
      const late = await fetch(callback, { redirect: 'manual', headers: { cookie: cookie.split(';')[0] } });
      assert.equal(late.status, 400);
    });

    it('refuses an unknown or replayed state at the callback without redirecting', async () => {
      const unknown = await fetch(`${server.url}/t/${DEFAULT_TENANT}/broker/${providerId}/endpoint?code=x&state=${randomBytes(32).toString('base64url')}`, { redirect: 'manual' });
      assert.equal(unknown.status, 400);
      assert.deepEqual(await unknown.json(), { error: 'invalid_request', error_description: 'Unknown, expired or already used state.' });
      assert.equal(unknown.headers.get('location'), null);
      const missing = await fetch(`${server.url}/t/${DEFAULT_TENANT}/broker/${providerId}/endpoint?code=x`, { redirect: 'manual' });
      assert.equal(missing.status, 400);
      assert.deepEqual(await missing.json(), { error: 'invalid_request', error_description: 'state is missing.' });

      // The callback URL of a finished login, replayed: the state was taken.
      const { challenge } = pkce();
      const { hops, jar } = await browse(authorizeUrl(validParams(challenge)));
      const callback = hops[1].replace(server.publicUrl, server.url);
      const bindings = jar.header(callback).split('; ').filter((cookie) => cookie.startsWith('gh_authz_'));
      assert.deepEqual(bindings, [], 'the callback cleared its binding cookie');
      const replay = await fetch(callback, { redirect: 'manual' });
      assert.equal(replay.status, 400);
      assert.equal(((await replay.json()) as { error_description: string }).error_description, 'Unknown, expired or already used state.');
    });

    it('keeps a lambda reject code and message in the error sent to the client', async () => {
      const lambda = await server.api('POST', '/api/lambda', {
        lambda: { name: `gate-${randomUUID()}`, type: 'ExternalJWTReconcile', body: 'function reconcile(user, registration, jwt, context) { if (jwt.email.startsWith("blocked")) context.reject("ACCOUNT_BLOCKED", "Blocked."); }' },
      });
      const patched = await server.api('PATCH', `/api/identity-provider/${providerId}`, { identityProvider: { lambdaConfiguration: { reconcileId: lambda.body.lambda.id } } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const { challenge } = pkce();
      upstream.nextUser({ email: 'blocked@example.de' });
      const rejected = await browse(authorizeUrl(validParams(challenge)));
      assert.equal(rejected.url.searchParams.get('error'), 'access_denied');
      assert.equal(rejected.url.searchParams.get('code'), 'ACCOUNT_BLOCKED');
      assert.equal(rejected.url.searchParams.get('error_description'), 'Blocked.');
      upstream.nextUser({});
      await server.api('PATCH', `/api/identity-provider/${providerId}`, { identityProvider: { lambdaConfiguration: { reconcileId: null } } });
    });

    it('authenticates to a confidential upstream client with its secret, which the API never shows', async () => {
      const secret = randomBytes(24).toString('base64url');
      const patched = await server.api('PATCH', `/api/identity-provider/${providerId}`, { identityProvider: { oauth2: { client_secret: secret, clientAuthenticationMethod: 'client_secret_basic' } } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(JSON.stringify(patched.body).includes(secret), false);
      assert.equal(patched.body.identityProvider.oauth2.client_secret, undefined);
      const fetched = await server.api('GET', `/api/identity-provider/${providerId}`);
      assert.equal(fetched.body.identityProvider.oauth2.client_secret, undefined);
      upstream.requireSecret(secret);
      try {
        const { verifier, challenge } = pkce();
        const { url } = await browse(authorizeUrl(validParams(challenge)));
        assert.equal(url.searchParams.get('error'), null, url.toString());
        assert.ok(upstream.tokenRequests.at(-1)!.authorization?.startsWith('Basic '));
        assert.equal((await redeem(url.searchParams.get('code')!, verifier)).status, 200);
        // A patch that does not touch the secret keeps it.
        await server.api('PATCH', `/api/identity-provider/${providerId}`, { identityProvider: { debug: false } });
        const again = pkce();
        const second = await browse(authorizeUrl(validParams(again.challenge)));
        assert.equal(second.url.searchParams.get('error'), null, second.url.toString());
      } finally {
        upstream.requireSecret(undefined);
        await server.api('PATCH', `/api/identity-provider/${providerId}`, { identityProvider: { oauth2: { clientAuthenticationMethod: 'none' } } });
      }
    });

    it('validates redirect URLs and providers for the flow', async () => {
      const bad = async (application: Record<string, unknown>) => {
        const reply = await server.api('POST', '/api/application', { application: { name: `bad-${randomUUID()}`, ...application } }, { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID });
        assert.equal(reply.status, 400, JSON.stringify(application));
        return Object.keys(reply.body.fieldErrors);
      };
      const oauth = (extra: Record<string, unknown>) => ({ oauthConfiguration: { clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code'], ...extra } });
      assert.deepEqual(await bad(oauth({})), ['application.oauthConfiguration.authorizedRedirectURLs']);
      assert.deepEqual(await bad(oauth({ authorizedRedirectURLs: ['https://app.example/cb#frag'] })), ['application.oauthConfiguration.authorizedRedirectURLs']);
      assert.deepEqual(await bad(oauth({ authorizedRedirectURLs: ['http://app.example/cb'] })), ['application.oauthConfiguration.authorizedRedirectURLs']);
      assert.deepEqual(await bad(oauth({ authorizedRedirectURLs: ['/relative'] })), ['application.oauthConfiguration.authorizedRedirectURLs']);
      const native = await createApplication(server, { name: `native-${randomUUID()}`, ...oauth({ authorizedRedirectURLs: ['http://127.0.0.1:8765/cb', 'com.example.app:/callback'] }) });
      assert.ok(native.id);
      const provider = await server.api('POST', '/api/identity-provider', {
        identityProvider: { type: 'ExternalJWT', name: `half-${randomUUID()}`, headerKeyParameter: 'kid', jwksUri: upstream.jwksUri, oauth2: { client_id: 'x', clientAuthenticationMethod: 'client_secret_post' } },
      });
      assert.equal(provider.status, 400);
      const method = await server.api('POST', '/api/identity-provider', {
        identityProvider: {
          type: 'ExternalJWT', name: `method-${randomUUID()}`, headerKeyParameter: 'kid', jwksUri: upstream.jwksUri, issuer: upstream.issuer,
          oauth2: { client_id: 'x', authorization_endpoint: upstream.authorizationEndpoint, token_endpoint: upstream.tokenEndpoint, clientAuthenticationMethod: 'tls_client_auth' },
        },
      });
      assert.equal(method.status, 400);
      assert.deepEqual(Object.keys(method.body.fieldErrors), ['identityProvider.oauth2.clientAuthenticationMethod']);
      assert.equal(method.body.fieldErrors['identityProvider.oauth2.clientAuthenticationMethod'][0].code, '[invalid]identityProvider.oauth2.clientAuthenticationMethod');
      assert.deepEqual(Object.keys(provider.body.fieldErrors).sort(), [
        'identityProvider.issuer',
        'identityProvider.oauth2.authorization_endpoint',
        'identityProvider.oauth2.client_secret',
        'identityProvider.oauth2.token_endpoint',
      ]);
    });
  });
}
