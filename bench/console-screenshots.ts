/**
 * `npm run screenshots:console`: PNGs of the admin console for the README (docs/screenshots/),
 * at 1280×800: sign-in, applications, the lambda dry run, the provider test and the event log.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../test/helpers/chromium.js';
import { startConsoleWorld } from './console-world.js';

const out = join(process.cwd(), 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const world = await startConsoleWorld();
const browser = await launchChromium();
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  const shot = async (name: string, fullPage = false) => {
    await page.screenshot({ path: join(out, `console-${name}.png`), fullPage });
    console.log(`docs/screenshots/console-${name}.png`);
  };
  await page.goto(`${world.url}/admin`);
  await page.getByLabel('API key').fill('wrong-key');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.locator('#api-key-errors').waitFor();
  await shot('sign-in');
  await page.getByLabel('API key').fill(world.apiKey);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();

  await page.goto(`${world.url}/admin#/applications`);
  await page.getByRole('cell', { name: 'Patient portal' }).waitFor();
  await shot('applications');

  await page.goto(`${world.url}/admin#/lambdas/${world.lambdaId}`);
  await page.getByLabel('Claims (JSON) or an encoded token').fill(world.issuer.idToken('X-42', 'darius@example.de'));
  await page.getByRole('button', { name: 'Run dry run' }).click();
  await page.locator('#dry-run-title').scrollIntoViewIfNeeded();
  await page.locator('.result table.diff').first().waitFor();
  await page.locator('#dry-run-title').evaluate((e) => (e as unknown as { scrollIntoView(): void }).scrollIntoView());
  await shot('lambda-dry-run');

  await page.goto(`${world.url}/admin#/identity-providers/${world.providerId}`);
  await page.getByLabel('Encoded JWT').fill(world.issuer.idToken('X-42', 'darius@example.de'));
  await page.getByRole('button', { name: 'Test token' }).click();
  await page.locator('ol.steps li').first().waitFor();
  await page.locator('#provider-test-title').evaluate((e) => (e as unknown as { scrollIntoView(): void }).scrollIntoView());
  await shot('provider-test');

  const login = await fetch(`${world.url}/api/identity-provider/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ applicationId: world.applicationId, identityProviderId: world.providerId, encodedJWT: world.issuer.idToken('X-42', 'darius@example.de') }),
  });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  await page.goto(`${world.url}/admin#/event-log`);
  await page.locator('table.events tbody tr').first().waitFor();
  await shot('event-log');
} finally {
  await browser.close();
  await world.stop();
}
