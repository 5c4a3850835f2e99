import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, launchChromium } from '../helpers/chromium.js';
import { clientKey, jwks } from '../helpers/client-keys.js';
import type { ClientKey } from '../helpers/client-keys.js';
import { expectAccessible, fieldErrorText, openSection, signIn, webStorage } from '../helpers/console-page.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startDocumentServer } from '../helpers/jwks-server.js';
import type { DocumentServer } from '../helpers/jwks-server.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const ISSUER = 'https://issuer.example/';
const AUDIENCE = 'console-test-client';
const LAMBDA = `function reconcile(user, registration, jwt, context) {
  if (jwt.loa === 'low') context.reject('LoaTooLow', 'Sign in with your health card.');
  user.firstName = jwt.given_name;
  console.info('console walkthrough lambda saw ' + jwt.given_name);
}`;

const skip = browserSkipReason();

for (const kind of selectedKinds()) {
  describe(`admin console walkthrough (${kind}, Chromium)`, { skip }, () => {
    let db: TestDatabase;
    let server: TestServer;
    let documents: DocumentServer;
    let issuerKey: ClientKey;
    let browser: Browser;
    let page: Page;
    let consoleUrl: string;
    let applicationId: string;
    let providerId: string;

    const sampleToken = (claims: Record<string, unknown>) =>
      new SignJWT({ email: 'jane@example.com', email_verified: true, given_name: 'Jane', ...claims })
        .setProtectedHeader({ alg: issuerKey.alg, kid: issuerKey.kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject('jane-1')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(issuerKey.privateKey);

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
      documents = await startDocumentServer();
      issuerKey = await clientKey('ES256');
      documents.set('/issuer/jwks', jwks(issuerKey));
      consoleUrl = `${server.url}/admin`;
      browser = await launchChromium();
      // axe-core is injected as an inline script, which the console's CSP forbids; admin-console-headers.test.ts runs the console under its CSP.
      page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true })).newPage();
    });
    after(async () => {
      await browser?.close();
      await documents?.close();
      await server?.close();
      await db?.drop();
    });

    it('refuses a wrong API key beside the field and keeps nothing', async () => {
      await page.goto(consoleUrl);
      await expectAccessible(page, 'sign-in');
      await page.getByLabel('API key').fill('not-a-key-of-this-server-0123456789abcdef');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      assert.match(await fieldErrorText(page, 'API key'), /refused/);
      assert.deepEqual(await webStorage(page), { session: {}, local: {} });
    });

    it('signs in with an API key held in session storage only', async () => {
      await signIn(page, consoleUrl, server.apiKey);
      const stored = await webStorage(page);
      assert.equal(stored.session['gatehouse.apiKey'], server.apiKey);
      assert.deepEqual(stored.local, {});
      await expectAccessible(page, 'overview');
    });

    it('creates an application, showing its secret once, and field errors beside their field', async () => {
      await openSection(page, 'Applications');
      await expectAccessible(page, 'applications');
      await page.getByRole('link', { name: 'New Application' }).click();
      await page.getByLabel('Redirect URLs (one per line)').fill('not a url');
      await page.getByRole('button', { name: 'Create Application' }).click();
      assert.match(await fieldErrorText(page, 'Name'), /\[blank\]application\.name/);
      assert.match(await fieldErrorText(page, 'Redirect URLs (one per line)'), /\[invalid\]application\.oauthConfiguration\.authorizedRedirectURLs/);
      await expectAccessible(page, 'application form with errors');

      await page.getByLabel('Name', { exact: true }).fill('Console app');
      await page.getByLabel('Redirect URLs (one per line)').fill('https://app.example/callback');
      await page.getByLabel('Enabled grants (one per line)').fill('authorization_code\nrefresh_token');
      await page.getByRole('button', { name: 'Create Application' }).click();
      const secret = (await page.locator('.shown-once code').innerText()).trim();
      assert.ok(secret.length >= 32, 'a client secret is shown');
      await page.getByRole('heading', { level: 1, name: 'Application: Console app' }).waitFor();
      applicationId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]);
      const stored = await server.api('GET', `/api/application/${applicationId}`);
      assert.deepEqual(stored.body.application.oauthConfiguration.authorizedRedirectURLs, ['https://app.example/callback']);
      await expectAccessible(page, 'application detail');
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Application: Console app' }).waitFor();
      assert.equal(await page.locator('.shown-once').count(), 0, 'the secret is not shown again');
      assert.equal(await page.getByText(secret).count(), 0);
    });

    it('saves a lambda only when it compiles, and dry-runs it on pasted claims', async () => {
      await openSection(page, 'Lambdas');
      await page.getByRole('link', { name: 'New Lambda' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Console reconcile');
      await page.getByLabel('Code').fill('function reconcile(user {');
      await page.getByRole('button', { name: 'Create Lambda' }).click();
      assert.match(await fieldErrorText(page, 'Code'), /LAMBDA_SYNTAX_ERROR/);
      assert.equal((await page.locator('.code-editor .gutter').innerText()).trim(), '1');
      await page.getByLabel('Code').fill(LAMBDA);
      assert.equal((await page.locator('.code-editor .gutter').innerText()).split('\n').length, 5, 'a line number per line');
      await page.getByRole('button', { name: 'Create Lambda' }).click();
      await page.getByRole('heading', { level: 1, name: 'Lambda: Console reconcile' }).waitFor();
      await expectAccessible(page, 'lambda editor');

      await page.getByLabel('Claims (JSON) or an encoded token').fill(JSON.stringify({ sub: 'jane-1', given_name: 'Jane' }));
      await page.getByRole('button', { name: 'Run dry run' }).click();
      const result = page.locator('#dry-run-title ~ .result');
      await result.getByText('completed').first().waitFor();
      assert.match(await result.locator('table.diff').first().innerText(), /firstName[\s\S]*"Jane"/);
      assert.match(await result.locator('.logs').innerText(), /console walkthrough lambda saw Jane/);
      await expectAccessible(page, 'lambda dry run');

      await page.getByLabel('Claims (JSON) or an encoded token').fill(await sampleToken({ loa: 'low' }));
      await page.getByRole('button', { name: 'Run dry run' }).click();
      await result.getByText('rejected', { exact: true }).waitFor();
      assert.match(await result.innerText(), /LoaTooLow[\s\S]*Sign in with your health card/);
    });

    it('creates an external-JWT provider with the lambda and tests it with a signed token', async () => {
      await openSection(page, 'Identity providers');
      await page.getByRole('link', { name: 'New Identity provider' }).click();
      await expectAccessible(page, 'identity provider form');
      await page.getByLabel('Name', { exact: true }).fill('Console issuer');
      await page.getByLabel('Debug (a step trace in the event log per login)').check();
      await page.getByLabel('Issuer', { exact: true }).fill(ISSUER);
      await page.getByLabel('JWKS URL').fill(`${documents.baseUrl}/issuer/jwks`);
      await page.getByLabel('Audiences (one per line)').fill(AUDIENCE);
      await page.getByLabel('Reconcile lambda').selectOption({ label: 'Console reconcile' });
      await page.getByLabel('Per-application settings (JSON)').fill(JSON.stringify({ [applicationId]: { enabled: true, createRegistration: true } }));
      await page.getByRole('button', { name: 'Create Identity provider' }).click();
      await page.getByRole('heading', { level: 1, name: 'Identity provider: Console issuer' }).waitFor();
      providerId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]);

      await page.getByLabel('Encoded JWT').fill(await sampleToken({}));
      await page.getByLabel('Application', { exact: true }).selectOption({ label: 'Console app' });
      await page.getByRole('button', { name: 'Test token' }).click();
      const result = page.locator('#provider-test-title ~ .result');
      await result.getByText('Would succeed', { exact: true }).waitFor();
      const steps = await result.locator('ol.steps li').allInnerTexts();
      assert.ok(steps.length >= 4, steps.join('\n'));
      assert.ok(steps.every((s) => /^passed/i.test(s)), steps.join('\n'));
      assert.ok(steps.some((s) => s.includes(issuerKey.kid)), `the key chosen is named: ${steps.join('\n')}`);
      assert.match(await result.locator('.logs').innerText(), /console walkthrough lambda saw Jane/);
      assert.match(await result.locator('figure.json').first().innerText(), /"firstName": "Jane"/);
      await expectAccessible(page, 'identity provider test');
      assert.equal((await server.api('POST', '/api/user/search', { search: { queryString: '*' } })).body.total, 0, 'the test wrote no user');
    });

    it('finds the login in the event log, with search and paging', async () => {
      const lambdaLines = async () => (await server.api('GET', `/api/system/event-log/search?message=${encodeURIComponent('console walkthrough lambda*')}`)).body.total as number;
      const before = await lambdaLines();
      const login = await server.api('POST', '/api/identity-provider/login', { applicationId, identityProviderId: providerId, encodedJWT: await sampleToken({}) });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      assert.equal(await lambdaLines(), before + 1);
      await openSection(page, 'Event log');
      await expectAccessible(page, 'event log');
      await page.getByLabel('Message contains (* matches anything)').fill('console walkthrough lambda*');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.locator('.pager').getByText(`1–${before + 1} of ${before + 1}`).waitFor();
      assert.match(await page.locator('table.events tbody tr').first().innerText(), /Information[\s\S]*Lambda Console reconcile .*: console walkthrough lambda saw Jane/);

      await page.getByLabel('Message contains (* matches anything)').fill('Reconcile trace for identity provider Console issuer*');
      await page.getByLabel('Type').selectOption('Debug');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.locator('.pager').getByText('1–1 of 1').waitFor();
      assert.match(await page.locator('table.events tbody tr').first().innerText(), new RegExp(`Debug[\\s\\S]*${providerId}`));

      await page.getByLabel('Type').selectOption('Error');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.locator('.pager').getByText('No results').waitFor();
      assert.equal(await page.locator('table.events tbody tr').count(), 0);
    });
  });
}
