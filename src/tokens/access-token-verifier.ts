import type { GatehouseConfig } from '../config/options.js';
import type { Clock } from '../lib/clock.js';
import { ASYMMETRIC_ALGORITHMS } from '../jwt/algorithms.js';
import { jwtFailure } from '../jwt/jwt-failure.js';
import { verifyJwt } from '../jwt/verify-jwt.js';
import type { KeySource } from '../jwt/verify-jwt.js';
import { issuerUrl } from '../config/issuer-url.js';
import type { KeyService } from '../keys/key-service.js';
import type { Tenant } from '../store/records.js';
import { ACCESS_TOKEN_TYPES } from './access-token.js';
import type { Store } from '../store/store.js';

/** What verifying the tenant's own tokens takes: its published keys, the issuer's URL, the clock and skew, the revocations. */
export interface OwnTokenVerification {
  config: Readonly<Pick<GatehouseConfig, 'publicUrl' | 'clockSkewSeconds'>>;
  clock: Clock;
  keys: Pick<KeyService, 'publishedKey' | 'publicKeyOf'>;
  store: Pick<Store, 'revocations'>;
}

/** The tenant's published signing keys as `verifyJwt`'s key source: one by `kid` and `alg` (tokens Gatehouse itself issued). */
export function publishedKeySource(ctx: Pick<OwnTokenVerification, 'keys'>, tenant: Tenant): KeySource {
  return {
    kind: 'resolve',
    resolve: async ({ kid, alg }) => {
      const stored = await ctx.keys.publishedKey(tenant.id, kid!, alg);
      if (!stored) return jwtFailure('JWKS_NO_MATCHING_KEY', `No published key of tenant ${tenant.slug} has kid ${kid} and alg ${alg}.`);
      return { kind: 'key', key: ctx.keys.publicKeyOf(stored), label: `signing key ${stored.kid} of tenant ${tenant.slug}` };
    },
  };
}

/**
 * Checks that `token` is a live access token of this tenant: signed by one of its published
 * keys, issued by its issuer, inside its validity window and not revoked, through `verifyJwt`.
 * `exp` is exact (this is the issuer judging its own token, so there is no skew to allow for;
 * RFC 7662 §2.2 `active` is false from `exp` on); `nbf` allows the configured skew between nodes.
 * Returns the claims, or undefined for anything else (RFC 7662 §2.2: such tokens are simply inactive).
 */
export async function verifyOwnAccessToken(ctx: OwnTokenVerification, tenant: Tenant, token: string): Promise<Record<string, unknown> | undefined> {
  const verified = await verifyJwt(token, {
    algorithms: ASYMMETRIC_ALGORITHMS,
    // RFC 9068 §2.1 `at+jwt` or the compatible `JWT`: a tenant may switch, and its live tokens stay valid.
    typ: ACCESS_TOKEN_TYPES,
    kid: 'required',
    keys: publishedKeySource(ctx, tenant),
    clock: ctx.clock,
    clockToleranceSeconds: ctx.config.clockSkewSeconds,
    expToleranceSeconds: 0,
    issuer: issuerUrl(ctx.config.publicUrl, tenant),
    requiredClaims: ['jti'],
  });
  if (!verified.ok) return undefined;
  const { jti } = verified.claims;
  if (typeof jti !== 'string' || (await ctx.store.revocations.isRevoked(jti))) return undefined;
  return verified.claims;
}
