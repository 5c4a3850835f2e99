import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApplicationInput, ApplicationResult } from '../../admin/application-service.js';
import { resolveApiTenant } from '../api-auth.js';
import { patched } from '../fusionauth-body.js';
import { ApplicationBody } from '../schemas/application-schemas.js';
import { IdParams, TenantHeaders } from '../schemas/common.js';
import type { HttpServices } from '../services.js';

/** The FusionAuth response shape; a new client secret appears in it exactly once. */
const view = ({ application, clientSecret }: ApplicationResult) => ({
  application: clientSecret ? { ...application, oauthConfiguration: { ...application.oauthConfiguration, clientSecret } } : application,
});

/** FusionAuth Application API: `/api/application`. */
export function registerApplicationRoutes(fastify: FastifyInstance, services: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { applications } = services;
  const byId = { schema: { params: IdParams, headers: TenantHeaders } };
  const withBody = { schema: { params: IdParams, headers: TenantHeaders, body: ApplicationBody } };
  app.post('/api/application/:id', withBody, async (request) =>
    view(await applications.create(await resolveApiTenant(request, services), request.body.application, request.params.id)),
  );
  app.post('/api/application', { schema: { headers: TenantHeaders, body: ApplicationBody } }, async (request) =>
    view(await applications.create(await resolveApiTenant(request, services), request.body.application)),
  );
  app.get('/api/application', { schema: { headers: TenantHeaders } }, async (request) => ({ applications: await applications.list(await resolveApiTenant(request, services)) }));
  app.get('/api/application/:id', byId, async (request) => ({
    application: await applications.get(await resolveApiTenant(request, services), request.params.id),
  }));
  app.put('/api/application/:id', withBody, async (request) =>
    view(await applications.update(await resolveApiTenant(request, services), request.params.id, request.body.application)),
  );
  app.patch('/api/application/:id', withBody, async (request) => {
    const tenantId = await resolveApiTenant(request, services);
    const { id } = request.params;
    return view(await applications.update(tenantId, id, await patched<ApplicationInput>(applications.get(tenantId, id), request.body.application)));
  });
  app.delete('/api/application/:id', byId, async (request, reply) => {
    await applications.delete(await resolveApiTenant(request, services), request.params.id);
    return reply.status(200).send();
  });
}
