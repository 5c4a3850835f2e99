import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as client from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { createTestDatabase } from './databases.js';
import type { DatabaseKind, TestDatabase } from './databases.js';
import { browse } from './browser.js';
import type { CookieJar } from './browser.js';
import { createApplication, DEFAULT_TENANT } from './fixtures.js';
import { freePort, startTestServer } from './test-server.js';
import type { TestServer } from './test-server.js';
import { startUpstreamOidcProvider } from './upstream-oidc-provider.js';
import type { UpstreamOidcProvider } from './upstream-oidc-provider.js';

export const REDIRECT = 'https://rp.example/callback';
export const LOGGED_OUT = 'https://rp.example/logged-out';

/**
 * Gatehouse over HTTPS (the test certificate) as the OpenID provider of a public client, its
 * login brokered to a real upstream OP, and openid-client v6 with its defaults as the relying
 * party — only its fetch trusts the test certificate.
 */
export interface OidcOpWorld {
  db: TestDatabase;
  server: TestServer;
  upstream: UpstreamOidcProvider;
  dispatcher: Agent;
  clientId: string;
  issuer: string;
  rp: client.Configuration;
  /** A fetch through the test certificate's trust. */
  fetch(url: string, init?: Parameters<typeof undiciFetch>[1]): ReturnType<typeof undiciFetch>;
  /** Sends the browser through an authorization request; resolves at the client's redirect URI. */
  authorize(jar: CookieJar, parameters?: Record<string, string>): Promise<{ url: URL; hops: string[]; checks: client.AuthorizationCodeGrantChecks }>;
  close(): Promise<void>;
}

export async function startOidcOpWorld(kind: DatabaseKind): Promise<OidcOpWorld> {
  const fixtures = join(process.cwd(), 'test/fixtures');
  const db = await createTestDatabase(kind);
  const port = await freePort();
  const server = await startTestServer(db, {
    port,
    config: { tlsCert: join(fixtures, 'tls-test-cert.pem'), tlsKey: join(fixtures, 'tls-test-key.pem'), publicUrl: `https://127.0.0.1:${port}` },
  });
  const upstream = await startUpstreamOidcProvider();
  const dispatcher = new Agent({ connect: { ca: readFileSync(join(fixtures, 'tls-test-cert.pem')) } });
  const clientId = `rp-${randomUUID().slice(0, 8)}`;
  const app = await createApplication(server, {
    name: `rp-${randomUUID()}`,
    roles: [{ name: 'patient', isDefault: true }],
    loginConfiguration: { generateRefreshTokens: true },
    oauthConfiguration: {
      clientId,
      clientAuthenticationMethod: 'none',
      enabledGrants: ['authorization_code', 'refresh_token'],
      authorizedRedirectURLs: [REDIRECT],
      postLogoutRedirectURLs: [LOGGED_OUT],
    },
  });
  const provider = await server.api('POST', '/api/identity-provider', {
    identityProvider: {
      type: 'ExternalJWT', name: `upstream-${randomUUID()}`, enabled: true, headerKeyParameter: 'kid', jwksUri: upstream.jwksUri, issuer: upstream.issuer, linkingStrategy: 'LinkByEmail',
      oauth2: { authorization_endpoint: upstream.authorizationEndpoint, token_endpoint: upstream.tokenEndpoint, client_id: upstream.clientId, scope: 'openid email' },
      applicationConfiguration: { [app.id]: { enabled: true, createRegistration: true } },
    },
  });
  assert.equal(provider.status, 200, JSON.stringify(provider.body));
  const tlsFetch = ((url: string, init: Parameters<typeof undiciFetch>[1]) => undiciFetch(url, { ...init, dispatcher })) as unknown as client.CustomFetch;
  const issuer = `${server.publicUrl}/t/${DEFAULT_TENANT}`;
  const rp = await client.discovery(new URL(issuer), clientId, undefined, client.None(), { [client.customFetch]: tlsFetch });
  return {
    db, server, upstream, dispatcher, clientId, issuer, rp,
    fetch: (url, init) => undiciFetch(url, { ...init, dispatcher }),
    async authorize(jar, parameters = {}) {
      const pkceCodeVerifier = client.randomPKCECodeVerifier();
      const expectedState = client.randomState();
      const expectedNonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(rp, {
        redirect_uri: REDIRECT, scope: 'openid profile email offline_access', code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier), code_challenge_method: 'S256',
        state: expectedState, nonce: expectedNonce, ...parameters,
      });
      const checks: client.AuthorizationCodeGrantChecks = { pkceCodeVerifier, expectedState, expectedNonce, ...(parameters.max_age ? { maxAge: Number(parameters.max_age) } : {}) };
      return { ...(await browse(url.href, jar, REDIRECT, dispatcher)), checks };
    },
    async close() {
      await dispatcher.close();
      await server.close();
      await upstream.close();
      await db.drop();
    },
  };
}
