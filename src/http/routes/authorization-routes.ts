import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizationRedirectError, errorRedirect } from '../../oauth/authorization-request.js';
import { issuerOf } from '../../oauth/context.js';
import { OAuthError } from '../../oauth/errors.js';
import type { Tenant } from '../../store/records.js';
import { parseFormBody } from '../form-body.js';
import type { HttpServices } from '../services.js';

type TenantParams = { Params: { tenant: string } };
type CallbackParams = { Params: { tenant: string; providerId: string } };

/**
 * The query string with the form rules of RFC 6749 §3.1: each parameter at most once, valid URL
 * encoding; Fastify's own parser would turn a repeated parameter into an array.
 */
const queryParams = (request: FastifyRequest): Map<string, string> => {
  const url = request.raw.url ?? '';
  const at = url.indexOf('?');
  return parseFormBody(at === -1 ? '' : url.slice(at + 1));
};

/** A browser redirect: 302 with no caching (RFC 6749 §4.1.2 responses carry codes). */
const redirect = (reply: FastifyReply, location: string): FastifyReply =>
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache').redirect(location, 302);

/**
 * The browser side of the authorization-code flow: `/t/{tenant}/oauth2/authorize` (GET, and POST
 * for SMART `authorize-post`) and the upstream provider's callback
 * `/t/{tenant}/broker/{providerId}/endpoint`. Errors after the redirect URI is known go back to
 * the client; earlier ones are answered here as OAuth JSON errors.
 */
export function registerAuthorizationRoutes(app: FastifyInstance, services: HttpServices): void {
  const tenantOf = async (slug: string): Promise<Tenant> => {
    const tenant = await services.tenants.findBySlug(slug);
    if (!tenant) throw new OAuthError('invalid_tenant', 'Unknown tenant.');
    return tenant;
  };

  const answer = async (reply: FastifyReply, tenant: Tenant, work: () => Promise<string>): Promise<FastifyReply> => {
    try {
      return redirect(reply, await work());
    } catch (error) {
      if (!(error instanceof AuthorizationRedirectError)) throw error;
      reply.request.log.info({ oauthError: error.error }, 'authorization request refused');
      return redirect(reply, errorRedirect(error, issuerOf(services.config, tenant)));
    }
  };

  const authorize = async (request: FastifyRequest<TenantParams>, reply: FastifyReply, params: Map<string, string>) => {
    const tenant = await tenantOf(request.params.tenant);
    return answer(reply, tenant, () => services.authorizationBroker.start(tenant, params));
  };
  app.get<TenantParams>('/t/:tenant/oauth2/authorize', (request, reply) => authorize(request, reply, queryParams(request)));
  app.post<TenantParams>('/t/:tenant/oauth2/authorize', (request, reply) => {
    if (!(request.body instanceof Map)) throw new OAuthError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded.');
    return authorize(request, reply, request.body as Map<string, string>);
  });

  app.get<CallbackParams>('/t/:tenant/broker/:providerId/endpoint', async (request, reply) => {
    const tenant = await tenantOf(request.params.tenant);
    const params = queryParams(request);
    return answer(reply, tenant, () => services.authorizationBroker.callback(tenant, request.params.providerId, params));
  });
}
