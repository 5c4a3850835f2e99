import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ApiError } from '../../lib/api-error.js';
import { RefreshTokenError } from '../../tokens/user-tokens.js';
import { answerLogin } from '../login-reply.js';
import { IdParams, TenantHeaders } from '../schemas/common.js';
import { LoginBody, OnboardingBody, RefreshBody } from '../schemas/login-schemas.js';
import type { HttpServices } from '../services.js';

/** These endpoints take no API key (as in FusionAuth): the external JWT or the refresh token is the credential. */
const PUBLIC = { public: true };
/** FusionAuth refresh tokens here are 256-bit random strings; anything longer is not one. */
const MAX_REFRESH_TOKEN = 512;

const tenantHeader = (request: FastifyRequest): string | undefined => {
  const value = request.headers['x-fusionauth-tenantid'];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * External JWT logins (FusionAuth `POST /api/identity-provider/login`, `POST /api/jwt/reconcile`),
 * onboarding completion and `POST /api/jwt/refresh`.
 */
export function registerLoginRoutes(fastify: FastifyInstance, { reconcile, userTokens }: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const login = { config: PUBLIC, schema: { headers: TenantHeaders, body: LoginBody } };
  app.post('/api/identity-provider/login', login, async (request, reply) => {
    const body = request.body;
    return answerLogin(reply, () =>
      reconcile.login({
        identityProviderId: body.identityProviderId,
        applicationId: body.applicationId,
        encodedJWT: body.encodedJWT ?? body.data?.token,
        tenantId: tenantHeader(request),
        noLink: body.noLink === true,
        noJWT: body.noJWT === true,
        authenticationType: 'FEDERATED_JWT',
      }),
    );
  });

  // The legacy reconcile API calls through to the login (fs#184); the token is `data.token`.
  app.post('/api/jwt/reconcile', login, async (request, reply) => {
    const body = request.body;
    return answerLogin(reply, () =>
      reconcile.login({
        identityProviderId: body.identityProviderId,
        applicationId: body.applicationId,
        encodedJWT: body.data?.token ?? body.encodedJWT,
        tenantId: tenantHeader(request),
        authenticationType: 'FEDERATED_JWT',
      }),
    );
  });

  app.post('/api/identity-provider/onboarding/:id/complete', { config: PUBLIC, schema: { params: IdParams, body: OnboardingBody } }, async (request, reply) => {
    const input = request.body.data ?? request.body.input ?? {};
    return answerLogin(reply, () => reconcile.completeOnboarding(request.params.id, input));
  });

  app.post('/api/jwt/refresh', { config: PUBLIC, schema: { body: RefreshBody } }, async (request, reply) => {
    const { refreshToken } = request.body;
    if (refreshToken === undefined || refreshToken === '' || refreshToken.length > MAX_REFRESH_TOKEN) {
      throw ApiError.field(400, 'refreshToken', 'blank', 'Give the refresh token as [refreshToken].');
    }
    try {
      const { tokens } = await userTokens.refresh(refreshToken);
      return reply.header('cache-control', 'no-store').send({ token: tokens.token, refreshToken: tokens.refreshToken, refreshTokenId: tokens.refreshTokenId });
    } catch (error) {
      if (error instanceof RefreshTokenError) throw ApiError.general(404, `[InvalidRefreshToken]${error.code}`, error.message);
      throw error;
    }
  });
}
