import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { WebhookInput } from '../../admin/webhook-service.js';
import { globalKeyOnly } from '../api-auth.js';
import { patched } from '../fusionauth-body.js';
import { IdParams } from '../schemas/common.js';
import { WebhookBody, WebhookDeliveryList, WebhookDeliveryQuery } from '../schemas/webhook-schemas.js';
import type { HttpServices } from '../services.js';

/** FusionAuth Webhook API: global objects, global API keys only. */
export function registerWebhookRoutes(fastify: FastifyInstance, { webhooks }: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const withBody = { ...globalKeyOnly, schema: { params: IdParams, body: WebhookBody } };
  const byId = { ...globalKeyOnly, schema: { params: IdParams } };
  app.post('/api/webhook/:id', withBody, async (request) => ({ webhook: await webhooks.create(request.body.webhook as WebhookInput, request.params.id) }));
  app.post('/api/webhook', { ...globalKeyOnly, schema: { body: WebhookBody } }, async (request) => ({ webhook: await webhooks.create(request.body.webhook as WebhookInput) }));
  app.get('/api/webhook', globalKeyOnly, async () => ({ webhooks: await webhooks.list() }));
  app.get('/api/webhook/:id', byId, async (request) => ({ webhook: await webhooks.get(request.params.id) }));
  app.get(
    '/api/webhook/:id/delivery',
    {
      ...globalKeyOnly,
      schema: {
        summary: 'The deliveries of a webhook (Gatehouse)',
        description: 'The outbox rows of one webhook, newest first: status, attempts so far, next attempt, last error. FusionAuth has no such API; each failed attempt is also an `Error` in the event log.',
        params: IdParams,
        querystring: WebhookDeliveryQuery,
        response: { 200: WebhookDeliveryList },
      },
    },
    async (request) => webhooks.deliveries(request.params.id, request.query),
  );
  app.put('/api/webhook/:id', withBody, async (request) => ({ webhook: await webhooks.update(request.params.id, request.body.webhook as WebhookInput) }));
  app.patch('/api/webhook/:id', withBody, async (request) => {
    const { id } = request.params;
    return { webhook: await webhooks.update(id, await patched<WebhookInput>(webhooks.get(id), request.body.webhook)) };
  });
  app.delete('/api/webhook/:id', byId, async (request, reply) => {
    await webhooks.delete(request.params.id);
    return reply.status(200).send();
  });
}
