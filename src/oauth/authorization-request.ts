import type { Application, ExternalJwtIdentityProvider, Tenant } from '../store/records.js';
import { fhirBaseOf } from '../smart/smart-urls.js';
import { issuerUrl } from '../config/issuer-url.js';
import { findActiveClient } from './clients.js';
import type { OAuthContext } from './context.js';
import { OAuthError } from './errors.js';
import type { OAuthErrorCode } from './errors.js';
import { grantUserScopes } from './scope.js';
import { isS256Challenge } from './pkce.js';
import { forwardedParameters } from './forwarded-parameters.js';
import type { ForwardableParameter } from '../idp/upstream-oidc-client.js';

/** `state` and `nonce` are stored and echoed; longer ones are refused. */
const MAX_ECHOED_LENGTH = 512;

/** An authorization request that passed every check (RFC 6749 §4.1.1, RFC 7636 §4.3). */
export interface ValidAuthorizationRequest {
  application: Application;
  redirectUri: string;
  state?: string;
  scopes?: string[];
  codeChallenge: string;
  nonce?: string;
  provider: ExternalJwtIdentityProvider;
  /** The OpenID parameters that may go on to the upstream provider. */
  forwarded: Partial<Record<ForwardableParameter, string>>;
  /** OIDC Core §3.1.2.1 `ui_locales`, for the hosted pages. */
  uiLocales?: string;
}

/**
 * An error after the redirect URI was established: it goes back to the client there (RFC 6749
 * §4.1.2.1), with `state` and `iss` (RFC 9207). Errors before that are answered directly and
 * never redirect, so an unchecked URI cannot be used as an open redirector.
 */
export class AuthorizationRedirectError extends Error {
  /** The request's `ui_locales`, for the page a browser is shown (`forUser`). */
  uiLocales?: string;

  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly redirectUri: string,
    readonly state: string | undefined,
    /** Extra public parameters (a lambda's code, a pending id). */
    readonly extra: Record<string, string> = {},
    /**
     * The login itself was refused (not the client's request): a browser is shown a page with
     * the description and a link back to the client, instead of being redirected at once.
     */
    readonly forUser = false,
  ) {
    super(`${error}: ${description}`);
    this.name = 'AuthorizationRedirectError';
  }
}

/**
 * Several providers may log the user in and the request names none (`idp_hint`): a browser is
 * shown the provider choice page, whose buttons repeat the request with `idp_hint`; any other
 * user agent gets `invalid_request` back as before.
 */
export class ProviderChoiceRequired extends AuthorizationRedirectError {
  constructor(
    redirectUri: string,
    state: string | undefined,
    readonly providers: { id: string; name: string }[],
    uiLocales: string | undefined,
    readonly applicationName: string,
  ) {
    super('invalid_request', 'Several identity providers are enabled for this client; choose one with idp_hint.', redirectUri, state);
    this.name = 'ProviderChoiceRequired';
    if (uiLocales) this.uiLocales = uiLocales;
  }
}

/** The URL the browser is sent back to: the redirect URI with the response parameters added. */
export function clientRedirect(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

export function errorRedirect(error: AuthorizationRedirectError, issuer: string): string {
  return clientRedirect(error.redirectUri, { error: error.error, error_description: error.description, ...error.extra, state: error.state, iss: issuer });
}

/**
 * Checks an authorization request in the order RFC 6749 §4.1.2.1 requires: client and redirect
 * URI first (answered directly), then everything else (sent back to the client). PKCE with S256 is
 * required of every client (RFC 9700 §2.1.1; SMART App Launch v2), `plain` is refused. On a SMART
 * tenant `aud` must be the FHIR base URL (SMART App Launch v2 §"Obtain authorization code").
 * The upstream provider is the one enabled for the application with a client there, or the one
 * named by `idp_hint` (FusionAuth) / `kc_idp_hint` (Keycloak).
 */
export async function validateAuthorizationRequest(
  ctx: OAuthContext,
  tenant: Tenant,
  params: ReadonlyMap<string, string>,
  providersFor: (application: Application) => Promise<ExternalJwtIdentityProvider[]>,
): Promise<ValidAuthorizationRequest> {
  const clientId = params.get('client_id');
  if (!clientId) throw new OAuthError('invalid_request', 'client_id is missing.');
  const application = (await findActiveClient(ctx, tenant.id, clientId))?.application;
  if (!application) throw new OAuthError('invalid_request', 'Unknown client_id.', `client ${clientId.slice(0, 100)}`);
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri) throw new OAuthError('invalid_request', 'redirect_uri is missing.');
  // RFC 6749 §3.1.2.3 with the exact match of RFC 9700 §2.1: no prefixes, no patterns.
  if (!(application.oauthConfiguration.authorizedRedirectURLs ?? []).includes(redirectUri)) {
    throw new OAuthError('invalid_request', 'redirect_uri is not registered for this client.');
  }
  const state = params.get('state');
  const refuse = (error: OAuthErrorCode, description: string): never => {
    throw new AuthorizationRedirectError(error, description, redirectUri, state && state.length <= MAX_ECHOED_LENGTH ? state : undefined);
  };
  // Both are stored with the pending login and sent back: bounded.
  for (const name of ['state', 'nonce'] as const) {
    if ((params.get(name)?.length ?? 0) > MAX_ECHOED_LENGTH) refuse('invalid_request', `${name} is longer than ${MAX_ECHOED_LENGTH} characters.`);
  }

  const responseType = params.get('response_type');
  if (!responseType) refuse('invalid_request', 'response_type is missing.');
  if (responseType !== 'code') refuse('unsupported_response_type', 'Only response_type=code is supported.');
  if (!application.oauthConfiguration.enabledGrants.includes('authorization_code')) refuse('unauthorized_client', 'This client may not use the authorization code grant.');
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (!challenge) refuse('invalid_request', 'PKCE is required: give code_challenge and code_challenge_method=S256.');
  if (method !== 'S256') refuse('invalid_request', 'code_challenge_method must be S256.');
  if (!isS256Challenge(challenge!)) refuse('invalid_request', 'code_challenge is not an S256 challenge (43 base64url characters).');
  if (tenant.smartConfiguration?.enabled) {
    const aud = params.get('aud');
    if (aud !== fhirBaseOf(ctx.config.publicUrl, tenant)) refuse('invalid_request', 'aud must be the FHIR base URL this server protects.');
  }
  let scopes: string[] | undefined;
  try {
    scopes = grantUserScopes(application, params.get('scope'));
  } catch (error) {
    if (error instanceof OAuthError) refuse(error.error, error.description);
    throw error;
  }

  const hint = params.get('idp_hint') ?? params.get('kc_idp_hint');
  const candidates = (await providersFor(application)).filter((p) => p.oauth2.client_id !== undefined && (hint === undefined || p.id === hint));
  if (candidates.length === 0) refuse('invalid_request', hint ? 'idp_hint names no identity provider this client may log in with.' : 'No identity provider with a browser login is enabled for this client.');
  const uiLocales = params.get('ui_locales')?.slice(0, 256);
  if (candidates.length > 1) {
    throw new ProviderChoiceRequired(redirectUri, state && state.length <= MAX_ECHOED_LENGTH ? state : undefined, candidates.map((p) => ({ id: p.id, name: p.name })), uiLocales, application.name);
  }
  const nonce = params.get('nonce');
  const forwarded = forwardedParameters(params);
  if (typeof forwarded === 'string') refuse('invalid_request', forwarded);
  return {
    application,
    redirectUri,
    ...(state ? { state } : {}),
    ...(scopes ? { scopes } : {}),
    codeChallenge: challenge!,
    ...(nonce ? { nonce } : {}),
    provider: candidates[0],
    forwarded: forwarded as Exclude<typeof forwarded, string>,
    ...(uiLocales ? { uiLocales } : {}),
  };
}

/** Where the upstream provider sends the browser back (Keycloak's `/broker/{alias}/endpoint`). */
export const brokerCallbackOf = (ctx: OAuthContext, tenant: Tenant, providerId: string): string => `${issuerUrl(ctx.config.publicUrl, tenant)}/broker/${providerId}/endpoint`;
