/**
 * Screenshots of the hosted login pages for the README (docs/screenshots/*.png): the provider
 * choice, the onboarding form in Dutch and the error page of a lambda's reject, each from a real
 * flow (Gatehouse on SQLite, the oidc-provider upstream, headless Chromium).
 *   npm run screenshots:login
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../helpers/chromium.js';
import { DEFAULT_TENANT_ID } from '../helpers/fixtures.js';
import { startHostedLoginWorld } from '../helpers/hosted-login-world.js';

const OUT = join(process.cwd(), 'docs', 'screenshots');
const ONBOARDING = `function reconcile(user, registration, jwt, context) {
  if (!context.input) context.requireOnboarding('profile', { missing: [
    { name: 'firstName', type: 'text', required: true },
    { name: 'lastName', type: 'text', required: true },
    { name: 'birthDate', label: 'Geboortedatum', type: 'date', required: true },
    { name: 'mobilePhone', type: 'tel', required: false },
    { name: 'terms', label: 'Ik ga akkoord met de voorwaarden van de praktijk', type: 'checkbox', required: true },
  ] });
}`;
const REJECT = 'function reconcile(u, r, jwt, context) { context.reject("ACCOUNT_BLOCKED", "Your account has been blocked by the practice. Call 030 123 4567 to have it unblocked."); }';

const world = await startHostedLoginWorld('sqlite');
const browser = await launchChromium();
try {
  mkdirSync(OUT, { recursive: true });
  await world.provider('zorg', { name: 'Zorg-ID' });
  await world.provider('health', { name: 'GesundheitsID' });
  await world.provider('onboarding', { name: 'Zorg-ID (onboarding)', lambdaBody: ONBOARDING });
  await world.provider('reject', { name: 'Zorg-ID (blocked)', lambdaBody: REJECT });
  const theme = await world.server.api('PATCH', `/api/tenant/${DEFAULT_TENANT_ID}`, { tenant: { name: 'Huisartsenpraktijk De Linde', loginTheme: { primaryColor: '#2e6b4f', backgroundColor: '#eef4f0' } } });
  if (theme.status !== 200) throw new Error(JSON.stringify(theme.body));

  const shoot = async (name: string, appName: string, providers: string[], extra: Record<string, string>, fill?: boolean) => {
    const context = await browser.newContext({ viewport: { width: 720, height: 900 }, deviceScaleFactor: 1, locale: extra.ui_locales === 'nl' ? 'nl-NL' : 'en-GB' });
    const page = await context.newPage();
    const app = await world.application(providers, appName);
    world.op.nextAccount(`acct-${name}`, { email: `${name}@example.nl`, email_verified: true });
    await page.goto(world.authorizeUrl(app.clientId, extra).url);
    if (fill) {
      await page.getByLabel('Voornaam').fill('Anne');
      await page.getByLabel('Achternaam').fill('de Vries');
    }
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
    console.log(`wrote docs/screenshots/${name}.png (${page.url().replace(world.server.url, '')})`);
    await context.close();
  };
  await shoot('login-provider-choice', 'Patient portal', ['zorg', 'health'], {});
  await shoot('login-onboarding-nl', 'Patiëntportaal', ['onboarding'], { ui_locales: 'nl' }, true);
  await shoot('login-error', 'Appointments', ['reject'], {});
} finally {
  await browser.close();
  await world.close();
}
