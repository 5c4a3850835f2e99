import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createResourceGuard } from '../../../src/smart/resource-guard.js';
import type { Principal } from '../../../src/smart/resource-guard.js';
import { parseResourceScope } from '../../../src/smart/scope-grammar.js';
import type { ResourceScope } from '../../../src/smart/scope-grammar.js';

const guard = createResourceGuard({ issuer: 'https://gatehouse.example/t/kt', audience: 'fhir-server', domainAdminClientIds: ['domain-admin'] });
const principal = (scope: string, clientId = 'module-a'): Principal => ({
  clientId,
  subject: clientId,
  device: `Device/${clientId}`,
  scope,
  scopes: scope.split(' ').map(parseResourceScope).filter((s): s is ResourceScope => s !== undefined),
  claims: {},
});

describe('resource guard rules (Koppeltaal FHIR enforcement)', () => {
  const p = principal('system/Patient.rs system/Task.crus?resource-origin=Device/module-a system/Task.rs?resource-origin=Device/other system/CodeSystem.rs');

  it('needs a scope with the type (or *) and the letter of the interaction', () => {
    assert.equal(guard.authorize(p, { resourceType: 'Patient', interaction: 'read', resourceOrigin: 'Device/x' }).allowed, true);
    assert.equal(guard.authorize(p, { resourceType: 'Patient', interaction: 'update', resourceOrigin: 'Device/x' }).allowed, false);
    assert.equal(guard.authorize(p, { resourceType: 'Patient', interaction: 'create' }).allowed, false);
    assert.equal(guard.authorize(p, { resourceType: 'Observation', interaction: 'read', resourceOrigin: 'Device/x' }).allowed, false);
    assert.equal(guard.authorize(principal('system/*.cruds'), { resourceType: 'Observation', interaction: 'delete', resourceOrigin: 'Device/x' }).allowed, true);
  });

  it('search needs s (the reference server does not check it)', () => {
    assert.equal(guard.authorize(principal('system/Patient.r'), { resourceType: 'Patient', interaction: 'search' }).allowed, false);
    assert.equal(guard.authorize(principal('system/Patient.s'), { resourceType: 'Patient', interaction: 'search' }).allowed, true);
  });

  it('create: any relevant scope, whatever its origin', () => {
    assert.deepEqual(guard.authorize(p, { resourceType: 'Task', interaction: 'create' }), { allowed: true });
  });

  it('search narrows to the union of origins unless a relevant scope is unrestricted', () => {
    assert.deepEqual(guard.authorize(p, { resourceType: 'Task', interaction: 'search' }), { allowed: true, searchOrigins: ['Device/module-a', 'Device/other'] });
    assert.deepEqual(guard.authorize(p, { resourceType: 'Patient', interaction: 'search' }), { allowed: true });
  });

  it('instance interactions need an allowed origin', () => {
    assert.equal(guard.authorize(p, { resourceType: 'Task', interaction: 'update', resourceOrigin: 'Device/module-a' }).allowed, true);
    assert.equal(guard.authorize(p, { resourceType: 'Task', interaction: 'update', resourceOrigin: 'Device/other' }).allowed, false, 'other: read only');
    assert.equal(guard.authorize(p, { resourceType: 'Task', interaction: 'read', resourceOrigin: 'Device/other' }).allowed, true);
    assert.equal(guard.authorize(p, { resourceType: 'Task', interaction: 'read', resourceOrigin: 'Device/third' }).allowed, false);
  });

  it('a resource without origin is refused, except SearchParameter, Device and CodeSystem', () => {
    assert.equal(guard.authorize(p, { resourceType: 'Patient', interaction: 'read' }).allowed, false);
    assert.equal(guard.authorize(p, { resourceType: 'CodeSystem', interaction: 'read' }).allowed, true);
  });

  it('the domain administrator skips origin checks but not scope checks', () => {
    const admin = principal('system/Task.rs?resource-origin=Device/x', 'domain-admin');
    assert.equal(guard.authorize(admin, { resourceType: 'Task', interaction: 'read', resourceOrigin: 'Device/y' }).allowed, true);
    assert.deepEqual(guard.authorize(admin, { resourceType: 'Task', interaction: 'search' }), { allowed: true });
    assert.equal(guard.authorize(admin, { resourceType: 'Task', interaction: 'delete', resourceOrigin: 'Device/y' }).allowed, false);
  });
});
