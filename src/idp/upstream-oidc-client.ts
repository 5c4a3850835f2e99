import type { FetchPolicy } from '../lib/bounded-fetch.js';
import { FetchError, fetchJson } from '../lib/bounded-fetch.js';
import type { ExternalJwtIdentityProvider } from '../store/records.js';
import { CLIENT_ASSERTION_TYPE } from './upstream-client-assertion.js';

export type UpstreamLoginErrorCode = 'UPSTREAM_TOKEN_REQUEST_FAILED' | 'UPSTREAM_NO_ID_TOKEN' | 'UPSTREAM_USERINFO_FAILED' | 'UPSTREAM_DISCOVERY_FAILED';

/**
 * The client's authorization parameters that may pass upstream (OIDC Core §3.1.2.1, §5.5 for
 * `claims`); `oauth2.forwardParameters` narrows them per provider, default all.
 */
export const FORWARDABLE_PARAMETERS = ['prompt', 'login_hint', 'acr_values', 'max_age', 'ui_locales', 'claims'] as const;
export type ForwardableParameter = (typeof FORWARDABLE_PARAMETERS)[number];

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
 * S256), keeping any parameters already in the provider's `authorization_endpoint`, plus the
 * client's `forwarded` parameters the provider's `oauth2.forwardParameters` lets through.
 */
export function upstreamAuthorizationUrl(
  provider: ExternalJwtIdentityProvider,
  authorizationEndpoint: string,
  callback: string,
  handles: { state: string; nonce: string; codeChallenge: string },
  forwarded: Partial<Record<ForwardableParameter, string>> = {},
): string {
  const url = new URL(authorizationEndpoint);
  const allowed: readonly string[] = provider.oauth2.forwardParameters ?? FORWARDABLE_PARAMETERS;
  for (const [name, value] of Object.entries(forwarded)) if (allowed.includes(name) && value !== undefined) url.searchParams.set(name, value);
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

/** How Gatehouse authenticates at the upstream token endpoint. */
export interface UpstreamClientCredentials {
  clientSecret?: string;
  /** `private_key_jwt`: the signed assertion for this token endpoint. */
  clientAssertion?: string;
}

/** What the upstream token endpoint answered. */
export interface UpstreamTokens {
  idToken: string;
  accessToken?: string;
}

/**
 * The token request for the upstream code (OIDC Core §3.1.3.1), authenticated as configured:
 * `none` (PKCE only), `client_secret_basic` (RFC 6749 §2.3.1, form-encoded credentials),
 * `client_secret_post` or `private_key_jwt` (OIDC Core §9, RFC 7523 §2.2). Bounded by the
 * outbound-fetch time and size limits; returns the ID token and the access token.
 */
export async function exchangeUpstreamCode(
  provider: ExternalJwtIdentityProvider,
  tokenEndpoint: string,
  callback: string,
  code: string,
  codeVerifier: string,
  credentials: UpstreamClientCredentials,
  policy: FetchPolicy,
): Promise<UpstreamTokens> {
  const clientId = provider.oauth2.client_id!;
  const { clientSecret, clientAssertion } = credentials;
  const method = provider.oauth2.clientAuthenticationMethod ?? (clientSecret ? 'client_secret_basic' : 'none');
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback, code_verifier: codeVerifier });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (method === 'client_secret_basic' && clientSecret) {
    const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
  } else {
    form.set('client_id', clientId);
    if (method === 'client_secret_post' && clientSecret) form.set('client_secret', clientSecret);
    if (method === 'private_key_jwt' && clientAssertion) {
      form.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
      form.set('client_assertion', clientAssertion);
    }
  }
  let body: unknown;
  try {
    ({ body } = await fetchJson(tokenEndpoint, policy, { method: 'POST', headers, body: form.toString() }));
  } catch (error) {
    if (error instanceof FetchError) throw new UpstreamLoginError('UPSTREAM_TOKEN_REQUEST_FAILED', `The identity provider's token endpoint failed: ${error.code} (${error.message}).`);
    throw error;
  }
  const answer = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const idToken = answer.id_token;
  if (typeof idToken !== 'string' || idToken === '') throw new UpstreamLoginError('UPSTREAM_NO_ID_TOKEN', 'The identity provider answered without an id_token.');
  return { idToken, ...(typeof answer.access_token === 'string' && answer.access_token !== '' ? { accessToken: answer.access_token } : {}) };
}
