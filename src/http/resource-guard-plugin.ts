/**
 * The resource guard as Fastify hooks (`gatehouse/guard/fastify`): `authenticate` sets
 * `request.principal`; `require({ resourceType, interaction, resourceOrigin })` also authorizes
 * and sets `request.authorization` (for search: the origins to narrow to). Failures answer
 * 401 with `WWW-Authenticate: Bearer` or 403 `insufficient_scope` (RFC 6750 §3).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GuardError } from '../smart/resource-guard.js';
import type { AuthorizationDecision, Interaction, Principal, ResourceGuard } from '../smart/resource-guard.js';

export { createResourceGuard, GuardError } from '../smart/resource-guard.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    authorization: AuthorizationDecision | null;
  }
}

export interface RequiredPermission {
  resourceType: string | ((request: FastifyRequest) => string);
  interaction: Interaction;
  /** For read, update, delete: the stored resource's origin (`Device/<id>`). */
  resourceOrigin?: (request: FastifyRequest) => string | undefined | Promise<string | undefined>;
}

function reject(reply: FastifyReply, error: GuardError): FastifyReply {
  reply.header('www-authenticate', error.wwwAuthenticate).header('cache-control', 'no-store');
  return reply.status(error.status).send({ error: error.error ?? 'invalid_token', error_description: error.description });
}

export function fastifyResourceGuard(app: FastifyInstance, guard: ResourceGuard) {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', null);
  if (!app.hasRequestDecorator('authorization')) app.decorateRequest('authorization', null);
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      request.principal = await guard.authenticate(request.headers.authorization);
    } catch (error) {
      if (error instanceof GuardError) return reject(reply, error);
      throw error;
    }
  };
  return {
    authenticate,
    require(permission: RequiredPermission) {
      return async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          const principal = await guard.authenticate(request.headers.authorization);
          request.principal = principal;
          const resourceType = typeof permission.resourceType === 'function' ? permission.resourceType(request) : permission.resourceType;
          const resourceOrigin = permission.resourceOrigin ? await permission.resourceOrigin(request) : undefined;
          const decision = guard.authorize(principal, { resourceType, interaction: permission.interaction, resourceOrigin });
          if (!decision.allowed) throw new GuardError(403, 'insufficient_scope', decision.reason);
          request.authorization = decision;
        } catch (error) {
          if (error instanceof GuardError) return reject(reply, error);
          throw error;
        }
      };
    },
  };
}
