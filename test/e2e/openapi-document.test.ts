import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';
import { compileRouteSchemas } from '../../src/http/lazy-schema-compilers.js';
import { registeredRoutes } from '../../src/http/route-table.js';

const DOCS_ROUTES = /^\/api\/(docs(\/|$)|openapi\.json$)/;
const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

for (const kind of selectedKinds()) {
  describe(`OpenAPI document (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let document: { openapi: string; paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>; components: Record<string, unknown> };

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
      const reply = await server.api('GET', '/api/openapi.json', undefined, { authorization: '' });
      assert.equal(reply.status, 200, 'public: no API key needed');
      document = reply.body;
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });

    it('every route schema compiles (validators and serializers are otherwise compiled on first use)', () => {
      assert.ok(compileRouteSchemas(server.gatehouse.server) > 50);
      assert.equal(compileRouteSchemas(server.gatehouse.server), 0);
    });

    it('is OpenAPI 3.1 and documents every registered route with its method', () => {
      assert.equal(document.openapi, '3.1.0');
      const routes = registeredRoutes(server.gatehouse.server).filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !DOCS_ROUTES.test(r.url));
      assert.ok(routes.length > 50, `found ${routes.length} routes`);
      const missing = routes.filter((r) => !document.paths[toOpenApiPath(r.url)]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.url}`);
      assert.deepEqual(missing, []);
    });

    it('defines every tag an operation uses (a route group added later needs its tag)', () => {
      const defined = new Set(((document as unknown as { tags: { name: string }[] }).tags).map((t) => t.name));
      const used = Object.values(document.paths as unknown as Record<string, Record<string, { tags?: string[] }>>).flatMap((ops) => Object.values(ops).flatMap((op) => op.tags ?? []));
      assert.deepEqual([...new Set(used.filter((t) => !defined.has(t)))], []);
    });

    it('documents the auth scheme and the error shapes of both API families', () => {
      const user = document.paths['/api/user/{id}'].get;
      assert.deepEqual(user.security, [{ apiKey: [] }, { bearer: [] }]);
      assert.ok(JSON.stringify(user.responses['400']).includes('#/components/schemas/ApiErrors'));
      const token = document.paths['/t/{tenant}/oauth2/token'].post;
      assert.deepEqual(token.security, [{ clientSecretBasic: [] }, {}]);
      assert.ok(JSON.stringify(token.responses['400']).includes('#/components/schemas/OAuthError'));
      assert.ok(JSON.stringify(document.paths['/t/{tenant}/oauth2/token'].post).includes('application/x-www-form-urlencoded'));
      assert.deepEqual(document.paths['/api/jwt/validate'].get.security, [{ bearer: [] }]);
      assert.ok(document.paths['/oauth2/token'].post, 'the root alias is documented');
    });

    it('serves the bundled reference UI without an API key, loading nothing from elsewhere', async () => {
      const page = await fetch(`${server.url}/api/docs/`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /swagger-ui/);
      assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'every script and style is served from here');
      const asset = await fetch(`${server.url}/api/docs/static/index.html`);
      assert.equal(asset.status, 200);
      const csp = asset.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /https:|validator\.swagger\.io/);
    });

    it('keeps the OAuth error format on documented OAuth routes', async () => {
      const reply = await server.form('/t/default/oauth2/token', {});
      assert.equal(reply.status, 400);
      assert.equal(typeof reply.body.error, 'string');
      assert.equal(reply.body.fieldErrors, undefined);
    });
  });
}

describe('the bundled Swagger UI', () => {
  it('has no page that loads a script or style from another origin', () => {
    const require = createRequire(import.meta.url);
    const staticDir = join(dirname(require.resolve('@fastify/swagger-ui/package.json')), 'static');
    const pages = readdirSync(staticDir).filter((name) => name.endsWith('.html'));
    assert.ok(pages.length > 0);
    for (const page of pages) assert.doesNotMatch(readFileSync(join(staticDir, page), 'utf8'), /(src|href)=["']?(https?:)?\/\//, page);
  });
});
