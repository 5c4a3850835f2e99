import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { consoleRedirectUri } from '../../admin/console-application-check.js';
import { issuerUrl, tokenEndpointUrl } from '../../config/issuer-url.js';
import { CONSOLE_PREFIX } from './console-assets.js';
import type { HttpServices } from '../services.js';

const SignInOptions = Type.Object({
  tenant: Type.String({ description: 'The tenant slug.' }),
  clientId: Type.String({ description: 'The console application: a public client (token_endpoint_auth_method none).' }),
  authorizationEndpoint: Type.String(),
  tokenEndpoint: Type.String(),
  redirectUri: Type.String(),
});

/**
 * `GET /admin/sign-in-options/{tenant}`: what the console needs to sign in through one tenant's
 * login (authorization code with PKCE, RFC 6749 §4.1 and RFC 7636): the console application's
 * client id and the tenant's endpoints. Public and non-secret; one tenant per request, so tenants
 * cannot be listed. 404 when the tenant does not exist or designates no console application.
 */
export function registerConsoleSignInRoutes(fastify: FastifyInstance, { config, tenants, store }: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const schema = {
    summary: 'How the console signs in through a tenant’s login',
    params: Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 63 }) }),
    response: { 200: SignInOptions, 404: { type: 'null', description: 'No such tenant, or it has no console application.' } },
  };
  app.get(`${CONSOLE_PREFIX}/sign-in-options/:tenant`, { schema }, async (request, reply) => {
    const tenant = await tenants.findBySlug(request.params.tenant);
    const applicationId = tenant?.adminConsoleApplicationId;
    const application = applicationId ? await store.applications.findById(applicationId) : undefined;
    if (!tenant || !application || !application.active || application.tenantId !== tenant.id) return reply.status(404).header('cache-control', 'no-store').send();
    reply.header('cache-control', 'no-store');
    return {
      tenant: tenant.slug,
      clientId: application.oauthConfiguration.clientId,
      authorizationEndpoint: `${issuerUrl(config.publicUrl, tenant)}/oauth2/authorize`,
      tokenEndpoint: tokenEndpointUrl(config.publicUrl, tenant),
      redirectUri: consoleRedirectUri(config.publicUrl),
    };
  });
}
