import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, launchChromium } from '../helpers/chromium.js';
import { clientKey, jwks } from '../helpers/client-keys.js';
import { expectAccessible, fieldErrorText, openSection, signIn } from '../helpers/console-page.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startDocumentServer } from '../helpers/jwks-server.js';
import type { DocumentServer } from '../helpers/jwks-server.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

/** Every other console view: created through the UI where the view is the point, checked with axe, read back through /api. */
for (const kind of selectedKinds()) {
  describe(`admin console views (${kind}, Chromium)`, { skip: browserSkipReason() }, () => {
    let db: TestDatabase;
    let server: TestServer;
    let documents: DocumentServer;
    let browser: Browser;
    let page: Page;
    let applicationId: string;

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
      documents = await startDocumentServer();
      documents.set('/jwks', jwks(await clientKey('ES256')));
      const app = await server.api('POST', '/api/application', { application: { name: 'Portal', roles: [{ name: 'admin' }] } });
      applicationId = app.body.application.id;
      browser = await launchChromium();
      // axe-core is injected as an inline script, which the console's CSP forbids (see admin-console-headers.test.ts).
      page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true })).newPage();
      await signIn(page, `${server.url}/admin`, server.apiKey);
    });
    after(async () => {
      await browser?.close();
      await documents?.close();
      await server?.close();
      await db?.drop();
    });

    it('edits a tenant’s SMART domain settings', async () => {
      await openSection(page, 'Tenants');
      await expectAccessible(page, 'tenants');
      await page.getByRole('link', { name: 'Default' }).click();
      await page.getByLabel('SMART domain (Koppeltaal)').check();
      await page.getByLabel('FHIR base URL').fill('https://fhir.example/r4');
      await page.getByRole('button', { name: 'Save Tenant' }).click();
      await page.getByRole('status').getByText('Saved.').waitFor();
      await expectAccessible(page, 'tenant detail');
      const tenants = (await server.api('GET', '/api/tenant')).body.tenants;
      assert.deepEqual(tenants[0].smartConfiguration, { ...tenants[0].smartConfiguration, enabled: true, fhirBaseUrl: 'https://fhir.example/r4' });
    });

    it('rotates a tenant’s signing key', async () => {
      const before = (await server.api('GET', '/api/tenant')).body.tenants[0].jwtConfiguration.accessTokenKeyId;
      await page.locator('#signing-key-title ~ p a').first().waitFor();
      await page.getByRole('button', { name: 'Rotate signing key' }).click();
      await page.getByRole('status').getByText('Rotated').waitFor();
      const after = (await server.api('GET', '/api/tenant')).body.tenants[0].jwtConfiguration.accessTokenKeyId;
      assert.notEqual(after, before);
      assert.equal(await page.locator(`#signing-key-title ~ p a[href="#/keys/${after}"]`).count(), 1);
    });

    it('creates an API key, shown once, that works', async () => {
      await openSection(page, 'API keys');
      await expectAccessible(page, 'api keys');
      await page.getByRole('link', { name: 'New API key' }).click();
      await page.getByLabel('Endpoint permissions (JSON)').fill('{"/api/user": ["GET"]');
      await page.getByRole('button', { name: 'Create API key' }).click();
      assert.match(await fieldErrorText(page, 'Endpoint permissions (JSON)'), /Not valid JSON/);
      await page.getByLabel('Endpoint permissions (JSON)').fill('');
      await page.getByLabel('Description').fill('CI deploys');
      await page.getByRole('button', { name: 'Create API key' }).click();
      const key = (await page.locator('.shown-once code').innerText()).trim();
      await expectAccessible(page, 'api key detail');
      assert.equal((await server.api('GET', '/api/tenant', undefined, { authorization: key })).status, 200);
    });

    it('generates a signing key and shows the import form', async () => {
      await openSection(page, 'Signing keys');
      await page.getByRole('link', { name: 'New Key' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Console ES384');
      await page.getByLabel('Algorithm').selectOption('ES384');
      await page.getByRole('button', { name: 'Create Key' }).click();
      await page.getByRole('heading', { level: 1, name: 'Key: Console ES384' }).waitFor();
      await openSection(page, 'Signing keys');
      await page.getByRole('cell', { name: 'ES384' }).first().waitFor();
      await expectAccessible(page, 'signing keys');
      await openSection(page, 'Import key');
      await page.getByRole('link', { name: 'New Imported key' }).click();
      await page.getByLabel('Public key (PEM)').fill('-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----');
      await page.getByRole('button', { name: 'Create Imported key' }).click();
      await page.locator('[aria-invalid="true"], .error-summary').first().waitFor();
      await expectAccessible(page, 'key import with an error');
      assert.equal((await server.api('GET', '/api/key')).body.keys.filter((k: { name: string }) => k.name === 'Console ES384').length, 1);
    });

    it('creates a SMART role and shows the scopes an application derives from it', async () => {
      await openSection(page, 'SMART roles');
      await page.getByRole('link', { name: 'New SMART role' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Module');
      await page.getByLabel('Permissions (JSON)').fill(JSON.stringify([{ resourceType: 'Patient', operations: ['read'], origin: 'all' }]));
      await page.getByRole('button', { name: 'Create SMART role' }).click();
      await page.getByRole('heading', { level: 1, name: 'SMART role: Module' }).waitFor();
      const roleId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]);
      const application = (await server.api('GET', `/api/application/${applicationId}`)).body.application;
      assert.equal((await server.api('PUT', `/api/application/${applicationId}`, { application: { ...application, smartConfiguration: { roleId } } })).status, 200);
      await page.reload();
      await page.locator('output.scopes').getByText('system/Patient.rs').waitFor();
      await expectAccessible(page, 'smart role with scopes');
      await page.getByLabel('Permissions (JSON)').fill(JSON.stringify([{ resourceType: 'Patient', operations: ['read', 'update'], origin: 'all' }]));
      await page.getByRole('button', { name: 'Save SMART role' }).click();
      await page.locator('output.scopes').getByText('system/Patient.rus').waitFor();
    });

    it('lists users with their registrations and identity-provider links', async () => {
      const provider = await server.api('POST', '/api/identity-provider', { identityProvider: { type: 'ExternalJWT', name: 'Upstream', enabled: true, headerKeyParameter: 'kid', jwksUri: `${documents.baseUrl}/jwks`, issuer: 'https://up.example', audiences: ['x'] } });
      assert.equal(provider.status, 200, JSON.stringify(provider.body));
      const user = await server.api('POST', '/api/user/registration', { user: { email: 'ada@example.com', firstName: 'Ada' }, registration: { applicationId, roles: ['admin'] } });
      assert.equal(user.status, 200, JSON.stringify(user.body));
      const link = await server.api('POST', '/api/identity-provider/link', { identityProviderLink: { identityProviderId: provider.body.identityProvider.id, identityProviderUserId: 'ada-upstream', userId: user.body.user.id } });
      assert.equal(link.status, 200, JSON.stringify(link.body));
      await openSection(page, 'Users');
      await page.getByLabel('Email, username or name (* matches anything)').fill('ada');
      await page.getByRole('button', { name: 'Search' }).click();
      await expectAccessible(page, 'users');
      await page.getByRole('link', { name: 'ada@example.com' }).click();
      await page.getByRole('heading', { level: 1, name: 'User: ada@example.com' }).waitFor();
      await page.getByRole('cell', { name: 'admin', exact: true }).waitFor();
      await page.getByRole('cell', { name: 'ada-upstream' }).waitFor();
      await expectAccessible(page, 'user detail');
    });

    it('fills an OpenID Connect provider from its discovery URL', async () => {
      const issuer = `${documents.baseUrl}/op`;
      documents.set('/op/.well-known/openid-configuration', {
        issuer,
        jwks_uri: `${documents.baseUrl}/jwks`,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256', 'HS256'],
      });
      await openSection(page, 'Identity providers');
      await page.getByRole('link', { name: 'New Identity provider' }).click();
      await page.getByLabel('OpenID Connect discovery URL').fill(`${documents.baseUrl}/nowhere/.well-known/openid-configuration`);
      await page.getByRole('button', { name: 'Fill from discovery' }).click();
      await page.locator('.tool .error-summary').getByText('DISCOVERY_FETCH_FAILED', { exact: false }).waitFor();
      await page.getByLabel('OpenID Connect discovery URL').fill(`${issuer}/.well-known/openid-configuration`);
      await page.getByRole('button', { name: 'Fill from discovery' }).click();
      await page.getByText('Filled in issuer').waitFor();
      assert.equal(await page.getByLabel('Issuer', { exact: true }).inputValue(), issuer);
      assert.equal(await page.getByLabel('JWKS URL').inputValue(), `${documents.baseUrl}/jwks`);
      assert.equal(await page.getByLabel('Allowed algorithms (one per line)').inputValue(), 'ES256', 'only asymmetric algorithms');
      assert.equal(await page.getByLabel('Token endpoint').inputValue(), `${issuer}/token`);
      await expectAccessible(page, 'identity provider from discovery');
      await page.getByLabel('Name', { exact: true }).fill('Discovered');
      await page.getByLabel('Audiences (one per line)').fill('console');
      await page.getByRole('button', { name: 'Create Identity provider' }).click();
      await page.getByRole('heading', { level: 1, name: 'Identity provider: Discovered' }).waitFor();
      const saved = (await server.api('GET', '/api/identity-provider')).body.identityProviders.find((p: { name: string }) => p.name === 'Discovered');
      assert.equal(saved.issuer, issuer);
      assert.equal(saved.oauth2.token_endpoint, `${issuer}/token`);
    });

    it('signs in and moves around with the keyboard alone', async () => {
      const keyboardPage = await page.context().browser()!.newPage();
      try {
        await keyboardPage.goto(`${server.url}/admin`);
        await keyboardPage.locator('#api-key').waitFor();
        await keyboardPage.keyboard.press('Tab');
        assert.equal(await keyboardPage.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'api-key');
        await keyboardPage.keyboard.type(server.apiKey);
        await keyboardPage.keyboard.press('Enter');
        await keyboardPage.getByRole('link', { name: 'Skip to content' }).waitFor({ state: 'attached' });
        await keyboardPage.keyboard.press('Tab');
        assert.equal(await keyboardPage.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent), 'Skip to content');
        await keyboardPage.keyboard.press('Enter');
        assert.equal(await keyboardPage.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'main');
      } finally {
        await keyboardPage.close();
      }
    });

    it('looks up pending links, and shows the remaining views accessibly', async () => {
      await openSection(page, 'Pending links');
      await page.getByLabel('Pending link id').fill('00000000-0000-4000-8000-000000000000');
      await page.getByRole('button', { name: 'Look up' }).click();
      await page.locator('.error-summary').getByText('Not found (404).').waitFor();
      await expectAccessible(page, 'pending links');
      await openSection(page, 'Webhooks');
      await expectAccessible(page, 'webhooks');
      await page.getByRole('link', { name: 'New Webhook' }).click();
      await expectAccessible(page, 'webhook form');
      await openSection(page, 'Identity providers');
      await expectAccessible(page, 'identity providers');
      await openSection(page, 'Lambdas');
      await expectAccessible(page, 'lambdas');
    });
  });
}
