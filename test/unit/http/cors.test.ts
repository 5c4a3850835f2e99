import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { corsRuleOf, registerCors } from '../../../src/http/cors.js';
import type { HttpServices } from '../../../src/http/services.js';

const ORIGIN = 'https://smart-app.example';

/** A server with the CORS rule and routes registered after it, as a later module would add them. */
function serverWithRoutes(): FastifyInstance {
  const app = Fastify();
  const services = {
    tenants: { findBySlug: async (slug: string) => (slug === 'acme' ? { id: 'tenant-acme' } : undefined) },
    configuration: { tenantOrigins: async (tenantId: string) => new Set(tenantId === 'tenant-acme' ? [ORIGIN] : []) },
  } as unknown as HttpServices;
  registerCors(app, services);
  app.get('/t/:tenant/oauth2/userinfo', async () => ({ sub: 'u' }));
  app.post('/t/:tenant/oauth2/userinfo', async () => ({ sub: 'u' }));
  app.get('/t/:tenant/.well-known/openid-configuration', async () => ({ issuer: 'x' }));
  app.get('/t/:tenant/oauth2/authorize', async () => 'no CORS here');
  app.get('/api/thing', async () => ({}));
  return app;
}

describe('CORS rule (http/cors)', () => {
  it('is by path: public documents, the per-origin endpoints, and nothing else', () => {
    assert.equal(corsRuleOf('/t/:tenant/.well-known/jwks.json')?.kind, 'public');
    assert.equal(corsRuleOf('/.well-known/oauth-authorization-server/t/:tenant')?.kind, 'public');
    assert.equal(corsRuleOf('/t/:tenant/fhir/.well-known/smart-configuration')?.kind, 'public');
    assert.equal(corsRuleOf('/t/:tenant/fhir/metadata')?.kind, 'public');
    for (const endpoint of ['token', 'introspect', 'revoke']) assert.deepEqual(corsRuleOf(`/t/:tenant/oauth2/${endpoint}`), { kind: 'registered', methods: 'POST', tenantParam: 'tenant' });
    assert.deepEqual(corsRuleOf('/t/:slug/oauth2/userinfo'), { kind: 'registered', methods: 'GET, POST', tenantParam: 'slug' });
    for (const none of ['/t/:tenant/oauth2/authorize', '/t/:tenant/broker/:id/endpoint', '/api/application', '/api/t/:tenant/oauth2/token', '/t/:tenant/oauth2/token/x', '/health']) {
      assert.equal(corsRuleOf(none), undefined, none);
    }
  });

  it('applies to a route registered after it (the userinfo endpoint): preflight with GET and POST, the origin on the answer', async () => {
    const app = serverWithRoutes();
    const preflight = await app.inject({ method: 'OPTIONS', url: '/t/acme/oauth2/userinfo', headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } });
    assert.equal(preflight.statusCode, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], ORIGIN);
    assert.equal(preflight.headers['access-control-allow-methods'], 'GET, POST');
    assert.equal(preflight.headers['access-control-allow-headers'], 'authorization, content-type');
    for (const method of ['GET', 'POST'] as const) {
      const answer = await app.inject({ method, url: '/t/acme/oauth2/userinfo', headers: { origin: ORIGIN } });
      assert.equal(answer.statusCode, 200);
      assert.equal(answer.headers['access-control-allow-origin'], ORIGIN);
      assert.equal(answer.headers.vary, 'Origin');
    }
    const otherTenant = await app.inject({ method: 'GET', url: '/t/other/oauth2/userinfo', headers: { origin: ORIGIN } });
    assert.equal(otherTenant.headers['access-control-allow-origin'], undefined);
    const head = await app.inject({ method: 'HEAD', url: '/t/acme/.well-known/openid-configuration', headers: { origin: ORIGIN } });
    assert.equal(head.headers['access-control-allow-origin'], '*');
    await app.close();
  });

  it('leaves other routes alone: no OPTIONS route, no header', async () => {
    const app = serverWithRoutes();
    for (const url of ['/t/acme/oauth2/authorize', '/api/thing']) {
      const preflight = await app.inject({ method: 'OPTIONS', url, headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } });
      assert.equal(preflight.statusCode, 404, url);
      const answer = await app.inject({ method: 'GET', url, headers: { origin: ORIGIN } });
      assert.equal(answer.headers['access-control-allow-origin'], undefined, url);
      assert.equal(answer.headers.vary, undefined, url);
    }
    await app.close();
  });
});
