import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { createApplication, decodeJwt, DEFAULT_TENANT, tokenPath } from '../helpers/fixtures.js';
import { freePort, startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';
import { startDocumentServer } from '../helpers/jwks-server.js';
import type { DocumentServer } from '../helpers/jwks-server.js';
import { startOidcProviderUpstream } from '../helpers/oidc-provider-upstream.js';
import type { OidcProviderUpstream } from '../helpers/oidc-provider-upstream.js';
import { startUpstreamOidcProvider } from '../helpers/upstream-oidc-provider.js';
import type { UpstreamOidcProvider } from '../helpers/upstream-oidc-provider.js';

const REDIRECT = 'https://app.example/callback';

/** A browser: follows 302/303 with the cookies of each path, up to the client's redirect URI. */
async function browse(start: string): Promise<{ url: URL; hops: string[] }> {
  const cookies = new Map<string, { value: string; path: string }>();
  const hops: string[] = [];
  let next = start;
  for (let i = 0; i < 12; i++) {
    if (next.startsWith(REDIRECT)) return { url: new URL(next), hops };
    const { pathname } = new URL(next);
    const cookie = [...cookies].filter(([, c]) => pathname.startsWith(c.path)).map(([name, c]) => `${name}=${c.value}`).join('; ');
    const response = await fetch(next, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';').map((p) => p.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      if (attributes.some((a) => /^max-age=0$|^expires=thu, 01 jan 1970/i.test(a))) cookies.delete(name);
      else cookies.set(name, { value: pair.slice(pair.indexOf('=') + 1), path });
    }
    assert.ok(response.status === 302 || response.status === 303, `${next} answered ${response.status}: ${await response.text()}`);
    next = new URL(response.headers.get('location')!, next).toString();
    hops.push(next);
  }
  throw new Error('too many redirects');
}

for (const kind of selectedKinds()) {
  describe(`upstream OpenID provider: discovery, userinfo, private_key_jwt (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let op: OidcProviderUpstream;
    let hand: UpstreamOidcProvider;
    let documents: DocumentServer;
    let app: { id: string };
    const clientId = `web-${randomUUID().slice(0, 8)}`;
    const ids = { discovered: randomUUID(), keyJwt: randomUUID(), never: randomUUID(), hand: randomUUID(), mismatch: randomUUID(), down: randomUUID() };
    const issuer = () => `${server.publicUrl}/t/${DEFAULT_TENANT}`;
    const callbackOf = (id: string) => `${issuer()}/broker/${id}/endpoint`;

    const createProvider = async (id: string, provider: Record<string, unknown>, oauth2: Record<string, unknown>) => {
      const reply = await server.api('POST', `/api/identity-provider/${id}`, {
        identityProvider: {
          type: 'ExternalJWT', name: `upstream-${id}`, enabled: true, headerKeyParameter: 'kid', linkingStrategy: 'LinkByEmail',
          applicationConfiguration: { [app.id]: { enabled: true, createRegistration: true } },
          ...provider,
          oauth2: { scope: 'openid email profile', ...oauth2 },
        },
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body.identityProvider;
    };
    const login = async (providerId: string, extra: Record<string, string> = {}) => {
      const verifier = randomBytes(32).toString('base64url');
      const url = new URL(`${issuer()}/oauth2/authorize`.replace(server.publicUrl, server.url));
      const params = { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: 'openid', state: 's-1', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', idp_hint: providerId, ...extra };
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      const { url: back } = await browse(url.toString());
      return { back, verifier };
    };
    const redeem = (code: string, verifier: string) => server.form(tokenPath(), { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, client_id: clientId });

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
      documents = await startDocumentServer();
      hand = await startUpstreamOidcProvider();
      op = await startOidcProviderUpstream({ redirectUris: [callbackOf(ids.discovered), callbackOf(ids.keyJwt), callbackOf(ids.never)], gatehouseJwksUri: `${issuer()}/.well-known/jwks.json` });
      app = await createApplication(server, {
        name: `web-${randomUUID()}`,
        oauthConfiguration: { clientId, clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code'], authorizedRedirectURLs: [REDIRECT] },
      });
    });
    after(async () => {
      await server?.close();
      await op?.close();
      await hand?.close();
      await documents?.close();
      await db?.drop();
    });

    it('previews what a discovery URL configures, and creates a provider from the URL alone', async () => {
      const preview = await server.api('POST', '/api/identity-provider/import-config', { discoveryUrl: op.discoveryUrl });
      assert.equal(preview.status, 200, JSON.stringify(preview.body));
      const imported = preview.body.identityProvider;
      assert.equal(imported.issuer, op.issuer);
      assert.equal(imported.jwksUri, `${op.issuer}/jwks`);
      assert.deepEqual(imported.oauth2, {
        discoveryUrl: op.discoveryUrl,
        authorization_endpoint: `${op.issuer}/auth`,
        token_endpoint: `${op.issuer}/token`,
        userinfo_endpoint: `${op.issuer}/me`,
        end_session_endpoint: `${op.issuer}/session/end`,
      });
      assert.ok(preview.body.metadata.token_endpoint_auth_methods_supported.includes('private_key_jwt'));
      // The issuer is implied by the URL; every endpoint and the keys come from the document.
      const created = await createProvider(ids.discovered, { claimMap: { given_name: 'firstName' } }, { discoveryUrl: op.discoveryUrl, client_id: op.publicClientId, clientAuthenticationMethod: 'none' });
      assert.equal(created.issuer, op.issuer);
      assert.equal(created.oauth2.token_endpoint, undefined);
      // The preview's body, saved as it is, with private_key_jwt.
      await createProvider(ids.keyJwt, imported, { ...imported.oauth2, client_id: op.keyClientId, clientAuthenticationMethod: 'private_key_jwt' });
      await createProvider(ids.never, {}, { discoveryUrl: op.discoveryUrl, client_id: op.publicClientId, userinfo: 'never', forwardParameters: ['login_hint'] });
      const wrong = await server.api('POST', '/api/identity-provider', { identityProvider: { name: `w-${randomUUID()}`, headerKeyParameter: 'kid', oauth2: { discoveryUrl: op.discoveryUrl, userinfo: 'sometimes', forwardParameters: ['nonce'] } } });
      assert.deepEqual(Object.keys(wrong.body.fieldErrors).sort(), ['identityProvider.oauth2.forwardParameters', 'identityProvider.oauth2.userinfo']);
    });

    it('logs in with the email only userinfo has, forwards login_hint and prompt, and keeps acr and amr', async () => {
      op.nextAccount('acct-ui', { email: 'ui-only@example.de', email_verified: true, given_name: 'Uma' }, { acr: 'urn:test:loa:high', amr: ['pwd', 'otp'] });
      const claims = JSON.stringify({ id_token: { amr: null } });
      const forwarded = { login_hint: 'ui-only@example.de', prompt: 'login', acr_values: 'urn:test:loa:high', claims, max_age: '600', ui_locales: 'de' };
      const { back, verifier } = await login(ids.discovered, { ...forwarded, scope: 'openid email' });
      assert.equal(back.searchParams.get('error'), null, back.toString());
      const seen = op.authorizationRequests.at(-1)!;
      for (const [name, value] of Object.entries(forwarded)) assert.equal(seen.get(name), value, name);
      const reply = await redeem(back.searchParams.get('code')!, verifier);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const idToken = decodeJwt(reply.body.id_token).payload;
      assert.equal(idToken.email, 'ui-only@example.de');
      assert.equal(idToken.given_name, 'Uma');
      assert.equal(idToken.acr, 'urn:test:loa:high');
      assert.deepEqual(idToken.amr, ['pwd', 'otp']);
      assert.equal(typeof idToken.auth_time, 'number');
    });

    it('refuses the same login with userinfo never: the ID token has no email', async () => {
      op.nextAccount('acct-never', { email: 'never@example.de', email_verified: true });
      const { back } = await login(ids.never, { login_hint: 'never@example.de', prompt: 'login' });
      // Only what the provider's forwardParameters lets through goes upstream.
      assert.equal(op.authorizationRequests.at(-1)!.get('login_hint'), 'never@example.de');
      assert.equal(op.authorizationRequests.at(-1)!.get('prompt'), null);
      assert.equal(back.searchParams.get('error'), 'access_denied');
      assert.equal(back.searchParams.get('code'), '[ExternalAuthenticationException]MissingEmail');
      assert.match(back.searchParams.get('error_description')!, /no email claim/);
    });

    it('authenticates to the upstream token endpoint with private_key_jwt signed by the tenant key', async () => {
      op.nextAccount('acct-key', { email: 'key@example.de', email_verified: true });
      const { back, verifier } = await login(ids.keyJwt);
      assert.equal(back.searchParams.get('error'), null, back.toString());
      assert.equal((await redeem(back.searchParams.get('code')!, verifier)).status, 200);
      // The same client without the assertion is refused by the upstream: the key did the work.
      const form = new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: callbackOf(ids.keyJwt), client_id: op.keyClientId });
      const bare = await fetch(`${op.issuer}/token`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(bare.status, 401);
    });

    it('refuses a userinfo response for another sub, and takes a signed one', async () => {
      await createProvider(ids.hand, { issuer: hand.issuer, jwksUri: hand.jwksUri, claimMap: { given_name: 'firstName' } }, {
        authorization_endpoint: hand.authorizationEndpoint, token_endpoint: hand.tokenEndpoint, userinfo_endpoint: hand.userinfoEndpoint, client_id: hand.clientId, userinfo: 'always',
      });
      hand.nextUser({ sub: 'hand-1', email: 'hand@example.de' });
      hand.userinfo({ sub: 'someone-else' });
      const refused = (await login(ids.hand)).back;
      assert.equal(refused.searchParams.get('error'), 'access_denied');
      assert.equal(refused.searchParams.get('reason'), 'USERINFO_SUB_MISMATCH');
      assert.equal(refused.searchParams.get('error_description'), 'The userinfo response\'s sub "someone-else" is not the ID token\'s sub (OIDC Core §5.3.2).');
      assert.match(hand.userinfoRequests.at(-1)!, /^Bearer [0-9a-f]{32}$/);

      hand.userinfo({ signed: true, claims: { email: 'signed@example.de', given_name: 'Sig' } });
      const { back, verifier } = await login(ids.hand);
      assert.equal(back.searchParams.get('error'), null, back.toString());
      const idToken = decodeJwt((await redeem(back.searchParams.get('code')!, verifier)).body.id_token).payload;
      assert.equal(idToken.email, 'signed@example.de', 'userinfo wins over the ID token for user claims');
      assert.equal(idToken.given_name, 'Sig');
    });

    it('refuses a max_age that is not a number of seconds and a claims parameter that is not JSON', async () => {
      const bad = await login(ids.discovered, { max_age: 'soon' });
      assert.equal(bad.back.searchParams.get('error'), 'invalid_request');
      assert.equal(bad.back.searchParams.get('error_description'), 'max_age must be a non-negative number of seconds.');
      const claims = await login(ids.discovered, { claims: '[1]' });
      assert.equal(claims.back.searchParams.get('error_description'), 'claims must be a JSON object (OIDC Core §5.5).');
    });

    it('refuses a discovery document naming another issuer, in the preview and at login', async () => {
      documents.set('/other/.well-known/openid-configuration', { issuer: 'https://evil.example', authorization_endpoint: `${hand.authorizationEndpoint}`, token_endpoint: hand.tokenEndpoint, jwks_uri: hand.jwksUri });
      const discoveryUrl = `${documents.baseUrl}/other/.well-known/openid-configuration`;
      const preview = await server.api('POST', '/api/identity-provider/import-config', { discoveryUrl });
      assert.equal(preview.status, 400);
      const message = `The discovery document's issuer "https://evil.example" is not "${documents.baseUrl}/other" or "${documents.baseUrl}/other/" (OpenID Connect Discovery 1.0 §4.3).`;
      assert.deepEqual(preview.body.generalErrors, [{ code: 'DISCOVERY_ISSUER_MISMATCH', message, data: { discoveryUrl } }]);
      await createProvider(ids.mismatch, {}, { discoveryUrl, client_id: 'x' });
      const { back } = await login(ids.mismatch);
      assert.equal(back.searchParams.get('error'), 'temporarily_unavailable');
      assert.equal(back.searchParams.get('reason'), 'DISCOVERY_ISSUER_MISMATCH');
      assert.equal(back.searchParams.get('error_description'), `The discovery document's issuer "https://evil.example" is not "${documents.baseUrl}/other" (OpenID Connect Discovery 1.0 §4.3).`);
      const bad = await server.api('POST', '/api/identity-provider/import-config', { discoveryUrl, extra: 1 });
      assert.equal(bad.status, 400);
    });

    it('answers temporarily_unavailable when the upstream is down, with an Error event', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const preview = await server.api('POST', '/api/identity-provider/import-config', { issuer: closed });
      assert.equal(preview.status, 400);
      assert.equal(preview.body.generalErrors[0].code, 'DISCOVERY_FETCH_FAILED');
      await createProvider(ids.down, {}, { discoveryUrl: `${closed}/.well-known/openid-configuration`, client_id: 'x' });
      const { back } = await login(ids.down);
      assert.equal(back.searchParams.get('error'), 'temporarily_unavailable');
      assert.equal(back.searchParams.get('reason'), 'DISCOVERY_FETCH_FAILED');
      assert.match(back.searchParams.get('error_description')!, new RegExp(`^The discovery document at ${closed}/\\.well-known/openid-configuration could not be read: FETCH_NETWORK`));
      // The userinfo endpoint of a working provider, down.
      await server.api('PATCH', `/api/identity-provider/${ids.hand}`, { identityProvider: { oauth2: { userinfo_endpoint: `${closed}/userinfo` } } });
      hand.nextUser({ sub: 'hand-2', email: 'hand2@example.de' });
      const failed = (await login(ids.hand)).back;
      assert.equal(failed.searchParams.get('error'), 'temporarily_unavailable');
      assert.equal(failed.searchParams.get('reason'), 'UPSTREAM_USERINFO_FAILED');
      assert.match(failed.searchParams.get('error_description')!, /^The identity provider's userinfo endpoint failed: FETCH_NETWORK/);
      const events = await server.api('POST', '/api/system/event-log/search', { search: { message: '*UPSTREAM_USERINFO_FAILED*' } });
      assert.ok(events.body.eventLogs.some((e: { message: string }) => e.message.includes(ids.hand) && e.message.includes('UPSTREAM_USERINFO_FAILED')), JSON.stringify(events.body));
    });
  });
}
