import type { KeyObject } from 'node:crypto';
import { decodeBase64url, decodeJsonObject } from '../lib/base64url.js';
import { nowSeconds } from '../lib/clock.js';
import type { Clock } from '../lib/clock.js';
import type { SigningAlgorithm } from '../store/records.js';
import { validateClaims } from './claims-validator.js';
import type { ClaimsPolicy } from './claims-validator.js';
import { checkAlgorithm, checkHeader } from './header-validator.js';
import type { HeaderPolicy } from './header-validator.js';
import { verifyJwsSignature } from './jws.js';
import { isJwtFailure, jwtFailure } from './jwt-failure.js';
import type { JwtFailure } from './jwt-failure.js';
import { resolveKeySource, selectKey } from './key-source.js';
import type { KeySource } from './key-source.js';

export type { JwtFailure, JwtFailureCode } from './jwt-failure.js';
export type { KeySource, ResolvedKeySource, UnverifiedJwt } from './key-source.js';

/**
 * A caller's rules for one kind of incoming JWT, as data: which keys, which algorithms, which
 * issuer and audience, how much clock tolerance, which lifetime and age, which header values.
 */
export interface JwtPolicy extends HeaderPolicy, ClaimsPolicy {
  keys: KeySource;
  clock: Clock;
  /**
   * `jku` (RFC 8725 §3.10: never fetched from the token's say-so): `ignore` (the default), or
   * `match-jwks-url`: when present it must be the URL of the `remote-jwks` source the keys come
   * from (SMART Backend Services).
   */
  jku?: 'ignore' | 'match-jwks-url';
}

export interface VerifiedJwt {
  ok: true;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  alg: SigningAlgorithm;
  key: KeyObject;
  /** Where the key came from (e.g. `JWKS https://…, kid k1`), for logs and debug traces. */
  keyLabel: string;
}

export type JwtVerification = VerifiedJwt | JwtFailure;

/** Compact JWS larger than this are refused before decoding. */
export const MAX_TOKEN_LENGTH = 16_384;

/**
 * The one JWT validator (client assertions, external ID tokens, Gatehouse's own access tokens at
 * introspection and in the resource guard): RFC 7519 §7.2 with RFC 7515 §5.2 for the JWS, and
 * the RFC 8725 best practices. In order: decode the header, check `alg` (before anything else,
 * so an unsigned token is named for its algorithm), `crit`, `typ`, `kid`; decode the payload and
 * signature; resolve and select the key (a remote JWKS is re-read once on an unknown `kid`, see
 * `key-source.ts`); verify the signature on node:crypto; then validate the claims
 * (`claims-validator.ts`). Never throws for a bad token: the result is a typed failure with a
 * stable code (`jwt-failure.ts`). Exceptions from a caller's resolver propagate.
 */
export async function verifyJwt(token: string, policy: JwtPolicy): Promise<JwtVerification> {
  // RFC 7515 §5.2 steps 1–3, RFC 7519 §7.2 steps 1–4: three parts, a JSON object header.
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return jwtFailure('JWT_MALFORMED', 'The token is not a string of acceptable length.');
  const parts = token.split('.');
  if (parts.length !== 3) return jwtFailure('JWT_MALFORMED', `The token has ${parts.length} parts, not the 3 of a compact JWS.`);
  const header = decodeJsonObject(parts[0]);
  if (!header) return jwtFailure('JWT_MALFORMED', 'The header is not a base64url-encoded JSON object.');

  const alg = checkAlgorithm(header, policy);
  if (isJwtFailure(alg)) return alg;
  const checked = checkHeader(header, policy);
  if (isJwtFailure(checked)) return checked;

  // RFC 7515 §5.2 steps 6–7, RFC 7519 §7.2 steps 7–10: payload JSON object, signature bytes.
  const claims = decodeJsonObject(parts[1]);
  if (!claims) return jwtFailure('JWT_MALFORMED', 'The payload is not a base64url-encoded JSON object.');
  const signature = decodeBase64url(parts[2]);
  if (!signature || signature.length === 0) return jwtFailure('JWT_MALFORMED', 'The signature is empty or not base64url.');

  const unverified = { header, claims, alg, kid: checked.kid };
  const source = await resolveKeySource(policy.keys, unverified);
  if (isJwtFailure(source)) return source;
  if ((policy.jku ?? 'ignore') === 'match-jwks-url' && header.jku !== undefined && (source.kind !== 'remote-jwks' || header.jku !== source.url)) {
    return jwtFailure('JWS_JKU_NOT_ALLOWED', `jku ${JSON.stringify(header.jku)} is not the JWKS URL of the keys.`);
  }
  const selected = await selectKey(source, unverified);
  if (isJwtFailure(selected)) return selected;

  // RFC 7515 §5.2 step 8: the signature must verify with the selected key and algorithm.
  const jws = { header, payload: claims, signingInput: `${parts[0]}.${parts[1]}`, signature };
  if (!verifyJwsSignature(jws, alg, selected.key)) return jwtFailure('JWS_SIGNATURE_INVALID', `The signature does not verify with ${selected.label}.`);

  const invalid = validateClaims(claims, policy, nowSeconds(policy.clock));
  if (invalid) return { ...invalid, verified: { claims, keyLabel: selected.label } };
  return { ok: true, header, claims, alg, key: selected.key, keyLabel: selected.label };
}
