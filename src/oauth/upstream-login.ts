import type { EventLog } from '../events/event-log.js';
import type { VerifierDeps } from '../idp/external-jwt-verifier.js';
import { upstreamClientAssertion } from '../idp/upstream-client-assertion.js';
import { DiscoveryError } from '../idp/upstream-discovery.js';
import { requireEndpoint } from '../idp/upstream-endpoints.js';
import type { UpstreamDiscoveryCache, UpstreamEndpoints } from '../idp/upstream-endpoints.js';
import { exchangeUpstreamCode, UpstreamLoginError, upstreamAuthorizationUrl } from '../idp/upstream-oidc-client.js';
import type { ForwardableParameter, UpstreamTokens } from '../idp/upstream-oidc-client.js';
import { fetchUpstreamUserinfo, mergeUserinfo, UserinfoRefusal, userinfoWanted } from '../idp/upstream-userinfo.js';
import { ReconcileError } from '../login/reconcile-error.js';
import type { ExternalJwtIdentityProvider, JsonObject, Tenant } from '../store/records.js';
import type { OAuthContext } from './context.js';

/** What the upstream leg of a brokered login needs besides the OAuth context. */
export interface UpstreamLoginDeps {
  ctx: OAuthContext;
  eventLog: EventLog;
  discovery: UpstreamDiscoveryCache;
  /** The verifier's dependencies: a signed userinfo response is checked with the provider's keys. */
  verifier: VerifierDeps;
  decryptSecret(ciphertext: string): string;
}

/** OIDC Core §2: what the upstream ID token says about how the user authenticated, carried into Gatehouse's ID token. */
export interface UpstreamAuthentication {
  acr?: string;
  amr?: string[];
  auth_time?: number;
}

/**
 * An upstream failure written as an Error event naming the provider; the caller answers
 * `temporarily_unavailable`. A discovery failure becomes `UPSTREAM_DISCOVERY_FAILED` with its
 * own code (`DISCOVERY_ISSUER_MISMATCH`, …) in `reason`.
 */
export async function upstreamFailure(deps: UpstreamLoginDeps, provider: ExternalJwtIdentityProvider, error: UpstreamLoginError | DiscoveryError): Promise<{ description: string; reason: string }> {
  await deps.eventLog.write('Error', `Identity provider ${provider.name} (${provider.id}): ${error.code}: ${error.message}`);
  return { description: error.message, reason: error.code };
}

const endpointsOf = async (deps: UpstreamLoginDeps, provider: ExternalJwtIdentityProvider): Promise<UpstreamEndpoints> => deps.discovery.endpointsOf(provider);

/** The upstream authorization URL; a provider whose discovery document is unusable throws its DiscoveryError. */
export async function upstreamRedirect(
  deps: UpstreamLoginDeps,
  provider: ExternalJwtIdentityProvider,
  callback: string,
  handles: { state: string; nonce: string; codeChallenge: string },
  forwarded: Partial<Record<ForwardableParameter, string>>,
): Promise<string> {
  const endpoint = requireEndpoint(await endpointsOf(deps, provider), 'authorization_endpoint');
  if (!endpoint) throw new UpstreamLoginError('UPSTREAM_DISCOVERY_FAILED', 'The identity provider has no authorization endpoint.');
  return upstreamAuthorizationUrl(provider, endpoint, callback, handles, forwarded);
}

/**
 * Redeems the upstream code at the (discovered) token endpoint, authenticated as configured; a
 * `private_key_jwt` assertion is signed with the tenant's signing key (published in its JWKS).
 * Throws UpstreamLoginError or DiscoveryError.
 */
export async function redeemUpstreamCode(
  deps: UpstreamLoginDeps,
  tenant: Tenant,
  provider: ExternalJwtIdentityProvider,
  callback: string,
  code: string,
  codeVerifier: string,
): Promise<UpstreamTokens & { endpoints: UpstreamEndpoints }> {
  const { ctx } = deps;
  const endpoints = await endpointsOf(deps, provider);
  const tokenEndpoint = requireEndpoint(endpoints, 'token_endpoint');
  if (!tokenEndpoint) throw new UpstreamLoginError('UPSTREAM_DISCOVERY_FAILED', 'The identity provider has no token endpoint.');
  const secret = provider.oauth2.client_secret ? deps.decryptSecret(provider.oauth2.client_secret) : undefined;
  const assertion =
    provider.oauth2.clientAuthenticationMethod === 'private_key_jwt'
      ? upstreamClientAssertion(await ctx.keys.signingKey(tenant.id), provider.oauth2.client_id!, tokenEndpoint, ctx.clock)
      : undefined;
  const tokens = await exchangeUpstreamCode(provider, tokenEndpoint, callback, code, codeVerifier, { ...(secret ? { clientSecret: secret } : {}), ...(assertion ? { clientAssertion: assertion } : {}) }, ctx.remoteJwks.fetchPolicy);
  return { ...tokens, endpoints };
}

/**
 * The claims step of the brokered login, run on the verified ID token before linking: the
 * nonce of this login (OIDC Core §3.1.3.7 step 11), the authentication facts kept for
 * Gatehouse's ID token (`authentication`), and the userinfo response merged in when the
 * provider's `oauth2.userinfo` asks for it (§5.3.2: `sub` must match).
 */
export function upstreamClaims(
  deps: UpstreamLoginDeps,
  provider: ExternalJwtIdentityProvider,
  upstream: UpstreamTokens & { endpoints: UpstreamEndpoints },
  upstreamNonce: string,
  authentication: UpstreamAuthentication,
): (claims: Record<string, unknown>) => Promise<Record<string, unknown>> {
  return async (claims) => {
    if (claims.nonce !== upstreamNonce) throw new ReconcileError('InvalidJWT', 'The ID token does not carry the nonce of this login.', { reason: 'NONCE_MISMATCH' });
    if (typeof claims.acr === 'string') authentication.acr = claims.acr;
    if (Array.isArray(claims.amr) && claims.amr.every((m) => typeof m === 'string')) authentication.amr = claims.amr as string[];
    if (typeof claims.auth_time === 'number' && Number.isInteger(claims.auth_time)) authentication.auth_time = claims.auth_time;
    const endpoint = upstream.endpoints.userinfo_endpoint;
    if (!endpoint || !upstream.accessToken || !userinfoWanted(provider, claims)) return claims;
    try {
      const userinfo = await fetchUpstreamUserinfo(provider, endpoint, upstream.accessToken, deps.ctx.remoteJwks.fetchPolicy, deps.verifier);
      return mergeUserinfo(claims, userinfo) as JsonObject;
    } catch (error) {
      if (error instanceof UserinfoRefusal) throw new ReconcileError('InvalidJWT', error.message, { reason: error.code });
      throw error;
    }
  };
}

export { DiscoveryError, UpstreamLoginError };
