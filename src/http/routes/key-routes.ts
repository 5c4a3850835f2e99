import type { FastifyInstance } from 'fastify';
import { unwrap } from '../../admin/request-body.js';
import type { GenerateKeyRequest, ImportKeyRequest } from '../../keys/key-service.js';
import { globalKeyOnly } from '../api-auth.js';
import type { HttpServices } from '../services.js';

type IdParams = { Params: { id: string } };

/** FusionAuth Key API: `/api/key` (generate, import, retrieve, delete). */
export function registerKeyRoutes(app: FastifyInstance, { keys }: HttpServices): void {
  const generate = (body: unknown, id?: string) => keys.generate({ ...(unwrap(body, 'key') as GenerateKeyRequest), ...(id ? { id } : {}) });
  const importKey = (body: unknown, id?: string) => keys.importKey({ ...(unwrap(body, 'key') as ImportKeyRequest), ...(id ? { id } : {}) });

  app.post<IdParams>('/api/key/generate/:id', globalKeyOnly, async (request) => ({ key: await generate(request.body, request.params.id) }));
  app.post('/api/key/generate', globalKeyOnly, async (request) => ({ key: await generate(request.body) }));
  app.post<IdParams>('/api/key/import/:id', globalKeyOnly, async (request) => ({ key: await importKey(request.body, request.params.id) }));
  app.post('/api/key/import', globalKeyOnly, async (request) => ({ key: await importKey(request.body) }));
  app.get('/api/key', globalKeyOnly, async () => ({ keys: await keys.list() }));
  app.get<IdParams>('/api/key/:id', globalKeyOnly, async (request) => ({ key: await keys.get(request.params.id) }));
  app.delete<IdParams>('/api/key/:id', globalKeyOnly, async (request, reply) => {
    await keys.delete(request.params.id);
    return reply.status(200).send();
  });
}
