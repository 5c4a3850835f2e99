import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../lib/api-error.js';
import { isPlainObject } from '../../lib/base64url.js';
import { RefreshTokenError } from '../../tokens/user-tokens.js';
import type { JsonObject } from '../../store/records.js';
import { answerLogin } from '../login-reply.js';
import type { HttpServices } from '../services.js';

/** These endpoints take no API key (as in FusionAuth): the external JWT or the refresh token is the credential. */
const PUBLIC = { config: { public: true } };

const bodyOf = (request: FastifyRequest): JsonObject => {
  if (!isPlainObject(request.body)) throw ApiError.general(400, '[invalid]body', 'The request body must be a JSON object.');
  return request.body;
};

const tenantHeader = (request: FastifyRequest): string | undefined => {
  const value = request.headers['x-fusionauth-tenantid'];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * External JWT logins (FusionAuth `POST /api/identity-provider/login`, `POST /api/jwt/reconcile`),
 * onboarding completion and `POST /api/jwt/refresh`.
 */
export function registerLoginRoutes(app: FastifyInstance, { reconcile, userTokens }: HttpServices): void {
  app.post('/api/identity-provider/login', PUBLIC, async (request, reply) => {
    const body = bodyOf(request);
    return answerLogin(reply, () =>
      reconcile.login({
        identityProviderId: body.identityProviderId,
        applicationId: body.applicationId,
        encodedJWT: body.encodedJWT ?? (isPlainObject(body.data) ? body.data.token : undefined),
        tenantId: tenantHeader(request),
        noLink: body.noLink === true,
        noJWT: body.noJWT === true,
        authenticationType: 'FEDERATED_JWT',
      }),
    );
  });

  // The legacy reconcile API calls through to the login (fs#184); the token is `data.token`.
  app.post('/api/jwt/reconcile', PUBLIC, async (request, reply) => {
    const body = bodyOf(request);
    return answerLogin(reply, () =>
      reconcile.login({
        identityProviderId: body.identityProviderId,
        applicationId: body.applicationId,
        encodedJWT: (isPlainObject(body.data) ? body.data.token : undefined) ?? body.encodedJWT,
        tenantId: tenantHeader(request),
        authenticationType: 'FEDERATED_JWT',
      }),
    );
  });

  app.post<{ Params: { id: string } }>('/api/identity-provider/onboarding/:id/complete', PUBLIC, async (request, reply) => {
    const body = bodyOf(request);
    const input = body.data ?? body.input ?? {};
    if (!isPlainObject(input)) throw new ApiError(400, { data: [{ code: '[invalid]data', message: 'The collected data is a JSON object in [data].' }] });
    return answerLogin(reply, () => reconcile.completeOnboarding(request.params.id, input));
  });

  app.post('/api/jwt/refresh', PUBLIC, async (request, reply) => {
    const body = bodyOf(request);
    if (typeof body.refreshToken !== 'string' || body.refreshToken === '' || body.refreshToken.length > 512) {
      throw new ApiError(400, { refreshToken: [{ code: '[blank]refreshToken', message: 'Give the refresh token as [refreshToken].' }] });
    }
    try {
      const { tokens } = await userTokens.refresh(body.refreshToken);
      return reply.header('cache-control', 'no-store').send({ token: tokens.token, refreshToken: tokens.refreshToken, refreshTokenId: tokens.refreshTokenId });
    } catch (error) {
      if (error instanceof RefreshTokenError) throw ApiError.general(404, `[InvalidRefreshToken]${error.code}`, error.message);
      throw error;
    }
  });
}
