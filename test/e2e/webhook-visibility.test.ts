import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { selectedKinds } from '../helpers/databases.js';
import { startIdpWorld } from '../helpers/idp-world.js';
import type { IdpWorld } from '../helpers/idp-world.js';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.js';
import { FAST_WEBHOOKS, startWebhookReceiver } from '../helpers/webhook-receiver.js';
import type { WebhookReceiver } from '../helpers/webhook-receiver.js';

/** What an operator sees of deliveries: failed attempts in the event log, in metrics, and per webhook in the API. */
for (const kind of selectedKinds()) {
  describe(`webhook deliveries are visible (${kind})`, () => {
    let world: IdpWorld;
    let receiver: WebhookReceiver;
    let webhookId: string;

    const attempts = async (outcome: string, eventType: string) => {
      const text = await (await fetch(world.server.gatehouse.metricsUrl!)).text();
      return sampleValue(parsePrometheusText(text), 'gatehouse_webhook_attempts_total', { event_type: eventType, outcome });
    };
    const deliveries = (query = '') => world.server.api('GET', `/api/webhook/${webhookId}/delivery${query}`);
    async function until(check: () => Promise<boolean>, what: string): Promise<void> {
      for (let i = 0; i < 3000; i++) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`timed out waiting for ${what}`);
    }

    before(async () => {
      receiver = await startWebhookReceiver();
      world = await startIdpWorld(kind, {}, { ...FAST_WEBHOOKS, webhookMaxAttempts: 2, metrics: true, metricsPort: 0 });
      const reply = await world.server.api('POST', '/api/webhook', { webhook: { url: receiver.url, global: true, eventsEnabled: { 'user.create': true, 'user.delete': true } } });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      webhookId = reply.body.webhook.id;
    });
    after(async () => {
      await world?.close();
      await receiver?.close();
    });

    it('a delivery that fails for good: an Error per attempt in the event log, retry and failed in metrics, and the delivery with its last error in the API', async () => {
      const created = await world.server.api('POST', '/api/user', { user: { email: `visible-${randomUUID()}@example.com` } });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      await until(async () => (await deliveries('?status=delivered')).body.total >= 1, 'the user.create delivered');
      const [retriesBefore, failedBefore] = [await attempts('retry', 'user.delete'), await attempts('failed', 'user.delete')];
      receiver.answerNext(500, 503);
      assert.equal((await world.server.api('DELETE', `/api/user/${created.body.user.id}`)).status, 200);
      await until(async () => (await deliveries('?status=failed')).body.total === 1, 'the user.delete marked failed');

      const failed = await deliveries('?status=failed');
      assert.equal(failed.status, 200, JSON.stringify(failed.body));
      const [delivery] = failed.body.deliveries;
      assert.equal(delivery.eventType, 'user.delete');
      assert.equal(delivery.status, 'failed');
      assert.equal(delivery.attempts, 2);
      assert.match(delivery.lastError, /answered 503/);
      assert.equal(typeof delivery.completedInstant, 'number');
      assert.equal(delivery.nextAttemptInstant, undefined, 'a finished delivery has no next attempt');
      assert.equal(delivery.body, undefined, 'the event body (user data) is not part of the view');
      assert.deepEqual(receiver.ofType('user.delete').map((a) => [a.event.id, a.status]), [[delivery.eventId, 500], [delivery.eventId, 503]]);

      const log = await world.server.api('GET', `/api/system/event-log/search?type=Error&message=${delivery.eventId}&orderBy=insertInstant%20ASC`);
      assert.deepEqual(
        log.body.eventLogs.map((e: { message: string }) => /attempt (\d) of 2 failed \(the receiver answered (\d+)\); (retrying|giving up)/.exec(e.message)?.slice(1)),
        [['1', '500', 'retrying'], ['2', '503', 'giving up']],
        JSON.stringify(log.body),
      );
      assert.equal(await attempts('retry', 'user.delete'), retriesBefore + 1);
      assert.equal(await attempts('failed', 'user.delete'), failedBefore + 1);
      assert.ok((await attempts('delivered', 'user.create')) >= 1);
      const histogram = parsePrometheusText(await (await fetch(world.server.gatehouse.metricsUrl!)).text());
      assert.ok(sampleValue(histogram, 'gatehouse_webhook_attempt_duration_seconds_count', { outcome: 'failed' }) >= 1);
    });

    it('lists every delivery newest first with its total, pages, and filters by status', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await world.server.api('POST', '/api/user', { user: { email: `page-${i}-${randomUUID()}@example.com` } })).status, 200);
      await until(async () => (await deliveries('?status=pending')).body.total === 0, 'nothing pending');
      const all = await deliveries();
      assert.equal(all.status, 200);
      assert.equal(all.body.total, all.body.deliveries.length);
      assert.ok(all.body.total >= 5, JSON.stringify(all.body));
      const instants = all.body.deliveries.map((d: { insertInstant: number }) => d.insertInstant);
      assert.deepEqual(instants, [...instants].sort((a, b) => b - a), 'newest first');
      const page = await deliveries('?startRow=1&numberOfResults=2');
      assert.equal(page.body.total, all.body.total);
      assert.deepEqual(page.body.deliveries.map((d: { id: string }) => d.id), all.body.deliveries.slice(1, 3).map((d: { id: string }) => d.id));
      const delivered = await deliveries('?status=delivered');
      assert.ok(delivered.body.deliveries.every((d: { status: string; attempts: number }) => d.status === 'delivered' && d.attempts === 1));
      assert.equal(delivered.body.total + 1, all.body.total, 'all but the failed one were delivered');
    });

    it('refuses a bad query with field errors and answers 404 for a webhook that does not exist', async () => {
      const negative = await deliveries('?startRow=-1');
      assert.equal(negative.status, 400, JSON.stringify(negative.body));
      const wrongStatus = await deliveries('?status=lost');
      assert.equal(wrongStatus.status, 400);
      assert.equal(wrongStatus.body.fieldErrors.status[0].code, '[invalid]status');
      const tooMany = await deliveries('?numberOfResults=1001');
      assert.equal(tooMany.status, 400);
      assert.equal(tooMany.body.fieldErrors.numberOfResults[0].code, '[invalid]numberOfResults');
      assert.equal((await world.server.api('GET', `/api/webhook/${randomUUID()}/delivery`)).status, 404);
    });
  });
}
