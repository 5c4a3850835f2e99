import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, launchChromium } from '../helpers/chromium.js';
import { expectAccessible, openSection, webStorage } from '../helpers/console-page.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { DEFAULT_TENANT_ID } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';
import { startUpstreamOidcProvider } from '../helpers/upstream-oidc-provider.js';
import type { UpstreamOidcProvider } from '../helpers/upstream-oidc-provider.js';

/** The console's "Sign in with <tenant>": the tenant's brokered login in headless Chromium, back to /admin, signed in with a Bearer token. */
for (const kind of selectedKinds()) {
  describe(`admin console sign-in through the tenant's login (${kind}, Chromium)`, { skip: browserSkipReason() }, () => {
    let db: TestDatabase;
    let server: TestServer;
    let upstream: UpstreamOidcProvider;
    let browser: Browser;
    let page: Page;
    const appName = `Console ${randomUUID().slice(0, 8)}`;
    const T = { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID };

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
      upstream = await startUpstreamOidcProvider();
      const app = await server.api('POST', '/api/application', {
        application: {
          name: appName, roles: [{ name: 'admin' }],
          oauthConfiguration: { clientId: `console-${randomUUID().slice(0, 8)}`, clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code'], authorizedRedirectURLs: [`${server.publicUrl}/admin`] },
        },
      }, T);
      assert.equal(app.status, 200, JSON.stringify(app.body));
      const applicationId = app.body.application.id;
      const provider = await server.api('POST', '/api/identity-provider', {
        identityProvider: {
          type: 'ExternalJWT', name: `upstream-${randomUUID()}`, enabled: true, headerKeyParameter: 'kid', jwksUri: upstream.jwksUri, issuer: upstream.issuer, linkingStrategy: 'LinkByEmail',
          oauth2: { authorization_endpoint: upstream.authorizationEndpoint, token_endpoint: upstream.tokenEndpoint, client_id: upstream.clientId, scope: 'openid email' },
          applicationConfiguration: { [applicationId]: { enabled: true, createRegistration: true } },
        },
      });
      assert.equal(provider.status, 200, JSON.stringify(provider.body));
      const tenant = await server.api('PATCH', `/api/tenant/${DEFAULT_TENANT_ID}`, { tenant: { adminConsoleApplicationId: applicationId } });
      assert.equal(tenant.status, 200, JSON.stringify(tenant.body));
      const user = await server.api('POST', '/api/user/registration', { user: { email: 'operator@example.de' }, registration: { applicationId, roles: ['admin'] } }, T);
      assert.equal(user.status, 200, JSON.stringify(user.body));
      upstream.nextUser({ sub: 'upstream-operator', email: 'operator@example.de' });
      browser = await launchChromium();
      // axe-core is injected as an inline script, which the console's CSP forbids (see admin-console-headers.test.ts).
      page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true })).newPage();
    });
    after(async () => {
      await browser?.close();
      await server?.close();
      await upstream?.close();
      await db?.drop();
    });

    it('goes through the upstream login and comes back signed in, the token in sessionStorage only', async () => {
      await page.goto(`${server.url}/admin`);
      await page.getByLabel('Tenant', { exact: true }).fill('default');
      await page.getByRole('button', { name: 'Sign in with default' }).click();
      await page.getByRole('navigation', { name: 'Sections' }).waitFor();
      assert.equal(upstream.authorizationRequests.length, 1, 'the login went upstream');
      assert.equal(new URL(page.url()).search, '', 'code and state are gone from the address');
      const storage = await webStorage(page);
      assert.match(storage.session['gatehouse.apiKey'], /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      assert.equal(storage.session['gatehouse.pendingSignIn'], undefined);
      assert.deepEqual(storage.local, {});
    });

    it('shows the applications of the tenant, with no serious accessibility violation', async () => {
      await openSection(page, 'Applications');
      await page.getByRole('link', { name: appName }).waitFor();
      await expectAccessible(page, 'applications, signed in through the tenant login');
    });

    it('refuses a callback whose state was not started in this tab', async () => {
      const fresh = await (await browser.newContext({ bypassCSP: true })).newPage();
      await fresh.goto(`${server.url}/admin?code=forged&state=forged`);
      await fresh.getByText('state mismatch').waitFor();
      assert.deepEqual((await webStorage(fresh)).session, {});
      await expectAccessible(fresh, 'sign-in with an error');
    });
  });
}
