import type { Tenant, User } from '../store/records.js';
import { verifyOwnAccessToken } from '../tokens/access-token-verifier.js';
import type { OAuthContext } from './context.js';
import { OAuthError } from './errors.js';

/** How the access token came: RFC 6750 §2.1 header and, on POST, the §2.2 form parameter. */
export interface PresentedBearer {
  authorization: string | undefined;
  formToken: string | undefined;
}

/** RFC 6750 §2.1: `Bearer` and a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

const bearerError = (error: 'invalid_request' | 'invalid_token' | 'insufficient_scope', description: string, detail?: string): OAuthError => {
  const refusal = new OAuthError(error, description, detail);
  refusal.bearerChallenge = 'with-error';
  return refusal;
};

/** RFC 6750 §2: exactly one method; no token at all is answered without an error code (§3.1). */
function tokenOf(presented: PresentedBearer): string {
  const { authorization, formToken } = presented;
  if (authorization !== undefined && formToken !== undefined) throw bearerError('invalid_request', 'Send the access token in one way only: the Authorization header or the access_token parameter.');
  if (formToken !== undefined) return formToken;
  if (authorization === undefined) {
    const missing = new OAuthError('invalid_token', 'An access token is required (Authorization: Bearer).');
    missing.bearerChallenge = 'without-error';
    throw missing;
  }
  const match = BEARER.exec(authorization);
  if (!match) throw bearerError('invalid_request', 'The Authorization header is not a Bearer token (RFC 6750 §2.1).');
  return match[1];
}

/** OIDC Core §5.4: the claims each scope stands for, from the user record (names as FusionAuth maps them). */
function claimsOf(user: User, scopes: string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: user.id };
  if (scopes.includes('profile')) {
    const profile: Record<string, unknown> = {
      name: user.fullName,
      given_name: user.firstName,
      family_name: user.lastName,
      middle_name: user.middleName,
      preferred_username: user.username,
      picture: user.imageUrl,
      birthdate: user.birthDate,
      zoneinfo: user.timezone,
      locale: user.preferredLanguages?.[0],
    };
    for (const [name, value] of Object.entries(profile)) if (value !== undefined && value !== '') claims[name] = value;
  }
  if (scopes.includes('email') && user.email) {
    claims.email = user.email;
    claims.email_verified = user.verified;
  }
  return claims;
}

/**
 * The UserInfo endpoint (OIDC Core §5.3): an access token of this tenant, checked like every
 * Gatehouse token (`verifyOwnAccessToken`: signature, issuer, times, revocation), granted
 * `openid`, for an active user of the tenant; answers the claims its scopes stand for. Errors
 * are RFC 6750 §3: `invalid_token` 401, `insufficient_scope` 403, `invalid_request` 400, each with
 * a `WWW-Authenticate: Bearer` challenge.
 */
export async function userInfo(ctx: OAuthContext, tenant: Tenant, presented: PresentedBearer): Promise<Record<string, unknown>> {
  const token = tokenOf(presented);
  const claims = await verifyOwnAccessToken(ctx, tenant, token);
  if (!claims) throw bearerError('invalid_token', 'The access token is invalid, expired or revoked.');
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (!scopes.includes('openid')) throw bearerError('insufficient_scope', 'The access token was not granted the openid scope.');
  const user = typeof claims.sub === 'string' ? await ctx.store.users.findById(claims.sub) : undefined;
  if (!user || user.tenantId !== tenant.id || !user.active) throw bearerError('invalid_token', 'The access token is invalid, expired or revoked.', 'no active user of the tenant');
  return claimsOf(user, scopes);
}
