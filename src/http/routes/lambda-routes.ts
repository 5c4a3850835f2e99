import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { LambdaInput } from '../../admin/lambda-service.js';
import { globalKeyOnly } from '../api-auth.js';
import { shallowPatched } from '../fusionauth-body.js';
import { IdParams } from '../schemas/common.js';
import { LambdaBody, LambdaQuery, LambdaSearch, LambdaSearchBody, LambdaTestBody } from '../schemas/lambda-schemas.js';
import type { HttpServices } from '../services.js';

/** FusionAuth Lambda API (global resources, global API keys only), plus Gatehouse's dry run. */
export function registerLambdaRoutes(fastify: FastifyInstance, { lambdas }: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const withBody = { ...globalKeyOnly, schema: { params: IdParams, body: LambdaBody } };
  const byId = { ...globalKeyOnly, schema: { params: IdParams } };
  app.get('/api/lambda/search', { ...globalKeyOnly, schema: { querystring: LambdaSearch } }, async (request) => lambdas.search(request.query));
  app.post('/api/lambda/search', { ...globalKeyOnly, schema: { querystring: LambdaSearch, body: LambdaSearchBody } }, async (request) =>
    lambdas.search(request.body.search ?? request.query),
  );
  app.post('/api/lambda/:id/test', { ...globalKeyOnly, schema: { params: IdParams, body: LambdaTestBody } }, async (request) => ({
    result: await lambdas.test(request.params.id, request.body),
  }));
  app.post('/api/lambda/:id', withBody, async (request) => ({ lambda: await lambdas.create(request.body.lambda, request.params.id) }));
  app.post('/api/lambda', { ...globalKeyOnly, schema: { body: LambdaBody } }, async (request) => ({ lambda: await lambdas.create(request.body.lambda) }));
  app.get('/api/lambda', { ...globalKeyOnly, schema: { querystring: LambdaQuery } }, async (request) => ({ lambdas: await lambdas.list(request.query.type) }));
  app.get('/api/lambda/:id', byId, async (request) => ({ lambda: await lambdas.get(request.params.id) }));
  app.put('/api/lambda/:id', withBody, async (request) => ({ lambda: await lambdas.update(request.params.id, request.body.lambda) }));
  app.patch('/api/lambda/:id', withBody, async (request) => {
    const { id } = request.params;
    return { lambda: await lambdas.update(id, await shallowPatched<LambdaInput>(lambdas.get(id), request.body.lambda)) };
  });
  app.delete('/api/lambda/:id', byId, async (request, reply) => {
    await lambdas.delete(request.params.id);
    return reply.status(200).send();
  });
}
