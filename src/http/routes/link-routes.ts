import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JsonObject } from '../../store/records.js';
import { resolveApiTenant } from '../api-auth.js';
import type { HttpServices } from '../services.js';

/** FusionAuth Link API: `/api/identity-provider/link` (API key, `X-FusionAuth-TenantId`). */
export function registerLinkRoutes(app: FastifyInstance, services: HttpServices): void {
  const { links } = services;
  const tenant = (request: FastifyRequest) => resolveApiTenant(request, services);
  app.post('/api/identity-provider/link', async (request) => ({ identityProviderLink: await links.link(await tenant(request), request.body) }));
  app.get('/api/identity-provider/link', async (request) => links.find(await tenant(request), request.query as JsonObject));
  app.get<{ Params: { id: string } }>('/api/identity-provider/link/pending/:id', async (request) => links.pending(await tenant(request), request.params.id));
  app.delete('/api/identity-provider/link', async (request) => ({ identityProviderLink: await links.unlink(await tenant(request), request.query as JsonObject) }));
}
