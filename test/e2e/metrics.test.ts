import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ASSERTION_TYPE, clientKey, jwks, signAssertion } from '../helpers/client-keys.js';
import type { ClientKey } from '../helpers/client-keys.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import { createApplication, tokenPath, tokenUrl } from '../helpers/fixtures.js';
import { startIdpWorld } from '../helpers/idp-world.js';
import type { IdpWorld } from '../helpers/idp-world.js';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.js';
import type { Sample } from '../helpers/prometheus-text.js';
import { startTestServer } from '../helpers/test-server.js';

for (const kind of selectedKinds()) {
  describe(`Prometheus metrics (${kind})`, () => {
    let world: IdpWorld;
    let key: ClientKey;
    let clientId: string;
    /** Every secret and personal value the scenarios used: none may appear in a scrape. */
    const sensitive: string[] = [];

    before(async () => {
      world = await startIdpWorld(kind, {}, { metrics: true, metricsPort: 0 });
      key = await clientKey('ES256');
      world.documents.set('/metrics-client/jwks.json', jwks(key), { 'cache-control': 'public, max-age=60' });
      clientId = `metrics-client-${randomBytes(4).toString('hex')}`;
      await createApplication(world.server, {
        name: 'metrics client',
        oauthConfiguration: { clientId, clientAuthenticationMethod: 'private_key_jwt', jwksUri: `${world.documents.baseUrl}/metrics-client/jwks.json`, enabledGrants: ['client_credentials'], allowedScopes: ['system/Patient.rs'] },
      });
      sensitive.push(clientId, world.server.apiKey, world.application.id);
    });
    after(async () => {
      await world?.close();
    });

    const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
      const url = world.server.gatehouse.metricsUrl;
      assert.ok(url, 'metrics are on, so there is a scrape URL');
      const response = await fetch(url);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      return { text, samples: parsePrometheusText(text) };
    };
    /** How much `name{labels}` grew while `action` ran. */
    const growth = async (name: string, labels: Record<string, string>, action: () => Promise<void>): Promise<number> => {
      const before = sampleValue((await scrape()).samples, name, labels);
      await action();
      return sampleValue((await scrape()).samples, name, labels) - before;
    };
    const clientCredentials = (assertion: string) =>
      world.server.form(tokenPath(), { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion });

    it('listens on loopback only, apart from the main port, and answers nothing but GET /metrics', async () => {
      const url = new URL(world.server.gatehouse.metricsUrl!);
      assert.equal(url.hostname, '127.0.0.1');
      assert.notEqual(url.port, new URL(world.server.url).port);
      assert.equal((await fetch(new URL('/other', url))).status, 404);
      assert.equal((await fetch(url, { method: 'POST' })).status, 405);
      assert.equal((await fetch(`${world.server.url}/metrics`)).status, 404, 'not on the public port');
    });

    it('counts an issued client_credentials grant, its JWKS fetch and then a cache hit', async () => {
      const issued = { grant_type: 'client_credentials' };
      let fetchedOk = 0;
      const grew = await growth('gatehouse_grants_issued_total', issued, async () => {
        fetchedOk = await growth('gatehouse_remote_fetches_total', { purpose: 'jwks', result: 'ok' }, async () => {
          const assertion = await signAssertion(key, { clientId, audience: tokenUrl(world.server) });
          const reply = await clientCredentials(assertion);
          assert.equal(reply.status, 200, JSON.stringify(reply.body));
          sensitive.push(assertion, reply.body.access_token);
        });
      });
      assert.equal(grew, 1);
      assert.equal(fetchedOk, 1);
      const hits = await growth('gatehouse_jwks_cache_hits_total', {}, async () => {
        assert.equal((await clientCredentials(await signAssertion(key, { clientId, audience: tokenUrl(world.server) }))).status, 200);
      });
      assert.equal(hits, 1);
    });

    it('counts a refused grant by error code, an unknown grant type as "unsupported", and a replayed jti', async () => {
      const unsupported = await growth('gatehouse_grants_refused_total', { grant_type: 'unsupported', error: 'unsupported_grant_type' }, async () => {
        assert.equal((await world.server.form(tokenPath(), { grant_type: 'urn:example:secret-grant', client_id: clientId })).status, 400);
      });
      assert.equal(unsupported, 1);
      const assertion = await signAssertion(key, { clientId, audience: tokenUrl(world.server) });
      assert.equal((await clientCredentials(assertion)).status, 200);
      let replays = 0;
      const refused = await growth('gatehouse_grants_refused_total', { grant_type: 'client_credentials', error: 'invalid_client' }, async () => {
        replays = await growth('gatehouse_jti_replays_total', { assertion: 'client_assertion' }, async () => {
          assert.equal((await clientCredentials(assertion)).status, 401);
        });
      });
      assert.equal(refused, 1);
      assert.equal(replays, 1);
      assert.ok(!(await scrape()).text.includes('secret-grant'), 'a client-sent grant type is never a label');
    });

    it('counts a failing JWKS URL by its fetch error code', async () => {
      world.documents.misbehave('/broken/jwks.json', { status: 500 });
      const brokenClient = `broken-${randomBytes(4).toString('hex')}`;
      await createApplication(world.server, {
        name: 'broken jwks client',
        oauthConfiguration: { clientId: brokenClient, clientAuthenticationMethod: 'private_key_jwt', jwksUri: `${world.documents.baseUrl}/broken/jwks.json`, enabledGrants: ['client_credentials'] },
      });
      const failed = await growth('gatehouse_remote_fetches_total', { purpose: 'jwks', result: 'FETCH_STATUS' }, async () => {
        const reply = await clientCredentials(await signAssertion(key, { clientId: brokenClient, audience: tokenUrl(world.server) }));
        assert.equal(reply.status, 401);
      });
      assert.equal(failed, 1);
    });

    it('counts a completed login and a lambda rejection with the lambda’s code; times the lambda', async () => {
      const provider = await world.provider();
      const token = await world.idToken();
      let reply = await world.login(provider, token);
      const completed = await growth('gatehouse_logins_total', { authentication_type: 'FEDERATED_JWT', outcome: 'completed', code: 'none' }, async () => {
        reply = await world.login(provider, token);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
      });
      assert.equal(completed, 1);
      sensitive.push(token, reply.body.token, reply.body.refreshToken, reply.body.user.id, reply.body.user.email, provider);
      const lambdaId = await world.lambda(`function reconcile(user, registration, jwt, context) { context.reject('LoaTooLow', 'Bitte mit der Gesundheitskarte anmelden.'); }`);
      const rejecting = await world.provider({ lambdaConfiguration: { reconcileId: lambdaId } });
      let timed = 0;
      const rejected = await growth('gatehouse_logins_total', { authentication_type: 'FEDERATED_JWT', outcome: 'rejected', code: 'LoaTooLow' }, async () => {
        timed = await growth('gatehouse_lambda_duration_seconds_count', { status: 'rejected' }, async () => {
          assert.equal((await world.login(rejecting, await world.idToken())).status, 403);
        });
      });
      assert.equal(rejected, 1);
      assert.equal(timed, 1);
      const failed = await growth('gatehouse_logins_total', { outcome: 'failed', code: 'InvalidJWT' }, async () => {
        assert.equal((await world.login(provider, 'not-a-jwt')).status, 401);
      });
      assert.equal(failed, 1);
    });

    it('labels requests by route template (unmatched ones as __unmatched__), times database queries, and carries no personal or secret value', async () => {
      const unknownPath = `/no-such-${randomBytes(6).toString('hex')}`;
      assert.equal((await fetch(`${world.server.url}${unknownPath}`)).status, 404);
      const { text, samples } = await scrape();
      const routes = new Set(samples.filter((s) => s.name === 'gatehouse_http_request_duration_seconds_count').map((s) => s.labels.route));
      assert.ok(routes.has('/t/:tenant/oauth2/token'), [...routes].join(' '));
      assert.ok(routes.has('/api/identity-provider/login'));
      assert.ok(routes.has('__unmatched__'));
      assert.ok(![...routes].some((route) => route.includes('/t/default/')), 'no concrete tenant URL');
      assert.ok(sampleValue(samples, 'gatehouse_http_request_duration_seconds_count', { route: '/t/:tenant/oauth2/token', method: 'POST', status_code: '200' }) >= 3);
      assert.ok(!text.includes(unknownPath.slice(1)));
      assert.ok(sampleValue(samples, 'gatehouse_db_query_duration_seconds_count', { dialect: kind, statement: 'select' }) > 0);
      assert.ok(sampleValue(samples, 'gatehouse_db_query_duration_seconds_count', { dialect: kind, statement: 'insert' }) > 0);
      assert.ok(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds'), 'event-loop delay is exported');
      assert.ok(sensitive.length >= 10);
      for (const value of sensitive) assert.ok(typeof value === 'string' && value.length > 8 && !text.includes(value), `the scrape must not contain ${String(value).slice(0, 20)}…`);
      assert.ok(!/@example\.de/.test(text), 'no e-mail address');
      for (const sample of samples) for (const value of Object.values(sample.labels)) assert.ok(value.length <= 200 && !/[@\s]/.test(value), `label value ${value}`);
    });

    it('counts each answered request once: a matched route by its template, an unmatched one once as __unmatched__', async () => {
      const jwksRoute = { route: '/t/:tenant/.well-known/jwks.json', method: 'GET', status_code: '200' };
      const matched = await growth('gatehouse_http_request_duration_seconds_count', jwksRoute, async () => {
        for (let i = 0; i < 3; i++) assert.equal((await fetch(`${world.server.url}/t/default/.well-known/jwks.json`)).status, 200);
      });
      assert.equal(matched, 3);
      const unmatched = await growth('gatehouse_http_request_duration_seconds_count', { route: '__unmatched__', method: 'GET', status_code: '404' }, async () => {
        for (let i = 0; i < 2; i++) assert.equal((await fetch(`${world.server.url}/no-such-route-${i}`)).status, 404);
      });
      assert.equal(unmatched, 2);
    });
  });

  describe(`metrics off (default, ${kind})`, () => {
    it('records nothing and opens no listener', async () => {
      const db = await createTestDatabase(kind);
      const server = await startTestServer(db);
      try {
        assert.equal(server.gatehouse.metricsUrl, undefined);
        assert.equal(server.gatehouse.services.oauth.metrics.enabled, false);
        assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
      } finally {
        await server.close();
        await db.drop();
      }
    });
  });
}
