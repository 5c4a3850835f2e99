import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.js';
import type { Tenant, User } from '../../src/store/records.js';
import { Store } from '../../src/store/store.js';
import { isUniqueViolation } from '../../src/store/unique-violation.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';

/**
 * The batched write paths on every database: jti consumes of one event-loop turn written
 * together (the SQLite worker, the PostgreSQL batch statement) and the group commit of
 * `Store.write`. Each promise must still learn its own outcome, exactly as if it ran alone.
 */
const T = 1_800_000_000_000;
const TENANT = '00000000-0000-4000-8000-000000000001';
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const tenant: Tenant = {
  id: TENANT,
  name: 'Tenant batch',
  slug: 'batch',
  jwtConfiguration: { timeToLiveInSeconds: 300, refreshTokenTimeToLiveInMinutes: 60, signingAlgorithm: 'ES256' },
  data: {},
  insertInstant: T,
  lastUpdateInstant: T,
};
const user = (n: number, email: string): User & { lastUpdateInstant: number } => ({ id: uuid(n), tenantId: TENANT, email, data: {}, active: true, verified: false, insertInstant: T, lastUpdateInstant: T });

for (const kind of selectedKinds()) {
  describe(`store conformance: batched writes (${kind})`, () => {
    let db: TestDatabase;
    let store: Store;

    before(async () => {
      db = await createTestDatabase(kind);
      store = Store.fromHandle(openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }));
      await store.migrate();
      await store.tenants.insert(tenant);
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('jti consumes of one turn: each fresh once, the same jti twice in one batch accepted once, a live one refused, an expired one taken over', async () => {
      assert.equal(await store.replay.consume('t:c', 'live', T + 10_000, T), true);
      assert.equal(await store.replay.consume('t:c', 'expired', T - 1, T - 1000), true);
      const fresh = Array.from({ length: 25 }, (_, i) => store.replay.consume('t:c', `fresh-${i}`, T + 10_000, T));
      const twice = [store.replay.consume('t:c', 'twice', T + 10_000, T), store.replay.consume('t:c', 'twice', T + 10_000, T + 1)];
      const live = store.replay.consume('t:c', 'live', T + 10_000, T);
      const expired = store.replay.consume('t:c', 'expired', T + 10_000, T);
      assert.deepEqual(await Promise.all(fresh), Array<boolean>(25).fill(true));
      assert.deepEqual((await Promise.all(twice)).sort(), [false, true], 'exactly one of the two');
      assert.equal(await live, false, 'a live record is a replay');
      assert.equal(await expired, true, 'an expired record is taken over');
      // What the batch wrote holds afterwards: every one of them is now a replay.
      const again = await Promise.all(['fresh-0', 'fresh-24', 'twice', 'expired'].map((jti) => store.replay.consume('t:c', jti, T + 10_000, T + 2)));
      assert.deepEqual(again, [false, false, false, false]);
    });

    it('jti consumes racing on two nodes sharing the database: each jti accepted exactly once', async () => {
      const other = Store.fromHandle(openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }));
      try {
        const jtis = Array.from({ length: 30 }, (_, i) => `race-${i}`);
        // Opposite orders on the two nodes: a batch must not deadlock against the other's.
        const mine = Promise.all(jtis.map((jti) => store.replay.consume('t:r', jti, T + 10_000, T)));
        const theirs = Promise.all([...jtis].reverse().map((jti) => other.replay.consume('t:r', jti, T + 10_000, T)));
        const [a, b] = await Promise.all([mine, theirs]);
        const bReordered = [...b].reverse();
        jtis.forEach((jti, i) => assert.equal(Number(a[i]) + Number(bReordered[i]), 1, jti));
      } finally {
        await other.close();
      }
    });

    it('group commit: a failing write set of a turn fails alone and leaves nothing; the others of the turn are committed', async () => {
      await store.users.insert(user(10, 'taken@example.org'));
      const outcomes = await Promise.allSettled([
        store.write((tx) => tx.users.insert(user(11, 'first@example.org'))),
        store.write(async (tx) => {
          await tx.users.insert(user(12, 'half@example.org'));
          await tx.users.insert(user(13, 'taken@example.org'));
        }),
        store.write((tx) => tx.users.insert(user(14, 'last@example.org'))),
      ]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.ok(outcomes[1].status === 'rejected' && isUniqueViolation(outcomes[1].reason), 'the failing one sees its own unique violation');
      assert.equal((await store.users.findById(uuid(11)))?.email, 'first@example.org');
      assert.equal((await store.users.findById(uuid(14)))?.email, 'last@example.org');
      assert.equal(await store.users.findById(uuid(12)), undefined, 'the failed write set left no row');
      assert.equal(await store.users.findById(uuid(13)), undefined);
    });

    it('group commit: the rows of one write set may reference each other (a user and its registration), a later write and a read inside it see the earlier writes', async () => {
      await store.applications.insert({
        id: uuid(50),
        tenantId: TENANT,
        name: 'App',
        active: true,
        roles: [],
        oauthConfiguration: { clientId: 'app', enabledGrants: ['client_credentials'], clientAuthenticationMethod: 'private_key_jwt' },
        jwtConfiguration: { enabled: true },
        loginConfiguration: { generateRefreshTokens: false },
        data: {},
        insertInstant: T,
        lastUpdateInstant: T,
      });
      let seen: string | undefined;
      await Promise.all([
        store.write(async (tx) => {
          await tx.users.insert(user(51, 'new@example.org'));
          await tx.registrations.insert({ id: uuid(52), tenantId: TENANT, userId: uuid(51), applicationId: uuid(50), roles: [], data: {}, verified: false, insertInstant: T, lastUpdateInstant: T });
          // A second write of the same row: it must see the first.
          await tx.users.updateAfterLogin({ ...user(51, 'new@example.org'), lastLoginInstant: T + 5 });
          // A read after writes of the same write set: the writes go out first.
          seen = (await tx.users.findById(uuid(51)))?.email;
        }),
        store.write((tx) => tx.users.insert(user(54, 'beside@example.org'))),
      ]);
      assert.equal(seen, 'new@example.org');
      assert.equal((await store.users.findById(uuid(51)))?.lastLoginInstant, T + 5, 'the update saw the insert before it');
      assert.deepEqual((await store.registrations.listByUser(uuid(51))).map((r) => r.id), [uuid(52)]);
      assert.equal((await store.users.findById(uuid(54)))?.email, 'beside@example.org');
    });

    it('group commit: write sets arriving while a batch is in flight all commit, each once', async () => {
      const writes: Promise<void>[] = [];
      for (let turn = 0; turn < 5; turn++) {
        for (let i = 0; i < 8; i++) writes.push(store.write((tx) => tx.users.insert(user(100 + turn * 8 + i, `turn-${turn}-${i}@example.org`))));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(writes);
      const found = await Promise.all(Array.from({ length: 40 }, (_, i) => store.users.findById(uuid(100 + i))));
      assert.deepEqual(
        found.map((u) => u?.email),
        Array.from({ length: 40 }, (_, i) => `turn-${Math.floor(i / 8)}-${i % 8}@example.org`),
      );
    });
  });
}
