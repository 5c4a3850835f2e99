import type { FetchPolicy } from '../lib/bounded-fetch.js';
import { FetchError, fetchJson } from '../lib/bounded-fetch.js';
import type { ExternalJwtIdentityProvider } from '../store/records.js';

export type UpstreamLoginErrorCode = 'UPSTREAM_TOKEN_REQUEST_FAILED' | 'UPSTREAM_NO_ID_TOKEN';

export class UpstreamLoginError extends Error {
  constructor(
    readonly code: UpstreamLoginErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamLoginError';
  }
}

/**
 * Gatehouse as the client of an upstream OpenID provider (Keycloak's OIDC brokering): the
 * authorization request it redirects the browser to (OIDC Core §3.1.2.1, with `nonce` and PKCE
 * S256), keeping any parameters already in the provider's `authorization_endpoint`.
 */
export function upstreamAuthorizationUrl(
  provider: ExternalJwtIdentityProvider,
  callback: string,
  handles: { state: string; nonce: string; codeChallenge: string },
): string {
  const url = new URL(provider.oauth2.authorization_endpoint!);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: provider.oauth2.client_id!,
    redirect_uri: callback,
    scope: provider.oauth2.scope ?? 'openid',
    state: handles.state,
    nonce: handles.nonce,
    code_challenge: handles.codeChallenge,
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * The token request for the upstream code (OIDC Core §3.1.3.1), authenticated as configured:
 * `none` (PKCE only), `client_secret_basic` (RFC 6749 §2.3.1, form-encoded credentials) or
 * `client_secret_post`. Bounded by the outbound-fetch time and size limits; returns the ID token.
 */
export async function exchangeUpstreamCode(
  provider: ExternalJwtIdentityProvider,
  callback: string,
  code: string,
  codeVerifier: string,
  clientSecret: string | undefined,
  policy: FetchPolicy,
): Promise<string> {
  const clientId = provider.oauth2.client_id!;
  const method = provider.oauth2.clientAuthenticationMethod ?? (clientSecret ? 'client_secret_basic' : 'none');
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback, code_verifier: codeVerifier });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (method === 'client_secret_basic' && clientSecret) {
    const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
  } else {
    form.set('client_id', clientId);
    if (method === 'client_secret_post' && clientSecret) form.set('client_secret', clientSecret);
  }
  let body: unknown;
  try {
    ({ body } = await fetchJson(provider.oauth2.token_endpoint!, policy, { method: 'POST', headers, body: form.toString() }));
  } catch (error) {
    if (error instanceof FetchError) throw new UpstreamLoginError('UPSTREAM_TOKEN_REQUEST_FAILED', `The identity provider's token endpoint failed: ${error.code} (${error.message}).`);
    throw error;
  }
  const idToken = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).id_token : undefined;
  if (typeof idToken !== 'string' || idToken === '') throw new UpstreamLoginError('UPSTREAM_NO_ID_TOKEN', 'The identity provider answered without an id_token.');
  return idToken;
}
