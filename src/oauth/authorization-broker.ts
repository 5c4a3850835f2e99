import type { EventLog } from '../events/event-log.js';
import { ReconcileError } from '../login/reconcile-error.js';
import type { ReconcileService } from '../login/reconcile-service.js';
import { safeEqual, sha256 } from '../lib/hash.js';
import { randomSecret } from '../lib/ids.js';
import type { JsonObject, Tenant } from '../store/records.js';
import { AuthorizationRedirectError, brokerCallbackOf, validateAuthorizationRequest } from './authorization-request.js';
import type { ValidAuthorizationRequest } from './authorization-request.js';
import type { OAuthContext } from './context.js';
import { OAuthError } from './errors.js';
import type { OAuthErrorCode } from './errors.js';
import { newPkcePair } from './pkce.js';
import { issueAuthorizationCode, refusedLogin, settleBrokeredLogin } from './brokered-login-finish.js';
import type { BrowserLoginStep } from './brokered-login-finish.js';
import { clientAuthorizationRequestOf } from './login-interaction.js';
import type { ClientAuthorizationRequest, ResumableLogin } from './login-interaction.js';
import { resumeSsoSession } from './sso-login.js';
import { DiscoveryError, redeemUpstreamCode, upstreamClaims, upstreamFailure, UpstreamLoginError, upstreamRedirect } from './upstream-login.js';
import type { UpstreamAuthentication, UpstreamLoginDeps } from './upstream-login.js';

/** How long a browser may take at the upstream provider. */
export const AUTHORIZATION_REQUEST_TTL_MS = 10 * 60_000;
export { AUTHORIZATION_CODE_TTL_MS } from './brokered-login-finish.js';
export type { CodeGrant } from './brokered-login-finish.js';

/** The name part of the browser-binding cookie of a login: not secret, derived from its state. */
export const bindingKeyOf = (state: string): string => sha256(`binding:${state}`).slice(0, 16).replace(/[^A-Za-z0-9]/g, 'x');

/** What waits for the upstream login, under the hash of the upstream `state`. */
interface PendingRequest extends ClientAuthorizationRequest {
  /** SHA-256 of the browser binding (a cookie set with the redirect to the provider). */
  bindingHash: string;
  upstreamNonce: string;
  upstreamVerifier: string;
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
      return { url: await issueAuthorizationCode(ctx, tenant, grant, request.state) };
    }
    const state = randomSecret(32);
    const upstreamNonce = randomSecret(24);
    const pkce = newPkcePair();
    const binding = randomSecret(32);
    const pending: PendingRequest = {
      bindingHash: sha256(binding),
      ...clientAuthorizationRequestOf({ ...request, applicationId: request.application.id, providerId: request.provider.id }),
      upstreamNonce,
      upstreamVerifier: pkce.verifier,
    };
    const url = await this.upstreamUrl(request, brokerCallbackOf(ctx, tenant, request.provider.id), { state, nonce: upstreamNonce, codeChallenge: pkce.challenge });
    await this.hold('request', state, tenant, pending, AUTHORIZATION_REQUEST_TTL_MS);
    return { url, bindingKey: bindingKeyOf(state), binding };
  }

  /**
   * The upstream provider's answer, in the browser that started the login (`binding`, from its
   * cookie); returns the client redirect with Gatehouse's code, or the hosted page that asks
   * the user first (onboarding, pending link).
   */
  async callback(tenant: Tenant, providerId: string, params: ReadonlyMap<string, string>, binding: string | undefined, sessionSecret?: string): Promise<BrowserLoginStep> {
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
    // A failure after the upstream login is the user's to read (a page for a browser), and the client's.
    const fail = (error: OAuthErrorCode, description: string, extra: Record<string, string> = {}) =>
      Object.assign(new AuthorizationRedirectError(error, description, pending.redirectUri, pending.state, extra, true), { uiLocales: pending.uiLocales });

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
      throw refusedLogin(error, pending);
    }
    const login: ResumableLogin = { ...clientAuthorizationRequestOf({ ...pending, providerId: provider.id }), authentication };
    return settleBrokeredLogin(ctx, tenant, login, outcome, sessionSecret, provider.name);
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
  private async hold(kind: 'request', handle: string, tenant: Tenant, data: PendingRequest, ttlMs: number): Promise<void> {
    const now = this.deps.ctx.clock.now();
    await this.deps.ctx.store.authorizationTransactions.insert({ handleHash: sha256(handle), kind, tenantId: tenant.id, data: data as unknown as JsonObject, insertInstant: now, expiresAt: now + ttlMs });
  }
}
