import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ASSERTION_TYPE } from '../helpers/client-keys.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { createApplication, DEFAULT_TENANT } from '../helpers/fixtures.js';
import { fuzzRoute, rowCounter } from '../helpers/fuzz.js';
import type { FuzzOptions, FuzzRoute } from '../helpers/fuzz.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';
import { startUpstreamOidcProvider } from '../helpers/upstream-oidc-provider.js';
import type { UpstreamOidcProvider } from '../helpers/upstream-oidc-provider.js';

/**
 * Property-based fuzzing of every OAuth route under `/t/{tenant}` (and the discovery documents)
 * against a real server: no answer may be a 5xx, and a refused request changes no rows. Bounded
 * and reproducible: FUZZ_RUNS requests per route (default 120) from FUZZ_SEED.
 */
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const REDIRECT = 'https://app.example/callback';
const BODY_LIMIT = 64 * 1024;

const CLIENT_AUTH = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'];
const TOKEN = [
  'grant_type', ...CLIENT_AUTH, 'scope', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'assertion',
  'subject_token', 'subject_token_type', 'subject_issuer', 'actor_token', 'actor_token_type', 'requested_token_type', 'audience', 'resource',
];
const AUTHORIZE = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'aud', 'idp_hint', 'kc_idp_hint'];

/** The route table; `samples` (the service client) and `browser` (the public client) are filled in once the server runs. */
function oauthRoutes(samples: Record<string, string>, browser: Record<string, string>): FuzzRoute[] {
  const tenant = '/t/{tenant}';
  const get = (url: string): FuzzRoute => ({ method: 'GET', url, body: 'none', parameters: [], samples });
  return [
    { method: 'POST', url: `${tenant}/oauth2/token`, body: 'form', parameters: TOKEN, samples },
    { method: 'POST', url: `${tenant}/oauth2/introspect`, body: 'form', parameters: [...CLIENT_AUTH, 'token', 'token_type_hint'], samples },
    { method: 'POST', url: `${tenant}/oauth2/revoke`, body: 'form', parameters: [...CLIENT_AUTH, 'token', 'token_type_hint'], samples },
    { method: 'GET', url: `${tenant}/oauth2/authorize`, body: 'none', parameters: AUTHORIZE, samples: browser },
    { method: 'POST', url: `${tenant}/oauth2/authorize`, body: 'form', parameters: AUTHORIZE, samples: browser },
    { method: 'GET', url: `${tenant}/broker/{providerId}/endpoint`, body: 'none', parameters: ['state', 'code', 'error', 'error_description', 'iss'], samples },
    get(`${tenant}/.well-known/jwks.json`),
    get(`${tenant}/.well-known/openid-configuration`),
    get(`${tenant}/.well-known/oauth-authorization-server`),
    get('/.well-known/oauth-authorization-server/t/{tenant}'),
    get(`${tenant}/.well-known/smart-configuration`),
    get(`${tenant}/fhir/.well-known/smart-configuration`),
  ];
}

for (const kind of selectedKinds()) {
  describe(`fuzzing the OAuth endpoints (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let upstream: UpstreamOidcProvider;
    let options: FuzzOptions;
    const samples: Record<string, string> = {};
    const browser: Record<string, string> = {};
    const routes = oauthRoutes(samples, browser);

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db, { config: { bodyLimitBytes: BODY_LIMIT } });
      upstream = await startUpstreamOidcProvider();
      const spa = await createApplication(server, {
        name: 'fuzz-spa',
        oauthConfiguration: { clientId: 'fuzz-spa', clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code', 'refresh_token'], authorizedRedirectURLs: [REDIRECT] },
      });
      const service = await createApplication(server, {
        name: 'fuzz-service',
        oauthConfiguration: { clientId: 'fuzz-service', clientAuthenticationMethod: 'client_secret_post', enabledGrants: ['client_credentials'], allowedScopes: ['read'] },
      });
      const provider = await server.api('POST', '/api/identity-provider', {
        identityProvider: {
          type: 'ExternalJWT',
          name: 'fuzz-upstream',
          enabled: true,
          headerKeyParameter: 'kid',
          jwksUri: upstream.jwksUri,
          issuer: upstream.issuer,
          oauth2: { authorization_endpoint: upstream.authorizationEndpoint, token_endpoint: upstream.tokenEndpoint, client_id: upstream.clientId, scope: 'openid' },
          applicationConfiguration: { [spa.id]: { enabled: true, createRegistration: true } },
        },
      });
      assert.equal(provider.status, 200, JSON.stringify(provider.body));
      const verifier = 'v'.repeat(43);
      Object.assign(samples, {
        tenant: DEFAULT_TENANT,
        providerId: provider.body.identityProvider.id,
        grant_type: 'client_credentials',
        client_id: 'fuzz-service',
        client_secret: service.oauthConfiguration.clientSecret!,
        client_assertion_type: ASSERTION_TYPE,
        scope: 'read',
        code: 'c'.repeat(43),
        code_verifier: verifier,
        redirect_uri: REDIRECT,
        refresh_token: 'r'.repeat(43),
        token: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln',
        token_type_hint: 'refresh_token',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        response_type: 'code',
        state: 'client-state',
        nonce: 'client-nonce',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      });
      Object.assign(browser, samples, { client_id: 'fuzz-spa', scope: 'openid' });
      options = { baseUrl: server.url, bodyLimit: BODY_LIMIT, countRows: await rowCounter(server.gatehouse.services.store), numRuns: NUM_RUNS, seed: SEED };
    });
    after(async () => {
      await server?.close();
      await upstream?.close();
      await db?.drop();
    });

    it('the samples are valid: a token for the service, a redirect upstream for the public client', async () => {
      const token = await server.form(`/t/${DEFAULT_TENANT}/oauth2/token`, { grant_type: 'client_credentials', client_id: samples.client_id, client_secret: samples.client_secret });
      assert.equal(token.status, 200, JSON.stringify(token.body));
      const query = new URLSearchParams(AUTHORIZE.filter((name) => browser[name]).map((name): [string, string] => [name, browser[name]]));
      const reply = await fetch(`${server.url}/t/${DEFAULT_TENANT}/oauth2/authorize?${query}`, { redirect: 'manual' });
      assert.equal(reply.status, 302);
      assert.ok(reply.headers.get('location')!.startsWith(upstream.authorizationEndpoint), reply.headers.get('location')!);
    });

    for (const route of routes) {
      it(`${route.method} ${route.url}: never 5xx, and a refused request changes no rows`, () => fuzzRoute(route, options));
    }
  });
}
