import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

for (const kind of selectedKinds()) {
  describe(`event log API (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;

    before(async () => {
      db = await createTestDatabase(kind);
      const file = join(db.dataDir, 'k.json');
      writeFileSync(file, JSON.stringify({ tenants: [{ id: '6d2c1a10-0000-4000-8000-0000000000e1', name: 'Events' }] }));
      server = await startTestServer(db, { config: { kickstart: file } });
      const log = server.gatehouse.services.eventLog;
      await log.write('Information', 'Reconcile of user 1 succeeded');
      await log.write('Error', 'Lambda [mimoto] threw: KVNR missing');
      await log.write('Debug', '100% sure_with_underscores');
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });

    it('kickstart writes what it applied', async () => {
      const reply = await server.api('GET', '/api/system/event-log/search?message=Kickstart');
      assert.equal(reply.status, 200);
      assert.equal(reply.body.total, 1);
      assert.match(reply.body.eventLogs[0].message, /Kickstart applied: 1 created/);
    });

    it('searches by message (wildcards, case-insensitive), type, with paging and order', async () => {
      const lambda = await server.api('POST', '/api/system/event-log/search', { search: { message: 'lambda*threw' } });
      assert.equal(lambda.status, 200);
      assert.deepEqual(lambda.body.eventLogs.map((e: { type: string }) => e.type), ['Error']);
      const literal = await server.api('GET', `/api/system/event-log/search?message=${encodeURIComponent('100%')}`);
      assert.equal(literal.body.total, 1, '% matches itself');
      const underscore = await server.api('GET', '/api/system/event-log/search?message=sure_with');
      assert.equal(underscore.body.total, 1);
      const none = await server.api('GET', '/api/system/event-log/search?message=sure-with');
      assert.equal(none.body.total, 0, '_ is not a wildcard');
      const errors = await server.api('GET', '/api/system/event-log/search?type=Error');
      assert.equal(errors.body.total, 1);
      const all = await server.api('GET', '/api/system/event-log/search?numberOfResults=2');
      assert.equal(all.body.total, 4);
      assert.equal(all.body.eventLogs.length, 2);
      const ascending = await server.api('POST', '/api/system/event-log/search', { search: { orderBy: 'insertInstant ASC', numberOfResults: 1, startRow: 0 } });
      assert.match(ascending.body.eventLogs[0].message, /Kickstart/);
      const entry = all.body.eventLogs[0];
      assert.deepEqual(Object.keys(entry).sort(), ['id', 'insertInstant', 'message', 'type']);
      const one = await server.api('GET', `/api/system/event-log/${entry.id}`);
      assert.deepEqual(one.body, { eventLog: entry });
    });

    it('refuses bad criteria, unknown ids and tenant-scoped keys', async () => {
      for (const query of ['type=Warning', 'numberOfResults=0', 'numberOfResults=x', 'orderBy=message', 'startRow=-1']) {
        const reply = await server.api('GET', `/api/system/event-log/search?${query}`);
        assert.equal(reply.status, 400, query);
        assert.ok(reply.body.fieldErrors, query);
      }
      assert.equal((await server.api('GET', '/api/system/event-log/999999')).status, 404);
      assert.equal((await server.api('GET', '/api/system/event-log/abc')).status, 404);
      const tenants = await server.api('GET', '/api/tenant');
      const scoped = await server.api('POST', '/api/api-key', { apiKey: { tenantId: tenants.body.tenants[0].id } });
      const response = await fetch(`${server.url}/api/system/event-log/search`, { headers: { authorization: scoped.body.apiKey.key } });
      assert.equal(response.status, 401);
    });
  });
}
