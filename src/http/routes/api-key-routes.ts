import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { isSuperuserKey } from '../../admin/api-key-service.js';
import type { ApiKeyInput } from '../../admin/api-key-service.js';
import { ApiError } from '../../lib/api-error.js';
import { patched } from '../fusionauth-body.js';
import { ApiKeyBody } from '../schemas/api-key-schemas.js';
import { IdParams } from '../schemas/common.js';
import type { HttpServices } from '../services.js';

/** Only superuser keys manage API keys, so no key can mint one with more power than it has. */
function requireSuperuser(request: FastifyRequest): void {
  if (!isSuperuserKey(request.caller!.apiKey)) throw new ApiError(401, [], [], 'API key management needs a superuser key');
}

/** FusionAuth API Key API: `/api/api-key`. The key appears in the response to its creation only. */
export function registerApiKeyRoutes(fastify: FastifyInstance, { apiKeys }: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const withBody = { schema: { params: IdParams, body: ApiKeyBody } };
  const byId = { schema: { params: IdParams } };
  app.post('/api/api-key/:id', withBody, async (request) => {
    requireSuperuser(request);
    const { apiKey, key } = await apiKeys.create(request.body.apiKey, request.params.id);
    return { apiKey: { ...apiKey, key } };
  });
  app.post('/api/api-key', { schema: { body: ApiKeyBody } }, async (request) => {
    requireSuperuser(request);
    const { apiKey, key } = await apiKeys.create(request.body.apiKey);
    return { apiKey: { ...apiKey, key } };
  });
  app.get('/api/api-key', async (request) => {
    requireSuperuser(request);
    return { apiKeys: await apiKeys.list() };
  });
  app.get('/api/api-key/:id', byId, async (request) => {
    requireSuperuser(request);
    return { apiKey: await apiKeys.get(request.params.id) };
  });
  app.put('/api/api-key/:id', withBody, async (request) => {
    requireSuperuser(request);
    return { apiKey: await apiKeys.update(request.params.id, request.body.apiKey) };
  });
  app.patch('/api/api-key/:id', withBody, async (request) => {
    requireSuperuser(request);
    const { id } = request.params;
    return { apiKey: await apiKeys.update(id, await patched<ApiKeyInput>(apiKeys.get(id), request.body.apiKey)) };
  });
  app.delete('/api/api-key/:id', byId, async (request, reply) => {
    requireSuperuser(request);
    if (request.params.id === request.caller!.apiKey.id) await apiKeys.refuseSelfDelete(request.params.id);
    await apiKeys.delete(request.params.id);
    return reply.status(200).send();
  });
}
