import type { FastifyInstance } from 'fastify';
import type { ApplicationResult } from '../../admin/application-service.js';
import { resolveApiTenant } from '../api-auth.js';
import type { HttpServices } from '../services.js';

type IdParams = { Params: { id: string } };

/** The FusionAuth response shape; a new client secret appears in it exactly once. */
const view = ({ application, clientSecret }: ApplicationResult) => ({
  application: clientSecret ? { ...application, oauthConfiguration: { ...application.oauthConfiguration, clientSecret } } : application,
});

/** FusionAuth Application API: `/api/application`. */
export function registerApplicationRoutes(app: FastifyInstance, services: HttpServices): void {
  const { applications } = services;
  app.post<IdParams>('/api/application/:id', async (request) =>
    view(await applications.create(await resolveApiTenant(request, services), request.body, request.params.id)),
  );
  app.post('/api/application', async (request) => view(await applications.create(await resolveApiTenant(request, services), request.body)));
  app.get('/api/application', async (request) => ({ applications: await applications.list(await resolveApiTenant(request, services)) }));
  app.get<IdParams>('/api/application/:id', async (request) => ({
    application: await applications.get(await resolveApiTenant(request, services), request.params.id),
  }));
  app.put<IdParams>('/api/application/:id', async (request) =>
    view(await applications.update(await resolveApiTenant(request, services), request.params.id, request.body)),
  );
  app.patch<IdParams>('/api/application/:id', async (request) =>
    view(await applications.update(await resolveApiTenant(request, services), request.params.id, request.body, true)),
  );
  app.delete<IdParams>('/api/application/:id', async (request, reply) => {
    await applications.delete(await resolveApiTenant(request, services), request.params.id);
    return reply.status(200).send();
  });
}
