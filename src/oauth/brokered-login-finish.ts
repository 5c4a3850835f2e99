import type { ReconcileError } from '../login/reconcile-error.js';
import type { ReconcileOutcome } from '../login/reconcile-service.js';
import { nowSeconds } from '../lib/clock.js';
import { sha256 } from '../lib/hash.js';
import { randomSecret } from '../lib/ids.js';
import type { JsonObject, Tenant } from '../store/records.js';
import { AuthorizationRedirectError, clientRedirect } from './authorization-request.js';
import type { OAuthContext } from './context.js';
import { issuerOf } from './context.js';
import { openInteraction } from './login-interaction.js';
import type { ResumableLogin } from './login-interaction.js';
import { establishSsoSession } from './sso-session.js';
import type { SessionCookie } from './sso-session.js';

/** RFC 6749 §4.1.2: a short lifetime; 60 seconds is ample for a redirect and one POST. */
export const AUTHORIZATION_CODE_TTL_MS = 60_000;

/** What an authorization code stands for, under the hash of the code. */
export interface CodeGrant {
  applicationId: string;
  userId: string;
  redirectUri: string;
  scopes?: string[];
  codeChallenge: string;
  nonce?: string;
  authTime: number;
  /** The SSO session (public id) of the login: `sid` of the ID token, the link of the refresh token. */
  sessionId?: string;
  /** The upstream ID token's `acr` and `amr` (OIDC Core §2), for Gatehouse's ID token. */
  acr?: string;
  amr?: string[];
  /** Set once tokens were issued for the code: what a second use of it revokes. */
  issued?: { jti: string; exp: number; refreshFamilyId?: string };
}

/** Where a brokered login goes next: back to the client, or to a hosted page (onboarding, pending link). */
export type BrowserLoginStep =
  | { kind: 'redirect'; url: string; session?: SessionCookie }
  | { kind: 'interaction'; id: string; binding: string; page: 'onboarding' | 'pendingLink' };

/** Stores a code for the grant and returns the client redirect with it (RFC 9207: with `iss`, the mix-up defence). */
export async function issueAuthorizationCode(ctx: OAuthContext, tenant: Tenant, grant: CodeGrant, state: string | undefined): Promise<string> {
  const code = randomSecret(32);
  const now = ctx.clock.now();
  await ctx.store.authorizationTransactions.insert({ handleHash: sha256(code), kind: 'code', tenantId: tenant.id, data: grant as unknown as JsonObject, insertInstant: now, expiresAt: now + AUTHORIZATION_CODE_TTL_MS });
  return clientRedirect(grant.redirectUri, { code, state, iss: issuerOf(ctx.config, tenant) });
}

/**
 * The end of a brokered login, after the upstream callback or a hosted page: a logged-in user
 * gets the SSO session and the client its code; a pending link or an onboarding opens the
 * hosted page that asks the user (Keycloak's "review profile" and "confirm link" steps).
 */
export async function settleBrokeredLogin(
  ctx: OAuthContext,
  tenant: Tenant,
  login: ResumableLogin,
  outcome: ReconcileOutcome,
  sessionSecret: string | undefined,
  providerName: string,
): Promise<BrowserLoginStep> {
  if (outcome.kind === 'pendingLink') {
    const pending = await ctx.store.pendingActions.find(outcome.pendingIdPLinkId, 'link', ctx.clock.now());
    const displayName = pending?.identity.displayName ?? pending?.identity.email ?? pending?.identity.username;
    const opened = await openInteraction(ctx, tenant, login, { kind: 'pendingLink', pendingIdPLinkId: outcome.pendingIdPLinkId, providerName, ...(displayName ? { displayName } : {}) });
    return { kind: 'interaction', ...opened, page: 'pendingLink' };
  }
  if (outcome.kind === 'onboarding') {
    const opened = await openInteraction(ctx, tenant, login, { kind: 'onboarding', pendingOnboardingId: outcome.pendingOnboardingId, reason: outcome.reason, missing: outcome.missing });
    return { kind: 'interaction', ...opened, page: 'onboarding' };
  }
  const { authentication } = login;
  // When the user authenticated at the provider, if it says so (OIDC Core §2 auth_time).
  const authTime = authentication.auth_time ?? nowSeconds(ctx.clock);
  const facts = { ...(authentication.acr ? { acr: authentication.acr } : {}), ...(authentication.amr ? { amr: authentication.amr } : {}) };
  const sso = await establishSsoSession(ctx, tenant, { userId: outcome.user.id, identityProviderId: login.providerId, authTime, ...facts }, sessionSecret);
  const grant: CodeGrant = {
    applicationId: login.applicationId,
    userId: outcome.user.id,
    redirectUri: login.redirectUri,
    ...(login.scopes ? { scopes: login.scopes } : {}),
    codeChallenge: login.codeChallenge,
    ...(login.nonce ? { nonce: login.nonce } : {}),
    authTime,
    ...(sso ? { sessionId: sso.session.id } : {}),
    ...facts,
  };
  return { kind: 'redirect', url: await issueAuthorizationCode(ctx, tenant, grant, login.state), ...(sso ? { session: sso.cookie } : {}) };
}

/**
 * A refused login (a lambda's reject, a link refusal, a failing lambda) as the error for the
 * client (RFC 6749 §4.1.2.1 `access_denied`, with the lambda's code), marked for the user: a
 * browser is shown a page with the message and a link back to the client.
 */
export function refusedLogin(error: ReconcileError, login: Pick<ResumableLogin, 'redirectUri' | 'state' | 'uiLocales'>): AuthorizationRedirectError {
  const extra: Record<string, string> = { code: error.publicCode };
  if (typeof error.data?.reason === 'string') extra.reason = error.data.reason;
  return Object.assign(new AuthorizationRedirectError('access_denied', error.message, login.redirectUri, login.state, extra, true), { uiLocales: login.uiLocales });
}
