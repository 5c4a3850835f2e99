import type { FastifyInstance, FastifyRequest } from 'fastify';
import { globalKeyOnly } from '../api-auth.js';
import { searchCriteria } from '../search-criteria.js';
import type { HttpServices } from '../services.js';

type IdParams = { Params: { id: string } };

/** FusionAuth Identity Provider API for External JWT providers (global API keys). */
export function registerIdentityProviderRoutes(app: FastifyInstance, { identityProviders, reconcile }: HttpServices): void {
  app.get<{ Querystring: { domain?: string; tenantId?: string } }>('/api/identity-provider/lookup', { config: { public: true } }, async (request) =>
    identityProviders.lookup(request.query.domain, request.query.tenantId ?? request.headers['x-fusionauth-tenantid']),
  );
  // Gatehouse: a dry run of a login with an encoded JWT; every step is returned, nothing written.
  app.post<IdParams>('/api/identity-provider/:id/test', globalKeyOnly, async (request) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const tenantId = request.headers['x-fusionauth-tenantid'];
    return { result: await reconcile.dryRun(request.params.id, body.encodedJWT, body.applicationId, typeof tenantId === 'string' ? tenantId : undefined) };
  });
  const search = (request: FastifyRequest) => identityProviders.search(searchCriteria(request));
  app.get('/api/identity-provider/search', globalKeyOnly, search);
  app.post('/api/identity-provider/search', globalKeyOnly, search);
  app.post<IdParams>('/api/identity-provider/:id', globalKeyOnly, async (request) => ({ identityProvider: await identityProviders.create(request.body, request.params.id) }));
  app.post('/api/identity-provider', globalKeyOnly, async (request) => ({ identityProvider: await identityProviders.create(request.body) }));
  app.get('/api/identity-provider', globalKeyOnly, async () => ({ identityProviders: await identityProviders.list() }));
  app.get<IdParams>('/api/identity-provider/:id', globalKeyOnly, async (request) => ({ identityProvider: await identityProviders.get(request.params.id) }));
  app.put<IdParams>('/api/identity-provider/:id', globalKeyOnly, async (request) => ({ identityProvider: await identityProviders.update(request.params.id, request.body) }));
  app.patch<IdParams>('/api/identity-provider/:id', globalKeyOnly, async (request) => ({ identityProvider: await identityProviders.update(request.params.id, request.body, true) }));
  app.delete<IdParams>('/api/identity-provider/:id', globalKeyOnly, async (request, reply) => {
    await identityProviders.delete(request.params.id);
    return reply.status(200).send();
  });
}
