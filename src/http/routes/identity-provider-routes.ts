import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IdentityProviderInput } from '../../admin/identity-provider-service.js';
import { globalKeyOnly } from '../api-auth.js';
import { patched } from '../fusionauth-body.js';
import { IdParams, TenantHeaders } from '../schemas/common.js';
import {
  IdentityProviderBody,
  IdentityProviderSearch,
  IdentityProviderSearchBody,
  IdentityProviderTestBody,
  ImportConfigBody,
  LookupQuery,
} from '../schemas/identity-provider-schemas.js';
import type { HttpServices } from '../services.js';

/** FusionAuth Identity Provider API for External JWT providers (global API keys). */
export function registerIdentityProviderRoutes(fastify: FastifyInstance, { identityProviders, reconcile }: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/identity-provider/lookup', { config: { public: true }, schema: { querystring: LookupQuery, headers: TenantHeaders } }, async (request) =>
    identityProviders.lookup(request.query.domain, request.query.tenantId ?? request.headers['x-fusionauth-tenantid']),
  );
  // Gatehouse: a dry run of a login with an encoded JWT; every step is returned, nothing written.
  app.post('/api/identity-provider/:id/test', { ...globalKeyOnly, schema: { params: IdParams, headers: TenantHeaders, body: IdentityProviderTestBody } }, async (request) => ({
    result: await reconcile.dryRun(request.params.id, request.body.encodedJWT, request.body.applicationId, request.headers['x-fusionauth-tenantid']),
  }));
  // Keycloak's import-config: what a discovery document would configure; nothing is saved.
  app.post('/api/identity-provider/import-config', { ...globalKeyOnly, schema: { body: ImportConfigBody } }, async (request) => identityProviders.importConfig(request.body));
  app.get('/api/identity-provider/search', { ...globalKeyOnly, schema: { querystring: IdentityProviderSearch } }, async (request) => identityProviders.search(request.query));
  app.post('/api/identity-provider/search', { ...globalKeyOnly, schema: { querystring: IdentityProviderSearch, body: IdentityProviderSearchBody } }, async (request) =>
    identityProviders.search(request.body.search ?? request.query),
  );
  const withBody = { ...globalKeyOnly, schema: { params: IdParams, body: IdentityProviderBody } };
  const byId = { ...globalKeyOnly, schema: { params: IdParams } };
  app.post('/api/identity-provider/:id', withBody, async (request) => ({ identityProvider: await identityProviders.create(request.body.identityProvider, request.params.id) }));
  app.post('/api/identity-provider', { ...globalKeyOnly, schema: { body: IdentityProviderBody } }, async (request) => ({
    identityProvider: await identityProviders.create(request.body.identityProvider),
  }));
  app.get('/api/identity-provider', globalKeyOnly, async () => ({ identityProviders: await identityProviders.list() }));
  app.get('/api/identity-provider/:id', byId, async (request) => ({ identityProvider: await identityProviders.get(request.params.id) }));
  app.put('/api/identity-provider/:id', withBody, async (request) => ({ identityProvider: await identityProviders.update(request.params.id, request.body.identityProvider) }));
  app.patch('/api/identity-provider/:id', withBody, async (request) => {
    const { id } = request.params;
    return { identityProvider: await identityProviders.update(id, await patched<IdentityProviderInput>(identityProviders.current(id), request.body.identityProvider)) };
  });
  app.delete('/api/identity-provider/:id', byId, async (request, reply) => {
    await identityProviders.delete(request.params.id);
    return reply.status(200).send();
  });
}
