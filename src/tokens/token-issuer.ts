import { newId } from '../lib/ids.js';
import { nowSeconds } from '../lib/clock.js';
import { signJwt } from '../jwt/jws.js';
import type { Application, Tenant } from '../store/records.js';
import { issuerOf } from '../oauth/context.js';
import type { OAuthContext } from '../oauth/context.js';

export interface IssuedToken {
  token: string;
  claims: Record<string, unknown>;
  expiresIn: number;
}

/** Access token lifetime: the application's, else the tenant's (FusionAuth `jwtConfiguration`). */
export const accessTokenLifetime = (tenant: Tenant, application: Application): number =>
  application.jwtConfiguration.timeToLiveInSeconds ?? tenant.jwtConfiguration.timeToLiveInSeconds;

/**
 * Signs a JWT access token with the tenant's active key. Registered claims (`iss`, `iat`, `nbf`,
 * `exp`, `jti`) are set here; the caller supplies the subject-specific ones.
 */
export async function issueAccessToken(
  ctx: OAuthContext,
  tenant: Tenant,
  claims: Record<string, unknown>,
  lifetimeSeconds: number,
): Promise<IssuedToken> {
  const key = await ctx.keys.signingKey(tenant.id);
  const now = nowSeconds(ctx.clock);
  const full = { iss: issuerOf(ctx.config, tenant), ...claims, iat: now, nbf: now, exp: now + lifetimeSeconds, jti: newId() };
  return { token: signJwt({ typ: 'JWT', kid: key.kid }, full, key.alg, key.privateKey), claims: full, expiresIn: lifetimeSeconds };
}
