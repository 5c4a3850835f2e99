import type { FastifyInstance, FastifyRequest } from 'fastify';
import { globalKeyOnly } from '../api-auth.js';
import { searchCriteria } from '../search-criteria.js';
import type { HttpServices } from '../services.js';

/** FusionAuth Event Log API: global API keys only. */
export function registerEventLogRoutes(app: FastifyInstance, { eventLog }: HttpServices): void {
  const search = (request: FastifyRequest) => eventLog.search(searchCriteria(request));
  app.get('/api/system/event-log/search', globalKeyOnly, search);
  app.post('/api/system/event-log/search', globalKeyOnly, search);
  app.get<{ Params: { id: string } }>('/api/system/event-log/:id', globalKeyOnly, async (request) => ({ eventLog: await eventLog.get(request.params.id) }));
}
