import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics/metrics.js';

/**
 * Times every answered request by its route TEMPLATE (`/t/:tenant/oauth2/token`, never the URL
 * with its tenant or ids), method and status code; a request no route matched is
 * `__unmatched__`. `reply.elapsedTime` is Fastify's own clock from request to response.
 */
export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequest(request.is404 ? undefined : request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
