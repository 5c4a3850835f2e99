import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { DEFAULT_TENANT_ID } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const code = (body: { fieldErrors: Record<string, { code: string }[]> }, field: string) => body.fieldErrors[field]?.[0]?.code;

for (const kind of selectedKinds()) {
  describe(`Webhook API (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });

    it('creates, reads, replaces, patches and deletes a webhook in FusionAuth’s shape', async () => {
      const id = randomUUID();
      const created = await server.api('POST', `/api/webhook/${id}`, {
        webhook: {
          url: 'https://hooks.example.com/gatehouse',
          description: 'CRM sync',
          eventsEnabled: { 'user.create': true, 'user.delete': false, 'user.password.breach': false },
          connectTimeout: 1500,
          readTimeout: 2500,
          headers: { 'X-Source': 'gatehouse' },
          httpAuthenticationUsername: 'crm',
          httpAuthenticationPassword: 'hunter2-but-longer',
          tenantIds: [DEFAULT_TENANT_ID],
        },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const webhook = created.body.webhook;
      assert.equal(webhook.id, id);
      assert.deepEqual(webhook.eventsEnabled, { 'user.create': true, 'user.delete': false, 'user.password.breach': false });
      assert.deepEqual([webhook.connectTimeout, webhook.readTimeout, webhook.global, webhook.tenantIds], [1500, 2500, false, [DEFAULT_TENANT_ID]]);
      assert.deepEqual(webhook.signatureConfiguration, { enabled: false });
      assert.equal(webhook.httpAuthenticationPassword, undefined, 'the password is never returned');
      assert.ok(!JSON.stringify(webhook).includes('hunter2'));
      assert.equal((await server.api('GET', `/api/webhook/${id}`)).body.webhook.description, 'CRM sync');
      assert.ok((await server.api('GET', '/api/webhook')).body.webhooks.some((w: { id: string }) => w.id === id));
      const replaced = await server.api('PUT', `/api/webhook/${id}`, { webhook: { url: 'https://hooks.example.com/v2', global: true, eventsEnabled: { 'user.update': true } } });
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      assert.deepEqual([replaced.body.webhook.url, replaced.body.webhook.global, replaced.body.webhook.connectTimeout], ['https://hooks.example.com/v2', true, 1000]);
      const patched = await server.api('PATCH', `/api/webhook/${id}`, { webhook: { description: 'patched' } });
      assert.deepEqual([patched.body.webhook.description, patched.body.webhook.url], ['patched', 'https://hooks.example.com/v2']);
      assert.equal((await server.api('POST', `/api/webhook/${id}`, { webhook: { url: 'https://hooks.example.com/x' } })).status, 400, 'duplicate id');
      assert.equal((await server.api('DELETE', `/api/webhook/${id}`)).status, 200);
      assert.equal((await server.api('GET', `/api/webhook/${id}`)).status, 404);
      assert.equal((await server.api('DELETE', `/api/webhook/${id}`)).status, 404);
    });

    it('refuses bad webhooks with precise field errors, the same on every database', async () => {
      const post = (webhook: Record<string, unknown>) => server.api('POST', '/api/webhook', { webhook });
      assert.equal(code((await post({ eventsEnabled: { 'user.create': true } })).body, 'webhook.url'), '[blank]webhook.url');
      assert.equal(code((await post({ url: 'ftp://hooks.example.com/' })).body, 'webhook.url'), '[invalid]webhook.url');
      assert.equal(code((await post({ url: 'https://user:pw@hooks.example.com/' })).body, 'webhook.url'), '[invalid]webhook.url');
      assert.equal(code((await post({ url: 'https://10.0.0.7/hook' })).body, 'webhook.url'), '[addressNotAllowed]webhook.url');
      assert.equal(code((await post({ url: 'https://[::ffff:169.254.169.254]/' })).body, 'webhook.url'), '[addressNotAllowed]webhook.url');
      const unsupported = await post({ url: 'https://hooks.example.com/', eventsEnabled: { 'user.password.breach': true } });
      assert.equal(code(unsupported.body, 'webhook.eventsEnabled.user.password.breach'), '[notSupported]webhook.eventsEnabled.user.password.breach');
      assert.equal(code((await post({ url: 'https://hooks.example.com/', connectTimeout: 0 })).body, 'webhook.connectTimeout'), '[invalid]webhook.connectTimeout');
      assert.equal(code((await post({ url: 'https://hooks.example.com/', readTimeout: 30_001 })).body, 'webhook.readTimeout'), '[invalid]webhook.readTimeout');
      assert.equal(code((await post({ url: 'https://hooks.example.com/', headers: { Authorization: 'Bearer x' } })).body, 'webhook.headers'), '[invalid]webhook.headers');
      assert.equal(code((await post({ url: 'https://hooks.example.com/', tenantIds: [randomUUID()] })).body, 'webhook.tenantIds'), '[invalid]webhook.tenantIds');
      const noKey = await post({ url: 'https://hooks.example.com/', signatureConfiguration: { enabled: true } });
      assert.equal(code(noKey.body, 'webhook.signatureConfiguration.signingKeyId'), '[blank]webhook.signatureConfiguration.signingKeyId');
      const unknownKey = await post({ url: 'https://hooks.example.com/', signatureConfiguration: { enabled: true, signingKeyId: randomUUID() } });
      assert.equal(code(unknownKey.body, 'webhook.signatureConfiguration.signingKeyId'), '[invalid]webhook.signatureConfiguration.signingKeyId');
      for (const webhook of [{ url: 42 }, { url: 'https://hooks.example.com/\u0000' }, { url: 'https://hooks.example.com/', connectTimeout: 'soon' }, { url: 'https://hooks.example.com/', eventsEnabled: { 'user.create': 'yes' } }]) {
        const reply = await post(webhook);
        assert.equal(reply.status, 400, JSON.stringify(webhook));
        assert.ok(reply.body.fieldErrors, JSON.stringify(reply.body));
      }
      assert.equal((await server.api('POST', '/api/webhook', { url: 'https://hooks.example.com/' })).status, 400, 'the body needs its webhook wrapper');
    });

    it('is for global API keys only', async () => {
      const scoped = await server.api('POST', '/api/api-key', { apiKey: { tenantId: DEFAULT_TENANT_ID } });
      assert.equal(scoped.status, 200, JSON.stringify(scoped.body));
      const reply = await fetch(`${server.url}/api/webhook`, { headers: { authorization: scoped.body.apiKey.key } });
      assert.equal(reply.status, 401);
    });
  });
}
