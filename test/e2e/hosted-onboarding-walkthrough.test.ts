import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkipReason, launchChromium } from '../helpers/chromium.js';
import { selectedKinds } from '../helpers/databases.js';
import { decodeJwt } from '../helpers/fixtures.js';
import { startHostedLoginWorld } from '../helpers/hosted-login-world.js';
import type { HostedLoginWorld } from '../helpers/hosted-login-world.js';

/** Asks for three described fields on the first login, then stores what the user gave. */
const ONBOARDING_LAMBDA = `function reconcile(user, registration, jwt, context) {
  if (!context.input) {
    context.requireOnboarding('profile-incomplete', { missing: [
      { name: 'firstName', type: 'text', required: true },
      { name: 'birthDate', label: 'Geboortedatum', type: 'date', required: true },
      { name: 'terms', label: 'Ik ga akkoord met de voorwaarden', type: 'checkbox', required: true },
    ] });
    return;
  }
  user.firstName = context.input.firstName;
  user.birthDate = context.input.birthDate;
  user.data = { termsAccepted: context.input.terms };
}`;

const skip = browserSkipReason();

for (const kind of selectedKinds()) {
  describe(`hosted onboarding: a brokered browser login the lambda asks to onboard, without JavaScript (${kind})`, { skip }, () => {
    let world: HostedLoginWorld;
    let browser: Browser;

    before(async () => {
      world = await startHostedLoginWorld(kind);
      await world.provider('op', { lambdaBody: ONBOARDING_LAMBDA, name: 'Zorg-ID' });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await world?.close();
    });

    it('shows the Dutch form for ui_locales=nl, re-shows refused input, and ends with a code whose tokens carry the onboarded fields', async () => {
      const app = await world.application(['op']);
      world.op.nextAccount(`acct-${app.clientId}`, { email: `${app.clientId}@example.nl`, email_verified: true });
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      const { url, verifier } = world.authorizeUrl(app.clientId, { ui_locales: 'nl de' });

      // authorize → the OP → Gatehouse's callback → the onboarding page.
      const shown = await page.goto(url);
      assert.match(page.url(), /\/t\/default\/login\/[A-Za-z0-9_-]{32}\/onboarding$/);
      assert.equal(shown?.status(), 200);
      const headers = shown!.headers();
      assert.match(headers['content-security-policy'], /default-src 'none'/);
      assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
      assert.match(headers['content-security-policy'], /form-action 'self' http:\/\/127\.0\.0\.1:\d+/);
      assert.equal(headers['x-frame-options'], 'DENY');
      assert.equal(headers['cache-control'], 'no-store');
      assert.equal(await page.getAttribute('html', 'lang'), 'nl');
      assert.equal(await page.textContent('h1'), 'Vul je profiel aan');
      // The page's own Dutch label for a known field, the lambda's labels for the others.
      assert.equal(await page.getByLabel('Voornaam').getAttribute('type'), 'text');
      assert.equal(await page.getByLabel('Geboortedatum').getAttribute('type'), 'date');
      assert.equal(await page.getByLabel('Ik ga akkoord met de voorwaarden').getAttribute('type'), 'checkbox');
      assert.equal(await page.locator('script').count(), 0);

      // The same form posted without the checkbox and with an impossible date: shown again, nothing written.
      const csrf = await page.locator('input[name=csrf_token]').getAttribute('value');
      const refused = await page.request.post(page.url(), { form: { csrf_token: csrf!, firstName: 'Anne', birthDate: '2001-02-29' }, maxRedirects: 0 });
      assert.equal(refused.status(), 422);
      const again = await refused.text();
      assert.match(again, /Vul een datum in, zoals 1990-12-31\./);
      assert.match(again, /Dit veld is verplicht\./);
      assert.match(again, /value="Anne"/);
      assert.equal((await world.server.api('GET', `/api/user?email=${app.clientId}@example.nl`)).status, 404, 'no user before the onboarding completes');

      // Filled in and submitted by the browser: the app's redirect URI receives a code.
      await page.getByLabel('Voornaam').fill('Anne');
      await page.getByLabel('Geboortedatum').fill('1990-05-17');
      await page.getByLabel('Ik ga akkoord met de voorwaarden').check();
      await Promise.all([page.waitForURL(`${world.appRedirect}**`), page.getByRole('button', { name: 'Doorgaan' }).click()]);
      const back = new URL(page.url());
      assert.equal(world.appRequests.at(-1), back.toString());
      assert.equal(back.searchParams.get('error'), null, back.toString());
      assert.equal(back.searchParams.get('state'), new URL(url).searchParams.get('state'));
      assert.equal(back.searchParams.get('iss'), `${world.server.publicUrl}/t/default`);

      const tokens = await world.redeem(app.clientId, back.searchParams.get('code')!, verifier);
      assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
      const sub = decodeJwt(tokens.body.id_token).payload.sub as string;
      const user = await world.server.api('GET', `/api/user/${sub}`);
      assert.equal(user.status, 200);
      assert.equal(user.body.user.firstName, 'Anne');
      assert.equal(user.body.user.birthDate, '1990-05-17');
      assert.equal(user.body.user.data.termsAccepted, true);
      assert.equal(user.body.user.email, `${app.clientId}@example.nl`);

      // The page is gone once used: a second submission finds an expired login, not a second user.
      const replay = await page.request.post(shown!.url(), { form: { csrf_token: csrf!, firstName: 'Eve', birthDate: '1990-05-17', terms: 'on' }, maxRedirects: 0 });
      assert.equal(replay.status(), 400);
      assert.match(await replay.text(), /GH_LOGIN_EXPIRED/);
      await context.close();
    });
  });
}
