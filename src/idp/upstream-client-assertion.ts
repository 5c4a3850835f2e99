import { randomUUID } from 'node:crypto';
import { nowSeconds } from '../lib/clock.js';
import type { Clock } from '../lib/clock.js';
import { signJwt } from '../jwt/jws.js';
import type { SigningKey } from '../keys/key-service.js';

/** RFC 7523 §2.2 / OIDC Core §9: the assertion type of `private_key_jwt`. */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Short-lived: one token request (RFC 7523 §3 item 4 lets the server refuse long ones). */
export const CLIENT_ASSERTION_LIFETIME_SECONDS = 60;

/**
 * Gatehouse's client assertion towards an upstream token endpoint (OIDC Core §9
 * `private_key_jwt`, RFC 7523 §3): `iss` = `sub` = Gatehouse's client id there, `aud` = the
 * upstream token endpoint, a fresh `jti`, `iat` and a 60-second `exp`, signed with the tenant's
 * signing key, whose public half the upstream reads at `/t/{tenant}/.well-known/jwks.json`.
 */
export function upstreamClientAssertion(key: Pick<SigningKey, 'kid' | 'alg' | 'privateKey'>, clientId: string, tokenEndpoint: string, clock: Clock): string {
  const now = nowSeconds(clock);
  return signJwt(
    { typ: 'JWT', kid: key.kid },
    { iss: clientId, sub: clientId, aud: tokenEndpoint, jti: randomUUID(), iat: now, exp: now + CLIENT_ASSERTION_LIFETIME_SECONDS },
    key.alg,
    key.privateKey,
  );
}
