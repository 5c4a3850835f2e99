import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RoleInput } from '../../admin/role-service.js';
import { OAuthError } from '../../oauth/errors.js';
import { capabilityStatement, smartConfiguration } from '../../smart/smart-configuration.js';
import type { Tenant } from '../../store/records.js';
import { resolveApiTenant } from '../api-auth.js';
import { patched } from '../fusionauth-body.js';
import { IdParams, TenantHeaders } from '../schemas/common.js';
import { RoleBody } from '../schemas/role-schemas.js';
import type { HttpServices } from '../services.js';

type TenantParams = { Params: { tenant: string } };

/** SMART Backend Services / Koppeltaal: discovery, capability statement and the role admin API. */
export function registerSmartRoutes(app: FastifyInstance, services: HttpServices): void {
  const smartTenant = async (request: FastifyRequest<TenantParams>): Promise<Tenant> => {
    const tenant = await services.tenants.findBySlug(request.params.tenant);
    if (!tenant) throw new OAuthError('invalid_tenant', 'Unknown tenant.');
    if (!tenant.smartConfiguration?.enabled) throw new OAuthError('invalid_tenant', 'This tenant is not a SMART domain.');
    return tenant;
  };

  const discovery = async (request: FastifyRequest<TenantParams>, reply: FastifyReply) => {
    // CORS for any origin (SMART, TOP-KT-016): the rule of `cors.ts` for public documents.
    reply.header('cache-control', 'public, max-age=300').type('application/json; charset=utf-8');
    return smartConfiguration(services.config.publicUrl, await smartTenant(request), services.grants.types());
  };
  app.get<TenantParams>('/t/:tenant/fhir/.well-known/smart-configuration', discovery);
  app.get<TenantParams>('/t/:tenant/.well-known/smart-configuration', discovery);
  app.get<TenantParams>('/t/:tenant/fhir/metadata', async (request, reply) => {
    reply.type('application/fhir+json; charset=utf-8');
    return capabilityStatement(services.config.publicUrl, await smartTenant(request));
  });

  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { roles } = services;
  const tenant = (request: FastifyRequest) => resolveApiTenant(request, services);
  const withBody = { schema: { params: IdParams, headers: TenantHeaders, body: RoleBody } };
  const byId = { schema: { params: IdParams, headers: TenantHeaders } };
  api.post('/api/smart/role/:id', withBody, async (request) => ({ role: await roles.create(await tenant(request), request.body.role, request.params.id) }));
  api.post('/api/smart/role', { schema: { headers: TenantHeaders, body: RoleBody } }, async (request) => ({ role: await roles.create(await tenant(request), request.body.role) }));
  api.get('/api/smart/role', { schema: { headers: TenantHeaders } }, async (request) => ({ roles: await roles.list(await tenant(request)) }));
  api.get('/api/smart/role/:id', byId, async (request) => ({ role: await roles.get(await tenant(request), request.params.id) }));
  api.put('/api/smart/role/:id', withBody, async (request) => ({ role: await roles.update(await tenant(request), request.params.id, request.body.role) }));
  api.patch('/api/smart/role/:id', withBody, async (request) => {
    const tenantId = await tenant(request);
    const { id } = request.params;
    return { role: await roles.update(tenantId, id, await patched<RoleInput>(roles.get(tenantId, id), request.body.role)) };
  });
  api.delete('/api/smart/role/:id', byId, async (request, reply) => {
    await roles.delete(await tenant(request), request.params.id);
    return reply.status(200).send();
  });
  // The scopes an application would get now: a dry run for administrators.
  api.get('/api/smart/application/:id/scopes', byId, async (request) => {
    const tenantId = await tenant(request);
    const application = await services.applications.get(tenantId, request.params.id);
    const tenantObject = await services.tenants.get(tenantId);
    return { scopes: await services.smartPolicy.roleScopes(tenantObject, application) };
  });
}
