import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { webhookBody, webhookEvent } from '../../../src/events/webhook-events.js';
import { subscribes } from '../../../src/events/webhook-outbox.js';
import type { Webhook } from '../../../src/store/repositories/webhook-repository.js';

const TENANT_A = '00000000-0000-4000-8000-00000000000a';
const TENANT_B = '00000000-0000-4000-8000-00000000000b';
const webhook = (fields: Partial<Webhook>): Webhook => ({
  id: 'w', url: 'https://hooks.example.com/', eventsEnabled: { 'user.create': true, 'user.delete': false }, connectTimeout: 1000, readTimeout: 2000,
  headers: {}, global: false, tenantIds: [], signatureConfiguration: { enabled: false }, data: {}, insertInstant: 0, lastUpdateInstant: 0, ...fields,
});

describe('webhook subscriptions and event shape', () => {
  it('a webhook gets the enabled types of every tenant when global, else of its tenants only', () => {
    const created = webhookEvent('user.create', 1, TENANT_A, { user: { id: 'u' } });
    assert.equal(subscribes(webhook({ global: true }), created), true);
    assert.equal(subscribes(webhook({ tenantIds: [TENANT_A] }), created), true);
    assert.equal(subscribes(webhook({ tenantIds: [TENANT_B] }), created), false);
    assert.equal(subscribes(webhook({ global: true }), webhookEvent('user.delete', 1, TENANT_A, {})), false, 'disabled type');
    assert.equal(subscribes(webhook({ global: true }), webhookEvent('user.update', 1, TENANT_A, {})), false, 'absent type');
  });

  it('the body is FusionAuth’s {"event": {...}} with type, id, createInstant and tenantId; ids are unique', () => {
    const event = webhookEvent('user.create', 1_800_000_000_000, TENANT_A, { user: { id: 'u' }, type: 'forged', id: 'forged' });
    const parsed = JSON.parse(webhookBody(event)) as { event: Record<string, unknown> };
    assert.deepEqual(Object.keys(parsed), ['event']);
    assert.equal(parsed.event.type, 'user.create');
    assert.equal(parsed.event.createInstant, 1_800_000_000_000);
    assert.equal(parsed.event.tenantId, TENANT_A);
    assert.notEqual(parsed.event.id, 'forged');
    assert.notEqual(webhookEvent('user.create', 1, TENANT_A, {}).id, webhookEvent('user.create', 1, TENANT_A, {}).id);
  });
});
