import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TenantInput } from '../../admin/tenant-service.js';
import { requireGlobalKey } from '../api-auth.js';
import { patched } from '../fusionauth-body.js';
import { IdParams } from '../schemas/common.js';
import { TenantBody } from '../schemas/tenant-schemas.js';
import type { HttpServices } from '../services.js';

/** FusionAuth Tenant API: `/api/tenant`. */
export function registerTenantRoutes(fastify: FastifyInstance, { tenants }: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const withId = { schema: { params: IdParams, body: TenantBody } };
  app.post('/api/tenant/:id', withId, async (request) => {
    requireGlobalKey(request);
    return { tenant: await tenants.create(request.body.tenant, request.params.id) };
  });
  app.post('/api/tenant', { schema: { body: TenantBody } }, async (request) => {
    requireGlobalKey(request);
    return { tenant: await tenants.create(request.body.tenant) };
  });
  app.get('/api/tenant', async (request) => {
    const key = request.caller!.apiKey;
    const all = await tenants.list();
    return { tenants: key.tenantId ? all.filter((t) => t.id === key.tenantId) : all };
  });
  app.get('/api/tenant/:id', { schema: { params: IdParams } }, async (request) => {
    const key = request.caller!.apiKey;
    if (key.tenantId && key.tenantId !== request.params.id) requireGlobalKey(request);
    return { tenant: await tenants.get(request.params.id) };
  });
  app.put('/api/tenant/:id', withId, async (request) => {
    requireGlobalKey(request);
    return { tenant: await tenants.update(request.params.id, request.body.tenant) };
  });
  app.patch('/api/tenant/:id', withId, async (request) => {
    requireGlobalKey(request);
    const { id } = request.params;
    return { tenant: await tenants.update(id, await patched<TenantInput>(tenants.get(id), request.body.tenant)) };
  });
  // Gatehouse: a new active signing key (`gatehouse keys rotate`); the old one stays in the JWKS until the tokens it signed have expired.
  app.post('/api/tenant/:id/rotate-signing-key', { schema: { params: IdParams, summary: 'Rotate the tenant’s signing key (Gatehouse)' } }, async (request) => {
    requireGlobalKey(request);
    return { tenant: await tenants.rotateSigningKey(request.params.id) };
  });
  app.delete('/api/tenant/:id', { schema: { params: IdParams } }, async (request, reply) => {
    requireGlobalKey(request);
    await tenants.delete(request.params.id);
    return reply.status(200).send();
  });
}
