import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { createApplication, DEFAULT_TENANT, DEFAULT_TENANT_ID } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

const ALLOWED = 'https://spa.example';
const LOCAL = 'http://localhost:5173';
const STRANGER = 'https://evil.example';
const SMART = 'cors-smart';
const T = { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID };

const preflight = (url: string, origin: string, method = 'POST') =>
  fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' } });
const corsHeaders = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

for (const kind of selectedKinds()) {
  describe(`CORS on the OAuth endpoints (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let publicClient: string;
    const at = (path: string) => `${server.url}${path}`;

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
      publicClient = `spa-${randomUUID().slice(0, 8)}`;
      await createApplication(server, {
        name: `spa-${randomUUID()}`,
        oauthConfiguration: { clientId: publicClient, clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code'], authorizedRedirectURLs: [`${ALLOWED}/cb`], authorizedOriginURLs: [ALLOWED, LOCAL] },
      });
      const tenant = await server.api('POST', '/api/tenant', { tenant: { name: `CORS SMART ${randomUUID()}`, slug: SMART, smartConfiguration: { enabled: true } } });
      assert.equal(tenant.status, 200, JSON.stringify(tenant.body));
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });

    const perOrigin = () => [`/t/${DEFAULT_TENANT}/oauth2/token`, `/t/${DEFAULT_TENANT}/oauth2/introspect`, `/t/${DEFAULT_TENANT}/oauth2/revoke`];
    const publicDocuments = () => [
      `/t/${DEFAULT_TENANT}/.well-known/openid-configuration`,
      `/t/${DEFAULT_TENANT}/.well-known/oauth-authorization-server`,
      `/.well-known/oauth-authorization-server/t/${DEFAULT_TENANT}`,
      `/t/${DEFAULT_TENANT}/.well-known/jwks.json`,
      `/t/${SMART}/.well-known/smart-configuration`,
      `/t/${SMART}/fhir/.well-known/smart-configuration`,
      `/t/${SMART}/fhir/metadata`,
    ];

    it('answers the preflight of token, introspection and revocation for a registered origin, and only for it', async () => {
      for (const path of perOrigin()) {
        for (const origin of [ALLOWED, LOCAL]) {
          const ok = await preflight(at(path), origin);
          assert.equal(ok.status, 204, path);
          assert.equal(ok.headers.get('access-control-allow-origin'), origin, path);
          assert.equal(ok.headers.get('access-control-allow-methods'), 'POST', path);
          assert.equal(ok.headers.get('access-control-allow-headers'), 'authorization, content-type', path);
          assert.equal(ok.headers.get('access-control-max-age'), '600', path);
          assert.equal(ok.headers.get('access-control-allow-credentials'), null, `${path}: no credentials mode`);
          assert.match(ok.headers.get('vary') ?? '', /\bOrigin\b/, path);
        }
        const refused = await preflight(at(path), STRANGER);
        assert.equal(refused.status, 204, path);
        assert.deepEqual(corsHeaders(refused), [], `${path}: nothing for an unregistered origin`);
        assert.match(refused.headers.get('vary') ?? '', /\bOrigin\b/, path);
        assert.equal(refused.headers.get('allow'), 'OPTIONS, POST', path);
      }
    });

    it('puts the registered origin on the answers of token, introspection and revocation, errors included', async () => {
      for (const path of perOrigin()) {
        const call = (origin: string) =>
          fetch(at(path), { method: 'POST', headers: { origin, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'no-such-client', token: 'x' }) });
        const allowed = await call(ALLOWED);
        assert.equal(allowed.status, 401, path);
        assert.equal(allowed.headers.get('access-control-allow-origin'), ALLOWED, path);
        assert.equal(allowed.headers.get('access-control-expose-headers'), 'WWW-Authenticate', path);
        assert.equal(allowed.headers.get('access-control-allow-credentials'), null, path);
        assert.match(allowed.headers.get('vary') ?? '', /\bOrigin\b/, path);
        assert.equal(((await allowed.json()) as { error: string }).error, 'invalid_client', 'the browser app can read the error');
        const refused = await call(STRANGER);
        assert.equal(refused.status, 401, path);
        assert.deepEqual(corsHeaders(refused), [], path);
        assert.match(refused.headers.get('vary') ?? '', /\bOrigin\b/, path);
      }
      // A successful answer too: the public client revokes (RFC 7009 §2.2: an unknown token is 200).
      const revoked = await fetch(at(`/t/${DEFAULT_TENANT}/oauth2/revoke`), {
        method: 'POST',
        headers: { origin: ALLOWED, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: publicClient, token: 'not-a-token' }),
      });
      assert.equal(revoked.status, 200);
      assert.equal(revoked.headers.get('access-control-allow-origin'), ALLOWED);
      // A body that is not a form is refused before any handler, and still carries the header.
      const unsupported = await fetch(at(perOrigin()[0]), { method: 'POST', headers: { origin: ALLOWED, 'content-type': 'text/plain' }, body: 'x' });
      assert.equal(unsupported.status, 400);
      assert.equal(((await unsupported.json()) as { error: string }).error, 'invalid_request');
      assert.equal(unsupported.headers.get('access-control-allow-origin'), ALLOWED);
    });

    it('serves the discovery documents, JWKS and smart-configuration to any origin', async () => {
      for (const path of publicDocuments()) {
        for (const origin of [ALLOWED, STRANGER]) {
          const ok = await preflight(at(path), origin, 'GET');
          assert.equal(ok.status, 204, path);
          assert.equal(ok.headers.get('access-control-allow-origin'), '*', path);
          assert.equal(ok.headers.get('access-control-allow-methods'), 'GET', path);
          assert.equal(ok.headers.get('access-control-max-age'), '600', path);
          const got = await fetch(at(path), { headers: { origin } });
          assert.equal(got.status, 200, path);
          assert.equal(got.headers.get('access-control-allow-origin'), '*', path);
          assert.equal(got.headers.get('access-control-allow-credentials'), null, path);
        }
      }
    });

    it('never answers a preflight or a read of /api with CORS headers', async () => {
      for (const path of ['/api/application', '/api/tenant', '/api/user', '/api/identity-provider/login']) {
        const response = await preflight(at(path), ALLOWED, 'GET');
        assert.equal(response.status, 404, path);
        assert.deepEqual(corsHeaders(response), [], path);
      }
      const read = await server.api('GET', '/api/application', undefined, { origin: ALLOWED, 'x-fusionauth-tenantid': DEFAULT_TENANT_ID });
      assert.equal(read.status, 200);
      assert.deepEqual([...read.headers.keys()].filter((name) => name.startsWith('access-control-')), []);
    });

    it('follows application changes: a new origin works at once, an inactive application lends none', async () => {
      const origin = 'https://later.example';
      const path = perOrigin()[0];
      assert.equal((await preflight(at(path), origin)).headers.get('access-control-allow-origin'), null);
      const app = await createApplication(server, { name: `later-${randomUUID()}`, oauthConfiguration: { clientAuthenticationMethod: 'none', authorizedOriginURLs: [origin] } });
      assert.equal((await preflight(at(path), origin)).headers.get('access-control-allow-origin'), origin);
      const off = await server.api('PATCH', `/api/application/${app.id}`, { application: { active: false } }, { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID });
      assert.equal(off.status, 200, JSON.stringify(off.body));
      assert.equal((await preflight(at(path), origin)).headers.get('access-control-allow-origin'), null);
      // Another tenant's origins are not this tenant's.
      assert.equal((await preflight(at(`/t/${SMART}/oauth2/token`), ALLOWED)).headers.get('access-control-allow-origin'), null);
    });

    it('stores and returns authorizedOriginURLs, and refuses anything but an exact https (or loopback http) origin', async () => {
      const reply = await server.api('GET', '/api/application', undefined, { 'x-fusionauth-tenantid': DEFAULT_TENANT_ID });
      const stored = reply.body.applications.find((a: { oauthConfiguration: { clientId: string } }) => a.oauthConfiguration.clientId === publicClient);
      assert.deepEqual(stored.oauthConfiguration.authorizedOriginURLs, [ALLOWED, LOCAL]);
      for (const bad of ['https://spa.example/', 'https://spa.example/app', 'https://SPA.example', 'https://spa.example:443', 'http://spa.example', 'null', '*', 'ftp://spa.example', 'https://user@spa.example']) {
        const refused = await server.api('POST', '/api/application', { application: { name: `bad-${randomUUID()}`, oauthConfiguration: { authorizedOriginURLs: [bad] } } }, T);
        assert.equal(refused.status, 400, bad);
        assert.deepEqual(Object.keys(refused.body.fieldErrors), ['application.oauthConfiguration.authorizedOriginURLs'], bad);
        assert.equal(refused.body.fieldErrors['application.oauthConfiguration.authorizedOriginURLs'][0].code, '[invalid]application.oauthConfiguration.authorizedOriginURLs');
      }
      const wrongType = await server.api('POST', '/api/application', { application: { name: `bad-${randomUUID()}`, oauthConfiguration: { authorizedOriginURLs: 'https://spa.example' } } }, T);
      assert.equal(wrongType.status, 400);
      assert.ok(Object.keys(wrongType.body.fieldErrors).some((field) => field.startsWith('application.oauthConfiguration.authorizedOriginURLs')), JSON.stringify(wrongType.body));
    });
  });
}
