import assert from 'node:assert/strict';
import type { KyselyPlugin } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.js';
import { purgeExpiredRows } from '../../src/store/expired-rows-purge.js';
import { deleteInBatches, expiredBy } from '../../src/store/repositories/batched-delete.js';
import { Store } from '../../src/store/store.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';

/** The periodic purge part of the storage conformance suite (store-conformance.test.ts), on every database. */
const T = 1_800_000_000_000;

/** Records the rows each statement changed: the batches a purge ran. */
function statementCounter(): { plugin: KyselyPlugin; changed: number[] } {
  const changed: number[] = [];
  return {
    changed,
    plugin: {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        changed.push(Number(args.result.numAffectedRows ?? 0));
        return args.result;
      },
    },
  };
}

for (const kind of selectedKinds()) {
  describe(`store conformance: periodic purge in batches (${kind})`, () => {
    let db: TestDatabase;
    let store: Store;

    before(async () => {
      db = await createTestDatabase(kind);
      store = Store.fromHandle(openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }));
      await store.migrate();
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('deletes exactly the expired rows, at most one batch per statement, and keeps the live ones', async () => {
      for (let n = 1; n <= 7; n++) assert.equal(await store.replay.consume('t:purge', `expired-${n}`, T + n * 10, T), true);
      for (let n = 1; n <= 3; n++) assert.equal(await store.replay.consume('t:purge', `live-${n}`, T + 1000, T), true);
      const counter = statementCounter();
      assert.equal(await deleteInBatches(store.db.withPlugin(counter.plugin), 'used_jtis', 'jti_key', expiredBy(T + 70), 2), 7);
      assert.deepEqual(counter.changed, [2, 2, 2, 1], 'four statements of at most two rows');
      const left = await store.db.selectFrom('used_jtis').select('expires_at').execute();
      assert.deepEqual(left.map((row) => Number(row.expires_at)), [T + 1000, T + 1000, T + 1000]);
      assert.equal(await store.replay.consume('t:purge', 'live-1', T + 2000, T + 500), false, 'a live jti is still a replay');
      assert.equal(await store.replay.consume('t:purge', 'expired-1', T + 2000, T + 500), true, 'a purged jti is fresh again');
    });

    it('a batch size that divides the expired rows evenly ends with an empty batch, not a missed row', async () => {
      for (let n = 1; n <= 4; n++) await store.revocations.revoke('tenant', `revoked-${n}`, T + n);
      await store.revocations.revoke('tenant', 'revoked-live', T + 5000);
      const counter = statementCounter();
      assert.equal(await deleteInBatches(store.db.withPlugin(counter.plugin), 'revoked_tokens', 'jti', expiredBy(T + 4), 2), 4);
      assert.deepEqual(counter.changed, [2, 2, 0]);
      assert.equal(await store.revocations.isRevoked('revoked-4'), false);
      assert.equal(await store.revocations.isRevoked('revoked-live'), true);
    });

    it('the repositories purge in batches: a batch size smaller than the expired rows still deletes them all', async () => {
      for (let n = 1; n <= 5; n++) await store.revocations.revoke('tenant', `small-batch-${n}`, T + 100 + n);
      assert.equal(await store.revocations.purge(T + 105, 2), 5);
      assert.equal(await store.revocations.purge(T + 105, 2), 0);
      assert.equal(await store.revocations.isRevoked('revoked-live'), true);
    });

    it('the periodic job purges every expiring table and reports the rows it deleted', async () => {
      await store.revocations.revoke('tenant', 'job-expired', T + 10);
      assert.equal(await store.replay.consume('t:job', 'job-expired', T + 10, T), true);
      // Expired by T + 3000: the two rows added here, and the first test's three live jtis
      // (T + 1000) and its reused one (T + 2000).
      assert.equal(await purgeExpiredRows(store, T + 3000, 60_000), 6);
      assert.equal(await store.db.selectFrom('used_jtis').select('jti_key').executeTakeFirst(), undefined);
      assert.equal(await store.revocations.isRevoked('job-expired'), false);
      assert.equal(await store.revocations.isRevoked('revoked-live'), true, 'expires at T + 5000');
    });
  });
}
