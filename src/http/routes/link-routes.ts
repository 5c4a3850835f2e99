import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { resolveApiTenant } from '../api-auth.js';
import { IdParams, TenantHeaders } from '../schemas/common.js';
import { LinkBody, LinkQuery, PendingActionList, PendingActionQuery } from '../schemas/link-schemas.js';
import type { HttpServices } from '../services.js';

/** FusionAuth Link API: `/api/identity-provider/link` (API key, `X-FusionAuth-TenantId`). */
export function registerLinkRoutes(fastify: FastifyInstance, services: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { links, pendingActions } = services;
  const tenant = (request: FastifyRequest) => resolveApiTenant(request, services);
  app.post('/api/identity-provider/link', { schema: { headers: TenantHeaders, body: LinkBody } }, async (request) => {
    // FusionAuth takes the link wrapped in `identityProviderLink` or flat.
    const { identityProviderLink, pendingIdPLinkId, ...flat } = request.body;
    return { identityProviderLink: await links.link(await tenant(request), identityProviderLink ?? flat, pendingIdPLinkId) };
  });
  app.get('/api/identity-provider/link', { schema: { headers: TenantHeaders, querystring: LinkQuery } }, async (request) => links.find(await tenant(request), request.query));
  app.get('/api/identity-provider/link/pending/:id', { schema: { headers: TenantHeaders, params: IdParams } }, async (request) => links.pending(await tenant(request), request.params.id));
  app.get(
    '/api/identity-provider/pending',
    {
      schema: {
        summary: 'Pending links and onboardings of the tenant (Gatehouse)',
        description: 'Unexpired pending links (a CreatePendingLink login answered 232) and pending onboardings (a lambda\'s requireOnboarding), newest first. FusionAuth only looks one pending link up by id.',
        headers: TenantHeaders,
        querystring: PendingActionQuery,
        response: { 200: PendingActionList },
      },
    },
    async (request) => pendingActions.list(await tenant(request), request.query),
  );
  app.delete('/api/identity-provider/link', { schema: { headers: TenantHeaders, querystring: LinkQuery } }, async (request) => ({
    identityProviderLink: await links.unlink(await tenant(request), request.query),
  }));
}
