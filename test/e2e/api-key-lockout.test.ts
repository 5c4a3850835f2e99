import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { isSuperuserKey } from '../../src/admin/api-key-service.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { DEFAULT_TENANT_ID } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const LAST = '[lastSuperuserKey]apiKey';

for (const kind of selectedKinds()) {
  describe(`no admin lockout: the last superuser API key stays (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let selfId: string;

    const superuserIds = async () => (await server.gatehouse.services.store.apiKeys.list()).filter(isSuperuserKey).map((k) => k.id);
    const as = (key: string) => ({ authorization: key });

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
      const keys = await server.api('GET', '/api/api-key');
      selfId = keys.body.apiKeys[0].id;
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });
    // Each test starts with the bootstrap key as the only superuser key.
    beforeEach(async () => {
      for (const id of await superuserIds()) if (id !== selfId) await server.gatehouse.services.store.apiKeys.delete(id);
      assert.deepEqual(await superuserIds(), [selfId]);
    });

    it('refuses to delete the last superuser key (itself)', async () => {
      const reply = await server.api('DELETE', `/api/api-key/${selfId}`);
      assert.equal(reply.status, 400);
      assert.equal(reply.body.generalErrors[0].code, LAST);
      assert.deepEqual(await superuserIds(), [selfId]);
    });

    it('refuses to narrow the last superuser key to a tenant or to endpoints, by PATCH and PUT', async () => {
      for (const [method, apiKey] of [
        ['PATCH', { tenantId: DEFAULT_TENANT_ID }],
        ['PATCH', { permissions: { endpoints: { '/api/user': ['GET'] } } }],
        ['PUT', { tenantId: DEFAULT_TENANT_ID }],
      ] as const) {
        const reply = await server.api(method, `/api/api-key/${selfId}`, { apiKey });
        assert.equal(reply.status, 400, `${method} ${JSON.stringify(apiKey)}`);
        assert.equal(reply.body.generalErrors[0].code, LAST);
      }
      assert.deepEqual(await superuserIds(), [selfId]);
      // A change that keeps it unrestricted is fine.
      const described = await server.api('PATCH', `/api/api-key/${selfId}`, { apiKey: { metaData: { attributes: { description: 'ops' } } } });
      assert.equal(described.status, 200, JSON.stringify(described.body));
    });

    it('with two superuser keys, narrowing one works, and then the other is the last', async () => {
      const other = await server.api('POST', '/api/api-key', { apiKey: {} });
      assert.equal(other.status, 200);
      const narrowed = await server.api('PATCH', `/api/api-key/${selfId}`, { apiKey: { tenantId: DEFAULT_TENANT_ID } });
      assert.equal(narrowed.status, 200, JSON.stringify(narrowed.body));
      const otherKey = other.body.apiKey.key as string;
      const refused = await server.api('PATCH', `/api/api-key/${other.body.apiKey.id}`, { apiKey: { permissions: { endpoints: { '/api/user': ['GET'] } } } }, as(otherKey));
      assert.equal(refused.status, 400);
      assert.equal(refused.body.generalErrors[0].code, LAST);
      // Restore the bootstrap key as a superuser key, through the remaining one.
      const restored = await server.api('PUT', `/api/api-key/${selfId}`, { apiKey: {} }, as(otherKey));
      assert.equal(restored.status, 200, JSON.stringify(restored.body));
      assert.deepEqual((await superuserIds()).sort(), [selfId, other.body.apiKey.id].sort());
    });

    it('of two concurrent narrowings of the last two superuser keys, at most one succeeds', async () => {
      const other = await server.api('POST', '/api/api-key', { apiKey: {} });
      const otherId = other.body.apiKey.id as string;
      const [a, b] = await Promise.all([
        server.api('PATCH', `/api/api-key/${selfId}`, { apiKey: { tenantId: DEFAULT_TENANT_ID } }),
        server.api('PATCH', `/api/api-key/${otherId}`, { apiKey: { permissions: { endpoints: { '/api/user': ['GET'] } } } }, as(other.body.apiKey.key)),
      ]);
      const statuses = [a.status, b.status];
      assert.ok(statuses.every((s) => s === 200 || s === 400), JSON.stringify([a.body, b.body]));
      assert.ok(statuses.filter((s) => s === 200).length <= 1, JSON.stringify([a.body, b.body]));
      for (const reply of [a, b]) if (reply.status === 400) assert.equal(reply.body.generalErrors[0].code, LAST);
      const remaining = await superuserIds();
      assert.equal(remaining.length, 1);
      if (remaining[0] !== selfId) {
        const restored = await server.api('PUT', `/api/api-key/${selfId}`, { apiKey: {} }, as(other.body.apiKey.key));
        assert.equal(restored.status, 200);
      }
    });

    it('restarting with GATEHOUSE_BOOTSTRAP_API_KEY restores that key as a superuser key', async () => {
      const other = await server.api('POST', '/api/api-key', { apiKey: {} });
      const narrowed = await server.api('PATCH', `/api/api-key/${selfId}`, { apiKey: { tenantId: DEFAULT_TENANT_ID } });
      assert.equal(narrowed.status, 200);
      assert.deepEqual(await superuserIds(), [other.body.apiKey.id]);
      await server.gatehouse.services.apiKeys.bootstrap(server.apiKey);
      assert.deepEqual((await superuserIds()).sort(), [selfId, other.body.apiKey.id].sort());
    });
    // Last: the bootstrap key may be the one deleted.
    it('of two superuser keys deleting each other at once, at most one succeeds', async () => {
      const other = await server.api('POST', '/api/api-key', { apiKey: {} });
      const otherId = other.body.apiKey.id as string;
      const [a, b] = await Promise.all([
        server.api('DELETE', `/api/api-key/${otherId}`),
        server.api('DELETE', `/api/api-key/${selfId}`, undefined, as(other.body.apiKey.key)),
      ]);
      const ok = [a, b].filter((r) => r.status === 200);
      assert.ok(ok.length <= 1, JSON.stringify([a.body, b.body]));
      // The second may fail as the last key, or with 401 when its own key was deleted first.
      for (const reply of [a, b]) if (reply.status === 400) assert.equal(reply.body.generalErrors[0].code, LAST);
      assert.equal((await superuserIds()).length, 1);
    });

  });
}
