import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { issuerUrl } from '../../config/issuer-url.js';
import { parseCompactJws } from '../../jwt/jws.js';
import { ApiError } from '../../lib/api-error.js';
import type { Tenant } from '../../store/records.js';
import { verifyOwnAccessToken } from '../../tokens/access-token-verifier.js';
import { resolveApiTenant } from '../api-auth.js';
import { LIMITS, TenantHeaders } from '../schemas/common.js';
import { PublicKeyQuery } from '../schemas/jwt-schemas.js';
import type { HttpServices } from '../services.js';

const BEARER = /^Bearer ([A-Za-z0-9_.~+/=-]+)$/i;
const unauthorized = (detail: string) => new ApiError(401, [], [], detail);
const hasTenantHeader = (request: FastifyRequest) => request.headers['x-fusionauth-tenantid'] !== undefined || request.headers['x-tenant-id'] !== undefined;

/**
 * FusionAuth JWT API without an API key: `GET /api/jwt/validate` (the access token in
 * `Authorization: Bearer`) and `GET /api/jwt/public-key` (the published signing keys as PEM).
 */
export function registerJwtRoutes(fastify: FastifyInstance, services: HttpServices): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  /**
   * The tenant whose keys judge the token: the tenant headers when given, else the tenant the
   * token names as its issuer (`{publicUrl}/t/{slug}`; verification then requires that issuer
   * and that tenant's key), else the only tenant.
   */
  const tenantOfToken = async (request: FastifyRequest, token: string): Promise<Tenant | undefined> => {
    if (!hasTenantHeader(request)) {
      const parsed = parseCompactJws(token);
      const iss = typeof parsed === 'object' ? parsed.payload.iss : undefined;
      const prefix = `${services.config.publicUrl}/t/`;
      if (typeof iss === 'string' && iss.startsWith(prefix)) {
        const tenant = await services.tenants.findBySlug(iss.slice(prefix.length));
        if (tenant && issuerUrl(services.config.publicUrl, tenant) === iss) return tenant;
        return undefined;
      }
    }
    return services.store.tenants.findById(await resolveApiTenant(request, services));
  };

  const validate = {
    config: { public: true },
    schema: {
      summary: 'Validate an access token',
      description:
        'FusionAuth `validateJWT`: the access token in `Authorization: Bearer …`. Answers `{ jwt: {claims} }` for a live token of the tenant ' +
        '(signature by a published key, issuer, expiry, not revoked); 401 without a body otherwise.',
      headers: TenantHeaders,
      security: [{ bearer: [] }],
    },
  };
  app.get('/api/jwt/validate', validate, async (request) => {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match || match[1].length > LIMITS.jwt) throw unauthorized('no bearer token');
    const tenant = await tenantOfToken(request, match[1]);
    if (!tenant) throw unauthorized('the token names no tenant of this server');
    const claims = await verifyOwnAccessToken(services.oauth, tenant, match[1]);
    if (!claims) throw unauthorized('the token is not a live access token of the tenant');
    return { jwt: claims };
  });

  /** A tenant's published keys (the active one and retired ones still in the JWKS), PEM by kid. */
  const publicKeysOf = async (tenantIds: string[]): Promise<Record<string, string>> => {
    const keys = (await Promise.all(tenantIds.map((id) => services.keys.publishedKeys(id)))).flat();
    return Object.fromEntries(keys.filter((k) => k.publicKey).map((k) => [k.kid, k.publicKey!]));
  };
  const publicKey = {
    config: { public: true },
    schema: {
      summary: 'Retrieve the public keys that verify access tokens',
      description:
        'FusionAuth `retrieveJWTPublicKey(s)`: `?kid=` → `{ publicKey }` of that key; `?applicationId=` → `{ publicKey }` of the key signing ' +
        'its tokens now; neither → `{ publicKeys: { kid: PEM } }` of the tenant in the headers, or of every tenant without them.',
      headers: TenantHeaders,
      querystring: PublicKeyQuery,
    },
  };
  app.get('/api/jwt/public-key', publicKey, async (request) => {
    const { kid, applicationId } = request.query;
    if (applicationId !== undefined) {
      const application = await services.store.applications.findById(applicationId);
      if (!application || (hasTenantHeader(request) && application.tenantId !== (await resolveApiTenant(request, services)))) throw ApiError.notFound();
      const signing = await services.keys.signingKey(application.tenantId);
      const key = (await services.keys.publishedKeys(application.tenantId)).find((k) => k.id === signing.keyId);
      if (!key?.publicKey) throw ApiError.notFound();
      return { publicKey: key.publicKey };
    }
    const tenantIds = hasTenantHeader(request) ? [await resolveApiTenant(request, services)] : (await services.tenants.list()).map((t) => t.id);
    const keys = await publicKeysOf(tenantIds);
    if (kid === undefined) return { publicKeys: keys };
    if (!Object.hasOwn(keys, kid)) throw ApiError.notFound();
    return { publicKey: keys[kid] };
  });
}
