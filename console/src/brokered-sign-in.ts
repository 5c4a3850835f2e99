/**
 * Signing in through a tenant's own login (its brokered upstream providers): the OAuth 2.0
 * authorization-code flow with PKCE S256 (RFC 7636) and `state` (RFC 6749 §10.12), the console
 * a public client (no secret, RFC 6749 §2.1; OAuth 2.0 for Browser-Based Apps). What the flow
 * needs across the redirect (state, verifier, token endpoint) waits in this tab's sessionStorage;
 * the access token it ends with is kept there too and sent as `Authorization: Bearer` (RFC 6750 §2.1).
 */
import { session } from './session.js';

const PENDING = 'gatehouse.pendingSignIn';

interface SignInOptions {
  tenant: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  redirectUri: string;
}

interface PendingSignIn {
  state: string;
  verifier: string;
  clientId: string;
  tokenEndpoint: string;
  redirectUri: string;
}

const base64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const randomString = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)));

/** Sends the browser to the tenant's authorization endpoint; resolves only when it cannot (no console application). */
export async function startBrokeredSignIn(tenant: string): Promise<void> {
  const response = await fetch(`/admin/sign-in-options/${encodeURIComponent(tenant)}`, { credentials: 'omit' });
  if (response.status === 404) throw new Error('This tenant does not exist or has no console application (tenant.adminConsoleApplicationId).');
  if (!response.ok) throw new Error(`The server answered ${response.status}.`);
  const options = (await response.json()) as SignInOptions;
  const verifier = randomString();
  // RFC 7636 §4.2: code_challenge = BASE64URL(SHA256(ASCII(code_verifier))).
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const pending: PendingSignIn = { state: randomString(), verifier, clientId: options.clientId, tokenEndpoint: options.tokenEndpoint, redirectUri: options.redirectUri };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(options.authorizationEndpoint);
  const params = { response_type: 'code', client_id: options.clientId, redirect_uri: options.redirectUri, scope: 'openid', state: pending.state, code_challenge: challenge, code_challenge_method: 'S256' };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  location.assign(url.href);
}

/**
 * On return to `/admin?code=…&state=…` (or `?error=…`): checks `state` against the pending
 * sign-in, redeems the code, keeps the access token. Resolves false when this load is no
 * callback; throws with a message for the sign-in page otherwise.
 */
export async function completeBrokeredSignIn(): Promise<boolean> {
  const query = new URLSearchParams(location.search);
  if (!query.has('code') && !query.has('error')) return false;
  const stored = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', location.pathname + location.hash);
  const pending = stored ? (JSON.parse(stored) as PendingSignIn) : undefined;
  if (!pending || query.get('state') !== pending.state) throw new Error('The sign-in answer does not belong to a sign-in started in this tab (state mismatch).');
  if (query.has('error')) throw new Error(`The login was not completed: ${query.get('error_description') ?? query.get('error')}.`);
  const form = new URLSearchParams({ grant_type: 'authorization_code', code: query.get('code')!, redirect_uri: pending.redirectUri, code_verifier: pending.verifier, client_id: pending.clientId });
  const response = await fetch(pending.tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form, credentials: 'omit' });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
  if (!response.ok || typeof body.access_token !== 'string') throw new Error(`The code was not redeemed: ${body.error_description ?? body.error ?? response.status}.`);
  session.signIn(`Bearer ${body.access_token}`);
  return true;
}
