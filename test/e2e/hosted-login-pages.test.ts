import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSkipReason, launchChromium, seriousAxeViolations } from '../helpers/chromium.js';
import { selectedKinds } from '../helpers/databases.js';
import { decodeJwt, DEFAULT_TENANT_ID } from '../helpers/fixtures.js';
import { startHostedLoginWorld } from '../helpers/hosted-login-world.js';
import type { HostedLoginWorld } from '../helpers/hosted-login-world.js';

const REJECT_LAMBDA = 'function reconcile(u, r, jwt, context) { context.reject("ACCOUNT_BLOCKED", "<script>alert(1)</script> Your account is blocked."); }';
const ONBOARDING_LAMBDA = 'function reconcile(u, r, jwt, context) { if (!context.input) context.requireOnboarding("phone", { missing: [{ name: "mobilePhone", type: "tel", required: true }] }); }';
const skip = browserSkipReason();

async function noSeriousViolations(page: Page, name: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 2)}`);
}

for (const kind of selectedKinds()) {
  describe(`hosted login pages: provider choice, errors, CSRF, theming, pending link (${kind})`, { skip }, () => {
    let world: HostedLoginWorld;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;

    before(async () => {
      world = await startHostedLoginWorld(kind);
      await world.provider('first', { name: 'Zorg-ID' });
      await world.provider('second', { name: 'Health-ID' });
      await world.provider('reject', { lambdaBody: REJECT_LAMBDA, name: 'Blocked-ID' });
      await world.provider('onboard', { lambdaBody: ONBOARDING_LAMBDA, name: 'Phone-ID' });
      await world.provider('pending', { linkingStrategy: 'CreatePendingLink', name: 'Link-ID' });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await world?.close();
    });
    /** A new browser profile; axe is injected as a script, which the pages' CSP forbids: bypassed for the check. */
    const fresh = async (bypassCSP = true) => {
      await context?.close();
      context = await browser.newContext({ bypassCSP });
      page = await context.newPage();
    };
    const account = (clientId: string) => world.op.nextAccount(`acct-${clientId}`, { email: `${clientId}@example.org`, email_verified: true, name: 'Sam Example' });

    it('lists the providers when the request names none; a choice logs in through that provider', async () => {
      await fresh();
      const app = await world.application(['first', 'second']);
      account(app.clientId);
      const { url } = world.authorizeUrl(app.clientId);
      const shown = await page.goto(url);
      assert.equal(shown?.status(), 200);
      assert.equal(await page.textContent('h1'), 'Choose how to log in');
      const links = page.locator('nav a.button');
      assert.deepEqual(await links.allTextContents(), ['Log in with Zorg-ID', 'Log in with Health-ID']);
      await noSeriousViolations(page, 'provider choice');
      await Promise.all([page.waitForURL(`${world.appRedirect}**`), page.getByRole('link', { name: 'Log in with Health-ID' }).click()]);
      const back = new URL(page.url());
      assert.equal(back.searchParams.get('error'), null, back.toString());
      assert.match(back.searchParams.get('code') ?? '', /^[A-Za-z0-9_-]{43}$/);
    });

    it("shows a lambda's reject with its message escaped, and a way back to the application with the error", async () => {
      await fresh();
      const app = await world.application(['reject']);
      account(app.clientId);
      // In the request's language (ui_locales), like every page of the login.
      const shown = await page.goto(world.authorizeUrl(app.clientId, { ui_locales: 'nl' }).url);
      assert.equal(shown?.status(), 403);
      assert.equal(await page.textContent('h1'), 'Het inloggen kan niet doorgaan');
      assert.equal(await page.textContent('.message'), '<script>alert(1)</script> Your account is blocked.');
      assert.equal(await page.locator('script').count(), 0);
      assert.match((await page.textContent('.code')) ?? '', /ACCOUNT_BLOCKED/);
      await noSeriousViolations(page, 'error page');
      await Promise.all([page.waitForURL(`${world.appRedirect}**`), page.getByRole('link', { name: 'Terug naar de applicatie' }).click()]);
      const back = new URL(page.url());
      assert.equal(back.searchParams.get('error'), 'access_denied');
      assert.equal(back.searchParams.get('code'), 'ACCOUNT_BLOCKED');
    });

    it('refuses a form without or with a wrong CSRF token (403, nothing changed); the form itself passes the accessibility check', async () => {
      await fresh();
      const app = await world.application(['onboard']);
      account(app.clientId);
      await page.goto(world.authorizeUrl(app.clientId, { ui_locales: 'de' }).url);
      assert.equal(await page.textContent('h1'), 'Profil vervollständigen');
      assert.equal(await page.getByLabel('Mobiltelefonnummer').getAttribute('type'), 'tel');
      await noSeriousViolations(page, 'onboarding form');
      const action = page.url();
      const forms: Record<string, string>[] = [{ mobilePhone: '+49 30 123456' }, { mobilePhone: '+49 30 123456', csrf_token: randomBytes(32).toString('base64url') }];
      for (const form of forms) {
        const refused = await page.request.post(action, { form, maxRedirects: 0 });
        assert.equal(refused.status(), 403);
        assert.equal(refused.headers()['x-frame-options'], 'DENY');
        assert.match(await refused.text(), /GH_LOGIN_CSRF/);
      }
      // Another browser (no binding cookie) with the right token is refused as well.
      const csrf = await page.locator('input[name=csrf_token]').getAttribute('value');
      const stranger = await browser.newContext();
      const elsewhere = await stranger.request.post(action, { form: { csrf_token: csrf!, mobilePhone: '+49 30 123456' }, maxRedirects: 0 });
      assert.equal(elsewhere.status(), 403);
      assert.match(await elsewhere.text(), /GH_LOGIN_WRONG_BROWSER/);
      await stranger.close();
      // The CSRF error page, rendered in the browser, passes too.
      await page.setContent(await (await page.request.post(action, { form: { mobilePhone: 'x' }, maxRedirects: 0 })).text());
      await noSeriousViolations(page, 'CSRF error page');
      // The login was left as it was: the real form still completes it.
      await page.goto(action);
      await page.getByLabel('Mobiltelefonnummer').fill('+49 30 123456');
      await Promise.all([page.waitForURL(`${world.appRedirect}**`), page.getByRole('button', { name: 'Weiter' }).click()]);
      assert.ok(new URL(page.url()).searchParams.get('code'));
    });

    it("shows the pending link, and going on without linking returns the pending link's id to the application", async () => {
      await fresh();
      const app = await world.application(['pending']);
      account(app.clientId);
      await page.goto(world.authorizeUrl(app.clientId).url);
      assert.match(page.url(), /\/login\/[A-Za-z0-9_-]{32}\/link$/);
      assert.equal(await page.textContent('h1'), 'Link your account');
      assert.match((await page.textContent('main')) ?? '', /You logged in with Link-ID as/);
      await noSeriousViolations(page, 'pending link');
      await Promise.all([page.waitForURL(`${world.appRedirect}**`), page.getByRole('button', { name: 'Continue without linking' }).click()]);
      const back = new URL(page.url());
      assert.equal(back.searchParams.get('error'), 'access_denied');
      assert.equal(back.searchParams.get('code'), 'PendingLink');
      const pending = await world.server.api('GET', `/api/identity-provider/link/pending/${back.searchParams.get('pending_idp_link_id')}`, undefined, { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID });
      assert.equal(pending.status, 200, JSON.stringify(pending.body));
    });

    it('links the pending identity to the account this browser is logged in with, and logs that account in', async () => {
      await fresh();
      const app = await world.application(['first', 'pending']);
      account(app.clientId);
      const first = world.authorizeUrl(app.clientId, { idp_hint: app.providers.first });
      await page.goto(first.url);
      const tokens = await world.redeem(app.clientId, new URL(page.url()).searchParams.get('code')!, first.verifier);
      const existing = decodeJwt(tokens.body.id_token).payload.sub as string;
      world.op.nextAccount(`other-${app.clientId}`, { email: `other-${app.clientId}@example.org`, email_verified: true });
      const second = world.authorizeUrl(app.clientId, { idp_hint: app.providers.pending });
      await page.goto(second.url);
      assert.match(page.url(), /\/link$/);
      assert.match((await page.textContent('main')) ?? '', new RegExp(`You are logged in here as ${app.clientId}@example\\.org`));
      await noSeriousViolations(page, 'pending link with a session');
      await Promise.all([page.waitForURL(`${world.appRedirect}**`), page.getByRole('button', { name: `Link to ${app.clientId}@example.org` }).click()]);
      const back = new URL(page.url());
      assert.equal(back.searchParams.get('error'), null, back.toString());
      const linked = await world.redeem(app.clientId, back.searchParams.get('code')!, second.verifier);
      assert.equal(linked.status, 200, JSON.stringify(linked.body));
      assert.equal(decodeJwt(linked.body.id_token).payload.sub, existing);
      const links = await world.server.api('GET', `/api/identity-provider/link?userId=${existing}`, undefined, { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID });
      assert.deepEqual(links.body.identityProviderLinks.map((l: { identityProviderId: string }) => l.identityProviderId).sort(), [app.providers.first, app.providers.pending].sort());
    });

    it('never redirects to an unregistered redirect_uri, and answers an unknown or used page as expired', async () => {
      await fresh();
      const app = await world.application(['first']);
      const wrong = new URL(world.authorizeUrl(app.clientId).url);
      wrong.searchParams.set('redirect_uri', 'https://evil.example/steal');
      const refused = await page.goto(wrong.toString());
      assert.equal(refused?.status(), 400);
      assert.equal(new URL(page.url()).origin, world.server.url);
      assert.equal(await page.locator('a[href]').count(), 0, 'no link to the unchecked URI');
      assert.match((await page.textContent('main')) ?? '', /redirect_uri is not registered/);
      await noSeriousViolations(page, 'request error page');
      const unknown = await page.goto(`${world.server.url}/t/default/login/${randomBytes(24).toString('base64url')}/onboarding`);
      assert.equal(unknown?.status(), 400);
      assert.match((await page.textContent('.code')) ?? '', /GH_LOGIN_EXPIRED/);
    });

    it("themes the pages with the tenant's logo, colours and texts, escaping the texts", async () => {
      const theme = { logoUrl: 'https://logo.example/praktijk.png', primaryColor: '#7a1f5c', backgroundColor: '#fff7e6', texts: { en: { 'choice.title': 'Pick a <b>login</b>' } } };
      for (const bad of [{ primaryColor: 'red' }, { primaryColor: '#12345' }, { logoUrl: 'http://logo.example/x.png' }, { logoUrl: '//evil.example/x.png' }, { logoUrl: 'javascript:alert(1)' }, { texts: { en: { 'no.such.key': 'x' } } }, { texts: { fr: {} } }]) {
        const reply = await world.server.api('PATCH', `/api/tenant/${DEFAULT_TENANT_ID}`, { tenant: { loginTheme: bad } });
        assert.equal(reply.status, 400, JSON.stringify(bad));
      }
      const saved = await world.server.api('PATCH', `/api/tenant/${DEFAULT_TENANT_ID}`, { tenant: { loginTheme: theme } });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.deepEqual(saved.body.tenant.loginTheme, theme);
      // Under the pages' own CSP (not bypassed): the stylesheet and the https logo must load.
      await fresh(false);
      // The logo is fetched by the browser (img-src https:); answered here with a 1×1 PNG.
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
      await context.route('https://logo.example/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: png }));
      const app = await world.application(['first', 'second']);
      await page.goto(world.authorizeUrl(app.clientId).url);
      assert.equal(await page.textContent('h1'), 'Pick a <b>login</b>');
      assert.equal(await page.getAttribute('header img', 'src'), theme.logoUrl);
      assert.equal(await page.getAttribute('header img', 'alt'), 'Default');
      const colours = await page.evaluate(() => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown; body: unknown } }).document;
        const style = (element: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string; color: string } }).getComputedStyle(element);
        return { button: style(doc.querySelector('a.button')).backgroundColor, text: style(doc.querySelector('a.button')).color, body: style(doc.body).backgroundColor };
      });
      assert.deepEqual(colours, { button: 'rgb(122, 31, 92)', text: 'rgb(255, 255, 255)', body: 'rgb(255, 247, 230)' });
      assert.ok(await page.evaluate(() => (globalThis as unknown as { document: { querySelector(s: string): { naturalWidth: number } } }).document.querySelector('header img').naturalWidth === 1), 'the logo loaded');
      const themedUrl = page.url();
      await fresh();
      await context.route('https://logo.example/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: png }));
      await page.goto(themedUrl);
      await noSeriousViolations(page, 'themed provider choice');
      await world.server.api('PATCH', `/api/tenant/${DEFAULT_TENANT_ID}`, { tenant: { loginTheme: null } });
    });
  });
}
