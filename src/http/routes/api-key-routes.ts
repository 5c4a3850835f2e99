import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isSuperuserKey } from '../../admin/api-key-service.js';
import { ApiError } from '../../lib/api-error.js';
import type { HttpServices } from '../services.js';

type IdParams = { Params: { id: string } };

/** Only superuser keys manage API keys, so no key can mint one with more power than it has. */
function requireSuperuser(request: FastifyRequest): void {
  if (!isSuperuserKey(request.caller!.apiKey)) throw new ApiError(401, {}, [], 'API key management needs a superuser key');
}

/** FusionAuth API Key API: `/api/api-key`. The key appears in the response to its creation only. */
export function registerApiKeyRoutes(app: FastifyInstance, { apiKeys }: HttpServices): void {
  app.post<IdParams>('/api/api-key/:id', async (request) => {
    requireSuperuser(request);
    const { apiKey, key } = await apiKeys.create(request.body, request.params.id);
    return { apiKey: { ...apiKey, key } };
  });
  app.post('/api/api-key', async (request) => {
    requireSuperuser(request);
    const { apiKey, key } = await apiKeys.create(request.body);
    return { apiKey: { ...apiKey, key } };
  });
  app.get('/api/api-key', async (request) => {
    requireSuperuser(request);
    return { apiKeys: await apiKeys.list() };
  });
  app.get<IdParams>('/api/api-key/:id', async (request) => {
    requireSuperuser(request);
    return { apiKey: await apiKeys.get(request.params.id) };
  });
  app.put<IdParams>('/api/api-key/:id', async (request) => {
    requireSuperuser(request);
    return { apiKey: await apiKeys.update(request.params.id, request.body) };
  });
  app.patch<IdParams>('/api/api-key/:id', async (request) => {
    requireSuperuser(request);
    return { apiKey: await apiKeys.update(request.params.id, request.body, true) };
  });
  app.delete<IdParams>('/api/api-key/:id', async (request, reply) => {
    requireSuperuser(request);
    if (request.params.id === request.caller!.apiKey.id) {
      await apiKeys.refuseLosingLastSuperuser(request.params.id, undefined);
      throw ApiError.general(400, '[CannotDeleteSelf]', 'An API key cannot delete itself.');
    }
    await apiKeys.delete(request.params.id);
    return reply.status(200).send();
  });
}
