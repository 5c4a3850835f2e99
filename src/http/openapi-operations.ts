import type { FastifySchema, RouteOptions } from 'fastify';

/**
 * How one route is described in the OpenAPI document, derived from the route itself so every
 * route (today's and those added later) is documented the same way: its tag (the API group), its
 * security (API key, OAuth client authentication or none), the error responses its edge can
 * answer, and the path parameters a route without a params schema still has. Only the document
 * is affected: validation and serialization use the route's own schema, untouched.
 */

interface Tag {
  name: string;
  description: string;
}

/** API groups, most specific prefix first. */
const GROUPS: { prefix: string; tag: Tag }[] = [
  { prefix: '/api/user/registration', tag: { name: 'Registration', description: 'FusionAuth Registration API: a user\'s registration for an application.' } },
  { prefix: '/api/user', tag: { name: 'User', description: 'FusionAuth User API, including search.' } },
  { prefix: '/api/application', tag: { name: 'Application', description: 'FusionAuth Application API: applications are the OAuth clients.' } },
  { prefix: '/api/tenant', tag: { name: 'Tenant', description: 'FusionAuth Tenant API.' } },
  { prefix: '/api/api-key', tag: { name: 'API Key', description: 'FusionAuth API Key API.' } },
  { prefix: '/api/key', tag: { name: 'Key', description: 'FusionAuth Key Master API: signing keys.' } },
  { prefix: '/api/jwt', tag: { name: 'JWT', description: 'FusionAuth JWT API: reconcile, validate, public keys, refresh tokens.' } },
  { prefix: '/api/identity-provider', tag: { name: 'Identity Provider', description: 'FusionAuth Identity Provider API: providers, login, links.' } },
  { prefix: '/api/lambda', tag: { name: 'Lambda', description: 'FusionAuth Lambda API: reconcile lambdas.' } },
  { prefix: '/api/smart', tag: { name: 'SMART', description: 'SMART Backend Services / Koppeltaal roles (Gatehouse).' } },
  { prefix: '/api/system', tag: { name: 'System', description: 'FusionAuth System API: the event log.' } },
  { prefix: '/api/webhook', tag: { name: 'Webhook', description: 'FusionAuth Webhook API: events delivered from the transactional outbox, signed as FusionAuth signs them.' } },
  { prefix: '/t/:tenant/oauth2', tag: { name: 'OAuth', description: 'OAuth 2.0 endpoints of a tenant (RFC 6749, RFC 7662, RFC 7009, RFC 8693, RFC 7523); `/oauth2/…` at the root are aliases for the `default` tenant.' } },
  { prefix: '/t/:tenant/broker', tag: { name: 'OAuth', description: '' } },
  { prefix: '/t/:tenant/login', tag: { name: 'Login pages', description: 'Hosted login pages of the authorization-code flow (HTML): onboarding form, pending link, the tenant\'s stylesheet.' } },
  { prefix: '/t/:tenant/fhir', tag: { name: 'SMART', description: '' } },
  { prefix: '/t/:tenant/.well-known/smart-configuration', tag: { name: 'SMART', description: '' } },
  { prefix: '/t/:tenant/.well-known', tag: { name: 'Discovery', description: 'OpenID Connect Discovery, RFC 8414 metadata and the JWKS of a tenant.' } },
  { prefix: '/.well-known', tag: { name: 'Discovery', description: '' } },
  { prefix: '/admin', tag: { name: 'Admin console', description: 'The admin console: a static single-page app that manages Gatehouse through this API (`/api`), signed in with an API key or a console user\'s access token from the tenant\'s login.' } },
  { prefix: '/health', tag: { name: 'Health', description: 'Liveness and readiness checks.' } },
  { prefix: '/ready', tag: { name: 'Health', description: '' } },
];

/** The declared tags, in document order (each once, with its description). */
export const DOCUMENT_TAGS: Tag[] = GROUPS.map((g) => g.tag).filter((t) => t.description !== '');

const matches = (url: string, prefix: string) => url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`);

/** The group of a route; a route of no known group is tagged by its first path segment. */
export function tagOf(url: string): string {
  const group = GROUPS.find((g) => matches(url, g.prefix));
  if (group) return group.tag.name;
  const segments = url.split('/').filter((s) => s !== '' && !s.startsWith(':'));
  const first = segments[0] === 'api' || segments[0] === 't' ? segments[1] : segments[0];
  return first ? first.charAt(0).toUpperCase() + first.slice(1) : 'Other';
}

/** Security schemes (`components.securitySchemes`). */
export const SECURITY_SCHEMES = {
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'A Gatehouse API key as the whole `Authorization` header value, with no scheme (FusionAuth style).',
  },
  clientSecretBasic: {
    type: 'http',
    scheme: 'basic',
    description:
      'OAuth client authentication, RFC 6749 §2.3.1 `client_secret_basic`. The other methods (`client_secret_post`, RFC 7523 `private_key_jwt`, public clients) put their parameters in the form body instead.',
  },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token issued by Gatehouse (RFC 6750 §2.1). On `/api`: the token of an admin console user (the tenant’s `adminConsoleApplicationId`, role `admin`), with the rights of a superuser key of that tenant.',
  },
} as const;

/** The OAuth endpoints that authenticate the client (RFC 6749 §3.2.1, RFC 7662 §2.1, RFC 7009 §2.1). */
const CLIENT_AUTHENTICATED = /^\/t\/:tenant\/oauth2\/(token|introspect|revoke)$/;

type Security = Record<string, string[]>[];

function securityOf(route: RouteOptions): Security {
  const { url } = route;
  if (url.startsWith('/api/')) return route.config?.public === true ? [] : [{ apiKey: [] }, { bearer: [] }];
  // `{}`: the client may authenticate in the body instead.
  if (CLIENT_AUTHENTICATED.test(url)) return [{ clientSecretBasic: [] }, {}];
  return [];
}

/** A response without a body (`type: 'null'` is how `@fastify/swagger` leaves out `content`). */
const noBody = (description: string) => ({ type: 'null', description });

const errorResponse = (description: string, ref: 'ApiErrors' | 'OAuthError') => ({
  description,
  content: { 'application/json': { schema: { $ref: `${ref}#` } } },
});

/** The error responses the edge itself answers (schema validation, authentication, unknown ids). */
function errorResponsesOf(route: RouteOptions): Record<string, unknown> {
  const { url } = route;
  if (url.startsWith('/api/')) {
    return {
      400: errorResponse('The request is invalid: FusionAuth field and general errors.', 'ApiErrors'),
      ...(route.config?.public === true ? {} : { 401: noBody('No API key, an unknown one, or one not allowed on this endpoint.') }),
      ...(url.includes(':') ? { 404: noBody('No object has this id.') } : {}),
      500: errorResponse('An unexpected error (a bug); no internals in the body.', 'ApiErrors'),
    };
  }
  if (url.includes('/t/:tenant')) {
    return {
      400: errorResponse('RFC 6749 §5.2 error: `invalid_request`, `invalid_grant`, `invalid_tenant`, ….', 'OAuthError'),
      ...(CLIENT_AUTHENTICATED.test(url) ? { 401: errorResponse('`invalid_client` (RFC 6749 §5.2).', 'OAuthError') } : {}),
    };
  }
  return {};
}

/** The browser endpoints answer with redirects (RFC 6749 §4.1.2, §4.1.2.1). */
const REDIRECTING = /^\/t\/:tenant\/(oauth2\/authorize|broker\/:providerId\/endpoint)$/;

/** A success response for a route that declares none (swagger adds one only when no response is declared). */
function successOf(route: RouteOptions, declared: Record<string, unknown>): Record<string, unknown> {
  if (Object.keys(declared).some((status) => /^[23]/.test(status))) return {};
  if (REDIRECTING.test(route.url)) return { 302: noBody('Redirect: to the upstream provider, or back to the client with a code or an error.') };
  return { 200: { type: 'object', description: 'Success: the response object (FusionAuth’s shape on `/api`).' } };
}

/** Path parameters of a route that declares none (the document must name every `{param}`). */
function paramsOf(url: string): FastifySchema['params'] | undefined {
  const names = [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
  if (names.length === 0) return undefined;
  return { type: 'object', properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])), required: names };
}

/** `get /api/user/:id` → `getApiUserById`: unique per method and path, URL-safe. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split(/[/.-]/)
    .filter((s) => s !== '')
    .map((s) => (s.startsWith(':') ? `By${s.charAt(1).toUpperCase()}${s.slice(2)}` : s.charAt(0).toUpperCase() + s.slice(1)));
  return method.toLowerCase() + words.join('');
}

interface DocumentedSchema extends FastifySchema {
  hide?: boolean;
  tags?: string[];
  summary?: string;
  operationId?: string;
  security?: Security;
  consumes?: string[];
  response?: Record<string, unknown>;
}

/** `@fastify/swagger`'s `transform`: the route's schema as the document shows it. */
export function documentRoute({ schema, url, route }: { schema: FastifySchema; url: string; route: RouteOptions }): { schema: FastifySchema; url: string } {
  const declared = (schema ?? {}) as DocumentedSchema;
  if (declared.hide) return { schema: declared, url };
  const method = Array.isArray(route.method) ? route.method[0] : route.method;
  const documented: DocumentedSchema = {
    ...declared,
    tags: declared.tags ?? [tagOf(route.url)],
    summary: declared.summary ?? `${method} ${url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`,
    operationId: declared.operationId ?? operationIdOf(method, route.url),
    security: declared.security ?? securityOf(route),
    response: { ...successOf(route, declared.response ?? {}), ...errorResponsesOf(route), ...(declared.response ?? {}) },
  };
  if (!declared.params) {
    const params = paramsOf(route.url);
    if (params) documented.params = params;
  }
  // RFC 6749 §3.2: the OAuth endpoints take form bodies (validated from the parsed form, see oauth-validator.ts).
  if (declared.body && route.url.startsWith('/t/')) documented.consumes = declared.consumes ?? ['application/x-www-form-urlencoded'];
  return { schema: documented, url };
}
