import type { EventLog } from '../events/event-log.js';
import { ReconcileError } from '../login/reconcile-error.js';
import type { ReconcileService } from '../login/reconcile-service.js';
import { nowSeconds } from '../lib/clock.js';
import { safeEqual, sha256 } from '../lib/hash.js';
import { randomSecret } from '../lib/ids.js';
import type { JsonObject, Tenant } from '../store/records.js';
import { AuthorizationRedirectError, brokerCallbackOf, clientRedirect, validateAuthorizationRequest } from './authorization-request.js';
import type { ValidAuthorizationRequest } from './authorization-request.js';
import type { OAuthContext } from './context.js';
import { issuerOf } from './context.js';
import { OAuthError } from './errors.js';
import type { OAuthErrorCode } from './errors.js';
import { newPkcePair } from './pkce.js';
import { resumeSsoSession } from './sso-login.js';
import { establishSsoSession } from './sso-session.js';
import type { SessionCookie } from './sso-session.js';
import { DiscoveryError, redeemUpstreamCode, upstreamClaims, upstreamFailure, UpstreamLoginError, upstreamRedirect } from './upstream-login.js';
import type { UpstreamAuthentication, UpstreamLoginDeps } from './upstream-login.js';

/** How long a browser may take at the upstream provider. */
export const AUTHORIZATION_REQUEST_TTL_MS = 10 * 60_000;
/** RFC 6749 §4.1.2: a short lifetime; 60 seconds is ample for a redirect and one POST. */
export const AUTHORIZATION_CODE_TTL_MS = 60_000;

/** The name part of the browser-binding cookie of a login: not secret, derived from its state. */
export const bindingKeyOf = (state: string): string => sha256(`binding:${state}`).slice(0, 16).replace(/[^A-Za-z0-9]/g, 'x');

/** What waits for the upstream login, under the hash of the upstream `state`. */
interface PendingRequest {
  /** SHA-256 of the browser binding (a cookie set with the redirect to the provider). */
  bindingHash: string;
  applicationId: string;
  providerId: string;
  redirectUri: string;
  state?: string;
  scopes?: string[];
  codeChallenge: string;
  nonce?: string;
  upstreamNonce: string;
  upstreamVerifier: string;
}

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

export interface AuthorizationBrokerDeps extends UpstreamLoginDeps {
  ctx: OAuthContext;
  reconcile: ReconcileService;
  eventLog: EventLog;
  decryptSecret(ciphertext: string): string;
}

/**
 * The authorization-code flow (RFC 6749 §4.1) with the user's login brokered to an upstream
 * OpenID provider, as Keycloak brokers: `/oauth2/authorize` checks the client's request and
 * sends the browser to the provider; the provider sends it back to `/broker/{id}/endpoint`,
 * where Gatehouse redeems the provider's code, verifies the ID token with the provider's
 * External JWT settings (keys, issuer, audience = Gatehouse's client id there, and the nonce),
 * runs the reconcile pipeline (linking, lambda) and answers the client with its own code.
 */
export class AuthorizationBroker {
  constructor(private readonly deps: AuthorizationBrokerDeps) {}

  /**
   * Returns the upstream authorization URL to redirect the browser to, and a secret the HTTP
   * layer binds to the browser (a cookie named after `bindingKey`): RFC 6749 §10.12 requires the
   * client — Gatehouse, towards the provider — to bind its `state` to the user agent, so a login
   * started in one browser cannot be completed in another (login CSRF, session fixation).
   */
  async start(tenant: Tenant, params: ReadonlyMap<string, string>, sessionSecret?: string): Promise<{ url: string; bindingKey?: string; binding?: string }> {
    const { ctx } = this.deps;
    const request = await validateAuthorizationRequest(ctx, tenant, params, (application) => this.deps.reconcile.providersFor(application));
    // The browser's SSO session, `prompt` and `max_age` (sso-login.ts): a code without the upstream.
    const session = await resumeSsoSession(ctx, tenant, request, params, sessionSecret);
    if (session) {
      const { application, redirectUri, scopes, codeChallenge, nonce } = request;
      const grant = { applicationId: application.id, userId: session.userId, redirectUri, ...(scopes ? { scopes } : {}), codeChallenge, ...(nonce ? { nonce } : {}), authTime: session.authTime, sessionId: session.id };
      return { url: await this.issueCode(tenant, grant, request.state) };
    }
    const state = randomSecret(32);
    const upstreamNonce = randomSecret(24);
    const pkce = newPkcePair();
    const binding = randomSecret(32);
    const pending: PendingRequest = {
      bindingHash: sha256(binding),
      applicationId: request.application.id,
      providerId: request.provider.id,
      redirectUri: request.redirectUri,
      ...(request.state ? { state: request.state } : {}),
      ...(request.scopes ? { scopes: request.scopes } : {}),
      codeChallenge: request.codeChallenge,
      ...(request.nonce ? { nonce: request.nonce } : {}),
      upstreamNonce,
      upstreamVerifier: pkce.verifier,
    };
    const url = await this.upstreamUrl(request, brokerCallbackOf(ctx, tenant, request.provider.id), { state, nonce: upstreamNonce, codeChallenge: pkce.challenge });
    await this.hold('request', state, tenant, pending, AUTHORIZATION_REQUEST_TTL_MS);
    return { url, bindingKey: bindingKeyOf(state), binding };
  }

  /**
   * The upstream provider's answer, in the browser that started the login (`binding`, from its
   * cookie); returns the client redirect with Gatehouse's code.
   */
  async callback(tenant: Tenant, providerId: string, params: ReadonlyMap<string, string>, binding: string | undefined, sessionSecret?: string): Promise<{ url: string; session?: SessionCookie }> {
    const { ctx, reconcile } = this.deps;
    const state = params.get('state');
    if (!state) throw new OAuthError('invalid_request', 'state is missing.');
    // Taken once: a replayed callback finds nothing.
    const taken = await ctx.store.authorizationTransactions.take(sha256(state), 'request', tenant.id, ctx.clock.now());
    if (!taken) throw new OAuthError('invalid_request', 'Unknown, expired or already used state.');
    const pending = taken.data as unknown as PendingRequest;
    if (pending.providerId !== providerId) throw new OAuthError('invalid_request', 'The state belongs to a login at another identity provider.');
    if (binding === undefined || !safeEqual(sha256(binding), pending.bindingHash)) {
      throw new OAuthError('invalid_request', 'This login was not started in this browser.');
    }
    const fail = (error: OAuthErrorCode, description: string, extra: Record<string, string> = {}) =>
      new AuthorizationRedirectError(error, description, pending.redirectUri, pending.state, extra);

    const upstreamError = params.get('error');
    if (upstreamError) throw fail('access_denied', `The identity provider did not log the user in (${upstreamError.slice(0, 100)}).`);
    const upstreamCode = params.get('code');
    if (!upstreamCode) throw fail('access_denied', 'The identity provider answered without a code.');
    const provider = await ctx.store.identityProviders.findById(providerId);
    if (!provider || !provider.enabled || !provider.oauth2.client_id) throw fail('access_denied', 'The identity provider is no longer available.');

    const unavailable = async (error: UpstreamLoginError | DiscoveryError) => {
      const { description, reason } = await upstreamFailure(this.deps, provider, error);
      return fail('temporarily_unavailable', description, { reason });
    };
    let upstream: Awaited<ReturnType<typeof redeemUpstreamCode>>;
    try {
      upstream = await redeemUpstreamCode(this.deps, tenant, provider, brokerCallbackOf(ctx, tenant, provider.id), upstreamCode, pending.upstreamVerifier);
    } catch (error) {
      if (!(error instanceof UpstreamLoginError || error instanceof DiscoveryError)) throw error;
      throw await unavailable(error);
    }

    const authentication: UpstreamAuthentication = {};
    let outcome: Awaited<ReturnType<ReconcileService['login']>>;
    try {
      outcome = await reconcile.login({
        identityProviderId: provider.id,
        applicationId: pending.applicationId,
        encodedJWT: upstream.idToken,
        tenantId: tenant.id,
        authenticationType: 'OPENID_CONNECT',
        noJWT: true,
        // OIDC Core §3.1.3.7: the ID token is for Gatehouse's client at the provider.
        audiences: [provider.oauth2.client_id],
        // The nonce of this very request (§3.1.3.7 step 11), then the userinfo claims (§5.3.2).
        supplementClaims: upstreamClaims(this.deps, provider, upstream, pending.upstreamNonce, authentication),
      });
    } catch (error) {
      if (error instanceof UpstreamLoginError) throw await unavailable(error);
      if (!(error instanceof ReconcileError)) throw error;
      throw fail('access_denied', error.message, { code: error.publicCode, ...(typeof error.data?.reason === 'string' ? { reason: error.data.reason } : {}) });
    }
    if (outcome.kind === 'pendingLink') {
      throw fail('access_denied', 'The external identity is not linked yet; complete the pending link.', { code: 'PendingLink', pending_idp_link_id: outcome.pendingIdPLinkId });
    }
    if (outcome.kind === 'onboarding') {
      throw fail('access_denied', `Onboarding is required: ${outcome.reason}.`, { code: 'OnboardingRequired', pending_onboarding_id: outcome.pendingOnboardingId, onboarding_reason: outcome.reason });
    }

    // When the user authenticated at the provider, if it says so (OIDC Core §2 auth_time).
    const authTime = authentication.auth_time ?? nowSeconds(ctx.clock);
    const sso = await establishSsoSession(ctx, tenant, {
      userId: outcome.user.id,
      identityProviderId: provider.id,
      authTime,
      ...(authentication.acr ? { acr: authentication.acr } : {}),
      ...(authentication.amr ? { amr: authentication.amr } : {}),
    }, sessionSecret);
    const grant: CodeGrant = {
      applicationId: pending.applicationId,
      userId: outcome.user.id,
      redirectUri: pending.redirectUri,
      ...(pending.scopes ? { scopes: pending.scopes } : {}),
      codeChallenge: pending.codeChallenge,
      ...(pending.nonce ? { nonce: pending.nonce } : {}),
      authTime,
      ...(sso ? { sessionId: sso.session.id } : {}),
      ...(authentication.acr ? { acr: authentication.acr } : {}),
      ...(authentication.amr ? { amr: authentication.amr } : {}),
    };
    return { url: await this.issueCode(tenant, grant, pending.state), ...(sso ? { session: sso.cookie } : {}) };
  }

  /** Stores a code for the grant and returns the client redirect with it (after an upstream login, or from the SSO session). */
  private async issueCode(tenant: Tenant, grant: CodeGrant, state: string | undefined): Promise<string> {
    const code = randomSecret(32);
    await this.hold('code', code, tenant, grant, AUTHORIZATION_CODE_TTL_MS);
    // RFC 9207: `iss` tells the client which server answered (mix-up defence).
    return clientRedirect(grant.redirectUri, { code, state, iss: issuerOf(this.deps.ctx.config, tenant) });
  }

  /** The upstream authorization URL; an unusable discovery document goes back to the client as `temporarily_unavailable`. */
  private async upstreamUrl(request: ValidAuthorizationRequest, callback: string, handles: { state: string; nonce: string; codeChallenge: string }): Promise<string> {
    try {
      return await upstreamRedirect(this.deps, request.provider, callback, handles, request.forwarded);
    } catch (error) {
      if (!(error instanceof UpstreamLoginError || error instanceof DiscoveryError)) throw error;
      const { description, reason } = await upstreamFailure(this.deps, request.provider, error);
      throw new AuthorizationRedirectError('temporarily_unavailable', description, request.redirectUri, request.state, { reason });
    }
  }

  /** Stores what a handle stands for, under the handle's hash only, for `ttlMs`. */
  private async hold(kind: 'request' | 'code', handle: string, tenant: Tenant, data: PendingRequest | CodeGrant, ttlMs: number): Promise<void> {
    const now = this.deps.ctx.clock.now();
    await this.deps.ctx.store.authorizationTransactions.insert({ handleHash: sha256(handle), kind, tenantId: tenant.id, data: data as unknown as JsonObject, insertInstant: now, expiresAt: now + ttlMs });
  }
}
