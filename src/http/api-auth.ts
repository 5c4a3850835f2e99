import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiKeyAllows } from '../admin/api-key-service.js';
import { authenticateConsoleToken } from '../admin/console-token-authenticator.js';
import { ApiError } from '../lib/api-error.js';
import { isUuid } from '../lib/ids.js';
import type { ApiKey } from '../store/records.js';
import type { HttpServices } from './services.js';

export interface ApiCaller {
  /** The API key; for a console user's token, a superuser key scoped to the user's tenant (never stored). */
  apiKey: ApiKey;
  /** Set when the caller is an admin console user signed in through the tenant's login. */
  consoleUserId?: string;
}

/** RFC 6750 §2.1: `Bearer` and a token; Gatehouse API keys are sent without a scheme. */
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

declare module 'fastify' {
  interface FastifyRequest {
    caller: ApiCaller | null;
  }
}

/**
 * `/api` authentication: the `Authorization` header carries an API key (FusionAuth style, no
 * scheme). Keys are looked up by hash; endpoint permissions and tenant scoping are enforced.
 */
export function registerApiAuth(app: FastifyInstance, services: HttpServices): void {
  app.decorateRequest('caller', null);
  const authenticate = async (request: FastifyRequest) => {
    const presented = request.headers.authorization;
    const bearer = presented ? BEARER.exec(presented) : null;
    if (bearer) {
      request.caller = await consoleCaller(services, bearer[1]);
      return;
    }
    const apiKey = presented ? await services.apiKeys.authenticate(presented) : undefined;
    if (!apiKey) throw new ApiError(401, [], [], 'missing or unknown API key');
    const path = (request.routeOptions.url ?? request.url).split('?')[0];
    if (!apiKeyAllows(apiKey, request.method, concretePath(request, path))) throw new ApiError(401, [], [], `key ${apiKey.id} not allowed on ${request.method} ${path}`);
    request.caller = { apiKey };
  };
  // Attached per route at registration, so the OAuth endpoints never pass through it.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || route.config?.public === true) return;
    const existing = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
    route.preHandler = [authenticate, ...existing];
  });
}

/** A console user's access token as the caller, or the same bare 401 as an unknown API key (the reason's code in the log only). */
async function consoleCaller(services: HttpServices, token: string): Promise<ApiCaller> {
  const { config, oauth, keys, store, tenants } = services;
  const deps = { config, clock: oauth.clock, keys, store, tenantBySlug: (slug: string) => tenants.findBySlug(slug) };
  const result = await authenticateConsoleToken(deps, token);
  if (typeof result === 'string') throw new ApiError(401, [], [], `[${result}] console access token refused`);
  return { apiKey: result.apiKey, consoleUserId: result.userId };
}

/** The route path with its parameters filled in, for endpoint permission checks. */
function concretePath(request: FastifyRequest, pattern: string): string {
  const params = (request.params ?? {}) as Record<string, string>;
  return pattern.replace(/:([A-Za-z]+)/g, (_, name: string) => params[name] ?? '');
}

/**
 * The tenant of an `/api` call: `X-FusionAuth-TenantId` or `X-Tenant-Id`, else the key's tenant,
 * else the only tenant. A tenant-scoped key can never reach another tenant.
 */
export async function resolveApiTenant(request: FastifyRequest, services: HttpServices): Promise<string> {
  const fromHeaders = [request.headers['x-fusionauth-tenantid'], request.headers['x-tenant-id']].filter((v): v is string => typeof v === 'string');
  if (new Set(fromHeaders).size > 1) throw ApiError.general(400, '[TenantIdMismatch]', 'X-FusionAuth-TenantId and X-Tenant-Id differ.');
  const keyTenant = request.caller?.apiKey.tenantId;
  let tenantId = fromHeaders[0] ?? keyTenant;
  if (keyTenant && tenantId !== keyTenant) throw new ApiError(401, [], [], 'tenant-scoped key used for another tenant');
  if (!tenantId) {
    const tenants = await services.tenants.list();
    if (tenants.length !== 1) throw ApiError.general(400, '[TenantIdRequired]', 'More than one tenant exists: send X-FusionAuth-TenantId.');
    tenantId = tenants[0].id;
  }
  if (!isUuid(tenantId) || !(await services.store.tenants.findById(tenantId))) {
    throw ApiError.general(400, '[InvalidTenantId]', 'No tenant has the id given in X-FusionAuth-TenantId.');
  }
  return tenantId;
}

/** Only keys that are not tenant-scoped manage tenants, keys and API keys. */
export function requireGlobalKey(request: FastifyRequest): void {
  if (request.caller?.apiKey.tenantId) throw new ApiError(401, [], [], 'tenant-scoped key used on a global endpoint');
}

/** Route options for endpoints that only keys without a tenant may call (global resources). */
export const globalKeyOnly = { preHandler: async (request: FastifyRequest) => requireGlobalKey(request) };
