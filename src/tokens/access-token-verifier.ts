import { nowSeconds } from '../lib/clock.js';
import { isSigningAlgorithm } from '../jwt/algorithms.js';
import { parseCompactJws, verifyJwsSignature } from '../jwt/jws.js';
import type { Tenant } from '../store/records.js';
import { issuerOf } from '../oauth/context.js';
import type { OAuthContext } from '../oauth/context.js';

/**
 * Checks that `token` is a live access token of this tenant: signed by one of its published
 * keys, issued by its issuer, inside its validity window and not revoked. Returns the claims,
 * or undefined for anything else (RFC 7662 §2.2: such tokens are simply inactive).
 */
export async function verifyOwnAccessToken(ctx: OAuthContext, tenant: Tenant, token: string): Promise<Record<string, unknown> | undefined> {
  const jws = parseCompactJws(token);
  if (typeof jws === 'string') return undefined;
  const { alg, kid } = jws.header;
  if (!isSigningAlgorithm(alg) || typeof kid !== 'string') return undefined;
  const stored = await ctx.keys.publishedKey(tenant.id, kid, alg);
  if (!stored || !verifyJwsSignature(jws, alg, ctx.keys.publicKeyOf(stored))) return undefined;
  const { payload } = jws;
  const now = nowSeconds(ctx.clock);
  if (payload.iss !== issuerOf(ctx.config, tenant)) return undefined;
  if (typeof payload.exp !== 'number' || payload.exp <= now) return undefined;
  if (typeof payload.nbf === 'number' && payload.nbf > now + ctx.config.clockSkewSeconds) return undefined;
  if (typeof payload.jti !== 'string' || (await ctx.store.revocations.isRevoked(payload.jti))) return undefined;
  return payload;
}
