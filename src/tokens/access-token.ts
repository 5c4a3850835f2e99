import { newId } from '../lib/ids.js';
import { nowSeconds } from '../lib/clock.js';
import type { Clock } from '../lib/clock.js';
import { issuerUrl } from '../config/issuer-url.js';
import { signJwt } from '../jwt/jws.js';
import type { SigningKey } from '../keys/key-service.js';
import type { Application, Tenant } from '../store/records.js';

export interface IssuedToken {
  token: string;
  claims: Record<string, unknown>;
  expiresIn: number;
}

/** What signing a token of one tenant takes, as data: its issuer, its active key, the clock. */
export interface TokenSigner {
  issuer: string;
  key: Pick<SigningKey, 'kid' | 'alg' | 'privateKey'>;
  clock: Clock;
}

/** Where the signer of a tenant comes from: the public URL (the issuer) and the tenant's active key. */
export interface SignerSource {
  publicUrl: string;
  keys: { signingKey(tenantId: string): Promise<SigningKey> };
  clock: Clock;
}

export async function signerOf(source: SignerSource, tenant: Tenant): Promise<TokenSigner> {
  return { issuer: issuerUrl(source.publicUrl, tenant), key: await source.keys.signingKey(tenant.id), clock: source.clock };
}

/**
 * The `typ` header of a tenant's access tokens. RFC 9068 §2.1 asks for `at+jwt`; the default is
 * `JWT`, what FusionAuth issues and what verifiers pinned to `JWT` (e.g. Nimbus JOSE, under Spring
 * Security) accept; a tenant opts in with `jwtConfiguration.accessTokenType: "at+jwt"`. ID tokens
 * stay `JWT` either way, so an ID token is never mistaken for an RFC 9068 access token.
 */
export type AccessTokenType = 'JWT' | 'at+jwt';
export const ACCESS_TOKEN_TYPES: readonly AccessTokenType[] = ['JWT', 'at+jwt'];
export const accessTokenTypeOf = (tenant: Tenant): AccessTokenType => tenant.jwtConfiguration.accessTokenType ?? 'JWT';

/** SMART App Launch and Koppeltaal: an access token of a SMART tenant lives at most five minutes. */
export const SMART_MAX_ACCESS_TOKEN_LIFETIME = 300;

/**
 * Access token lifetime, the one rule for every grant: the application's, else the tenant's
 * (FusionAuth `jwtConfiguration`); on a SMART tenant (`smartConfiguration.enabled`) at most
 * {@link SMART_MAX_ACCESS_TOKEN_LIFETIME} whatever those say.
 */
export const accessTokenLifetime = (tenant: Tenant, application: Application): number => {
  const configured = application.jwtConfiguration.timeToLiveInSeconds ?? tenant.jwtConfiguration.timeToLiveInSeconds;
  return tenant.smartConfiguration?.enabled ? Math.min(configured, SMART_MAX_ACCESS_TOKEN_LIFETIME) : configured;
};

/**
 * Signs a JWT access token (RFC 9068 §2.2 registered claims) with the signer's key. `iss`, `iat`,
 * `nbf`, `exp` and `jti` are set here; the caller supplies `sub`, `aud`, `client_id` and `scope`.
 * `typ` is the tenant's {@link accessTokenTypeOf} for access tokens; `JWT` (the default) for ID tokens.
 */
export function issueAccessToken(signer: TokenSigner, claims: Record<string, unknown>, lifetimeSeconds: number, typ: AccessTokenType = 'JWT'): IssuedToken {
  const { key } = signer;
  const now = nowSeconds(signer.clock);
  const full = { iss: signer.issuer, ...claims, iat: now, nbf: now, exp: now + lifetimeSeconds, jti: newId() };
  return { token: signJwt({ typ, kid: key.kid }, full, key.alg, key.privateKey), claims: full, expiresIn: lifetimeSeconds };
}
