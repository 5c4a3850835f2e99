import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LinkRefusal } from '../../../src/identity/link-refusal.js';
import type { LinkRefusalCode } from '../../../src/identity/link-refusal.js';
import { assertLinkAllowed, decideLink } from '../../../src/identity/linking-strategy.js';
import { openDatabase } from '../../../src/store/database.js';
import type { ExternalJwtIdentityProvider, JsonObject, LinkingStrategy, PendingIdentity, Tenant, User } from '../../../src/store/records.js';
import { Store } from '../../../src/store/store.js';

const T = 1_800_000_000_000;
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const TENANT = uuid(1);

const tenant: Tenant = {
  id: TENANT,
  name: 'Tenant',
  slug: 'tenant',
  jwtConfiguration: { timeToLiveInSeconds: 300, refreshTokenTimeToLiveInMinutes: 60, signingAlgorithm: 'ES256' },
  data: {},
  insertInstant: T,
  lastUpdateInstant: T,
};

function provider(n: number, linkingStrategy: LinkingStrategy, maximumLinks?: number): ExternalJwtIdentityProvider {
  return {
    id: uuid(100 + n),
    type: 'ExternalJWT',
    name: `Provider ${n}`,
    enabled: true,
    debug: false,
    applicationConfiguration: {},
    claimMap: {},
    attributeMappings: {},
    lambdaConfiguration: {},
    linkingStrategy,
    headerKeyParameter: 'kid',
    verificationKeyIds: [],
    keys: {},
    domains: [],
    oauth2: { uniqueIdClaim: 'sub', emailClaim: 'email', emailVerifiedClaim: 'email_verified', usernameClaim: 'preferred_username' },
    tenantConfiguration: maximumLinks === undefined ? {} : { [TENANT]: { limitUserLinkCount: { enabled: true, maximumLinks } } },
    source: 'test',
    data: {},
    audiences: [],
    allowedAlgorithms: ['ES256'],
    clockSkewSeconds: 30,
    insertInstant: T,
    lastUpdateInstant: T,
  };
}

const user = (n: number, fields: Partial<User>): User => ({ id: uuid(n), tenantId: TENANT, data: {}, active: true, verified: true, insertInstant: T, lastUpdateInstant: T, ...fields });

const identity = (sub: string, claims: JsonObject = {}, fields: Partial<PendingIdentity> = {}): PendingIdentity => ({
  identityProviderId: '',
  applicationId: '',
  identityProviderUserId: sub,
  claims: { sub, ...claims },
  options: { noJWT: false },
  ...fields,
});

const refusal = (code: LinkRefusalCode) => (error: unknown) => error instanceof LinkRefusal && error.code === code;

describe('linking strategies (identity/linking-strategy)', () => {
  let store: Store;
  const providers = {
    byEmail: provider(1, 'LinkByEmail'),
    byEmailExisting: provider(2, 'LinkByEmailForExistingUser'),
    byUsername: provider(3, 'LinkByUsername'),
    byUsernameExisting: provider(4, 'LinkByUsernameForExistingUser'),
    anonymous: provider(5, 'LinkAnonymously'),
    pending: provider(6, 'CreatePendingLink'),
    disabled: provider(7, 'Disabled'),
    limited: provider(8, 'LinkByEmail', 2),
  };
  const jenny = user(10, { email: 'jenny@example.org', username: 'jenny' });
  const linked = user(11, { email: 'linked@example.org', username: 'linked' });
  const inactive = user(12, { email: 'inactive@example.org', username: 'inactive', active: false });

  before(async () => {
    store = Store.fromHandle(openDatabase({ sqliteFile: ':memory:' }));
    await store.migrate();
    await store.tenants.insert(tenant);
    for (const p of Object.values(providers)) await store.identityProviders.insert(p);
    for (const u of [jenny, linked, inactive]) await store.users.insert(u);
    const link = (p: ExternalJwtIdentityProvider, sub: string, userId: string) =>
      store.links.insert({ tenantId: TENANT, identityProviderId: p.id, identityProviderUserId: sub, userId, insertInstant: T, lastLoginInstant: T });
    // `linked` is linked to every provider under "linked-sub"; `inactive` to LinkByEmail under "inactive-sub".
    for (const p of Object.values(providers)) await link(p, 'linked-sub', linked.id);
    await link(providers.byEmail, 'inactive-sub', inactive.id);
  });
  after(() => store?.close());

  it('an existing link wins whatever the strategy, even with noLink', async () => {
    for (const p of Object.values(providers)) {
      const decision = await decideLink(store, p, TENANT, identity('linked-sub', { email: 'other@example.org' }), true);
      assert.equal(decision.kind, 'linked', p.linkingStrategy);
      assert.equal(decision.kind === 'linked' && decision.user.id, linked.id);
      assert.equal(decision.kind === 'linked' && decision.link.identityProviderUserId, 'linked-sub');
    }
  });

  it('an existing link to a deactivated user is LoginPrevented', async () => {
    await assert.rejects(decideLink(store, providers.byEmail, TENANT, identity('inactive-sub'), false), refusal('LoginPrevented'));
  });

  it('without a link, noLink is NotLinked (FusionAuth MissingUser)', async () => {
    await assert.rejects(decideLink(store, providers.byEmail, TENANT, identity('new-sub', { email: 'jenny@example.org' }, { email: 'jenny@example.org' }), true), (error: unknown) => {
      assert.ok(error instanceof LinkRefusal);
      assert.equal(error.code, 'NotLinked');
      assert.equal(error.publicCode, '[ExternalAuthenticationException]MissingUser');
      return true;
    });
  });

  it('Disabled links only through the Link API; CreatePendingLink asks for a pending link; LinkAnonymously creates an anonymous user', async () => {
    const someone = identity('new-sub', {}, { email: 'jenny@example.org', username: 'jenny' });
    await assert.rejects(decideLink(store, providers.disabled, TENANT, someone, false), refusal('LinkingDisabled'));
    assert.deepEqual(await decideLink(store, providers.pending, TENANT, someone, false), { kind: 'pendingLink', anonymous: false });
    assert.deepEqual(await decideLink(store, providers.anonymous, TENANT, someone, false), { kind: 'create', anonymous: true });
  });

  it('LinkByEmail matches a verified or unstated email, creates for an unknown or absent one', async () => {
    for (const verified of [true, 'true', undefined]) {
      const decision = await decideLink(store, providers.byEmail, TENANT, identity('new-sub', verified === undefined ? {} : { email_verified: verified }, { email: 'jenny@example.org' }), false);
      assert.equal(decision.kind, 'match', String(verified));
      assert.equal(decision.kind === 'match' && decision.by, 'email');
      assert.equal(decision.kind === 'match' && decision.user.id, jenny.id);
    }
    assert.deepEqual(await decideLink(store, providers.byEmail, TENANT, identity('new-sub', {}, { email: 'nobody@example.org' }), false), { kind: 'create', anonymous: false, absent: { field: 'email', value: 'nobody@example.org' } });
    assert.deepEqual(await decideLink(store, providers.byEmail, TENANT, identity('new-sub'), false), { kind: 'create', anonymous: false });
  });

  it('LinkByEmail never links on an email whose verified claim is anything but true or "true" (UnverifiedEmail)', async () => {
    for (const verified of [false, 'false', 'False', 'FALSE', 0, '0', null, 1, 'yes', {}, []]) {
      await assert.rejects(decideLink(store, providers.byEmail, TENANT, identity('new-sub', { email_verified: verified }, { email: 'jenny@example.org' }), false), refusal('UnverifiedEmail'));
    }
    // An unverified email that matches nobody creates a user: nothing is linked on it.
    assert.deepEqual(await decideLink(store, providers.byEmail, TENANT, identity('new-sub', { email_verified: false }, { email: 'nobody@example.org' }), false), { kind: 'create', anonymous: false, absent: { field: 'email', value: 'nobody@example.org' } });
  });

  it('LinkByEmailForExistingUser never creates: no email is MissingEmail, no such user UserDoesNotExistByEmail', async () => {
    await assert.rejects(decideLink(store, providers.byEmailExisting, TENANT, identity('new-sub'), false), refusal('MissingEmail'));
    await assert.rejects(decideLink(store, providers.byEmailExisting, TENANT, identity('new-sub', {}, { email: 'nobody@example.org' }), false), refusal('UserDoesNotExistByEmail'));
    const decision = await decideLink(store, providers.byEmailExisting, TENANT, identity('new-sub', {}, { email: 'jenny@example.org' }), false);
    assert.equal(decision.kind === 'match' && decision.user.id, jenny.id);
  });

  it('LinkByUsername matches on the username and ignores the email; ForExistingUser refuses what it cannot find', async () => {
    const byName = await decideLink(store, providers.byUsername, TENANT, identity('new-sub', {}, { username: 'jenny', email: 'nobody@example.org' }), false);
    assert.equal(byName.kind, 'match');
    assert.equal(byName.kind === 'match' && byName.by, 'username');
    assert.equal(byName.kind === 'match' && byName.user.id, jenny.id);
    assert.deepEqual(await decideLink(store, providers.byUsername, TENANT, identity('new-sub', {}, { email: 'jenny@example.org' }), false), { kind: 'create', anonymous: false });
    assert.deepEqual(await decideLink(store, providers.byUsername, TENANT, identity('new-sub', {}, { username: 'nobody' }), false), { kind: 'create', anonymous: false, absent: { field: 'username', value: 'nobody' } });
    await assert.rejects(decideLink(store, providers.byUsernameExisting, TENANT, identity('new-sub', {}, { email: 'jenny@example.org' }), false), refusal('MissingUsername'));
    await assert.rejects(decideLink(store, providers.byUsernameExisting, TENANT, identity('new-sub', {}, { username: 'nobody' }), false), refusal('UserDoesNotExistByUsername'));
    // The email-verified guard is the email strategies' only.
    const unverified = await decideLink(store, providers.byUsernameExisting, TENANT, identity('new-sub', { email_verified: false }, { username: 'jenny' }), false);
    assert.equal(unverified.kind, 'match');
  });

  it('a matched user already linked to the provider under another id is not linked again (UserAlreadyLinked)', async () => {
    await assert.rejects(decideLink(store, providers.byEmail, TENANT, identity('second-sub', {}, { email: 'linked@example.org' }), false), refusal('UserAlreadyLinked'));
    await assert.rejects(decideLink(store, providers.byUsername, TENANT, identity('second-sub', {}, { username: 'linked' }), false), refusal('UserAlreadyLinked'));
  });

  it('a matched deactivated user is LoginPrevented', async () => {
    await assert.rejects(decideLink(store, providers.byEmail, TENANT, identity('new-sub', {}, { email: 'inactive@example.org' }), false), refusal('LoginPrevented'));
  });

  it('the Link API may add links up to the tenant limit, then LinkCountExceeded', async () => {
    // `linked` has one link to `limited` (maximum 2): one more is allowed, through the Link API only.
    await assertLinkAllowed(store, providers.limited, TENANT, linked, true);
    await assert.rejects(assertLinkAllowed(store, providers.limited, TENANT, linked, false), refusal('UserAlreadyLinked'));
    await store.links.insert({ tenantId: TENANT, identityProviderId: providers.limited.id, identityProviderUserId: 'linked-sub-2', userId: linked.id, insertInstant: T, lastLoginInstant: T });
    await assert.rejects(assertLinkAllowed(store, providers.limited, TENANT, linked, true), (error: unknown) => {
      assert.ok(error instanceof LinkRefusal);
      assert.equal(error.code, 'LinkCountExceeded');
      assert.equal(error.publicCode, '[LinkCountExceeded]');
      return true;
    });
    // Without a limit the Link API adds as many as asked.
    await assertLinkAllowed(store, providers.byEmail, TENANT, linked, true);
    await assert.rejects(assertLinkAllowed(store, providers.byEmail, TENANT, inactive, true), refusal('LoginPrevented'));
  });
});
