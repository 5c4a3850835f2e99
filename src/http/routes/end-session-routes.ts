import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { endSession } from '../../oauth/end-session.js';
import { OAuthError } from '../../oauth/errors.js';
import { EndSessionQuery, TenantParams as TenantParamsSchema } from '../schemas/oauth-schemas.js';
import { oauthValidatorCompiler } from '../schemas/oauth-validator.js';
import type { HttpServices } from '../services.js';
import { clearSsoCookie, ssoSecretOf } from '../sso-cookie.js';
import { strictQuery } from './authorization-routes.js';

type Parameters = ReadonlyMap<string, string>;
type TenantParams = { Params: { tenant: string }; Querystring: Parameters; Body: Parameters };

const LOGGED_OUT_PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Logged out</title></head><body><p>You are logged out.</p></body></html>';

/**
 * The end-session endpoint (OpenID Connect RP-Initiated Logout 1.0 §2: GET and POST, the
 * parameters as query or form) at `/t/{tenant}/oauth2/logout`. A refusal is RFC 6749-style JSON
 * from the one error handler, never a redirect.
 */
export function registerEndSessionRoutes(app: FastifyInstance, services: HttpServices, rateLimitConfig: Record<string, unknown>): void {
  const logout = async (request: FastifyRequest<TenantParams>, reply: FastifyReply, params: Parameters) => {
    const tenant = await services.tenants.findBySlug(request.params.tenant);
    if (!tenant) throw new OAuthError('invalid_tenant', 'Unknown tenant.');
    const answer = await endSession(services.oauth, tenant, params, ssoSecretOf(request));
    if (answer.clearCookie) clearSsoCookie(reply, services.config, tenant);
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    if (answer.redirect) return reply.redirect(answer.redirect, 302);
    return reply.type('text/html; charset=utf-8').send(LOGGED_OUT_PAGE);
  };
  const limited = { config: rateLimitConfig, validatorCompiler: oauthValidatorCompiler };
  app.get<TenantParams>('/t/:tenant/oauth2/logout', { ...limited, preValidation: strictQuery, schema: { params: TenantParamsSchema, querystring: EndSessionQuery } }, (request, reply) =>
    logout(request, reply, request.query),
  );
  app.post<TenantParams>('/t/:tenant/oauth2/logout', { ...limited, schema: { params: TenantParamsSchema, body: EndSessionQuery } }, (request, reply) => logout(request, reply, request.body));
}
