import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.js';
import type { Application } from '../../src/store/records.js';
import { Store } from '../../src/store/store.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';

/** A returning login's read (link, user, registrations; one statement) gives the same on every database. */
const T = 1_800_000_000_000;
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const TENANT = uuid(1);
const PROVIDER = uuid(2);

const application = (id: string, clientId: string): Application => ({
  id,
  tenantId: TENANT,
  name: `App ${clientId}`,
  active: true,
  roles: [],
  oauthConfiguration: { clientId, enabledGrants: ['client_credentials'], clientAuthenticationMethod: 'private_key_jwt' },
  jwtConfiguration: { enabled: true },
  loginConfiguration: { generateRefreshTokens: false },
  data: {},
  insertInstant: T,
  lastUpdateInstant: T,
});
const user = (id: string, email: string) => ({ id, tenantId: TENANT, email, data: { kvnr: 'X1' }, active: true, verified: false, insertInstant: T, lastUpdateInstant: T });
const registration = (id: string, userId: string, applicationId: string, insertInstant: number) => ({
  id, tenantId: TENANT, userId, applicationId, roles: ['patient'], data: {}, verified: false, insertInstant, lastUpdateInstant: insertInstant,
});

for (const kind of selectedKinds()) {
  describe(`store conformance: a linked user read with its link (${kind})`, () => {
    let db: TestDatabase;
    let store: Store;

    before(async () => {
      db = await createTestDatabase(kind);
      store = Store.fromHandle(openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }));
      await store.migrate();
      await store.tenants.insert({ id: TENANT, name: 'Tenant', slug: 'linked', jwtConfiguration: { timeToLiveInSeconds: 300, refreshTokenTimeToLiveInMinutes: 60, signingAlgorithm: 'ES256' }, data: {}, insertInstant: T, lastUpdateInstant: T });
      await store.applications.insert(application(uuid(10), 'first'));
      await store.applications.insert(application(uuid(11), 'second'));
      await store.identityProviders.insert({
        id: PROVIDER, type: 'ExternalJWT', name: 'provider', enabled: true, debug: false, applicationConfiguration: {}, claimMap: {}, attributeMappings: {},
        lambdaConfiguration: {}, linkingStrategy: 'LinkByEmail', headerKeyParameter: 'kid', verificationKeyIds: [], keys: {}, domains: [],
        oauth2: { uniqueIdClaim: 'sub', emailClaim: 'email', emailVerifiedClaim: 'email_verified', usernameClaim: 'preferred_username' },
        tenantConfiguration: {}, source: 'System', data: {}, audiences: [], allowedAlgorithms: ['ES256'], clockSkewSeconds: 0, insertInstant: T, lastUpdateInstant: T,
      });
      await store.users.insert(user(uuid(20), 'two@example.org'));
      await store.users.insert(user(uuid(21), 'none@example.org'));
      // Inserted newest first: the read must still give them oldest first.
      await store.registrations.insert(registration(uuid(31), uuid(20), uuid(11), T + 5));
      await store.registrations.insert(registration(uuid(30), uuid(20), uuid(10), T + 1));
      await store.links.insert({ tenantId: TENANT, identityProviderId: PROVIDER, identityProviderUserId: 'ext-two', userId: uuid(20), displayName: 'Two', insertInstant: T, lastLoginInstant: T + 7 });
      await store.links.insert({ tenantId: TENANT, identityProviderId: PROVIDER, identityProviderUserId: 'ext-none', userId: uuid(21), insertInstant: T, lastLoginInstant: T });
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('the link, its user and the registrations oldest first, as the three separate reads give them', async () => {
      const found = await store.links.findWithUser(TENANT, PROVIDER, 'ext-two');
      assert.ok(found);
      assert.deepEqual(found.link, await store.links.find(TENANT, PROVIDER, 'ext-two'));
      assert.deepEqual(found.link, { tenantId: TENANT, identityProviderId: PROVIDER, identityProviderUserId: 'ext-two', userId: uuid(20), displayName: 'Two', insertInstant: T, lastLoginInstant: T + 7 });
      assert.deepEqual(found.user, await store.users.findById(uuid(20)));
      assert.equal(found.user?.email, 'two@example.org');
      assert.deepEqual(found.registrations, await store.registrations.listByUser(uuid(20)));
      assert.deepEqual(found.registrations.map((r) => r.id), [uuid(30), uuid(31)]);
    });

    it('a user without registrations, and an identity without a link', async () => {
      const none = await store.links.findWithUser(TENANT, PROVIDER, 'ext-none');
      assert.equal(none?.user?.id, uuid(21));
      assert.deepEqual(none?.registrations, []);
      assert.equal(await store.links.findWithUser(TENANT, PROVIDER, 'ext-unknown'), undefined);
      assert.equal(await store.links.findWithUser(uuid(9), PROVIDER, 'ext-two'), undefined, 'another tenant');
    });

    it('with an email: the link when there is one (the email is not read), else the user with that email, as users.findByEmail gives it', async () => {
      const linked = await store.links.lookUp(TENANT, PROVIDER, 'ext-two', 'none@example.org');
      assert.equal(linked.linked?.user?.id, uuid(20));
      assert.equal('byEmail' in linked, false, 'a linked identity needs no user by email');
      const matched = await store.links.lookUp(TENANT, PROVIDER, 'ext-new', 'None@Example.ORG');
      assert.equal(matched.linked, undefined);
      assert.deepEqual(matched.byEmail, await store.users.findByEmail(TENANT, 'None@Example.ORG'));
      assert.equal(matched.byEmail?.id, uuid(21));
      const free = await store.links.lookUp(TENANT, PROVIDER, 'ext-new', 'nobody@example.org');
      assert.deepEqual([free.linked, 'byEmail' in free, free.byEmail], [undefined, true, undefined]);
      const otherTenant = await store.links.lookUp(uuid(9), PROVIDER, 'ext-new', 'none@example.org');
      assert.deepEqual([otherTenant.linked, otherTenant.byEmail], [undefined, undefined], "another tenant's user is never found");
      const noEmail = await store.links.lookUp(TENANT, PROVIDER, 'ext-new');
      assert.deepEqual(noEmail, { linked: undefined }, 'without an email nothing is read by email');
    });
  });
}
