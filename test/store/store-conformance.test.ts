import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.js';
import type { Application, ApiKey, StoredKey, Tenant, User } from '../../src/store/records.js';
import { Store } from '../../src/store/store.js';
import { isUniqueViolation } from '../../src/store/unique-violation.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';

/**
 * One storage conformance suite, run against every database (the better-auth pattern): SQLite
 * always, PostgreSQL under `npm run test:pg`. Every repository behaviour the services rely on is
 * pinned here, so both dialects behave the same.
 */
const T = 1_800_000_000_000;

const tenant = (id: string, slug: string): Tenant => ({
  id,
  name: `Tenant ${slug}`,
  slug,
  jwtConfiguration: { timeToLiveInSeconds: 300, refreshTokenTimeToLiveInMinutes: 60, signingAlgorithm: 'ES256' },
  data: {},
  insertInstant: T,
  lastUpdateInstant: T,
});

const application = (id: string, tenantId: string, clientId: string): Application => ({
  id,
  tenantId,
  name: `App ${clientId}`,
  active: true,
  roles: [],
  oauthConfiguration: { clientId, enabledGrants: ['client_credentials'], clientAuthenticationMethod: 'private_key_jwt' },
  jwtConfiguration: { enabled: true },
  loginConfiguration: { generateRefreshTokens: false },
  data: { nested: { value: 1 } },
  insertInstant: T,
  lastUpdateInstant: T,
});

const user = (id: string, tenantId: string, email?: string, username?: string): User => ({
  id,
  tenantId,
  ...(email ? { email } : {}),
  ...(username ? { username } : {}),
  data: {},
  active: true,
  verified: false,
  insertInstant: T,
  lastUpdateInstant: T,
});

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

for (const kind of selectedKinds()) {
  describe(`store conformance (${kind})`, () => {
    let db: TestDatabase;
    let store: Store;

    before(async () => {
      db = await createTestDatabase(kind);
      store = Store.fromHandle(openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }));
      await store.migrate();
      await store.tenants.insert(tenant(uuid(1), 'alpha'));
      await store.tenants.insert(tenant(uuid(2), 'beta'));
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('migrations are idempotent and safe when several nodes start at once', async () => {
      const handles = [0, 1, 2].map(() => Store.fromHandle(openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir })));
      try {
        const results = await Promise.all(handles.map((s) => s.migrate()));
        assert.deepEqual(results.flat(), [], 'nothing left to apply');
      } finally {
        await Promise.all(handles.map((s) => s.close()));
      }
      assert.deepEqual(await store.migrate(), []);
    });

    it('fresh databases migrated concurrently apply each migration exactly once', async () => {
      const fresh = await createTestDatabase(kind);
      const handles = [0, 1, 2].map(() => Store.fromHandle(openDatabase({ databaseUrl: fresh.databaseUrl, dataDir: fresh.dataDir })));
      try {
        const results = await Promise.all(handles.map((s) => s.migrate().catch((error: Error) => error)));
        const applied = results.filter((r): r is string[] => Array.isArray(r)).flat();
        assert.deepEqual(applied, ['0001-foundation', '0002-smart-roles', '0003-event-log', '0004-lambdas', '0005-identity-providers', '0006-reconcile', '0007-authorization-code', '0008-refresh-token-family-revocation', '0009-sso-sessions', '0010-webhooks']);
        for (const r of results) if (r instanceof Error && kind === 'postgres') assert.fail(`migration failed: ${r.message}`);
        await handles[0].ping();
      } finally {
        await Promise.all(handles.map((s) => s.close()));
        await fresh.drop();
      }
    });

    it('tenants: find by id, slug and name; slug and name are unique', async () => {
      assert.equal((await store.tenants.findBySlug('alpha'))?.id, uuid(1));
      assert.equal((await store.tenants.findByName('Tenant beta'))?.id, uuid(2));
      assert.equal(await store.tenants.findBySlug('gamma'), undefined);
      await assert.rejects(store.tenants.insert({ ...tenant(uuid(3), 'alpha'), name: 'other' }));
      await assert.rejects(store.tenants.insert({ ...tenant(uuid(3), 'other'), name: 'Tenant alpha' }));
      assert.deepEqual((await store.tenants.list()).map((t) => t.slug), ['alpha', 'beta']);
      assert.equal(await store.tenants.count(), 2);
    });

    it('updates replace the stored object and report whether a row changed', async () => {
      const changed = { ...tenant(uuid(2), 'beta'), data: { k: 'v' }, lastUpdateInstant: T + 1 };
      assert.equal(await store.tenants.update(changed), true);
      assert.deepEqual((await store.tenants.findById(uuid(2)))?.data, { k: 'v' });
      assert.equal(await store.tenants.update({ ...changed, id: uuid(99) }), false);
    });

    it('applications: client ids are unique per tenant, not globally; the secret hash travels with the lookup', async () => {
      await store.applications.insert(application(uuid(10), uuid(1), 'client-x'));
      await store.applications.insert(application(uuid(11), uuid(2), 'client-x'));
      await assert.rejects(store.applications.insert(application(uuid(12), uuid(1), 'client-x')));
      await store.applications.setClientSecretHash(uuid(10), 'hash-10');
      const found = await store.applications.findByClientId(uuid(1), 'client-x');
      assert.equal(found?.application.id, uuid(10));
      assert.equal(found?.clientSecretHash, 'hash-10');
      assert.deepEqual(found?.application.data, { nested: { value: 1 } });
      assert.equal((await store.applications.findByClientId(uuid(2), 'client-x'))?.clientSecretHash, null);
      assert.equal(await store.applications.findByClientId(uuid(1), 'missing'), undefined);
      assert.deepEqual((await store.applications.listByTenant(uuid(1))).map((a) => a.id), [uuid(10)]);
    });

    it('users: email lookups ignore case; email and username are unique per tenant', async () => {
      await store.users.insert(user(uuid(20), uuid(1), 'Jane@Example.org', 'jane'));
      assert.equal((await store.users.findByEmail(uuid(1), 'jane@example.ORG'))?.id, uuid(20));
      assert.equal((await store.users.findByUsername(uuid(1), 'jane'))?.id, uuid(20));
      await assert.rejects(store.users.insert(user(uuid(21), uuid(1), 'jane@example.org')));
      await assert.rejects(store.users.insert(user(uuid(21), uuid(1), undefined, 'jane')));
      await store.users.insert(user(uuid(22), uuid(2), 'jane@example.org', 'jane'));
      // Users without email or username do not collide with each other (NULLs are distinct).
      await store.users.insert(user(uuid(23), uuid(1)));
      await store.users.insert(user(uuid(24), uuid(1)));
    });

    it('registrations: one per user and application', async () => {
      const registration = { id: uuid(30), tenantId: uuid(1), userId: uuid(20), applicationId: uuid(10), roles: [], data: {}, verified: false, insertInstant: T, lastUpdateInstant: T };
      await store.registrations.insert(registration);
      await assert.rejects(store.registrations.insert({ ...registration, id: uuid(31) }));
      assert.equal((await store.registrations.find(uuid(20), uuid(10)))?.id, uuid(30));
      assert.equal((await store.registrations.listByUser(uuid(20))).length, 1);
    });

    it('API keys are found by hash only; hashes are unique', async () => {
      const key: ApiKey = { id: uuid(40), keyManager: false, metaData: { attributes: {} }, permissions: { endpoints: {} }, insertInstant: T, lastUpdateInstant: T };
      await store.apiKeys.insertWithHash(key, 'h1');
      assert.equal((await store.apiKeys.findByHash('h1'))?.id, uuid(40));
      assert.equal(await store.apiKeys.findByHash('h2'), undefined);
      await assert.rejects(store.apiKeys.insertWithHash({ ...key, id: uuid(41) }, 'h1'));
    });

    it('keys keep their secrets out of the object; signing-key windows decide what is published', async () => {
      const key = (n: number): StoredKey => ({ id: uuid(n), name: `k${n}`, kid: `kid-${n}`, algorithm: 'ES256', type: 'EC', publicKey: 'pem', hasPrivateKey: true, insertInstant: T, lastUpdateInstant: T });
      await store.keys.insertWithSecrets(key(50), { privateKey: 'ciphertext', secret: null });
      await store.keys.insertWithSecrets(key(51), { privateKey: 'ciphertext-2', secret: null });
      assert.equal(JSON.stringify(await store.keys.findById(uuid(50))).includes('ciphertext'), false);
      assert.deepEqual(await store.keys.secrets(uuid(50)), { privateKey: 'ciphertext', secret: null });
      assert.equal((await store.keys.findByKid('kid-51'))?.id, uuid(51));
      await assert.rejects(store.keys.insertWithSecrets({ ...key(52), kid: 'kid-50' }, { privateKey: null, secret: null }));

      await store.signingKeys.activate(uuid(1), uuid(50), T, T);
      assert.equal((await store.signingKeys.active(uuid(1)))?.key_id, uuid(50));
      await store.signingKeys.activate(uuid(1), uuid(51), T + 10, T + 1000);
      assert.equal((await store.signingKeys.active(uuid(1)))?.key_id, uuid(51));
      assert.deepEqual((await store.signingKeys.published(uuid(1), T + 999)).map((r) => r.key_id), [uuid(51), uuid(50)]);
      assert.deepEqual((await store.signingKeys.published(uuid(1), T + 1000)).map((r) => r.key_id), [uuid(51)]);
      assert.equal(await store.keys.isInUse(uuid(50)), true);
    });

    it('replay store: first use wins, a replay loses, scopes are separate, expired records are taken over', async () => {
      assert.equal(await store.replay.consume('t:a', 'j1', T + 100, T), true);
      assert.equal(await store.replay.consume('t:a', 'j1', T + 100, T + 50), false);
      assert.equal(await store.replay.consume('t:b', 'j1', T + 100, T), true);
      assert.equal(await store.replay.consume('t:a', 'j1', T + 300, T + 100), true, 'expired record taken over');
      assert.equal(await store.replay.consume('t:a', 'j1', T + 300, T + 200), false);
      assert.equal(await store.replay.purge(T + 150), 1);
    });

    it('replay store: concurrent consumers of one jti get exactly one success', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, () => store.replay.consume('t:race', 'same', T + 100, T)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('revocations are recorded once and purged after expiry', async () => {
      await store.revocations.revoke(uuid(1), 'jti-r', T + 10);
      await store.revocations.revoke(uuid(1), 'jti-r', T + 10);
      assert.equal(await store.revocations.isRevoked('jti-r'), true);
      assert.equal(await store.revocations.isRevoked('jti-other'), false);
      assert.equal(await store.revocations.purge(T + 10), 1);
      assert.equal(await store.revocations.isRevoked('jti-r'), false);
    });

    it('meta: setIfAbsent keeps the first value', async () => {
      assert.equal(await store.meta.setIfAbsent('x', 'first'), 'first');
      assert.equal(await store.meta.setIfAbsent('x', 'second'), 'first');
    });

    it('transactions write everything or nothing', async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.tenants.insert(tenant(uuid(60), 'rolled-back'));
          throw new Error('boom');
        }),
      );
      assert.equal(await store.tenants.findById(uuid(60)), undefined);
      await store.transaction(async (tx) => {
        await tx.tenants.insert(tenant(uuid(61), 'committed'));
        await tx.transaction(async (inner) => inner.tenants.insert(tenant(uuid(62), 'nested')));
      });
      assert.ok(await store.tenants.findById(uuid(62)));
    });

    it('deleting reports whether a row was there', async () => {
      assert.equal(await store.users.delete(uuid(24)), true);
      assert.equal(await store.users.delete(uuid(24)), false);
    });

    it('links: one row per external identity, concurrent inserts get exactly one success, deleted with the user', async () => {
      const provider = {
        id: uuid(60), type: 'ExternalJWT' as const, name: 'conformance provider', enabled: true, debug: false, applicationConfiguration: {}, claimMap: {}, attributeMappings: {},
        lambdaConfiguration: {}, linkingStrategy: 'LinkByEmail' as const, headerKeyParameter: 'kid', verificationKeyIds: [], keys: {}, domains: [],
        oauth2: { uniqueIdClaim: 'sub', emailClaim: 'email', emailVerifiedClaim: 'email_verified', usernameClaim: 'preferred_username' },
        tenantConfiguration: {}, source: 'System', data: {}, audiences: [], allowedAlgorithms: ['ES256'], clockSkewSeconds: 0, insertInstant: T, lastUpdateInstant: T,
      };
      await store.identityProviders.insert(provider);
      await store.users.insert(user(uuid(61), uuid(1), 'linked@example.com'));
      await store.users.insert(user(uuid(62), uuid(1), 'other@example.com'));
      const link = (userId: string) => ({ tenantId: uuid(1), identityProviderId: uuid(60), identityProviderUserId: 'ext-1', userId, insertInstant: T, lastLoginInstant: T });
      const results = await Promise.allSettled([store.links.insert(link(uuid(61))), store.links.insert(link(uuid(62)))]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.equal(isUniqueViolation(rejected.reason), true);
      const found = await store.links.find(uuid(1), uuid(60), 'ext-1');
      assert.ok(found);
      assert.equal(await store.links.find(uuid(2), uuid(60), 'ext-1'), undefined, 'links are per tenant');
      await store.links.touch(found, T + 5, 'Display');
      assert.equal((await store.links.find(uuid(1), uuid(60), 'ext-1'))?.displayName, 'Display');
      assert.equal((await store.links.listByUser(found.userId, uuid(60))).length, 1);
      await store.users.delete(found.userId);
      assert.equal(await store.links.find(uuid(1), uuid(60), 'ext-1'), undefined, 'cascade on user delete');
    });

    it('pending actions expire and are consumed exactly once', async () => {
      const identity = { identityProviderId: uuid(60), applicationId: '', identityProviderUserId: 'p', claims: { sub: 'p' }, options: { noJWT: false } };
      await store.pendingActions.insert({ id: uuid(70), kind: 'link', tenantId: uuid(1), identity, insertInstant: T, expiresAt: T + 1000 });
      assert.deepEqual((await store.pendingActions.find(uuid(70), 'link', T))?.identity, identity);
      assert.equal(await store.pendingActions.find(uuid(70), 'onboarding', T), undefined, 'kind must match');
      assert.equal(await store.pendingActions.find(uuid(70), 'link', T + 1000), undefined, 'expired');
      const consumed = await Promise.all([store.pendingActions.consume(uuid(70)), store.pendingActions.consume(uuid(70))]);
      assert.deepEqual(consumed.sort(), [false, true]);
      await store.pendingActions.insert({ id: uuid(71), kind: 'onboarding', tenantId: uuid(1), identity, insertInstant: T, expiresAt: T + 1000 });
      assert.equal(await store.pendingActions.purge(T + 1000), 1);
    });

    it('authorization transactions are taken exactly once, only open, unexpired and of their kind and tenant', async () => {
      const data = { applicationId: uuid(80), redirectUri: 'https://app.example/cb' };
      await store.authorizationTransactions.insert({ handleHash: 'hash-code-1', kind: 'code', tenantId: uuid(1), data, insertInstant: T, expiresAt: T + 1000 });
      assert.equal(await store.authorizationTransactions.take('hash-code-1', 'request', uuid(1), T), undefined, 'kind must match');
      assert.equal(await store.authorizationTransactions.take('hash-code-1', 'code', uuid(2), T), undefined, 'tenant must match');
      assert.equal(await store.authorizationTransactions.take('hash-code-1', 'code', uuid(1), T + 1000), undefined, 'expired');
      const taken = await Promise.all([1, 2, 3].map(() => store.authorizationTransactions.take('hash-code-1', 'code', uuid(1), T)));
      assert.equal(taken.filter(Boolean).length, 1, 'one taker wins');
      assert.deepEqual(taken.find(Boolean)?.data, data);
      assert.equal((await store.authorizationTransactions.find('hash-code-1'))?.status, 'taken', 'a taken code stays, to recognise reuse');
      await store.authorizationTransactions.updateData('hash-code-1', { ...data, issued: { jti: 'j' } });
      assert.deepEqual((await store.authorizationTransactions.find('hash-code-1'))?.data, { ...data, issued: { jti: 'j' } });
      await store.authorizationTransactions.insert({ handleHash: 'hash-request-1', kind: 'request', tenantId: uuid(1), data, insertInstant: T, expiresAt: T + 5000 });
      assert.equal(await store.authorizationTransactions.purge(T + 1000), 1);
      assert.equal(await store.authorizationTransactions.find('hash-code-1'), undefined);
      assert.ok(await store.authorizationTransactions.find('hash-request-1'));
    });

    it('refresh tokens: rotation is won by exactly one caller; a family is revoked together', async () => {
      await store.applications.insert(application(uuid(80), uuid(1), 'refresh-client'));
      await store.users.insert(user(uuid(81), uuid(1), 'refresh@example.com'));
      const record = (id: string, familyId: string) => ({
        id, familyId, tenantId: uuid(1), userId: uuid(81), applicationId: uuid(80), status: 'active' as const, startInstant: T, authTime: 1, scope: 'openid', insertInstant: T, expiresAt: T + 60_000,
      });
      await store.refreshTokens.insert('hash-1', record(uuid(82), uuid(82)));
      await store.refreshTokens.insert('hash-2', record(uuid(83), uuid(82)));
      assert.equal((await store.refreshTokens.findByHash('hash-1'))?.scope, 'openid');
      const wins = await Promise.all([store.refreshTokens.markRotated('hash-1'), store.refreshTokens.markRotated('hash-1')]);
      assert.deepEqual(wins.sort(), [false, true]);
      assert.equal(await store.refreshTokens.revokeFamily(uuid(81), uuid(82)), 2);
      assert.equal((await store.refreshTokens.findByHash('hash-2'))?.status, 'revoked');
      assert.equal(await store.refreshTokens.purge(T + 60_000), 2);
    });

    it('SSO sessions: found by secret hash only live and in their tenant; their refresh tokens are revoked together', async () => {
      await store.users.insert(user(uuid(85), uuid(1), 'sso@example.com'));
      const session = { id: uuid(86), tenantId: uuid(1), userId: uuid(85), identityProviderId: uuid(60), authTime: 1_800_000_000, acr: 'urn:acr:high', amr: ['hwk'], insertInstant: T, expiresAt: T + 1000 };
      await store.ssoSessions.insert('sso-hash-1', session);
      assert.deepEqual(await store.ssoSessions.findLive('sso-hash-1', uuid(1), T), session);
      assert.equal(await store.ssoSessions.findLive('sso-hash-1', uuid(2), T), undefined, 'another tenant');
      assert.equal(await store.ssoSessions.findLive('sso-hash-1', uuid(1), T + 1000), undefined, 'expired');
      assert.equal(await store.ssoSessions.findLive(uuid(86), uuid(1), T), undefined, 'the public id is not the secret');
      await assert.rejects(store.ssoSessions.insert('sso-hash-2', session), (error) => isUniqueViolation(error), 'public ids are unique');
      const record = (id: string, familyId: string, sessionId?: string) => ({
        id, familyId, tenantId: uuid(1), userId: uuid(85), applicationId: uuid(80), status: 'active' as const, startInstant: T, authTime: 1, ...(sessionId ? { sessionId } : {}), insertInstant: T, expiresAt: T + 60_000,
      });
      await store.refreshTokens.insert('sso-rt-1', record(uuid(87), uuid(87), uuid(86)));
      await store.refreshTokens.insert('sso-rt-2', record(uuid(88), uuid(87), uuid(86)));
      await store.refreshTokens.insert('sso-rt-3', record(uuid(89), uuid(89)));
      assert.equal((await store.refreshTokens.findByHash('sso-rt-1'))?.sessionId, uuid(86));
      assert.equal(await store.refreshTokens.revokeBySession(uuid(85), uuid(86)), 2);
      assert.equal((await store.refreshTokens.findByHash('sso-rt-2'))?.familyRevoked, true);
      assert.equal((await store.refreshTokens.findByHash('sso-rt-3'))?.status, 'active', 'a token of no session stays');
      const deletions = await Promise.all([store.ssoSessions.delete(uuid(86)), store.ssoSessions.delete(uuid(86))]);
      assert.deepEqual(deletions.sort(), [false, true], 'of two racing logouts one deletes');
      assert.equal(await store.ssoSessions.findById(uuid(86)), undefined);
      await store.ssoSessions.insert('sso-hash-3', { ...session, id: uuid(90) });
      assert.equal(await store.ssoSessions.purge(T + 1000), 1);
      await store.ssoSessions.insert('sso-hash-4', { ...session, id: uuid(91), expiresAt: T + 5000 });
      await store.users.delete(uuid(85));
      assert.equal(await store.ssoSessions.findById(uuid(91)), undefined, 'cascade on user delete');
    });

    it('grouped writes: each write set commits or fails alone', async () => {
      const ok = (n: number) => store.write(async (tx) => tx.users.insert(user(uuid(90 + n), uuid(1), `grouped-${n}@example.com`)));
      const first = ok(0);
      const failing = store.write(async (tx) => {
        await tx.users.insert(user(uuid(95), uuid(1), 'grouped-partial@example.com'));
        await tx.users.insert(user(uuid(96), uuid(1), 'grouped-0@example.com')); // duplicate email: fails
      });
      const results = await Promise.allSettled([first, failing, ok(1), ok(2)]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      assert.equal(isUniqueViolation((results[1] as PromiseRejectedResult).reason), true);
      for (const n of [0, 1, 2]) assert.ok(await store.users.findById(uuid(90 + n)));
      assert.equal(await store.users.findById(uuid(95)), undefined, 'the failed set left nothing behind');
    });

    it('SQLite: once writes begin, the WAL is checkpointed in the background, not left to grow', { skip: kind !== 'sqlite' }, async () => {
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(
          Array.from({ length: 25 }, (_, i) => store.write(async (tx) => tx.users.insert(user(`c${batch}-${i}-0000-4000-8000-000000000000`.slice(0, 36), uuid(1), `wal-${batch}-${i}@example.com`)))),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 600));
      // A write after a completed checkpoint starts the WAL again from its beginning.
      await store.write(async (tx) => tx.users.insert(user(uuid(99), uuid(1), 'wal-last@example.com')));
      const { rows } = await sql<{ log: number }>`pragma wal_checkpoint(PASSIVE)`.execute(store.db);
      assert.ok(rows[0].log < 100, `WAL frames after background checkpoints: ${rows[0].log}`);
    });
  });
}
