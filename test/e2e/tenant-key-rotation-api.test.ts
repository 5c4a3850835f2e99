import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { createApplication, decodeJwt, DEFAULT_TENANT_ID, tokenPath } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

for (const kind of selectedKinds()) {
  describe(`POST /api/tenant/{id}/rotate-signing-key (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let client: { id: string; secret: string };

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
      const app = await createApplication(server, { name: 'svc', oauthConfiguration: { clientId: 'svc', enabledGrants: ['client_credentials'] } });
      client = { id: app.oauthConfiguration.clientId, secret: app.oauthConfiguration.clientSecret! };
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });

    const token = async () => (await server.form(tokenPath(), { grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret) })).body.access_token as string;
    const published = async () => (await (await fetch(`${server.url}/t/default/.well-known/jwks.json`)).json()) as JSONWebKeySet;

    it('makes a new key active and keeps the old one published for the tokens it signed', async () => {
      const before = await token();
      const oldKid = decodeJwt(before).header.kid;
      const oldKeyId = (await server.api('GET', `/api/tenant/${DEFAULT_TENANT_ID}`)).body.tenant.jwtConfiguration.accessTokenKeyId;
      const rotated = await server.api('POST', `/api/tenant/${DEFAULT_TENANT_ID}/rotate-signing-key`);
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      const newKeyId = rotated.body.tenant.jwtConfiguration.accessTokenKeyId;
      assert.notEqual(newKeyId, oldKeyId);
      assert.equal((await server.api('GET', `/api/tenant/${DEFAULT_TENANT_ID}`)).body.tenant.jwtConfiguration.accessTokenKeyId, newKeyId);
      const after = await token();
      const newKid = decodeJwt(after).header.kid;
      assert.notEqual(newKid, oldKid);
      const keys = await published();
      assert.deepEqual(keys.keys.map((k) => k.kid).sort(), [oldKid, newKid].sort());
      for (const t of [before, after]) await jwtVerify(t, createLocalJWKSet(keys));
    });

    it('is refused for a tenant-scoped key (401) and for an unknown tenant (404), changing nothing', async () => {
      const current = (await server.api('GET', `/api/tenant/${DEFAULT_TENANT_ID}`)).body.tenant.jwtConfiguration.accessTokenKeyId;
      const scoped = await server.api('POST', '/api/api-key', { apiKey: { tenantId: DEFAULT_TENANT_ID } });
      assert.equal(scoped.status, 200, JSON.stringify(scoped.body));
      const refused = await server.api('POST', `/api/tenant/${DEFAULT_TENANT_ID}/rotate-signing-key`, undefined, { authorization: scoped.body.apiKey.key });
      assert.equal(refused.status, 401);
      assert.equal((await server.api('POST', '/api/tenant/7b0c5c1e-0000-4000-8000-00000000dead/rotate-signing-key')).status, 404);
      assert.equal((await server.api('POST', '/api/tenant/not-a-uuid/rotate-signing-key')).status, 404);
      assert.equal((await server.api('GET', `/api/tenant/${DEFAULT_TENANT_ID}`)).body.tenant.jwtConfiguration.accessTokenKeyId, current);
    });
  });
}
