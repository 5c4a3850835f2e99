/**
 * Why `verifyJwt` refused a token: a stable code for the caller to map onto its own wire format
 * (OAuth `invalid_client`, the FusionAuth reasons, RFC 6750 `invalid_token`, RFC 7662
 * `active: false`) and a detail for logs. The codes are part of the contract; new ones may be
 * added, existing ones keep their meaning.
 *
 * | code | meaning |
 * |---|---|
 * | `JWT_MALFORMED` | not three base64url parts, header or payload not a JSON object, bad `crit` (RFC 7515 §5.2, RFC 7519 §7.2) |
 * | `JWS_ALG_NOT_ALLOWED` | `alg` missing, `none`, HMAC, or not in the policy's list (RFC 8725 §3.1) |
 * | `JWS_CRIT_UNSUPPORTED` | `crit` names an extension the caller does not understand (RFC 7515 §4.1.11) |
 * | `JWT_TYP_INVALID` | `typ` is not one the caller expects (RFC 8725 §3.11) |
 * | `JWS_KID_MISSING` | the policy requires `kid`, or the key set cannot be searched without it |
 * | `JWS_JKU_NOT_ALLOWED` | `jku` is not the JWKS URL the keys come from (RFC 8725 §3.10) |
 * | `JWKS_NO_MATCHING_KEY` | no key has this `kid` (after the one re-read of a remote JWKS), or the caller has no key for the token |
 * | `JWKS_MULTIPLE_MATCHING_KEYS` | more than one key fits `kid` and `alg` |
 * | `JWS_KEY_ALG_MISMATCH` | the key named by `kid` cannot verify `alg` (type, curve, RSA size, or its `alg`/`use`/`key_ops`) |
 * | `JWKS_FETCH_FAILED` | the remote JWKS could not be read (`fetchError` says why) |
 * | `JWS_SIGNATURE_INVALID` | the signature does not verify with the selected key |
 * | `JWT_CLAIM_MISSING` | a required claim (`claim`) is absent; `exp` is always required |
 * | `JWT_CLAIM_INVALID` | a claim (`claim`) has the wrong type (NumericDate, StringOrURI) |
 * | `JWT_EXPIRED` | `exp` is past, beyond the tolerance (RFC 7519 §4.1.4) |
 * | `JWT_NOT_YET_VALID` | `nbf` is in the future, beyond the tolerance (RFC 7519 §4.1.5) |
 * | `JWT_ISSUED_IN_FUTURE` | `iat` is in the future, beyond the tolerance (RFC 7519 §4.1.6) |
 * | `JWT_LIFETIME_TOO_LONG` | `exp` is further ahead than the policy's maximum lifetime |
 * | `JWT_TOO_OLD` | `iat` is longer ago than the policy's maximum age |
 * | `JWT_ISSUER_INVALID` | `iss` is missing or not the expected issuer (RFC 7519 §4.1.1) |
 * | `JWT_AUDIENCE_INVALID` | `aud` is missing or names none of the accepted audiences (RFC 7519 §4.1.3) |
 */
export type JwtFailureCode =
  | 'JWT_MALFORMED'
  | 'JWS_ALG_NOT_ALLOWED'
  | 'JWS_CRIT_UNSUPPORTED'
  | 'JWT_TYP_INVALID'
  | 'JWS_KID_MISSING'
  | 'JWS_JKU_NOT_ALLOWED'
  | 'JWKS_NO_MATCHING_KEY'
  | 'JWKS_MULTIPLE_MATCHING_KEYS'
  | 'JWS_KEY_ALG_MISMATCH'
  | 'JWKS_FETCH_FAILED'
  | 'JWS_SIGNATURE_INVALID'
  | 'JWT_CLAIM_MISSING'
  | 'JWT_CLAIM_INVALID'
  | 'JWT_EXPIRED'
  | 'JWT_NOT_YET_VALID'
  | 'JWT_ISSUED_IN_FUTURE'
  | 'JWT_LIFETIME_TOO_LONG'
  | 'JWT_TOO_OLD'
  | 'JWT_ISSUER_INVALID'
  | 'JWT_AUDIENCE_INVALID';

export interface JwtFailure {
  ok: false;
  code: JwtFailureCode;
  /** For logs and debug traces; never shown to an unauthenticated caller as-is by Gatehouse. */
  detail: string;
  /** The claim a claim check is about (`exp`, `nbf`, `iat`, `iss`, `aud`, or a required claim). */
  claim?: string;
  /** JWKS_FETCH_FAILED: the fetch error's code (e.g. `TIMEOUT`, `HTTP_STATUS`, `NOT_A_JWKS`). */
  fetchError?: string;
  /** Claim failures: the signature had verified, so these are what the issuer signed. */
  verified?: { claims: Record<string, unknown>; keyLabel: string };
}

export const jwtFailure = (code: JwtFailureCode, detail: string, extra: Partial<Omit<JwtFailure, 'ok' | 'code' | 'detail'>> = {}): JwtFailure => ({
  ok: false,
  code,
  detail,
  ...extra,
});

export const isJwtFailure = (value: unknown): value is JwtFailure =>
  typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
