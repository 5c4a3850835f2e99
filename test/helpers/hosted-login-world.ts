import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createTestDatabase } from './databases.js';
import type { DatabaseKind, TestDatabase } from './databases.js';
import { createApplication, DEFAULT_TENANT, tokenPath } from './fixtures.js';
import { startOidcProviderUpstream } from './oidc-provider-upstream.js';
import type { OidcProviderUpstream } from './oidc-provider-upstream.js';
import { startTestServer } from './test-server.js';
import type { Reply, TestServer } from './test-server.js';


/**
 * A real Gatehouse and a real upstream OP (oidc-provider) for the hosted-page tests: identity
 * providers made on demand (each with its callback registered at the OP, a lambda if given), one
 * application per test, and an authorization request to start in a browser.
 */
export interface HostedLoginWorld {
  server: TestServer;
  op: OidcProviderUpstream;
  /** The client's registered redirect URI: a real HTTP server on loopback that records each request. */
  appRedirect: string;
  /** The URLs the browser was sent to at the redirect URI, in order. */
  appRequests: string[];
  /** Creates an application whose browser login goes to the given providers. */
  application(providerIds: string[], name?: string): Promise<{ id: string; clientId: string; providers: Record<string, string> }>;
  /** An identity provider at the OP, with a reconcile lambda when `lambdaBody` is given. */
  provider(id: string, options?: { lambdaBody?: string; linkingStrategy?: string; name?: string }): Promise<void>;
  /** The authorization request URL and the PKCE verifier to redeem its code with. */
  authorizeUrl(clientId: string, extra?: Record<string, string>): { url: string; verifier: string };
  redeem(clientId: string, code: string, verifier: string): Promise<Reply>;
  close(): Promise<void>;
}

export async function startHostedLoginWorld(kind: DatabaseKind): Promise<HostedLoginWorld> {
  const appRequests: string[] = [];
  const appServer = createServer((request, response) => {
    const url = new URL(request.url ?? '/', appRedirect);
    if (url.pathname === '/callback') appRequests.push(url.toString());
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="en"><title>App</title><p>Back in the app.</p></html>');
  });
  await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  const appAddress = appServer.address();
  const appRedirect = `http://127.0.0.1:${typeof appAddress === 'object' && appAddress ? appAddress.port : 0}/callback`;
  const db: TestDatabase = await createTestDatabase(kind);
  const server = await startTestServer(db);
  const issuer = `${server.publicUrl}/t/${DEFAULT_TENANT}`;
  const providerIds = Array.from({ length: 16 }, () => randomUUID());
  let nextProvider = 0;
  const op = await startOidcProviderUpstream({ redirectUris: providerIds.map((id) => `${issuer}/broker/${id}/endpoint`), gatehouseJwksUri: `${issuer}/.well-known/jwks.json` });
  const providers: { id: string; options: { lambdaBody?: string; linkingStrategy?: string; name?: string } }[] = [];
  // Provider names are unique: a template's name is used as it is the first time, then with a suffix.
  const usedNames = new Set<string>();

  return {
    server,
    op,
    appRedirect,
    appRequests,
    async provider(name, options = {}) {
      providers.push({ id: name, options });
    },
    async application(names, appName) {
      const clientId = `pages-${randomUUID().slice(0, 8)}`;
      const app = await createApplication(server, {
        name: appName ?? `Praktijk ${clientId}`,
        oauthConfiguration: { clientId, clientAuthenticationMethod: 'none', enabledGrants: ['authorization_code'], authorizedRedirectURLs: [appRedirect] },
      });
      const made: Record<string, string> = {};
      for (const name of names) {
        const { options } = providers.find((p) => p.id === name)!;
        const id = providerIds[nextProvider++];
        made[name] = id;
        const wanted = options.name ?? name;
        const providerName = usedNames.has(wanted) ? `${wanted}-${id.slice(0, 4)}` : wanted;
        usedNames.add(providerName);
        let reconcileId: string | undefined;
        if (options.lambdaBody) {
          const lambda = await server.api('POST', '/api/lambda', { lambda: { name: `l-${randomUUID()}`, type: 'ExternalJWTReconcile', body: options.lambdaBody } });
          assert.equal(lambda.status, 200, JSON.stringify(lambda.body));
          reconcileId = lambda.body.lambda.id;
        }
        const created = await server.api('POST', `/api/identity-provider/${id}`, {
          identityProvider: {
            type: 'ExternalJWT', name: providerName, enabled: true, headerKeyParameter: 'kid', linkingStrategy: options.linkingStrategy ?? 'LinkByEmail',
            applicationConfiguration: { [app.id]: { enabled: true, createRegistration: true } },
            ...(reconcileId ? { lambdaConfiguration: { reconcileId } } : {}),
            oauth2: { scope: 'openid email profile', discoveryUrl: op.discoveryUrl, client_id: op.publicClientId, clientAuthenticationMethod: 'none' },
          },
        });
        assert.equal(created.status, 200, JSON.stringify(created.body));
      }
      return { id: app.id, clientId, providers: made };
    },
    authorizeUrl(clientId, extra = {}) {
      const verifier = randomBytes(32).toString('base64url');
      const url = new URL(`${server.url}/t/${DEFAULT_TENANT}/oauth2/authorize`);
      const params = { response_type: 'code', client_id: clientId, redirect_uri: appRedirect, scope: 'openid', state: `s-${randomUUID().slice(0, 8)}`, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', ...extra };
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      return { url: url.toString(), verifier };
    },
    redeem: (clientId, code, verifier) => server.form(tokenPath(), { grant_type: 'authorization_code', code, redirect_uri: appRedirect, code_verifier: verifier, client_id: clientId }),
    async close() {
      await new Promise((resolve) => appServer.close(resolve));
      await server.close();
      await op.close();
      await db.drop();
    },
  };
}
