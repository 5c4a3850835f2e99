import type { FastifyInstance } from 'fastify';
import { requireGlobalKey } from '../api-auth.js';
import type { HttpServices } from '../services.js';

type IdParams = { Params: { id: string } };

/** FusionAuth Tenant API: `/api/tenant`. */
export function registerTenantRoutes(app: FastifyInstance, { tenants }: HttpServices): void {
  app.post<IdParams>('/api/tenant/:id', async (request) => {
    requireGlobalKey(request);
    return { tenant: await tenants.create(request.body, request.params.id) };
  });
  app.post('/api/tenant', async (request) => {
    requireGlobalKey(request);
    return { tenant: await tenants.create(request.body) };
  });
  app.get('/api/tenant', async (request) => {
    const key = request.caller!.apiKey;
    const all = await tenants.list();
    return { tenants: key.tenantId ? all.filter((t) => t.id === key.tenantId) : all };
  });
  app.get<IdParams>('/api/tenant/:id', async (request) => {
    const key = request.caller!.apiKey;
    if (key.tenantId && key.tenantId !== request.params.id) requireGlobalKey(request);
    return { tenant: await tenants.get(request.params.id) };
  });
  app.put<IdParams>('/api/tenant/:id', async (request) => {
    requireGlobalKey(request);
    return { tenant: await tenants.update(request.params.id, request.body) };
  });
  app.patch<IdParams>('/api/tenant/:id', async (request) => {
    requireGlobalKey(request);
    return { tenant: await tenants.update(request.params.id, request.body, true) };
  });
  app.delete<IdParams>('/api/tenant/:id', async (request, reply) => {
    requireGlobalKey(request);
    await tenants.delete(request.params.id);
    return reply.status(200).send();
  });
}
