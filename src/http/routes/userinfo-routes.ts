import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../oauth/errors.js';
import { userInfo } from '../../oauth/userinfo.js';
import type { Tenant } from '../../store/records.js';
import { TenantParams as TenantParamsSchema, UserInfoForm } from '../schemas/oauth-schemas.js';
import { oauthValidatorCompiler } from '../schemas/oauth-validator.js';
import type { HttpServices } from '../services.js';

type Parameters = ReadonlyMap<string, string>;

/** A POST without a body (the token in the header) is an empty form. */
const emptyFormWhenNoBody = async (request: FastifyRequest): Promise<void> => {
  if (request.body === undefined || request.body === null) request.body = new Map<string, string>();
};

/**
 * Mounts the UserInfo endpoint (OIDC Core §5.3, GET and POST) at `path`, for the tenant
 * `tenantOf` finds for a request: `/t/{tenant}/oauth2/userinfo` here; FusionAuth's root
 * `/oauth2/userinfo` can be mounted with its own way of finding the tenant. The claims are
 * answered as JSON, never cached.
 */
export function mountUserInfo(app: FastifyInstance, services: HttpServices, path: string, tenantOf: (request: FastifyRequest) => Promise<Tenant>, paramsSchema?: object): void {
  const answer = async (request: FastifyRequest, reply: FastifyReply, formToken: string | undefined) => {
    const claims = await userInfo(services.oauth, await tenantOf(request), { authorization: request.headers.authorization, formToken });
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return claims;
  };
  const params = paramsSchema ? { params: paramsSchema } : {};
  app.get(path, { schema: { ...params }, validatorCompiler: oauthValidatorCompiler }, (request, reply) => answer(request, reply, undefined));
  app.post(path, { preValidation: emptyFormWhenNoBody, schema: { ...params, body: UserInfoForm }, validatorCompiler: oauthValidatorCompiler }, (request, reply) =>
    answer(request, reply, (request.body as Parameters).get('access_token')),
  );
}

/** `/t/{tenant}/oauth2/userinfo`. */
export function registerUserInfoRoutes(app: FastifyInstance, services: HttpServices): void {
  mountUserInfo(
    app,
    services,
    '/t/:tenant/oauth2/userinfo',
    async (request) => {
      const tenant = await services.tenants.findBySlug((request.params as { tenant: string }).tenant);
      if (!tenant) throw new OAuthError('invalid_tenant', 'Unknown tenant.');
      return tenant;
    },
    TenantParamsSchema,
  );
}
