import { ASYMMETRIC_ALGORITHMS } from '../jwt/algorithms.js';
import { verifyJwt } from '../jwt/verify-jwt.js';
import { issuerUrl } from '../config/issuer-url.js';
import type { Tenant } from '../store/records.js';
import { publishedKeySource } from './access-token-verifier.js';
import type { OwnTokenVerification } from './access-token-verifier.js';

/** What an `id_token_hint` tells the logout endpoint: the client, the user and the session. */
export interface IdTokenHint {
  clientId: string;
  sub: string;
  sid?: string;
}

/**
 * Checks an `id_token_hint` (OpenID Connect RP-Initiated Logout 1.0 §2): an ID token this
 * tenant issued — signed by one of its published keys, `iss` its issuer — through `verifyJwt`.
 * An expired one is accepted (§2: "the OP SHOULD accept ID Tokens ... even when ... expired");
 * `aud` must be one client id (Gatehouse's ID tokens have exactly one). Undefined otherwise.
 */
export async function verifyIdTokenHint(ctx: Omit<OwnTokenVerification, 'store'>, tenant: Tenant, token: string): Promise<IdTokenHint | undefined> {
  const verified = await verifyJwt(token, {
    algorithms: ASYMMETRIC_ALGORITHMS,
    kid: 'required',
    keys: publishedKeySource(ctx, tenant),
    clock: ctx.clock,
    clockToleranceSeconds: ctx.config.clockSkewSeconds,
    expToleranceSeconds: Number.POSITIVE_INFINITY,
    issuer: issuerUrl(ctx.config.publicUrl, tenant),
    requiredClaims: ['sub', 'aud'],
  });
  if (!verified.ok) return undefined;
  const { aud, sub, sid } = verified.claims;
  if (typeof aud !== 'string' || typeof sub !== 'string') return undefined;
  return { clientId: aud, sub, ...(typeof sid === 'string' ? { sid } : {}) };
}
