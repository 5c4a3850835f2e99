import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyAttributeMappings, applyClaimMap, resolveSource } from '../../../src/login/claim-mapping.js';
import { draftLogin } from '../../../src/login/map.js';
import type { LoginSubject } from '../../../src/login/login-types.js';
import { openDatabase } from '../../../src/store/database.js';
import type { ExternalJwtIdentityProvider, JsonObject, Tenant } from '../../../src/store/records.js';
import { Store } from '../../../src/store/store.js';

const T = 1_800_000_000_000;

const provider = (fields: Partial<ExternalJwtIdentityProvider>): ExternalJwtIdentityProvider =>
  ({
    id: '00000000-0000-4000-8000-000000000101',
    linkingStrategy: 'LinkByEmail',
    claimMap: {},
    attributeMappings: {},
    oauth2: { uniqueIdClaim: 'sub', emailClaim: 'email', emailVerifiedClaim: 'email_verified', usernameClaim: 'preferred_username' },
    applicationConfiguration: {},
    ...fields,
  }) as ExternalJwtIdentityProvider;

const blankUser = (): JsonObject => ({ id: 'u', tenantId: 't', email: 'jenny@example.org', data: {} });
const blankRegistration = (): JsonObject => ({ id: 'r', data: { kept: 1 } });

describe('claim map (FusionAuth claimMap)', () => {
  it('maps claims to profile fields, UserData and RegistrationData; skips absent, null and unknown targets', () => {
    const p = provider({
      claimMap: { given_name: 'firstName', birthdate: 'birthDate', kvnr: 'UserData', plan: 'RegistrationData', absent: 'lastName', nothing: 'fullName', odd: 'password' as never },
    });
    const user = blankUser();
    const registration = blankRegistration();
    applyClaimMap(p, { given_name: 'Jenny', birthdate: '1990-02-03', kvnr: { id: 'X123' }, plan: 'gold', nothing: null, odd: 'secret' }, user, registration);
    assert.equal(user.firstName, 'Jenny');
    assert.equal(user.birthDate, '1990-02-03');
    assert.deepEqual(user.data, { kvnr: { id: 'X123' } }, 'UserData keeps the claim name and its (nested) value');
    assert.deepEqual(registration.data, { kept: 1, plan: 'gold' });
    assert.equal('lastName' in user, false);
    assert.equal('fullName' in user, false);
    assert.equal('password' in user, false, 'only the user fields a claim map may target');
  });

  it('profile fields take only non-empty strings; RegistrationData without a registration is dropped', () => {
    const p = provider({ claimMap: { given_name: 'firstName', phone: 'mobilePhone', plan: 'RegistrationData' } });
    const user = blankUser();
    applyClaimMap(p, { given_name: '', phone: 31612345678, plan: 'gold' }, user, undefined);
    assert.equal('firstName' in user, false);
    assert.equal('mobilePhone' in user, false);
    assert.deepEqual(user.data, {});
  });
});

describe('attribute mappings (FusionAuth attributeMappings)', () => {
  it('reads JSON Pointers (RFC 6901 escapes) and dot paths, and writes nested targets under user and registration', () => {
    const p = provider({
      attributeMappings: {
        'user.data.kvnr': '/urn:telematik:claims:id',
        'user.data.address.city': 'address.locality',
        'user.lastName': '/names/family',
        'registration.data.org': '/org~1unit/name~0x',
      },
    });
    const user = blankUser();
    const registration = blankRegistration();
    applyAttributeMappings(p, { 'urn:telematik:claims:id': 'X123', address: { locality: 'Berlin' }, names: { family: 'Doe' }, 'org/unit': { 'name~x': 'Ward 3' } }, user, registration);
    assert.deepEqual(user.data, { kvnr: 'X123', address: { city: 'Berlin' } });
    assert.equal(user.lastName, 'Doe');
    assert.deepEqual(registration.data, { kept: 1, org: 'Ward 3' });
  });

  it('ignores unresolvable and empty sources, unknown roots, identifiers, password and prototype keys', () => {
    const p = provider({
      attributeMappings: {
        'user.firstName': '/missing/deep',
        'user.middleName': '/empty',
        'user.fullName': '/nothing',
        'group.name': '/name',
        user: '/name',
        'user.id': '/name',
        'user.password': '/name',
        'user.registrations': '/name',
        'user.data.__proto__.polluted': '/name',
        'registration.data.x': '/name',
      },
    });
    const user = blankUser();
    applyAttributeMappings(p, { name: 'Jenny', empty: '', nothing: null }, user, undefined);
    assert.deepEqual(user, blankUser());
    assert.equal(({} as JsonObject).polluted, undefined);
  });

  it('resolveSource does not read inherited properties', () => {
    assert.equal(resolveSource({ a: { b: 1 } }, 'a.b'), 1);
    assert.equal(resolveSource({ a: { b: 1 } }, '/a/b'), 1);
    assert.equal(resolveSource({ a: {} }, 'a.toString'), undefined);
    assert.equal(resolveSource({ a: [10, 20] }, '/a/1'), 20);
  });

  it('a new user gets the claim map first, then the attribute mappings, which win on the same field', async () => {
    const store = Store.fromHandle(openDatabase({ sqliteFile: ':memory:' }));
    try {
      const p = provider({ claimMap: { given_name: 'firstName', kvnr: 'UserData' }, attributeMappings: { 'user.firstName': '/nickname', 'user.data.kvnr': '/ids/kvnr', 'user.email': '/other_email' } });
      const subject: LoginSubject = {
        tenant: { id: '00000000-0000-4000-8000-000000000001' } as Tenant,
        provider: p,
        application: undefined,
        identity: { identityProviderId: p.id, applicationId: '', identityProviderUserId: 's', email: 'jenny@example.org', claims: { given_name: 'Jennifer', nickname: 'Jenny', kvnr: 'A', ids: { kvnr: 'B' }, other_email: 'x@example.org' }, options: { noJWT: false } },
        options: { noLink: false, noJWT: true, authenticationType: 'FEDERATED_JWT' },
      };
      const draft = await draftLogin(store, T, subject, { kind: 'create', anonymous: false });
      assert.equal(draft.user.firstName, 'Jenny');
      assert.deepEqual(draft.user.data, { kvnr: 'B' });
      assert.equal(draft.user.email, 'x@example.org', 'a new user takes a mapped email (checked for collisions later)');
      assert.equal(draft.existing, undefined);
      assert.equal(draft.registration, undefined, 'no application, no registration');
      // An anonymous user gets the claim map only.
      const anonymous = await draftLogin(store, T, subject, { kind: 'create', anonymous: true });
      assert.equal(anonymous.user.firstName, 'Jennifer');
      assert.equal(anonymous.user.email, undefined);
      assert.deepEqual(anonymous.user.data, { kvnr: 'A' });
    } finally {
      await store.close();
    }
  });
});
