import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ApiError } from '../../lib/api-error.js';
import { isUuid } from '../../lib/ids.js';
import { resolveApiTenant } from '../api-auth.js';
import { TenantHeaders } from '../schemas/common.js';
import { RefreshTokensQuery } from '../schemas/jwt-schemas.js';
import { RevokeRefreshQuery } from '../schemas/login-schemas.js';
import type { RefreshTokenRecord } from '../../store/records.js';
import type { HttpServices } from '../services.js';

/** FusionAuth's RefreshToken object: ids and metadata, never the token (only its hash is stored). */
const refreshTokenView = (record: RefreshTokenRecord) => ({
  id: record.id,
  applicationId: record.applicationId,
  tenantId: record.tenantId,
  userId: record.userId,
  insertInstant: record.insertInstant,
  startInstant: record.startInstant,
  metaData: { scopes: record.scope ? record.scope.split(' ') : [] },
  data: {},
});

/**
 * FusionAuth "Retrieve Refresh Tokens" (API key): `GET /api/jwt/refresh?userId=` lists a user's
 * usable refresh tokens.
 * FusionAuth "Revoke Refresh Tokens" (API key): `DELETE /api/jwt/refresh?userId=[&applicationId=]`
 * revokes a user's refresh tokens (log out everywhere), `?token=` one token's whole family.
 */
export function registerRefreshTokenRoutes(fastify: FastifyInstance, services: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = services;
  const { refreshTokens } = services.userTokens;
  app.get('/api/jwt/refresh', { schema: { headers: TenantHeaders, querystring: RefreshTokensQuery } }, async (request) => {
    const tenantId = await resolveApiTenant(request, services);
    const { userId } = request.query;
    if (!isUuid(userId)) throw ApiError.general(400, '[MissingQuery]', 'Give userId.');
    const user = await store.users.findById(userId);
    if (!user || user.tenantId !== tenantId) throw ApiError.notFound();
    return { refreshTokens: (await refreshTokens.listByUser(userId)).map(refreshTokenView) };
  });
  app.delete('/api/jwt/refresh', { schema: { headers: TenantHeaders, querystring: RevokeRefreshQuery } }, async (request, reply) => {
    const tenantId = await resolveApiTenant(request, services);
    const { userId, applicationId, token } = request.query;
    if (typeof token === 'string' && token !== '') {
      if ((await refreshTokens.revoke(token, { tenantId })) === 'NOT_FOUND') throw ApiError.notFound();
      return reply.status(200).send();
    }
    if (!isUuid(userId)) throw ApiError.general(400, '[MissingQuery]', 'Give userId (and optionally applicationId), or token.');
    const user = await store.users.findById(userId);
    if (!user || user.tenantId !== tenantId) throw ApiError.notFound();
    await refreshTokens.revokeByUser(userId, isUuid(applicationId) ? applicationId : undefined);
    return reply.status(200).send();
  });
}
