import type { MissingEntry } from '../lambda/lambda-types.js';
import { safeEqual, sha256 } from '../lib/hash.js';
import { randomSecret } from '../lib/ids.js';
import type { JsonObject, Tenant } from '../store/records.js';
import type { OAuthContext } from './context.js';
import type { UpstreamAuthentication } from './upstream-login.js';

/** How long the user may take on a hosted page (the held onboarding or link lasts as long). */
export const INTERACTION_TTL_MS = 10 * 60_000;

/**
 * The client's authorization request (RFC 6749 §4.1.1 with PKCE and OIDC Core §3.1.2.1), kept
 * while the user is at the upstream provider or on a hosted page, so the login can finish.
 */
export interface ClientAuthorizationRequest {
  applicationId: string;
  providerId: string;
  redirectUri: string;
  state?: string;
  scopes?: string[];
  codeChallenge: string;
  nonce?: string;
  /** OIDC Core §3.1.2.1 `ui_locales` of the request: the pages' language. */
  uiLocales?: string;
}

/** Only the fields of a `ClientAuthorizationRequest`, absent ones left out (what is stored is exactly the request). */
export const clientAuthorizationRequestOf = (from: ClientAuthorizationRequest): ClientAuthorizationRequest => ({
  applicationId: from.applicationId,
  providerId: from.providerId,
  redirectUri: from.redirectUri,
  ...(from.state ? { state: from.state } : {}),
  ...(from.scopes ? { scopes: from.scopes } : {}),
  codeChallenge: from.codeChallenge,
  ...(from.nonce ? { nonce: from.nonce } : {}),
  ...(from.uiLocales ? { uiLocales: from.uiLocales } : {}),
});

/** A brokered login that can finish after a page: the client's request and the upstream authentication. */
export interface ResumableLogin extends ClientAuthorizationRequest {
  /** What the upstream ID token said about the authentication (for Gatehouse's ID token). */
  authentication: UpstreamAuthentication;
}

/** What the user is asked on a hosted page. */
export type InteractionStep =
  | { kind: 'onboarding'; pendingOnboardingId: string; reason: string; missing: MissingEntry[] }
  | { kind: 'pendingLink'; pendingIdPLinkId: string; providerName: string; displayName?: string };

interface StoredInteraction {
  /** SHA-256 of the browser binding: the secret of the cookie set with the redirect to the page. */
  bindingHash: string;
  login: ResumableLogin;
  step: InteractionStep;
}

export interface LoginInteraction {
  id: string;
  login: ResumableLogin;
  step: InteractionStep;
}

/** A page request that cannot go on: the stable code the page shows, and its HTTP status. */
export class InteractionError extends Error {
  constructor(
    readonly code: 'GH_LOGIN_EXPIRED' | 'GH_LOGIN_WRONG_BROWSER' | 'GH_LOGIN_CSRF' | 'GH_LOGIN_NO_SESSION',
    message: string,
  ) {
    super(message);
    this.name = 'InteractionError';
  }

  get status(): number {
    return this.code === 'GH_LOGIN_EXPIRED' ? 400 : 403;
  }
}

/**
 * The form token of an interaction: derived from the browser binding (the HttpOnly cookie), so
 * only a page served to that browser carries it; a cross-site form cannot (synchronizer token,
 * OWASP CSRF Prevention; the cookie alone is not enough as it may be sent along).
 */
export const csrfTokenOf = (binding: string): string => sha256(`csrf:${binding}`);

/** The form's token must be the binding's: else `GH_LOGIN_CSRF` (403). */
export function checkCsrfToken(binding: string, token: string | undefined): void {
  if (token === undefined || !safeEqual(token, csrfTokenOf(binding))) throw new InteractionError('GH_LOGIN_CSRF', 'The form is not from this login (missing or wrong CSRF token).');
}

/**
 * Hosted-page interactions of a login (onboarding, pending link), in `authorization_transactions`
 * under the hash of a public id, bound to the browser like the upstream `state` (RFC 6749 §10.12):
 * the id is in the page's URL, the binding secret in a cookie, and only both find it.
 */
export async function openInteraction(ctx: OAuthContext, tenant: Tenant, login: ResumableLogin, step: InteractionStep): Promise<{ id: string; binding: string }> {
  const id = randomSecret(24);
  const binding = randomSecret(32);
  const now = ctx.clock.now();
  const data: StoredInteraction = { bindingHash: sha256(binding), login, step };
  await ctx.store.authorizationTransactions.insert({ handleHash: sha256(id), kind: 'interaction', tenantId: tenant.id, data: data as unknown as JsonObject, insertInstant: now, expiresAt: now + INTERACTION_TTL_MS });
  return { id, binding };
}

/** An open interaction of this tenant for this browser; else `GH_LOGIN_EXPIRED` or `GH_LOGIN_WRONG_BROWSER`. */
export async function findInteraction(ctx: OAuthContext, tenant: Tenant, id: string, binding: string | undefined): Promise<LoginInteraction> {
  const found = await ctx.store.authorizationTransactions.find(sha256(id));
  if (!found || found.kind !== 'interaction' || found.tenantId !== tenant.id || found.status !== 'open' || found.expiresAt <= ctx.clock.now()) {
    throw new InteractionError('GH_LOGIN_EXPIRED', 'This login has expired or was completed; start again from the application.');
  }
  const data = found.data as unknown as StoredInteraction;
  if (binding === undefined || !safeEqual(sha256(binding), data.bindingHash)) throw new InteractionError('GH_LOGIN_WRONG_BROWSER', 'This login was not started in this browser.');
  return { id, login: data.login, step: data.step };
}

/** Takes the interaction once (of concurrent submissions exactly one goes on). */
export async function takeInteraction(ctx: OAuthContext, tenant: Tenant, id: string): Promise<void> {
  const taken = await ctx.store.authorizationTransactions.take(sha256(id), 'interaction', tenant.id, ctx.clock.now());
  if (!taken) throw new InteractionError('GH_LOGIN_EXPIRED', 'This login has expired or was completed; start again from the application.');
}
