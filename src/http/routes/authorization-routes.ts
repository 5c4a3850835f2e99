import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AUTHORIZATION_REQUEST_TTL_MS, bindingKeyOf } from '../../oauth/authorization-broker.js';
import { OAuthError } from '../../oauth/errors.js';
import type { Tenant } from '../../store/records.js';
import { parseFormBody } from '../form-body.js';
import { AuthorizationQuery, BrokerCallbackParams, BrokerCallbackQuery, TenantParams as TenantParamsSchema } from '../schemas/oauth-schemas.js';
import { oauthValidatorCompiler } from '../schemas/oauth-validator.js';
import type { HttpServices } from '../services.js';
import { answerLoginError, followStep, redirect } from '../pages/login-answers.js';
import { cookieValue, ssoSecretOf } from '../sso-cookie.js';

type Parameters = ReadonlyMap<string, string>;
type TenantParams = { Params: { tenant: string }; Querystring: Parameters; Body: Parameters };
type CallbackParams = { Params: { tenant: string; providerId: string }; Querystring: Parameters };

/**
 * The query string with the form rules of RFC 6749 §3.1: each parameter at most once, valid URL
 * encoding; Fastify's own parser would turn a repeated parameter into an array.
 */
const queryParams = (request: FastifyRequest): Map<string, string> => {
  const url = request.raw.url ?? '';
  const at = url.indexOf('?');
  return parseFormBody(at === -1 ? '' : url.slice(at + 1));
};

/** Replaces Fastify's query object with those parameters before the schema checks them. */
export const strictQuery = async (request: FastifyRequest): Promise<void> => {
  request.query = queryParams(request);
};

/** The browser-binding cookie of one login: only sent back to the callback path of its tenant. */
const BINDING_COOKIE = 'gh_authz_';

/**
 * The browser side of the authorization-code flow: `/t/{tenant}/oauth2/authorize` (GET, and POST
 * for SMART `authorize-post`) and the upstream provider's callback
 * `/t/{tenant}/broker/{providerId}/endpoint`. Errors after the redirect URI is known go back to
 * the client; earlier ones are answered here as OAuth JSON errors. A browser is shown the hosted
 * pages instead where the user has something to choose, fill in or read (login-answers.ts).
 */
export function registerAuthorizationRoutes(app: FastifyInstance, services: HttpServices, rateLimitConfig: Record<string, unknown>): void {
  const tenantOf = async (slug: string): Promise<Tenant> => {
    const tenant = await services.tenants.findBySlug(slug);
    if (!tenant) throw new OAuthError('invalid_tenant', 'Unknown tenant.');
    return tenant;
  };

  const answer = async (request: FastifyRequest, reply: FastifyReply, slug: string, work: (tenant: Tenant) => Promise<FastifyReply>, params?: Parameters): Promise<FastifyReply> => {
    let tenant: Tenant | undefined;
    try {
      tenant = await tenantOf(slug);
      return await work(tenant);
    } catch (error) {
      return answerLoginError(request, reply, services, tenant, error, params);
    }
  };

  const authorize = async (request: FastifyRequest<TenantParams>, reply: FastifyReply, params: Parameters) => {
    return answer(request, reply, request.params.tenant, async (tenant) => {
      const started = await services.authorizationBroker.start(tenant, params, ssoSecretOf(request));
      // Answered from the SSO session: no upstream login to bind.
      if (started.binding === undefined) return redirect(reply, started.url);
      const secure = services.config.publicUrl.startsWith('https:') ? '; Secure' : '';
      // SameSite=Lax: sent on the provider's top-level redirect back, not on cross-site requests.
      reply.header(
        'set-cookie',
        `${BINDING_COOKIE}${started.bindingKey}=${started.binding}; Path=/t/${tenant.slug}/broker; Max-Age=${AUTHORIZATION_REQUEST_TTL_MS / 1000}; HttpOnly; SameSite=Lax${secure}`,
      );
      return redirect(reply, started.url);
    }, params);
  };
  // Each request stores a pending login: the token endpoint's rate limit, when set, applies here too.
  const limited = { config: rateLimitConfig, validatorCompiler: oauthValidatorCompiler };
  const authorizeGet = { ...limited, preValidation: strictQuery, schema: { params: TenantParamsSchema, querystring: AuthorizationQuery } };
  app.get<TenantParams>('/t/:tenant/oauth2/authorize', authorizeGet, (request, reply) => authorize(request, reply, request.query));
  const authorizePost = { ...limited, schema: { params: TenantParamsSchema, body: AuthorizationQuery } };
  app.post<TenantParams>('/t/:tenant/oauth2/authorize', authorizePost, (request, reply) => authorize(request, reply, request.body));

  const callback = { ...limited, preValidation: strictQuery, schema: { params: BrokerCallbackParams, querystring: BrokerCallbackQuery } };
  app.get<CallbackParams>('/t/:tenant/broker/:providerId/endpoint', callback, async (request, reply) => {
    const params = request.query;
    const state = params.get('state');
    const name = state ? `${BINDING_COOKIE}${bindingKeyOf(state)}` : undefined;
    const binding = name ? cookieValue(request, name) : undefined;
    return answer(request, reply, request.params.tenant, async (tenant) => {
      // The cookie has served its purpose whatever the outcome.
      if (name) reply.header('set-cookie', `${name}=; Path=/t/${tenant.slug}/broker; Max-Age=0; HttpOnly; SameSite=Lax`);
      const step = await services.authorizationBroker.callback(tenant, request.params.providerId, params, binding, ssoSecretOf(request));
      return followStep(reply, services, tenant, step);
    });
  });
}
