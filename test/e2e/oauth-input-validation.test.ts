import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { ASSERTION_TYPE } from '../helpers/client-keys.js';
import { createApplication, DEFAULT_TENANT } from '../helpers/fixtures.js';
import { readReply, startTestServer } from '../helpers/test-server.js';
import type { Reply, TestServer } from '../helpers/test-server.js';

const REDIRECT = 'https://app.example/callback';
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * The schemas at the edge of the OAuth endpoints: bad parameters are refused with the same
 * status and RFC 6749 §5.2 code on SQLite and PostgreSQL, before anything reaches the store.
 */
for (const kind of selectedKinds()) {
  describe(`OAuth parameter validation at the edge (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let secret: string;

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
      const app = await createApplication(server, {
        name: 'edge-service',
        oauthConfiguration: { clientId: 'edge-service', clientAuthenticationMethod: 'client_secret_post', enabledGrants: ['client_credentials'] },
      });
      secret = app.oauthConfiguration.clientSecret!;
      await createApplication(server, {
        name: 'edge-spa',
        oauthConfiguration: { clientId: 'edge-spa', clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code'], authorizedRedirectURLs: [REDIRECT] },
      });
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });

    const post = async (endpoint: string, body: string, headers: Record<string, string> = {}): Promise<Reply> =>
      readReply(await fetch(`${server.url}/t/${DEFAULT_TENANT}/oauth2/${endpoint}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, redirect: 'manual' }));
    const get = async (path: string): Promise<Reply> => readReply(await fetch(`${server.url}${path}`, { redirect: 'manual' }));
    const refused = (reply: Reply, status: number, error: string, description?: RegExp) => {
      assert.equal(reply.status, status, JSON.stringify(reply.body));
      assert.equal(reply.body.error, error);
      if (description) assert.match(reply.body.error_description, description);
      assert.equal(reply.headers.get('cache-control'), 'no-store');
    };
    const bodies = {
      token: 'grant_type=client_credentials&client_secret=s',
      introspect: 'token=t',
      revoke: 'token=t',
      authorize: `response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}`,
    };

    for (const [endpoint, rest] of Object.entries(bodies)) {
      it(`${endpoint}: a NUL in client_id (%00) is 400 invalid_request`, async () => {
        refused(await post(endpoint, `${rest}&client_id=a%00b`), 400, 'invalid_request', /^client_id contains a control character/);
      });
      it(`${endpoint}: client_id given twice is 400 invalid_request`, async () => {
        refused(await post(endpoint, `${rest}&client_id=edge-service&client_id=edge-service`), 400, 'invalid_request', /client_id is included more than once/);
      });
      it(`${endpoint}: a 2 KiB client_id is 400 invalid_request`, async () => {
        refused(await post(endpoint, `${rest}&client_id=${'a'.repeat(2048)}`), 400, 'invalid_request', /^client_id is longer than 255 characters/);
      });
      it(`${endpoint}: JSON (with "\\u0000" or a number as client_id) is 400 invalid_request`, async () => {
        for (const clientId of ['a\u0000b', 42, ['a'], null]) {
          refused(await post(endpoint, JSON.stringify({ client_id: clientId }), { 'content-type': 'application/json' }), 400, 'invalid_request', /application\/x-www-form-urlencoded/);
        }
      });
    }

    it('authorize (GET): a NUL in client_id, a repeated client_id and a 2 KiB one are answered directly, never redirected', async () => {
      const query = `response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}`;
      refused(await get(`/t/${DEFAULT_TENANT}/oauth2/authorize?${query}&client_id=a%00b`), 400, 'invalid_request', /^client_id contains a control character/);
      refused(await get(`/t/${DEFAULT_TENANT}/oauth2/authorize?${query}&client_id=edge-spa&client_id=edge-spa`), 400, 'invalid_request', /more than once/);
      refused(await get(`/t/${DEFAULT_TENANT}/oauth2/authorize?${query}&client_id=${'a'.repeat(2048)}`), 400, 'invalid_request', /longer than 255/);
      refused(await get(`/t/${DEFAULT_TENANT}/oauth2/authorize?client_id=edge-spa&redirect_uri=${encodeURIComponent(REDIRECT)}%00`), 400, 'invalid_request', /^redirect_uri contains/);
    });

    it('authorize: a parameter checked after the client still goes back to the redirect URI', async () => {
      const reply = await get(`/t/${DEFAULT_TENANT}/oauth2/authorize?client_id=edge-spa&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=token&state=${'s'.repeat(600)}`);
      assert.equal(reply.status, 302);
      const location = new URL(reply.headers.get('location')!);
      assert.equal(location.origin + location.pathname, REDIRECT);
      assert.equal(location.searchParams.get('error'), 'invalid_request');
      assert.equal(location.searchParams.get('state'), null, 'a state over 512 characters is not echoed');
    });

    it('token: a NUL in the HTTP Basic user is 401 invalid_client with a Basic challenge', async () => {
      const reply = await post('token', 'grant_type=client_credentials', { authorization: `Basic ${Buffer.from('a%00b:secret').toString('base64')}` });
      refused(reply, 401, 'invalid_client', /Malformed HTTP Basic credentials/);
      assert.match(reply.headers.get('www-authenticate') ?? '', /^Basic /);
    });

    it('token: a client assertion whose sub holds a NUL is 401 invalid_client', async () => {
      const assertion = `${base64url({ alg: 'ES256', kid: 'k' })}.${base64url({ iss: 'a\u0000b', sub: 'a\u0000b', aud: 'x', exp: 1 })}.c2ln`;
      const body = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion }).toString();
      refused(await post('token', body), 401, 'invalid_client');
    });

    it('token: other parameters are bounded and refuse control characters; unknown ones are ignored (RFC 6749 §3.2)', async () => {
      const valid = `grant_type=client_credentials&client_id=edge-service&client_secret=${secret}`;
      refused(await post('token', `${valid}&scope=a%0Ab`), 400, 'invalid_request', /^scope contains/);
      refused(await post('token', `${valid}&scope=${'a'.repeat(1025)}`), 400, 'invalid_request', /^scope is longer than 1024/);
      refused(await post('token', `${valid}&client_assertion=${'a'.repeat(16 * 1024 + 1)}`), 400, 'invalid_request', /^client_assertion is longer/);
      refused(await post('token', 'grant_type=refresh_token&client_id=edge-service&refresh_token=a%00'), 400, 'invalid_request', /^refresh_token contains/);
      const ignored = await post('token', `${valid}&unknown=%00&__proto__=x`);
      assert.equal(ignored.status, 200, JSON.stringify(ignored.body));
    });

    it('path parameters: a malformed tenant is 404 invalid_tenant, a malformed provider id 400 invalid_request', async () => {
      refused(await get('/t/a%00b/.well-known/jwks.json'), 404, 'invalid_tenant');
      refused(await get('/t/a%00b/.well-known/openid-configuration'), 404, 'invalid_tenant');
      refused(await get(`/.well-known/oauth-authorization-server/t/${'a'.repeat(64)}`), 404, 'invalid_tenant');
      refused(await get(`/t/${DEFAULT_TENANT}/broker/a%00b/endpoint?state=x`), 400, 'invalid_request', /Unknown identity provider/);
      refused(await get(`/t/${DEFAULT_TENANT}/broker/00000000-0000-4000-8000-000000000000/endpoint?state=x%00`), 400, 'invalid_request', /^state contains/);
    });
  });
}
