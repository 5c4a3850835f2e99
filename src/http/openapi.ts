import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { DOCUMENT_TAGS, SECURITY_SCHEMES, documentRoute } from './openapi-operations.js';
import { documentRootAliases } from './root-aliases.js';
import { SHARED_SCHEMAS } from './schemas/error-schemas.js';
import type { HttpServices } from './services.js';

/** Where the document and its reference UI are served. */
export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PREFIX = '/api/docs';

/**
 * Removes the CSP sources the bundled UI does not need: it loads its scripts, styles, fonts and
 * images from this server only, and the online validator badge is off (`validatorUrl: null`).
 */
const selfOnlyCsp = (header: string): string => header.replace(/ https:/g, '').replace(/ validator\.swagger\.io/g, '');

/**
 * The OpenAPI 3.1 document of every route, generated from the routes' own schemas
 * (`@fastify/swagger`), served at `/api/openapi.json`, with the bundled Swagger UI at `/api/docs`.
 * Both are public (no API key): the document describes the API's shapes, holds no data, and is
 * what a client needs before it has a key. Must be registered before the routes (and before the
 * `/api` authentication hook, so the UI's own routes stay public).
 */
export async function registerOpenApi(app: FastifyInstance, services: HttpServices): Promise<void> {
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse',
        version: process.env.npm_package_version ?? '0.1.0',
        description:
          'Identity and token broker. `/api/…`: FusionAuth-compatible administration and login API (API key in `Authorization`). ' +
          '`/t/{tenant}/…`: OAuth 2.0 / OpenID endpoints of a tenant, whose issuer is `{publicUrl}/t/{tenant}`; ' +
          '`/oauth2/…` and `/.well-known/…` at the root are aliases of the `default` tenant’s (FusionAuth’s paths), with the same issuer.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: services.config.publicUrl }],
      tags: DOCUMENT_TAGS,
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    // Shared schemas keep their `$id` as their component name.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: documentRoute,
    transformObject: (document) => ('openapiObject' in document ? documentRootAliases(document.openapiObject) : document.swaggerObject),
  });

  // Registered before the `/api` authentication hook: the UI's routes need no API key.
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: true,
    transformStaticCSP: selfOnlyCsp,
    uiConfig: { validatorUrl: null, deepLinking: true },
  });

  app.get(OPENAPI_PATH, { schema: { hide: true }, config: { public: true } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return app.swagger();
  });
}
