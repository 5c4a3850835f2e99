import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as client from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { createTestDatabase } from './databases.js';
import type { DatabaseKind, TestDatabase } from './databases.js';
import { browse } from './browser.js';
import type { CookieJar } from './browser.js';
import { DEFAULT_TENANT } from './fixtures.js';
import { startOidcProviderUpstream } from './oidc-provider-upstream.js';
import type { OidcProviderUpstream } from './oidc-provider-upstream.js';
import { freePort, startTestServer } from './test-server.js';
import type { TestServer } from './test-server.js';

export const REDIRECT = 'https://spa.example/callback';
export const LOGGED_OUT = 'https://spa.example/logged-out';
/** The browser origin of the single-page RP, registered in `authorizedOriginURLs`. */
export const ORIGIN = 'https://spa.example';

/**
 * Gatehouse over HTTPS (the test certificate) between two unchanged OpenID Connect parties: the
 * real `oidc-provider` upstream on its defaults, and openid-client v6 as a browser RP. The caller
 * registers the provider and the application (that is what the walk-through shows); this only
 * starts the servers, knowing the provider id beforehand so the upstream can register its
 * redirect URI. openid-client's fetch trusts the test certificate and, like a browser running the
 * RP's page, sends `Origin`; the CORS answer of each token response is kept in `tokenCors`.
 */
export interface OidcDiscoveryWorld {
  db: TestDatabase;
  server: TestServer;
  upstream: OidcProviderUpstream;
  dispatcher: Agent;
  providerId: string;
  clientId: string;
  issuer: string;
  /** `Access-Control-Allow-Origin` of every token endpoint response openid-client received. */
  tokenCors: (string | null)[];
  tlsFetch: client.CustomFetch;
  fetch(url: string, init?: Parameters<typeof undiciFetch>[1]): ReturnType<typeof undiciFetch>;
  /** openid-client's configuration, from Gatehouse's discovery document (call once the tenant is set up). */
  discover(): Promise<client.Configuration>;
  /** Sends the browser through an authorization request; resolves at the client's redirect URI. */
  authorize(rp: client.Configuration, jar: CookieJar, parameters?: Record<string, string>): Promise<{ url: URL; hops: string[]; checks: client.AuthorizationCodeGrantChecks }>;
  close(): Promise<void>;
}

export async function startOidcDiscoveryWorld(kind: DatabaseKind): Promise<OidcDiscoveryWorld> {
  const fixtures = join(process.cwd(), 'test/fixtures');
  const db = await createTestDatabase(kind);
  const port = await freePort();
  const publicUrl = `https://127.0.0.1:${port}`;
  const server = await startTestServer(db, { port, config: { tlsCert: join(fixtures, 'tls-test-cert.pem'), tlsKey: join(fixtures, 'tls-test-key.pem'), publicUrl } });
  const issuer = `${publicUrl}/t/${DEFAULT_TENANT}`;
  const providerId = randomUUID();
  const upstream = await startOidcProviderUpstream({ redirectUris: [`${issuer}/broker/${providerId}/endpoint`], gatehouseJwksUri: `${issuer}/.well-known/jwks.json` });
  const dispatcher = new Agent({ connect: { ca: readFileSync(join(fixtures, 'tls-test-cert.pem')) } });
  const tokenCors: (string | null)[] = [];
  const tlsFetch = (async (url: string, init: Parameters<typeof undiciFetch>[1] = {}) => {
    const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
    headers.set('origin', ORIGIN);
    const response = await undiciFetch(url, { ...init, headers, dispatcher });
    if (new URL(url).pathname.endsWith('/oauth2/token')) tokenCors.push(response.headers.get('access-control-allow-origin'));
    return response;
  }) as unknown as client.CustomFetch;
  const clientId = `spa-${randomUUID().slice(0, 8)}`;
  return {
    db, server, upstream, dispatcher, providerId, clientId, issuer, tokenCors, tlsFetch,
    fetch: (url, init) => undiciFetch(url, { ...init, dispatcher }),
    discover: () => client.discovery(new URL(issuer), clientId, undefined, client.None(), { [client.customFetch]: tlsFetch }),
    async authorize(rp, jar, parameters = {}) {
      const pkceCodeVerifier = client.randomPKCECodeVerifier();
      const expectedState = client.randomState();
      const expectedNonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(rp, {
        redirect_uri: REDIRECT, scope: 'openid email offline_access', code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier), code_challenge_method: 'S256',
        state: expectedState, nonce: expectedNonce, ...parameters,
      });
      return { ...(await browse(url.href, jar, REDIRECT, dispatcher, [302, 303])), checks: { pkceCodeVerifier, expectedState, expectedNonce } };
    },
    async close() {
      await dispatcher.close();
      await server.close();
      await upstream.close();
      await db.drop();
    },
  };
}
