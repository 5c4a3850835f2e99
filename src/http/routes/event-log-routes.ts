import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { globalKeyOnly } from '../api-auth.js';
import { EventLogIdParams, EventLogSearch, EventLogSearchBody } from '../schemas/event-log-schemas.js';
import type { HttpServices } from '../services.js';

/** FusionAuth Event Log API: global API keys only. */
export function registerEventLogRoutes(fastify: FastifyInstance, { eventLog }: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/system/event-log/search', { ...globalKeyOnly, schema: { querystring: EventLogSearch } }, async (request) => eventLog.search(request.query));
  app.post('/api/system/event-log/search', { ...globalKeyOnly, schema: { querystring: EventLogSearch, body: EventLogSearchBody } }, async (request) =>
    eventLog.search(request.body.search ?? request.query),
  );
  app.get('/api/system/event-log/:id', { ...globalKeyOnly, schema: { params: EventLogIdParams } }, async (request) => ({ eventLog: await eventLog.get(request.params.id) }));
}
