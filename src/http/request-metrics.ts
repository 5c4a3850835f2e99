import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler, RouteOptions } from 'fastify';
import type { Metrics } from '../metrics/metrics.js';

/**
 * Times every answered request by its route TEMPLATE (`/t/:tenant/oauth2/token`, never the URL
 * with its tenant or ids), method and status code; a request no route matched is
 * `__unmatched__`. `reply.elapsedTime` is Fastify's own clock from request to response.
 *
 * Each route gets an `onResponse` hook that already knows its template (added by an `onRoute`
 * hook, so call this before the routes): reading `request.routeOptions` builds an object of a
 * dozen fields on every call. Only the not-found handler's answers go through a server-wide hook.
 */
export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const url = route.url;
    const record: onResponseHookHandler = (request: FastifyRequest, reply: FastifyReply, done) => {
      metrics.httpRequest(url, request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
    route.onResponse = [record, ...[route.onResponse ?? []].flat()];
  });
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) metrics.httpRequest(undefined, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
