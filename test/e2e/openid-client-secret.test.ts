import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { createApplication, decodeJwt, DEFAULT_TENANT } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/test-server.js';
import type { TestServer } from '../helpers/test-server.js';

/** What openid-client sent to the token endpoint. */
interface SeenRequest {
  url: string;
  authorization: string | null;
  body: URLSearchParams;
}

for (const kind of selectedKinds()) {
  describe(`openid-client v6 on its defaults against a default application (${kind})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let app: { id: string; oauthConfiguration: { clientId: string; clientSecret?: string } };

    before(async () => {
      db = await createTestDatabase(kind);
      server = await startTestServer(db);
      // No clientAuthenticationMethod: the default, client_secret_basic.
      app = await createApplication(server, { name: 'reporting job', oauthConfiguration: { enabledGrants: ['client_credentials'], allowedScopes: ['reports.read'] } });
    });
    after(async () => {
      await server?.close();
      await db?.drop();
    });

    /** Discovery and a client configured with nothing but the id and the secret (plain http: the test server has no TLS). */
    const configure = async (secret: string, seen: SeenRequest[]) => {
      const record: typeof fetch = async (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        if (init?.method === 'POST') seen.push({ url, authorization: new Headers(init.headers).get('authorization'), body: new URLSearchParams(String(init.body)) });
        return fetch(input, init);
      };
      const config = await client.discovery(new URL(`${server.publicUrl}/t/${DEFAULT_TENANT}`), app.oauthConfiguration.clientId, secret, undefined, { execute: [client.allowInsecureRequests] });
      config[client.customFetch] = record;
      return config;
    };

    it('client_credentials with its default client_secret_post succeeds', async () => {
      const seen: SeenRequest[] = [];
      const config = await configure(app.oauthConfiguration.clientSecret!, seen);
      const tokens = await client.clientCredentialsGrant(config, { scope: 'reports.read' });
      assert.equal(tokens.token_type, 'bearer');
      assert.equal(tokens.scope, 'reports.read');
      assert.equal(decodeJwt(tokens.access_token).payload.client_id, app.oauthConfiguration.clientId);
      // It really was client_secret_post: the secret in the body, no Authorization header.
      assert.equal(seen.length, 1);
      assert.equal(seen[0].url, `${server.publicUrl}/t/${DEFAULT_TENANT}/oauth2/token`);
      assert.equal(seen[0].authorization, null);
      assert.equal(seen[0].body.get('client_secret'), app.oauthConfiguration.clientSecret);
    });

    it('a wrong secret is still refused (invalid_client)', async () => {
      const config = await configure('not-the-secret-of-this-client-at-all', []);
      await assert.rejects(client.clientCredentialsGrant(config, { scope: 'reports.read' }), (error: { error?: string; status?: number }) => error.error === 'invalid_client' && error.status === 401);
    });
  });
}
