import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { selectedKinds } from '../helpers/databases.js';
import { startIdpWorld } from '../helpers/idp-world.js';
import type { IdpWorld } from '../helpers/idp-world.js';
import { FAST_WEBHOOKS, startWebhookReceiver } from '../helpers/webhook-receiver.js';
import type { WebhookReceiver } from '../helpers/webhook-receiver.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

for (const kind of selectedKinds()) {
  describe(`webhook delivery from the outbox (${kind})`, () => {
    let world: IdpWorld;
    let receiver: WebhookReceiver;
    const outbox = () => world.server.gatehouse.services.store.webhookOutbox;
    const subscribe = async (events: string[]) => {
      const reply = await world.server.api('POST', '/api/webhook', {
        webhook: { url: receiver.url, global: true, eventsEnabled: Object.fromEntries(events.map((e) => [e, true])), connectTimeout: 5000, readTimeout: 5000 },
      });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body.webhook.id as string;
    };
    const createUser = (email: string) => world.server.api('POST', '/api/user', { user: { email } });
    /** The outbox rows of one event once none is pending (the receiver sees a POST before its row is marked). */
    const settled = async (eventType: string, eventId: string) => {
      for (let i = 0; ; i++) {
        const rows = (await outbox().listByEventType(eventType)).filter((r) => r.eventId === eventId);
        if (rows.every((r) => r.status !== 'pending') || i > 3000) return rows;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    before(async () => {
      receiver = await startWebhookReceiver();
      world = await startIdpWorld(kind, {}, { ...FAST_WEBHOOKS, webhookMaxAttempts: 3 });
    });
    after(async () => {
      await world?.close();
      await receiver?.close();
    });

    it('a user created through the API is delivered once, in FusionAuth’s event shape', async () => {
      const webhookId = await subscribe(['user.create']);
      const reply = await createUser(`created-${randomUUID()}@example.com`);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const userId = reply.body.user.id as string;
      await receiver.waitFor((a) => a.some((x) => x.event.type === 'user.create' && (x.event.user as { id: string }).id === userId), 'user.create');
      const [arrival] = receiver.ofType('user.create').filter((a) => (a.event.user as { id: string }).id === userId);
      assert.match(arrival.event.id, UUID);
      assert.equal(arrival.event.tenantId, reply.body.user.tenantId);
      assert.equal(typeof arrival.event.createInstant, 'number');
      assert.equal((arrival.event.user as { email: string }).email, reply.body.user.email);
      assert.equal(arrival.headers['content-type'], 'application/json');
      const rows = await settled('user.create', arrival.event.id);
      assert.deepEqual(rows.map((r) => [r.webhookId, r.status, r.attempts]), [[webhookId, 'delivered', 1]]);
      assert.equal(receiver.arrivals.filter((a) => a.event.id === arrival.event.id).length, 1);
      await world.server.api('DELETE', `/api/webhook/${webhookId}`);
    });

    it('a first login sends user.create, the link, the registration and user.login.success', async () => {
      const webhookId = await subscribe(['user.create', 'user.identity-provider.link', 'user.registration.create', 'user.login.success']);
      const provider = await world.provider();
      const reply = await world.login(provider, await world.idToken());
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const userId = reply.body.user.id as string;
      const mine = () => receiver.arrivals.filter((a) => (a.event.user as { id?: string } | undefined)?.id === userId);
      await receiver.waitFor(() => mine().length >= 4, 'four login events');
      assert.deepEqual(mine().map((a) => a.event.type).sort(), ['user.create', 'user.identity-provider.link', 'user.login.success', 'user.registration.create']);
      const success = mine().find((a) => a.event.type === 'user.login.success')!;
      assert.equal(success.event.applicationId, world.application.id);
      assert.equal(success.event.identityProviderId, provider);
      assert.equal(success.event.authenticationType, 'FEDERATED_JWT');
      const link = mine().find((a) => a.event.type === 'user.identity-provider.link')!;
      assert.equal((link.event.identityProviderLink as { identityProviderId: string }).identityProviderId, provider);
      assert.equal(new Set(mine().map((a) => a.event.id)).size, 4, 'each event has its own id');
      await world.server.api('DELETE', `/api/webhook/${webhookId}`);
    });

    it('a receiver answering 500 gets the event again (same id) until it answers 200', async () => {
      const webhookId = await subscribe(['user.update']);
      const created = await createUser(`retried-${randomUUID()}@example.com`);
      receiver.answerNext(500, 503);
      const reply = await world.server.api('PUT', `/api/user/${created.body.user.id}`, { user: { email: created.body.user.email, firstName: 'Retry' } });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      await receiver.waitFor((a) => a.some((x) => x.event.type === 'user.update' && x.status === 200), 'a delivered user.update');
      const attempts = receiver.ofType('user.update');
      assert.deepEqual(attempts.map((a) => a.status), [500, 503, 200]);
      assert.equal(new Set(attempts.map((a) => a.event.id)).size, 1, 'a retry repeats the event id');
      assert.equal((attempts[0].event.original as { firstName?: string }).firstName, undefined);
      assert.equal((attempts[0].event.user as { firstName: string }).firstName, 'Retry');
      const [row] = await settled('user.update', attempts[0].event.id);
      assert.deepEqual([row.status, row.attempts], ['delivered', 3]);
      const log = await world.server.api('GET', `/api/system/event-log/search?type=Error&message=${attempts[0].event.id}`);
      assert.equal(log.body.total, 2, JSON.stringify(log.body));
      assert.match(log.body.eventLogs[0].message, /answered 50[03]\); retrying/);
      await world.server.api('DELETE', `/api/webhook/${webhookId}`);
    });

    it('after the last attempt the delivery is marked failed and logged as an Error', async () => {
      const webhookId = await subscribe(['user.delete']);
      const created = await createUser(`failing-${randomUUID()}@example.com`);
      receiver.answerNext(500, 500, 500);
      assert.equal((await world.server.api('DELETE', `/api/user/${created.body.user.id}`)).status, 200);
      await receiver.waitFor(() => receiver.ofType('user.delete').length >= 3, 'three attempts');
      const [row] = await settled('user.delete', receiver.ofType('user.delete')[0].event.id);
      assert.deepEqual([row.status, row.attempts], ['failed', 3]);
      const log = await world.server.api('GET', `/api/system/event-log/search?type=Error&message=${row.eventId}`);
      assert.ok(log.body.eventLogs.some((e: { message: string }) => /attempt 3 of 3 failed .*giving up/.test(e.message)), JSON.stringify(log.body));
      await world.server.api('DELETE', `/api/webhook/${webhookId}`);
    });

    it('a change that rolls back leaves no event: a refused user, a login the lambda rejects', async () => {
      const webhookId = await subscribe(['user.create', 'user.login.success', 'user.registration.create', 'user.login.failed']);
      const before = (await outbox().listByEventType('user.create')).length;
      const email = `taken-${randomUUID()}@example.com`;
      assert.equal((await createUser(email)).status, 200);
      const duplicate = await world.server.api('POST', '/api/user/registration', { user: { email }, registration: { applicationId: world.application.id } });
      assert.equal(duplicate.status, 400);
      const unknownApp = await world.server.api('POST', '/api/user/registration', { user: { email: `new-${randomUUID()}@example.com` }, registration: { applicationId: randomUUID() } });
      assert.equal(unknownApp.status, 400, 'the user insert in this transaction is rolled back');
      assert.equal((await outbox().listByEventType('user.create')).length, before + 1, 'only the committed user');
      const lambda = await world.lambda(`function reconcile(user, registration, jwt, context) { context.reject('LoaTooLow', 'Nope'); }`);
      const provider = await world.provider({ lambdaConfiguration: { reconcileId: lambda } });
      const successes = (await outbox().listByEventType('user.login.success')).length;
      const rejected = await world.login(provider, await world.idToken());
      assert.equal(rejected.status, 403);
      assert.equal((await outbox().listByEventType('user.login.success')).length, successes);
      assert.equal((await outbox().listByEventType('user.create')).length, before + 1);
      await receiver.waitFor(() => receiver.ofType('user.login.failed').length >= 1, 'user.login.failed');
      const [failed] = receiver.ofType('user.login.failed');
      assert.deepEqual(failed.event.reason, { code: 'LoaTooLow' });
      assert.equal(failed.event.identityProviderId, provider);
      await world.server.api('DELETE', `/api/webhook/${webhookId}`);
    });

    it('with no webhook a login writes no outbox row; once one subscribes, a returning login writes just its user.login.success', async () => {
      const rows = async () => (await Promise.all((['pending', 'delivered', 'failed'] as const).map((s) => outbox().countByStatus(s)))).reduce((a, b) => a + b, 0);
      const provider = await world.provider();
      const before = await rows();
      const token = await world.idToken();
      for (let i = 0; i < 2; i++) assert.equal((await world.login(provider, token)).status, 200);
      assert.equal(await rows(), before, 'a first and a returning login, nobody subscribed: no row');
      const webhookId = await subscribe(['user.login.success', 'user.create']);
      const reply = await world.login(provider, token);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(await rows(), before + 1);
      const written = (await outbox().listByEventType('user.login.success')).filter((r) => r.webhookId === webhookId);
      assert.equal(written.length, 1);
      assert.equal((JSON.parse(written[0].body).event.user as { id: string }).id, reply.body.user.id);
      await world.server.api('DELETE', `/api/webhook/${webhookId}`);
    });

    it('an unsubscribed event type writes no outbox row', async () => {
      const webhookId = await subscribe(['user.delete']);
      assert.equal((await createUser(`quiet-${randomUUID()}@example.com`)).status, 200);
      const rows = await outbox().listByEventType('user.create');
      assert.ok(rows.every((r) => r.webhookId !== webhookId));
      await world.server.api('DELETE', `/api/webhook/${webhookId}`);
    });
  });
}
