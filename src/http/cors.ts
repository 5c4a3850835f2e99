import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, onRequestHookHandler, RouteOptions } from 'fastify';
import type { HttpServices } from './services.js';

/**
 * CORS (Fetch standard, "CORS protocol") for the OAuth endpoints browser apps call: public
 * clients and SMART apps redeem their code, refresh, revoke and read userinfo from the browser.
 * The rule is by path, so a route gets it whenever it is registered, by whichever module:
 *
 * - public documents (discovery, JWKS, smart-configuration, the FHIR CapabilityStatement):
 *   `Access-Control-Allow-Origin: *`; anyone may read them, and they carry no secret.
 * - token, introspection, revocation, userinfo: only the origins a tenant's active applications
 *   register in `oauthConfiguration.authorizedOriginURLs`, echoed with `Vary: Origin`. A
 *   preflight carries no client identity, so the set is the tenant's; the endpoint still
 *   authenticates the client (or the bearer token) as before. Introspection is included on the
 *   same terms: its caller authenticates as a client, and a registered origin belongs to one.
 *
 * No credentials mode (`Access-Control-Allow-Credentials` is never sent): these endpoints read
 * no cookies. Nothing under `/api` matches, so the admin API never answers a cross-origin read.
 */
interface CorsRule {
  kind: 'public' | 'registered';
  /** Methods of the actual request (`Access-Control-Allow-Methods`). */
  methods: string;
  /** The route parameter that holds the tenant's slug. */
  tenantParam: string;
}

const PUBLIC_PATHS = [
  /^\/t\/:([^/]+)\/\.well-known\/[^/]+$/,
  /^\/\.well-known\/oauth-authorization-server\/t\/:([^/]+)$/,
  /^\/t\/:([^/]+)\/fhir\/(?:\.well-known\/smart-configuration|metadata)$/,
];
const REGISTERED_PATH = /^\/t\/:([^/]+)\/oauth2\/(token|introspect|revoke|userinfo)$/;

/** Headers a browser app may send (`Basic`/`Bearer` credentials, a form body). */
const ALLOWED_HEADERS = 'authorization, content-type';
/** How long a browser may cache a preflight: short, so a removed origin stops working soon. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** The CORS rule of a route URL as Fastify registers it (`/t/:tenant/oauth2/token`), if any. */
export function corsRuleOf(routeUrl: string): CorsRule | undefined {
  for (const pattern of PUBLIC_PATHS) {
    const match = pattern.exec(routeUrl);
    if (match) return { kind: 'public', methods: 'GET', tenantParam: match[1] };
  }
  const match = REGISTERED_PATH.exec(routeUrl);
  if (!match) return undefined;
  // OIDC Core §5.3.1: userinfo takes GET and POST; the others are POST only.
  return { kind: 'registered', methods: match[2] === 'userinfo' ? 'GET, POST' : 'POST', tenantParam: match[1] };
}

const kCorsPreflight = Symbol('gatehouse-cors-preflight');

/**
 * Registers the rule: an `onRoute` hook (so call this before the routes) that gives every
 * matching route its CORS headers and an `OPTIONS` route answering the preflight.
 */
export function registerCors(app: FastifyInstance, services: HttpServices): void {
  /** Whether `origin` is registered by an active application of the tenant named in the request. */
  const registered = async (request: FastifyRequest, rule: CorsRule): Promise<string | undefined> => {
    const origin = request.headers.origin;
    const slug = (request.params as Record<string, string | undefined>)[rule.tenantParam];
    if (typeof origin !== 'string' || !slug) return undefined;
    const tenant = await services.tenants.findBySlug(slug);
    if (!tenant) return undefined;
    return (await services.configuration.tenantOrigins(tenant.id)).has(origin) ? origin : undefined;
  };

  /** The headers of the actual request; the allowed origin, if any. */
  const allow = async (request: FastifyRequest, reply: FastifyReply, rule: CorsRule): Promise<boolean> => {
    if (rule.kind === 'public') {
      reply.header('access-control-allow-origin', '*');
      return true;
    }
    addVaryOrigin(reply);
    const origin = await registered(request, rule);
    if (!origin) return false;
    // RFC 6750 §3 and RFC 6749 §5.2 challenges are part of the answer a browser app must read.
    reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', 'WWW-Authenticate');
    return true;
  };

  const preflights = new Set<string>();
  app.addHook('onRoute', function (route: RouteOptions) {
    const rule = corsRuleOf(route.url);
    const methods = [route.method].flat();
    if (!rule || methods.includes('OPTIONS') || (route.config as Record<symbol, unknown> | undefined)?.[kCorsPreflight]) return;
    // Callback style, synchronous unless an origin must be looked up: a server-to-server request costs no promise.
    const onRequest: onRequestHookHandler = (request, reply, done) => {
      if (rule.kind === 'public') {
        reply.header('access-control-allow-origin', '*');
        return done();
      }
      if (request.headers.origin === undefined) {
        addVaryOrigin(reply);
        return done();
      }
      allow(request, reply, rule).then(() => done(), done);
    };
    // First, so the headers are on every answer, a rate limit's 429 and early errors included.
    route.onRequest = [onRequest, ...[route.onRequest ?? []].flat()];
    if (preflights.has(route.url)) return;
    preflights.add(route.url);
    const params = route.schema?.params;
    this.route({
      method: 'OPTIONS',
      url: route.url,
      config: { [kCorsPreflight]: true },
      // A transport detail, not an API operation: hidden from the OpenAPI document.
      schema: { hide: true, ...(params ? { params } : {}) } as FastifySchema,
      ...(params && route.validatorCompiler ? { validatorCompiler: route.validatorCompiler } : {}),
      handler: async (request, reply) => {
        // RFC 9110 §9.3.7: OPTIONS names the methods; the CORS headers only for an allowed origin.
        reply.header('allow', `OPTIONS, ${rule.methods}`);
        if (await allow(request, reply, rule)) {
          reply
            .header('access-control-allow-methods', rule.methods)
            .header('access-control-allow-headers', ALLOWED_HEADERS)
            .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS));
        }
        return reply.status(204).send();
      },
    });
  });
}

function addVaryOrigin(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  if (vary === undefined) reply.header('vary', 'Origin');
  else if (!String(vary).toLowerCase().split(/\s*,\s*/).includes('origin')) reply.header('vary', `${String(vary)}, Origin`);
}
