import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/**
 * A real OpenID provider (npm `oidc-provider` v9) on 127.0.0.1 as Gatehouse's upstream, on its
 * defaults: scope claims only from userinfo (the ID token carries `sub` and the authentication
 * facts), PKCE, discovery at `{issuer}/.well-known/openid-configuration`. The login and consent
 * interaction is answered at once by a route of this server (no UI): it logs in the account set
 * with `nextAccount`, with the `acr` and `amr` given there, and grants the requested scopes.
 */
export interface OidcProviderUpstream {
  issuer: string;
  discoveryUrl: string;
  /** Gatehouse's public client (PKCE only). */
  publicClientId: string;
  /** Gatehouse's `private_key_jwt` client (keys from Gatehouse's JWKS URL). */
  keyClientId: string;
  nextAccount(id: string, claims: Record<string, unknown>, authentication?: { acr?: string; amr?: string[] }): void;
  /** The query of every authorization request the provider received. */
  authorizationRequests: URLSearchParams[];
  /** How many requests its userinfo endpoint (`/me`) received. */
  userinfoRequests(): number;
  close(): Promise<void>;
}

export async function startOidcProviderUpstream(options: { redirectUris: string[]; gatehouseJwksUri: string }): Promise<OidcProviderUpstream> {
  const accounts = new Map<string, Record<string, unknown>>();
  let next: { id: string; acr?: string; amr?: string[] } = { id: 'nobody' };
  const authorizationRequests: URLSearchParams[] = [];
  let userinfoRequests = 0;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'upstream-rs256', alg: 'RS256', use: 'sig' };

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const publicClientId = `gatehouse-public-${randomBytes(3).toString('hex')}`;
  const keyClientId = `gatehouse-pkjwt-${randomBytes(3).toString('hex')}`;
  const common = { redirect_uris: options.redirectUris, grant_types: ['authorization_code'], response_types: ['code'] };
  const provider = new Provider(issuer, {
    clients: [
      { ...common, client_id: publicClientId, token_endpoint_auth_method: 'none' },
      { ...common, client_id: keyClientId, token_endpoint_auth_method: 'private_key_jwt', jwks_uri: options.gatehouseJwksUri },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    acrValues: ['urn:test:loa:high'],
    claims: { acr: null, amr: null, auth_time: null, sid: null, openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'] },
    features: { devInteractions: { enabled: false }, claimsParameter: { enabled: true } },
    // Gatehouse's JWKS is on loopback, which oidc-provider's own SSRF guard refuses: the test allows it.
    fetch: (url: string, init: RequestInit & { dispatcher?: unknown }) => globalThis.fetch(url, { ...init, dispatcher: undefined } as RequestInit),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, id: string) {
      return { accountId: id, claims: async () => ({ sub: id, ...(accounts.get(id) ?? {}) }) };
    },
  });
  const callback = provider.callback();
  server.on('request', (request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    if (url.pathname === '/auth') authorizationRequests.push(url.searchParams);
    if (url.pathname === '/me') userinfoRequests++;
    if (!url.pathname.startsWith('/interaction/')) return callback(request, response);
    void (async () => {
      const details = await provider.interactionDetails(request, response);
      const grant = new provider.Grant({ accountId: next.id, clientId: details.params.client_id as string });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(
        request,
        response,
        { login: { accountId: next.id, ...(next.acr ? { acr: next.acr } : {}), ...(next.amr ? { amr: next.amr } : {}) }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    })().catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    publicClientId,
    keyClientId,
    nextAccount(id, claims, authentication = {}) {
      accounts.set(id, claims);
      next = { id, ...authentication };
    },
    authorizationRequests,
    userinfoRequests: () => userinfoRequests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
