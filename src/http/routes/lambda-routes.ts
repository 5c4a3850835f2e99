import type { FastifyInstance, FastifyRequest } from 'fastify';
import { globalKeyOnly } from '../api-auth.js';
import { searchCriteria } from '../search-criteria.js';
import type { HttpServices } from '../services.js';

type IdParams = { Params: { id: string } };

/** FusionAuth Lambda API (global resources, global API keys only), plus Gatehouse's dry run. */
export function registerLambdaRoutes(app: FastifyInstance, { lambdas }: HttpServices): void {
  const search = (request: FastifyRequest) => lambdas.search(searchCriteria(request));
  app.get('/api/lambda/search', globalKeyOnly, search);
  app.post('/api/lambda/search', globalKeyOnly, search);
  app.post<IdParams>('/api/lambda/:id/test', globalKeyOnly, async (request) => ({ result: await lambdas.test(request.params.id, request.body) }));
  app.post<IdParams>('/api/lambda/:id', globalKeyOnly, async (request) => ({ lambda: await lambdas.create(request.body, request.params.id) }));
  app.post('/api/lambda', globalKeyOnly, async (request) => ({ lambda: await lambdas.create(request.body) }));
  app.get<{ Querystring: { type?: string } }>('/api/lambda', globalKeyOnly, async (request) => ({ lambdas: await lambdas.list(request.query.type) }));
  app.get<IdParams>('/api/lambda/:id', globalKeyOnly, async (request) => ({ lambda: await lambdas.get(request.params.id) }));
  app.put<IdParams>('/api/lambda/:id', globalKeyOnly, async (request) => ({ lambda: await lambdas.update(request.params.id, request.body) }));
  app.patch<IdParams>('/api/lambda/:id', globalKeyOnly, async (request) => ({ lambda: await lambdas.update(request.params.id, request.body, true) }));
  app.delete<IdParams>('/api/lambda/:id', globalKeyOnly, async (request, reply) => {
    await lambdas.delete(request.params.id);
    return reply.status(200).send();
  });
}
