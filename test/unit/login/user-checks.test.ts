import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkLoginUser } from '../../../src/login/user-checks.js';
import { ReconcileError } from '../../../src/login/reconcile-error.js';
import { openDatabase } from '../../../src/store/database.js';
import type { ExternalJwtIdentityProvider, Tenant, User } from '../../../src/store/records.js';
import { Store } from '../../../src/store/store.js';

const T = 1_800_000_000_000;
const TENANT = '00000000-0000-4000-8000-000000000001';
const tenant: Tenant = { id: TENANT, name: 'Tenant', slug: 't', jwtConfiguration: { timeToLiveInSeconds: 300, refreshTokenTimeToLiveInMinutes: 60, signingAlgorithm: 'ES256' }, data: {}, insertInstant: T, lastUpdateInstant: T };
const provider = { linkingStrategy: 'LinkByEmail', oauth2: { emailClaim: 'email', usernameClaim: 'preferred_username' } } as unknown as ExternalJwtIdentityProvider;
const user = (id: string, email: string): User => ({ id, tenantId: TENANT, email, data: {}, active: true, verified: true, insertInstant: T, lastUpdateInstant: T });

describe('the user a new login would save (login/user-checks)', () => {
  let store: Store;
  let emailReads: string[];

  before(async () => {
    store = Store.fromHandle(openDatabase({ sqliteFile: ':memory:' }));
    await store.migrate();
    await store.tenants.insert(tenant);
    await store.users.insert(user('00000000-0000-4000-8000-000000000010', 'jenny@example.org'));
    const findByEmail = store.users.findByEmail.bind(store.users);
    store.users.findByEmail = (tenantId, email) => {
      emailReads.push(email);
      return findByEmail(tenantId, email);
    };
  });
  after(() => store?.close());

  it('an email the lambda set that another user has is DuplicateEmail: it is looked up', async () => {
    emailReads = [];
    const decision = { kind: 'create', anonymous: false, absent: { field: 'email', value: 'new@example.org' } } as const;
    await assert.rejects(checkLoginUser(store, provider, decision, user('00000000-0000-4000-8000-000000000020', 'Jenny@Example.org'), undefined), (error: unknown) => error instanceof ReconcileError && error.code === 'DuplicateEmail');
    assert.deepEqual(emailReads, ['Jenny@Example.org']);
  });

  it('the email the strategy just found free (in any case) is not read again', async () => {
    emailReads = [];
    const decision = { kind: 'create', anonymous: false, absent: { field: 'email', value: 'new@example.org' } } as const;
    await checkLoginUser(store, provider, decision, user('00000000-0000-4000-8000-000000000020', 'New@example.org'), undefined);
    assert.deepEqual(emailReads, []);
  });

  it('without a lookup by the strategy (another strategy, or no email in the token) the email is read', async () => {
    emailReads = [];
    await checkLoginUser(store, provider, { kind: 'create', anonymous: false }, user('00000000-0000-4000-8000-000000000020', 'new@example.org'), undefined);
    assert.deepEqual(emailReads, ['new@example.org']);
  });
});
