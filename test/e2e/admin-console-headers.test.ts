import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { browserSkipReason, launchChromium } from '../helpers/chromium.js';
import { signIn } from '../helpers/console-page.js';
import { createTestDatabase } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

describe('admin console: headers, caching and CSP', () => {
  let db: TestDatabase;
  let server: TestServer;

  before(async () => {
    db = await createTestDatabase('sqlite');
    server = await startTestServer(db);
  });
  after(async () => {
    await server?.close();
    await db?.drop();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await request(`${server.url}${path}`, { headers });
    return { status: response.statusCode, headers: response.headers, body: Buffer.from(await response.body.arrayBuffer()) };
  };

  it('serves the page with a strict CSP, no inline script, nosniff and no framing', async () => {
    for (const path of ['/admin', '/admin/', '/admin/?from=bookmark']) {
      const page = await get(path);
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      const csp = String(page.headers['content-security-policy']);
      assert.match(csp, /(^|; )default-src 'self'(;|$)/);
      assert.match(csp, /(^|; )script-src 'self'(;|$)/);
      assert.match(csp, /(^|; )frame-ancestors 'none'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      assert.equal(page.headers['cache-control'], 'no-cache');
      const html = page.body.toString('utf8');
      assert.match(html, /<html lang="en">/);
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      assert.ok(scripts.length > 0);
      for (const [, attributes, content] of scripts) {
        assert.match(attributes, /src="\/admin\/assets\/[0-9a-f]{16}\/main\.js"/);
        assert.equal(content.trim(), '', 'no inline script');
      }
      assert.doesNotMatch(html, /\b(href|src)="(https?:)?\/\//, 'nothing from another origin');
    }
  });

  it('serves versioned assets gzipped and immutable, and 404 for another version or file', async () => {
    const html = (await get('/admin')).body.toString('utf8');
    const base = /src="(\/admin\/assets\/[0-9a-f]{16})\/main\.js"/.exec(html)![1];
    const plain = await get(`${base}/main.js`);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.headers['x-content-type-options'], 'nosniff');
    assert.equal(plain.headers['content-encoding'], undefined);
    const zipped = await get(`${base}/main.js`, { 'accept-encoding': 'gzip, br' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(zipped.body), plain.body);
    const app = (await get(`${base}/app.js`)).body.toString('utf8');
    assert.match(app, /from ["']\/admin\/assets\/[0-9a-f]{16}\/vendor\/preact-hooks\.js["']/, 'bare module names are resolved to served files');
    assert.doesNotMatch(app, /from ["'](preact|htm)/);
    const preact = await get(`${base}/vendor/preact.js`);
    assert.equal(preact.status, 200);
    assert.match(preact.body.toString('utf8'), /export\s*\{/);
    assert.equal((await get(`${base}/styles.css`)).headers['content-type'], 'text/css; charset=utf-8');
    assert.equal((await get('/admin/assets/0000000000000000/main.js')).status, 404);
    assert.equal((await get(`${base}/nothing.js`)).status, 404);
    assert.equal((await get(`${base}/../../../package.json`)).status, 404);
  });

  it('runs in Chromium under its own CSP without a single violation', { skip: browserSkipReason() }, async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      const offsite: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(server.url)) offsite.push(r.url());
      });
      await signIn(page, `${server.url}/admin`, server.apiKey);
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Applications', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Applications' }).waitFor();
      assert.deepEqual(problems, []);
      assert.deepEqual(offsite, []);
    } finally {
      await browser.close();
    }
  });
});
