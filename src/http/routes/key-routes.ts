import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { globalKeyOnly } from '../api-auth.js';
import { IdParams } from '../schemas/common.js';
import { GenerateKeyBody, ImportKeyBody } from '../schemas/key-schemas.js';
import type { HttpServices } from '../services.js';

/** FusionAuth Key API: `/api/key` (generate, import, retrieve, delete). */
export function registerKeyRoutes(fastify: FastifyInstance, { keys }: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const byId = { ...globalKeyOnly, schema: { params: IdParams } };
  app.post('/api/key/generate/:id', { ...globalKeyOnly, schema: { params: IdParams, body: GenerateKeyBody } }, async (request) => ({
    key: await keys.generate({ ...request.body.key, id: request.params.id }),
  }));
  app.post('/api/key/generate', { ...globalKeyOnly, schema: { body: GenerateKeyBody } }, async (request) => ({ key: await keys.generate(request.body.key) }));
  app.post('/api/key/import/:id', { ...globalKeyOnly, schema: { params: IdParams, body: ImportKeyBody } }, async (request) => ({
    key: await keys.importKey({ ...request.body.key, id: request.params.id }),
  }));
  app.post('/api/key/import', { ...globalKeyOnly, schema: { body: ImportKeyBody } }, async (request) => ({ key: await keys.importKey(request.body.key) }));
  app.get('/api/key', globalKeyOnly, async () => ({ keys: await keys.list() }));
  app.get('/api/key/:id', byId, async (request) => ({ key: await keys.get(request.params.id) }));
  app.delete('/api/key/:id', byId, async (request, reply) => {
    await keys.delete(request.params.id);
    return reply.status(200).send();
  });
}
