import { nowSeconds } from '../lib/clock.js';
import { isSigningAlgorithm } from '../jwt/algorithms.js';
import { parseCompactJws, verifyJwsSignature } from '../jwt/jws.js';
import type { Clock } from '../lib/clock.js';
import { issuerUrl } from '../config/issuer-url.js';
import type { GatehouseConfig } from '../config/options.js';
import type { KeyService } from '../keys/key-service.js';
import type { Tenant } from '../store/records.js';
import type { Store } from '../store/store.js';

/** What verifying the tenant's own tokens takes: its published keys, the issuer's URL, the clock and skew, the revocations. */
export interface OwnTokenVerification {
  config: Pick<GatehouseConfig, 'publicUrl' | 'clockSkewSeconds'>;
  clock: Clock;
  keys: Pick<KeyService, 'publishedKey' | 'publicKeyOf'>;
  store: Pick<Store, 'revocations'>;
}

/**
 * Checks that `token` is a live access token of this tenant: signed by one of its published
 * keys, issued by its issuer, inside its validity window and not revoked. Returns the claims,
 * or undefined for anything else (RFC 7662 §2.2: such tokens are simply inactive).
 */
export async function verifyOwnAccessToken(ctx: OwnTokenVerification, tenant: Tenant, token: string): Promise<Record<string, unknown> | undefined> {
  const jws = parseCompactJws(token);
  if (typeof jws === 'string') return undefined;
  const { alg, kid } = jws.header;
  if (!isSigningAlgorithm(alg) || typeof kid !== 'string') return undefined;
  const stored = await ctx.keys.publishedKey(tenant.id, kid, alg);
  if (!stored || !verifyJwsSignature(jws, alg, ctx.keys.publicKeyOf(stored))) return undefined;
  const { payload } = jws;
  const now = nowSeconds(ctx.clock);
  if (payload.iss !== issuerUrl(ctx.config.publicUrl, tenant)) return undefined;
  if (typeof payload.exp !== 'number' || payload.exp <= now) return undefined;
  if (typeof payload.nbf === 'number' && payload.nbf > now + ctx.config.clockSkewSeconds) return undefined;
  if (typeof payload.jti !== 'string' || (await ctx.store.revocations.isRevoked(payload.jti))) return undefined;
  return payload;
}
