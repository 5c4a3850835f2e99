import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveScopes } from '../../../src/smart/scope-derivation.js';
import { formatResourceScope, intersectScopes, parseResourceScope } from '../../../src/smart/scope-grammar.js';
import type { SmartPermission, SmartRole } from '../../../src/store/records.js';

const role = (permissions: Partial<SmartPermission>[]): SmartRole => ({
  id: 'r',
  tenantId: 't',
  name: 'role',
  permissions: permissions.map((p) => ({ resourceType: 'Patient', operations: ['read'], origin: 'all', grantedApplicationIds: [], ...p })),
  insertInstant: 0,
  lastUpdateInstant: 0,
});

const OTHER_APP = '11111111-1111-4111-8111-111111111111';
const devices = (id: string) => (id === OTHER_APP ? 'other-device' : undefined);

describe('Koppeltaal scope derivation (reference ScopeService)', () => {
  it('reproduces the reference test_happy case byte for byte', () => {
    // The reference test's permission rows, one operation each, in its order.
    const scopes = deriveScopes(
      role([
        { resourceType: 'Patient', operations: ['read'], origin: 'all' },
        { resourceType: 'RelatedPerson', operations: ['read'], origin: 'all' },
        { resourceType: 'RelatedPerson', operations: ['read'], origin: 'own' },
        { resourceType: 'RelatedPerson', operations: ['create'], origin: 'own' },
        { resourceType: 'RelatedPerson', operations: ['update'], origin: 'own' },
        { resourceType: 'Task', operations: ['create'], origin: 'own' },
        { resourceType: 'Task', operations: ['update'], origin: 'own' },
        { resourceType: 'Task', operations: ['read'], origin: 'granted', grantedApplicationIds: [OTHER_APP] },
        { resourceType: 'Task', operations: ['read'], origin: 'own' },
      ]),
      'own-device',
      devices,
    );
    assert.deepEqual(scopes, [
      'system/Patient.rs',
      'system/RelatedPerson.rs',
      'system/RelatedPerson.crus?resource-origin=Device/own-device',
      'system/Task.crus?resource-origin=Device/own-device',
      'system/Task.rs?resource-origin=Device/other-device',
    ]);
  });

  it('writes letters in the order c r u d s whatever the order given', () => {
    assert.deepEqual(deriveScopes(role([{ operations: ['delete', 'update', 'read', 'create'] }]), 'x', devices), ['system/Patient.cruds']);
    assert.deepEqual(deriveScopes(role([{ operations: ['create', 'update'] }]), 'x', devices), ['system/Patient.cu']);
  });

  it('gives the internal all-access form for *', () => {
    assert.deepEqual(deriveScopes(role([{ resourceType: '*', operations: ['create', 'read', 'update', 'delete'] }]), 'x', devices), ['system/*.cruds']);
  });

  it('joins granted devices with commas and leaves out a grant to nobody', () => {
    const second = '22222222-2222-4222-8222-222222222222';
    const multi = deriveScopes(role([{ resourceType: 'Task', origin: 'granted', grantedApplicationIds: [OTHER_APP, second] }]), 'x', (id) => (id === OTHER_APP ? 'a' : 'b'));
    assert.deepEqual(multi, ['system/Task.rs?resource-origin=Device/a,Device/b']);
    assert.deepEqual(deriveScopes(role([{ origin: 'granted', grantedApplicationIds: [] }]), 'x', devices), []);
    assert.deepEqual(deriveScopes(role([{ origin: 'granted', grantedApplicationIds: ['33333333-3333-4333-8333-333333333333'] }]), 'x', devices), []);
  });

  it('keeps each granted permission separate but merges all and own per type', () => {
    const scopes = deriveScopes(
      role([
        { resourceType: 'Task', operations: ['read'], origin: 'granted', grantedApplicationIds: [OTHER_APP] },
        { resourceType: 'Task', operations: ['update'], origin: 'granted', grantedApplicationIds: [OTHER_APP] },
        { resourceType: 'Patient', operations: ['read'], origin: 'all' },
        { resourceType: 'Patient', operations: ['delete'], origin: 'all' },
      ]),
      'x',
      devices,
    );
    assert.deepEqual(scopes, ['system/Task.rs?resource-origin=Device/other-device', 'system/Task.u?resource-origin=Device/other-device', 'system/Patient.rds']);
  });
});

describe('SMART scope grammar', () => {
  it('parses v2, v1 and Koppeltaal origin lists', () => {
    const v2 = parseResourceScope('system/Patient.rs')!;
    assert.deepEqual([...v2.letters], ['r', 's']);
    assert.equal(v2.origins, undefined);
    assert.deepEqual([...parseResourceScope('system/*.read')!.letters], ['r', 's']);
    assert.deepEqual([...parseResourceScope('system/*.write')!.letters], ['c', 'u', 'd']);
    assert.deepEqual(parseResourceScope('system/Task.rs?resource-origin=Device/a,Device/b')!.origins, ['Device/a', 'Device/b']);
    for (const bad of ['system/Patient.sr', 'system/Patient.', 'openid', 'system/patient.rs', 'system/Task.rs?category=x', 'system/Task.rs?resource-origin=Patient/1', 'other/Patient.rs']) {
      assert.equal(parseResourceScope(bad), undefined, bad);
    }
  });

  it('intersects types, letters and origins', () => {
    const i = (a: string, b: string) => {
      const r = intersectScopes(parseResourceScope(a)!, parseResourceScope(b)!);
      return r ? formatResourceScope(r) : undefined;
    };
    assert.equal(i('system/Patient.rs', 'system/Patient.cruds'), 'system/Patient.rs');
    assert.equal(i('system/*.read', 'system/Patient.crus?resource-origin=Device/x'), 'system/Patient.rs?resource-origin=Device/x');
    assert.equal(i('system/Patient.cruds', 'system/*.rs'), 'system/Patient.rs');
    assert.equal(i('system/Task.rs?resource-origin=Device/a', 'system/Task.rs?resource-origin=Device/a,Device/b'), 'system/Task.rs?resource-origin=Device/a');
    assert.equal(i('system/Task.rs?resource-origin=Device/c', 'system/Task.rs?resource-origin=Device/a'), undefined);
    assert.equal(i('system/Patient.d', 'system/Patient.rs'), undefined);
    assert.equal(i('system/Task.rs', 'system/Patient.rs'), undefined);
    assert.equal(i('patient/Patient.rs', 'system/Patient.rs'), undefined);
  });
});
