import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import { freePort, startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';
import { FAST_WEBHOOKS, startWebhookReceiver } from '../helpers/webhook-receiver.js';

const subscribe = async (server: TestServer, url: string) => {
  const reply = await server.api('POST', '/api/webhook', { webhook: { url, global: true, eventsEnabled: { 'user.create': true } } });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
};

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const kind of selectedKinds()) {
  describe(`webhook outbox durability (${kind})`, () => {
    it('an event not yet delivered when the node stops is delivered by the next node on the same database', async () => {
      const db = await createTestDatabase(kind);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/hook`;
      // The receiver is down: every attempt of the first node fails.
      const first = await startTestServer(db, { config: { ...FAST_WEBHOOKS, webhookMaxAttempts: 100 } });
      let receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;
      let second: TestServer | undefined;
      let firstOpen = true;
      try {
        await subscribe(first, url);
        const created = await first.api('POST', '/api/user', { user: { email: `restart-${randomUUID()}@example.com` } });
        assert.equal(created.status, 200);
        const outbox = first.gatehouse.services.store.webhookOutbox;
        await until(async () => (await outbox.listByEventType('user.create'))[0]?.attempts >= 1, 'a failed first attempt');
        await first.close();
        firstOpen = false;
        receiver = await startWebhookReceiver(port);
        second = await startTestServer(db, { config: { ...FAST_WEBHOOKS, webhookMaxAttempts: 100 } });
        await receiver.waitFor((a) => a.length >= 1, 'the delivery after the restart');
        assert.equal((receiver.arrivals[0].event.user as { id: string }).id, created.body.user.id);
        const [row] = await second.gatehouse.services.store.webhookOutbox.listByEventType('user.create');
        await until(async () => (await second!.gatehouse.services.store.webhookOutbox.findById(row.id))?.status === 'delivered', 'the row marked delivered');
      } finally {
        if (firstOpen) await first.close();
        await second?.close();
        await receiver?.close();
        await db.drop();
      }
    });

    it('a node with webhook delivery off writes the event to the outbox and leaves it to a node that delivers', async () => {
      const db = await createTestDatabase(kind);
      const receiver = await startWebhookReceiver();
      const writer = await startTestServer(db, { config: { ...FAST_WEBHOOKS, webhookDelivery: false } });
      let writerOpen = true;
      let deliverer: TestServer | undefined;
      try {
        await subscribe(writer, receiver.url);
        const created = await writer.api('POST', '/api/user', { user: { email: `writer-${randomUUID()}@example.com` } });
        assert.equal(created.status, 200);
        // Fifty of the delivering nodes' poll intervals: this node never attempts it.
        await new Promise((resolve) => setTimeout(resolve, 50 * FAST_WEBHOOKS.webhookPollIntervalMs));
        const [row] = await writer.gatehouse.services.store.webhookOutbox.listByEventType('user.create');
        assert.equal(row.status, 'pending');
        assert.equal(row.attempts, 0);
        assert.equal(receiver.arrivals.length, 0);
        await writer.close();
        writerOpen = false;
        deliverer = await startTestServer(db, { config: FAST_WEBHOOKS });
        await receiver.waitFor((a) => a.length >= 1, 'the delivery by the delivering node');
        assert.equal((receiver.arrivals[0].event.user as { id: string }).id, created.body.user.id);
      } finally {
        if (writerOpen) await writer.close();
        await deliverer?.close();
        await receiver.close();
        await db.drop();
      }
    });

    it('two nodes on one database deliver every event exactly once', { skip: kind !== 'postgres' && 'several nodes share PostgreSQL only' }, async () => {
      const db = await createTestDatabase(kind);
      const receiver = await startWebhookReceiver();
      const config = { ...FAST_WEBHOOKS, webhookMaxAttempts: 100 };
      const nodes = [await startTestServer(db, { config }), await startTestServer(db, { config })];
      const EVENTS = 40;
      let open = true;
      try {
        await subscribe(nodes[0], receiver.url);
        for (let i = 0; i < EVENTS; i++) {
          const reply = await nodes[i % 2].api('POST', '/api/user', { user: { email: `node-${i}-${randomUUID()}@example.com` } });
          assert.equal(reply.status, 200, JSON.stringify(reply.body));
        }
        await receiver.waitFor((a) => new Set(a.map((x) => x.event.id)).size >= EVENTS, `${EVENTS} distinct events`);
        const outbox = nodes[0].gatehouse.services.store.webhookOutbox;
        await until(async () => (await outbox.countByStatus('delivered')) === EVENTS, 'every row delivered');
        // Stopping waits for deliveries in flight: any duplicate would have arrived by now.
        await Promise.all(nodes.map((n) => n.close()));
        open = false;
        const perEvent = new Map<string, number>();
        for (const arrival of receiver.arrivals) perEvent.set(arrival.event.id, (perEvent.get(arrival.event.id) ?? 0) + 1);
        assert.equal(perEvent.size, EVENTS);
        assert.deepEqual([...new Set(perEvent.values())], [1], 'each event id arrived exactly once');
      } finally {
        if (open) await Promise.all(nodes.map((n) => n.close()));
        await receiver.close();
        await db.drop();
      }
    });
  });
}
