import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.js';
import type { NewOutboxEntry } from '../../src/store/repositories/webhook-outbox-repository.js';
import { Store } from '../../src/store/store.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';

/** The webhook outbox part of the storage conformance suite (store-conformance.test.ts), on every database. */
const T = 1_800_000_000_000;
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const WEBHOOK = uuid(900);

const entry = (n: number, at = T): NewOutboxEntry => ({ id: uuid(n), eventId: uuid(n + 5000), eventType: 'user.create', webhookId: WEBHOOK, body: `{"event":{"n":${n}}}`, insertInstant: at });

for (const kind of selectedKinds()) {
  describe(`store conformance: webhook outbox (${kind})`, () => {
    let db: TestDatabase;
    let store: Store;

    before(async () => {
      db = await createTestDatabase(kind);
      store = Store.fromHandle(openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }));
      await store.migrate();
      await store.webhooks.insert({
        id: WEBHOOK, url: 'https://hooks.example.com/', eventsEnabled: { 'user.create': true }, connectTimeout: 1000, readTimeout: 2000,
        headers: {}, global: true, tenantIds: [], signatureConfiguration: { enabled: false }, data: {}, insertInstant: T, lastUpdateInstant: T,
      });
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('claims due rows once per lease, oldest first, counting the attempt; an expired lease is claimed again', async () => {
      await store.webhookOutbox.insert([entry(2, T + 1), entry(1, T), entry(3, T + 10_000)]);
      const claimed = await store.webhookOutbox.claimDue(T + 5, T + 1000, 10);
      assert.deepEqual(claimed.map((e) => [e.id, e.attempts, e.status]), [[uuid(1), 1, 'pending'], [uuid(2), 1, 'pending']]);
      assert.deepEqual(await store.webhookOutbox.claimDue(T + 500, T + 2000, 10), [], 'leased rows are not claimed again');
      const reclaimed = await store.webhookOutbox.claimDue(T + 1000, T + 3000, 1);
      assert.deepEqual(reclaimed.map((e) => [e.id, e.attempts]), [[uuid(1), 2]]);
    });

    it('a retry is due at its time; delivered and failed rows are never claimed, and are purged after their time', async () => {
      await store.webhookOutbox.retryAt(uuid(1), T + 50_000, 'status 500');
      await store.webhookOutbox.complete(uuid(2), 'delivered', T + 2000);
      assert.equal((await store.webhookOutbox.findById(uuid(1)))?.lastError, 'status 500');
      assert.deepEqual((await store.webhookOutbox.claimDue(T + 20_000, T + 21_000, 10)).map((e) => e.id), [uuid(3)]);
      await store.webhookOutbox.complete(uuid(3), 'failed', T + 20_500, 'gave up');
      assert.deepEqual((await store.webhookOutbox.claimDue(T + 50_000, T + 51_000, 10)).map((e) => [e.id, e.attempts]), [[uuid(1), 3]]);
      await store.webhookOutbox.complete(uuid(1), 'delivered', T + 50_100);
      assert.equal(await store.webhookOutbox.countByStatus('delivered'), 2);
      assert.equal(await store.webhookOutbox.purgeCompleted(T + 30_000), 2, 'rows completed before the cut');
      assert.deepEqual((await store.webhookOutbox.listByEventType('user.create')).map((e) => e.id), [uuid(1)]);
    });

    it('concurrent claims from several connections never share a row', async () => {
      await store.webhookOutbox.insert(Array.from({ length: 60 }, (_, i) => entry(100 + i, T)));
      const handles = [0, 1, 2].map(() => Store.fromHandle(openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir })));
      try {
        const claims = await Promise.all(handles.flatMap((s) => [0, 1, 2, 3].map(() => s.webhookOutbox.claimDue(T + 100_000, T + 200_000, 5))));
        const ids = claims.flat().map((e) => e.id);
        assert.equal(new Set(ids).size, ids.length, 'no row claimed twice');
        assert.equal(ids.length, 60);
      } finally {
        await Promise.all(handles.map((s) => s.close()));
      }
    });

    it('deleting a webhook removes its rows', async () => {
      await store.webhooks.delete(WEBHOOK);
      assert.deepEqual(await store.webhookOutbox.listByEventType('user.create'), []);
    });
  });
}
