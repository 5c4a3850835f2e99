import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { registeredRoutes } from '../../src/http/route-table.js';
import type { RegisteredRoute } from '../../src/http/route-table.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { createApplication, DEFAULT_TENANT_ID } from '../helpers/fixtures.js';
import { fuzzRoute, rowCounter } from '../helpers/fuzz.js';
import type { FuzzOptions, FuzzRoute } from '../helpers/fuzz.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

/**
 * Property-based fuzzing of every `/api` route (and /health, /ready), taken from the server's own
 * route table with the parameter names its schemas declare, so a route added later is fuzzed
 * too: no answer may be a 5xx, and a refused request changes no rows. Bounded and reproducible:
 * FUZZ_API_RUNS random requests per route (default 25) from FUZZ_SEED, after the fixed critical
 * values for each parameter.
 */
const NUM_RUNS = Number(process.env.FUZZ_API_RUNS ?? 25);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const BODY_LIMIT = 64 * 1024;
/** How many schema fields of a route are fuzzed by name (the wrapper object and its first fields). */
const MAX_PARAMETERS = 8;

/** Valid-looking values by field name, so a request gets past the first checks to the one under test. */
const SAMPLE_VALUES: Record<string, string> = {
  name: 'fuzz-name',
  email: 'fuzz@example.org',
  username: 'fuzz-user',
  slug: 'fuzz-tenant',
  type: 'ExternalJWTReconcile',
  body: 'function reconcile(user, registration, jwt) {}',
  encodedJWT: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln',
  token: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln',
  refreshToken: 'r'.repeat(43),
  queryString: 'fuzz',
  message: 'fuzz',
};

/** Field names a schema declares, as dotted paths: top-level properties and those of a wrapper object. */
function schemaFields(schema: unknown, prefix = '', depth = 0): string[] {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!properties || depth > 1) return [];
  return Object.entries(properties).flatMap(([name, child]) => [`${prefix}${name}`, ...schemaFields(child, `${prefix}${name}.`, depth + 1)]);
}

function fuzzRouteOf(route: RegisteredRoute, apiKey: string, ids: Record<string, string>): FuzzRoute {
  const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
  const fields = schemaFields(hasBody ? route.schema?.body : route.schema?.querystring).slice(0, MAX_PARAMETERS);
  const url = route.url.replace(/:(\w+)/g, '{$1}');
  // A delete names nothing that exists, so the fixtures stay for the routes after it.
  const pathIds = Object.fromEntries([...url.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name, route.method === 'DELETE' ? randomUUID() : (ids[`${url}:${name}`] ?? ids[name] ?? randomUUID())]));
  const samples = { ...pathIds, ...Object.fromEntries(fields.map((field) => [field, SAMPLE_VALUES[field.split('.').at(-1)!] ?? 'fuzz'])) };
  return { method: route.method as FuzzRoute['method'], url, body: hasBody ? 'json' : 'none', parameters: fields, samples, headers: { authorization: apiKey } };
}

for (const kind of selectedKinds()) {
  describe(`fuzzing the /api endpoints (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let options: FuzzOptions;
    const ids: Record<string, string> = {};

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db, { config: { bodyLimitBytes: BODY_LIMIT } });
      const application = await createApplication(server, { name: 'fuzz-app', oauthConfiguration: { enabledGrants: ['client_credentials'] } });
      const user = await server.api('POST', '/api/user', { user: { email: 'fuzz-fixture@example.org' } });
      assert.equal(user.status, 200, JSON.stringify(user.body));
      const lambda = await server.api('POST', '/api/lambda', { lambda: { name: 'fuzz-lambda', type: 'ExternalJWTReconcile', body: 'function reconcile(user) {}' } });
      assert.equal(lambda.status, 200, JSON.stringify(lambda.body));
      Object.assign(ids, {
        id: randomUUID(),
        '/api/tenant/{id}:id': DEFAULT_TENANT_ID,
        '/api/application/{id}:id': application.id,
        '/api/user/{id}:id': user.body.user.id,
        '/api/lambda/{id}:id': lambda.body.lambda.id,
        userId: user.body.user.id,
        applicationId: application.id,
      });
      options = { baseUrl: server.url, bodyLimit: BODY_LIMIT, countRows: await rowCounter(server.gatehouse.services.store), numRuns: NUM_RUNS, seed: SEED };
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });

    it('covers every /api route the server registered', () => {
      const api = registeredRoutes(server.gatehouse.server).filter((r) => r.url.startsWith('/api/'));
      assert.ok(api.length >= 40, `only ${api.length} /api routes registered`);
    });

    it('never answers 5xx, and a refused request changes no rows, on any /api route', async () => {
      const routes = registeredRoutes(server.gatehouse.server).filter((r) => r.url.startsWith('/api/') || r.url === '/health' || r.url === '/ready');
      for (const route of routes) {
        if (route.method === 'OPTIONS') continue;
        await fuzzRoute(fuzzRouteOf(route, server.apiKey, ids), options);
      }
    });
  });
}
