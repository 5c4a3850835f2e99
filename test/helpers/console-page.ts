import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { seriousAxeViolations } from './chromium.js';

/** Steps of the admin console tests, in the words a user would use (labels, button names). */
export async function expectAccessible(page: Page, view: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  assert.deepEqual(
    violations.map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`),
    [],
    `serious accessibility violations on ${view}`,
  );
}

export async function signIn(page: Page, consoleUrl: string, apiKey: string): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
}

/** Opens a section from the navigation and waits for its heading. */
export async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

/** The text of the error list beside a field (`aria-describedby` of the labelled control). */
export async function fieldErrorText(page: Page, label: string): Promise<string> {
  const control = page.getByLabel(label, { exact: true });
  await control.and(page.locator('[aria-invalid="true"]')).waitFor();
  const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(' ').filter((id) => id.endsWith('-errors'));
  assert.equal(ids.length, 1, `${label} names no error list`);
  return page.locator(`[id="${ids[0]}"]`).innerText();
}

/** Everything in the page's session and local storage (read in the browser; the Node typecheck has no DOM). */
export async function webStorage(page: Page): Promise<{ session: Record<string, string>; local: Record<string, string> }> {
  return page.evaluate(() => {
    const g = globalThis as unknown as { sessionStorage: Record<string, string>; localStorage: Record<string, string> };
    return { session: { ...g.sessionStorage }, local: { ...g.localStorage } };
  });
}
