import { randomUUID } from 'node:crypto';
import { createServer as createHttpServerNode } from 'node:http';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createServer as createHttpsServerNode } from 'node:https';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { registerApiAuth } from './api-auth.js';
import { recordRoutes } from './route-table.js';
import { registerCors } from './cors.js';
import { AJV_OPTIONS, registerApiValidation } from './api-validation.js';
import { errorHandler, notFoundHandler } from './error-replies.js';
import { parseFormBody } from './form-body.js';
import { createLazyCompilers, trackLazyCompilers } from './lazy-schema-compilers.js';
import { registerOpenApi } from './openapi.js';
import { rootAliasRewriteUrl } from './root-aliases.js';
import { registerApiKeyRoutes } from './routes/api-key-routes.js';
import { registerApplicationRoutes } from './routes/application-routes.js';
import { registerConsoleRoutes, rewriteConsoleSlash } from './routes/console-routes.js';
import { registerConsoleSignInRoutes } from './routes/console-sign-in-routes.js';
import { registerEventLogRoutes } from './routes/event-log-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerIdentityProviderRoutes } from './routes/identity-provider-routes.js';
import { registerLambdaRoutes } from './routes/lambda-routes.js';
import { registerLinkRoutes } from './routes/link-routes.js';
import { registerLoginRoutes } from './routes/login-routes.js';
import { registerRefreshTokenRoutes } from './routes/refresh-token-routes.js';
import { registerJwtRoutes } from './routes/jwt-routes.js';
import { registerKeyRoutes } from './routes/key-routes.js';
import { registerAuthorizationRoutes } from './routes/authorization-routes.js';
import { registerLoginPageRoutes } from './pages/login-page-routes.js';
import { registerEndSessionRoutes } from './routes/end-session-routes.js';
import { registerOAuthRoutes } from './routes/oauth-routes.js';
import { registerSmartRoutes } from './routes/smart-routes.js';
import { registerTenantRoutes } from './routes/tenant-routes.js';
import { registerUserRoutes } from './routes/user-routes.js';
import { registerUserInfoRoutes } from './routes/userinfo-routes.js';
import { registerRequestMetrics } from './request-metrics.js';
import type { Metrics } from '../metrics/metrics.js';
import { registerWebhookRoutes } from './routes/webhook-routes.js';
import type { HttpServices } from './services.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `/api` routes that need no API key. */
    public?: boolean;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface HttpServerOptions {
  /** PEM certificate and key: serve HTTPS with TLS 1.2 as the minimum. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Route registrations contributed by capabilities (SMART, identity providers, ...). */
  plugins?: ((app: FastifyInstance, services: HttpServices) => void)[];
  /** Request timing by route template; not registered at all when metrics are off. */
  metrics?: Metrics;
}

/**
 * Builds the Fastify server. Logs are JSON with request ids; they carry method, path without
 * query and status, never headers, bodies, tokens or secrets.
 */
export async function createHttpServer(services: HttpServices, options: HttpServerOptions = {}): Promise<FastifyInstance> {
  const { config } = services;
  // Request ids and the drain header are set on the Node server, before Fastify sees the request:
  // a Fastify onSend hook for them cost about 6 % of token-endpoint throughput (measured).
  let draining = false;
  const wrap =
    (handler: RequestListener): RequestListener =>
    (request: IncomingMessage, response: ServerResponse) => {
      const incoming = request.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      request.headers['x-request-id'] = id;
      response.setHeader('x-request-id', id);
      // While draining (SIGTERM), answers close their connection so keep-alive sockets cannot
      // hold the shutdown open.
      if (draining) response.setHeader('connection', 'close');
      handler(request, response);
    };
  const tls = options.tls;
  const compilers = createLazyCompilers();
  const base: FastifyServerOptions = {
    logger: {
      level: config.logLevel,
      serializers: {
        req: (req) => ({ method: req.method, path: String(req.url).split('?')[0], remoteAddress: req.ip }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    },
    bodyLimit: config.bodyLimitBytes,
    // Set by `wrap`; inject() bypasses the Node server, hence the fallback.
    genReqId: (req) => (req.headers['x-request-id'] as string | undefined) ?? randomUUID(),
    requestIdHeader: false,
    trustProxy: false,
    // FusionAuth's root paths (`/oauth2/…`, `/.well-known/…`) as aliases of the default tenant's.
    rewriteUrl: (request) => rewriteConsoleSlash(rootAliasRewriteUrl(request)),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: AJV_OPTIONS },
    // Each route's validators and serializers are compiled on its first request (lazy-schema-compilers.ts).
    schemaController: { compilersFactory: compilers.compilersFactory },
  };
  const app = Fastify({
    ...base,
    serverFactory: (handler) =>
      tls
        ? createHttpsServerNode({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, wrap(handler as RequestListener))
        : createHttpServerNode(wrap(handler as RequestListener)),
  }) as unknown as FastifyInstance;

  trackLazyCompilers(app, compilers);
  recordRoutes(app);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseFormBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  if (options.metrics?.enabled) registerRequestMetrics(app, options.metrics);

  let tokenRouteConfig: Record<string, unknown> = {};
  if (config.rateLimitTokenPerMinute > 0) {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        error: 'too_many_requests',
        error_description: `Rate limit exceeded; retry in ${Math.ceil(context.ttl / 1000)} s.`,
      }),
    });
    tokenRouteConfig = { rateLimit: { max: config.rateLimitTokenPerMinute, timeWindow: 60_000 } };
  }

  await registerOpenApi(app, services);
  registerApiValidation(app);
  registerApiAuth(app, services);
  registerCors(app, services);
  registerHealthRoutes(app, services);
  registerOAuthRoutes(app, services, tokenRouteConfig);
  registerAuthorizationRoutes(app, services, tokenRouteConfig);
  registerLoginPageRoutes(app, services, tokenRouteConfig);
  registerUserInfoRoutes(app, services);
  registerEndSessionRoutes(app, services, tokenRouteConfig);
  registerTenantRoutes(app, services);
  registerApplicationRoutes(app, services);
  registerUserRoutes(app, services);
  registerApiKeyRoutes(app, services);
  registerKeyRoutes(app, services);
  registerSmartRoutes(app, services);
  registerEventLogRoutes(app, services);
  registerLambdaRoutes(app, services);
  registerIdentityProviderRoutes(app, services);
  registerLoginRoutes(app, services);
  registerLinkRoutes(app, services);
  registerRefreshTokenRoutes(app, services);
  registerJwtRoutes(app, services);
  registerWebhookRoutes(app, services);
  registerConsoleRoutes(app);
  registerConsoleSignInRoutes(app, services);
  for (const plugin of options.plugins ?? []) plugin(app, services);
  return app;
}
