import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/lib/clock.js';
import { browse, CookieJar } from '../helpers/browser.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { DEFAULT_TENANT_ID } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';
import { startUpstreamOidcProvider } from '../helpers/upstream-oidc-provider.js';
import type { UpstreamOidcProvider } from '../helpers/upstream-oidc-provider.js';

type App = { id: string; oauthConfiguration: { clientId: string } };

/**
 * `/api` with a console user's Gatehouse access token (`Authorization: Bearer`), obtained the way
 * the console does: the tenant's brokered login (a real upstream OpenID provider), authorization
 * code with PKCE as a public client, redirect back to `{publicUrl}/admin`.
 */
for (const kind of selectedKinds()) {
  describe(`/api with an admin console user's access token (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let upstream: UpstreamOidcProvider;
    const clock = new ManualClock();
    let consoleApp: App;
    let otherApp: App;
    let providerId: string;
    let otherTenantId: string;
    let otherConsoleApp: App;

    const consoleUrl = () => `${server.publicUrl}/admin`;
    const T = (tenantId = DEFAULT_TENANT_ID) => ({ 'x-fusionauth-tenantid': tenantId });
    const bearer = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });
    const publicClient = (clientId: string, redirect: string) => ({
      clientId, clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code'], authorizedRedirectURLs: [redirect],
    });
    const create = async (tenantId: string, application: Record<string, unknown>): Promise<App> => {
      const reply = await server.api('POST', '/api/application', { application }, T(tenantId));
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body.application;
    };

    /** Logs `email` in through the upstream for `app` of tenant `slug`, as the console would; returns the access token. */
    const signIn = async (slug: string, app: App, email: string, redirect = consoleUrl()): Promise<{ token: string; userId: string }> => {
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      upstream.nextUser({ sub: `upstream-${email}`, email });
      const authorize = new URL(`${server.publicUrl}/t/${slug}/oauth2/authorize`);
      const params = { response_type: 'code', client_id: app.oauthConfiguration.clientId, redirect_uri: redirect, scope: 'openid', state: 'console-state', code_challenge: challenge, code_challenge_method: 'S256', idp_hint: providerId };
      for (const [name, value] of Object.entries(params)) authorize.searchParams.set(name, value);
      const { url } = await browse(authorize.href, new CookieJar(), redirect);
      assert.equal(url.searchParams.get('state'), 'console-state');
      const code = url.searchParams.get('code');
      assert.ok(code, url.href);
      const reply = await server.form(`/t/${slug}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier, client_id: app.oauthConfiguration.clientId });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return { token: reply.body.access_token, userId: reply.body.userId ?? JSON.parse(Buffer.from(reply.body.access_token.split('.')[1], 'base64url').toString()).sub };
    };
    const grantAdmin = async (userId: string, app: App, roles: string[], tenantId = DEFAULT_TENANT_ID) => {
      const reply = await server.api('PUT', `/api/user/registration/${userId}`, { registration: { applicationId: app.id, roles } }, T(tenantId));
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
    };

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db, { clock });
      upstream = await startUpstreamOidcProvider();
      consoleApp = await create(DEFAULT_TENANT_ID, { name: 'Admin console', roles: [{ name: 'admin' }], oauthConfiguration: publicClient(`console-${randomUUID().slice(0, 8)}`, consoleUrl()) });
      otherApp = await create(DEFAULT_TENANT_ID, { name: `spa-${randomUUID()}`, roles: [{ name: 'admin' }], oauthConfiguration: publicClient(`spa-${randomUUID().slice(0, 8)}`, 'https://spa.example/cb') });
      const tenant = await server.api('POST', '/api/tenant', { tenant: { name: `Other ${randomUUID()}`, slug: `other-${randomUUID().slice(0, 8)}` } });
      assert.equal(tenant.status, 200, JSON.stringify(tenant.body));
      otherTenantId = tenant.body.tenant.id;
      otherConsoleApp = await create(otherTenantId, { name: 'Other console', roles: [{ name: 'admin' }], oauthConfiguration: publicClient(`oconsole-${randomUUID().slice(0, 8)}`, consoleUrl()) });
      const reply = await server.api('POST', '/api/identity-provider', {
        identityProvider: {
          type: 'ExternalJWT', name: `upstream-${randomUUID()}`, enabled: true, headerKeyParameter: 'kid', jwksUri: upstream.jwksUri, issuer: upstream.issuer, linkingStrategy: 'LinkByEmail',
          oauth2: { authorization_endpoint: upstream.authorizationEndpoint, token_endpoint: upstream.tokenEndpoint, client_id: upstream.clientId, scope: 'openid email' },
          applicationConfiguration: Object.fromEntries([consoleApp, otherApp, otherConsoleApp].map((a) => [a.id, { enabled: true, createRegistration: true }])),
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

    it('validates the tenant setting: an application of the tenant, public, with the console redirect URL', async () => {
      const wrong = await server.api('PATCH', `/api/tenant/${DEFAULT_TENANT_ID}`, { tenant: { adminConsoleApplicationId: otherApp.id } });
      assert.equal(wrong.status, 400);
      assert.match(JSON.stringify(wrong.body.fieldErrors['tenant.adminConsoleApplicationId']), /redirect URL/);
      const foreign = await server.api('PATCH', `/api/tenant/${DEFAULT_TENANT_ID}`, { tenant: { adminConsoleApplicationId: otherConsoleApp.id } });
      assert.equal(foreign.status, 400);
      assert.equal(foreign.body.fieldErrors['tenant.adminConsoleApplicationId'][0].code, '[invalid]tenant.adminConsoleApplicationId');
      const none = await fetch(`${server.url}/admin/sign-in-options/default`);
      assert.equal(none.status, 404);
      for (const [tenantId, app] of [[DEFAULT_TENANT_ID, consoleApp], [otherTenantId, otherConsoleApp]] as const) {
        const set = await server.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { adminConsoleApplicationId: app.id } });
        assert.equal(set.status, 200, JSON.stringify(set.body));
      }
      const options = await fetch(`${server.url}/admin/sign-in-options/default`);
      assert.equal(options.status, 200);
      assert.deepEqual(await options.json(), {
        tenant: 'default', clientId: consoleApp.oauthConfiguration.clientId, redirectUri: consoleUrl(),
        authorizationEndpoint: `${server.publicUrl}/t/default/oauth2/authorize`, tokenEndpoint: `${server.publicUrl}/t/default/oauth2/token`,
      });
    });

    it('lets a user with admin in the console registration use /api for its tenant only, and refuses everything else', async () => {
      const anna = await signIn('default', consoleApp, 'anna@example.de');
      assert.equal((await server.api('GET', '/api/application', undefined, bearer(anna.token))).status, 401, 'registered, but without the admin role');
      await grantAdmin(anna.userId, consoleApp, ['admin']);
      const listed = await server.api('GET', '/api/application', undefined, bearer(anna.token));
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      assert.ok(listed.body.applications.some((a: App) => a.id === consoleApp.id));
      assert.ok(!listed.body.applications.some((a: App) => a.id === otherConsoleApp.id), 'only its own tenant');
      assert.equal((await server.api('GET', '/api/application', undefined, bearer(anna.token, T(otherTenantId)))).status, 401, 'not another tenant');
      assert.equal((await server.api('POST', '/api/tenant', { tenant: { name: 'Nope' } }, bearer(anna.token))).status, 401, 'no global operation');
      assert.equal((await server.api('GET', '/api/api-key', undefined, bearer(anna.token))).status, 401, 'no API key management');

      const other = await signIn('default', otherApp, 'anna@example.de', 'https://spa.example/cb');
      await grantAdmin(anna.userId, otherApp, ['admin']);
      assert.equal((await server.api('GET', '/api/application', undefined, bearer(other.token))).status, 401, 'a token of another application');

      const bob = await signIn(tenantSlug(await server.api('GET', `/api/tenant/${otherTenantId}`)), otherConsoleApp, 'bob@example.de');
      await grantAdmin(bob.userId, otherConsoleApp, ['admin'], otherTenantId);
      assert.equal((await server.api('GET', '/api/application', undefined, bearer(bob.token))).status, 200, 'an admin of the other tenant, there');
      assert.equal((await server.api('GET', '/api/application', undefined, bearer(bob.token, T(DEFAULT_TENANT_ID)))).status, 401, "another tenant's token");

      const badKey = await server.api('GET', '/api/application', undefined, { authorization: randomBytes(32).toString('base64url') });
      assert.equal(badKey.status, 401);
      const [h, p, s] = anna.token.split('.');
      const forged = JSON.parse(Buffer.from(p, 'base64url').toString());
      for (const garbled of ['not-a-jwt', `${h}.${Buffer.from(JSON.stringify({ ...forged, sub: bob.userId })).toString('base64url')}.${s}`, `${h}.${p}.${s.slice(0, -4)}AAAA`]) {
        const refused = await server.api('GET', '/api/application', undefined, bearer(garbled));
        assert.equal(refused.status, 401, garbled);
        assert.deepEqual(refused.body, badKey.body, 'the same answer as an unknown API key');
      }

      await grantAdmin(anna.userId, consoleApp, []);
      assert.equal((await server.api('GET', '/api/application', undefined, bearer(anna.token))).status, 401, 'a removed role counts at once');
      await grantAdmin(anna.userId, consoleApp, ['admin']);
      assert.equal((await server.api('GET', '/api/application', undefined, bearer(anna.token))).status, 200);
      clock.advance(2 * 3600 * 1000);
      assert.equal((await server.api('GET', '/api/application', undefined, bearer(anna.token))).status, 401, 'an expired token');
    });
  });
}

const tenantSlug = (reply: { body: { tenant: { slug: string } } }) => reply.body.tenant.slug;
