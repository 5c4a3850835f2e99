import type { FastifyInstance, FastifyRequest } from 'fastify';
import { handleIntrospection } from '../../oauth/introspection.js';
import { OAuthError } from '../../oauth/errors.js';
import { handleRevocation } from '../../oauth/revocation.js';
import { handleTokenRequest } from '../../oauth/token-endpoint.js';
import { authorizationServerMetadata } from '../../oauth/discovery.js';
import type { EndpointRequest } from '../../oauth/context.js';
import type { Tenant } from '../../store/records.js';
import { TenantParams as TenantParamsSchema, TokenForm, TokenReferenceForm } from '../schemas/oauth-schemas.js';
import { checkBasicClientId, oauthValidatorCompiler } from '../schemas/oauth-validator.js';
import type { HttpServices } from '../services.js';

type TenantParams = { Params: { tenant: string } };

/** Route options: the path schema (and form schema) checked by the OAuth validator. */
const tenantRoute = { schema: { params: TenantParamsSchema }, validatorCompiler: oauthValidatorCompiler };
const formRoute = (body: typeof TokenForm) => ({ schema: { params: TenantParamsSchema, body }, validatorCompiler: oauthValidatorCompiler });

/** The OAuth endpoints of each tenant, under `/t/{tenant}`; the issuer is `{publicUrl}/t/{tenant}`. */
export function registerOAuthRoutes(app: FastifyInstance, services: HttpServices, tokenRouteConfig: Record<string, unknown>): void {
  const tenantOf = async (slug: string): Promise<Tenant> => {
    const tenant = await services.tenants.findBySlug(slug);
    if (!tenant) throw new OAuthError('invalid_tenant', 'Unknown tenant.');
    return tenant;
  };

  const endpointRequest = async (request: FastifyRequest<TenantParams>): Promise<EndpointRequest> => {
    const tenant = await tenantOf(request.params.tenant);
    // RFC 6749 §3.2: the token endpoint takes application/x-www-form-urlencoded.
    if (!(request.body instanceof Map)) throw new OAuthError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded.');
    checkBasicClientId(request.headers.authorization);
    return { tenant, params: request.body as Map<string, string>, authorization: request.headers.authorization };
  };

  const metadata = async (request: FastifyRequest<TenantParams>) =>
    authorizationServerMetadata(services.oauth, await tenantOf(request.params.tenant), services.grants.types());

  app.get<TenantParams>('/t/:tenant/.well-known/openid-configuration', tenantRoute, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return metadata(request);
  });
  // RFC 8414 §3.1: the well-known suffix is inserted before the issuer's path.
  app.get<TenantParams>('/.well-known/oauth-authorization-server/t/:tenant', tenantRoute, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return metadata(request);
  });
  app.get<TenantParams>('/t/:tenant/.well-known/oauth-authorization-server', tenantRoute, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return metadata(request);
  });

  app.get<TenantParams>('/t/:tenant/.well-known/jwks.json', tenantRoute, async (request, reply) => {
    const tenant = await tenantOf(request.params.tenant);
    reply.header('cache-control', 'public, max-age=60');
    return services.keys.jwks(tenant.id);
  });

  app.post<TenantParams>('/t/:tenant/oauth2/token', { ...formRoute(TokenForm), config: tokenRouteConfig }, async (request, reply) => {
    const response = await handleTokenRequest(services.oauth, services.grants, await endpointRequest(request));
    // RFC 6749 §5.1: token responses are never cached.
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return response;
  });

  app.post<TenantParams>('/t/:tenant/oauth2/introspect', formRoute(TokenReferenceForm), async (request, reply) => {
    const response = await handleIntrospection(services.oauth, await endpointRequest(request));
    reply.header('cache-control', 'no-store');
    return response;
  });

  app.post<TenantParams>('/t/:tenant/oauth2/revoke', formRoute(TokenReferenceForm), async (request, reply) => {
    await handleRevocation(services.oauth, await endpointRequest(request));
    reply.header('cache-control', 'no-store');
    return reply.status(200).send();
  });
}
