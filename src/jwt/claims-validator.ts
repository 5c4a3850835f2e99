import { jwtFailure } from './jwt-failure.js';
import type { JwtFailure } from './jwt-failure.js';

/** What a caller expects of a JWT's claims; every field but the tolerances is optional. */
export interface ClaimsPolicy {
  /** `iss` must equal this (RFC 7519 §4.1.1, compared as a case-sensitive string). */
  issuer?: string;
  /** `aud` (a string or an array of strings) must contain one of these (RFC 7519 §4.1.3). */
  audience?: string | readonly string[];
  /** Leeway in seconds for `nbf`, `iat`, the maximum lifetime and age, and `exp` unless `expToleranceSeconds` is set. */
  clockToleranceSeconds?: number;
  /** Leeway in seconds after `exp`; defaults to `clockToleranceSeconds`. */
  expToleranceSeconds?: number;
  /** `exp` may be at most this many seconds ahead (client assertions: RFC 7523 §3 item 4, SMART's 5 minutes). */
  maxLifetimeSeconds?: number;
  /** `iat` is required and at most this many seconds ago. */
  maxAgeSeconds?: number;
  /** Claims that must be present (with any JSON value; the caller checks their type). */
  requiredClaims?: readonly string[];
}

const isNumericDate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const present = (value: unknown): boolean => value !== undefined;

/**
 * The one claims validator of every JWT path (RFC 7519 §7.2 step 10 leaves the claims to the
 * application; these are the checks Gatehouse applies), run on claims whose signature has
 * verified, in this order: `exp` (always required: Gatehouse accepts no JWT without an expiry),
 * maximum lifetime, `nbf`, `iat`, `iss`, `aud`, maximum age, required claims. Times are whole
 * seconds (`now` from the injected clock); NumericDates may be fractional (RFC 7519 §2).
 */
export function validateClaims(claims: Record<string, unknown>, policy: ClaimsPolicy, now: number): Omit<JwtFailure, 'verified'> | undefined {
  const tolerance = policy.clockToleranceSeconds ?? 0;
  const expTolerance = policy.expToleranceSeconds ?? tolerance;
  const { exp, nbf, iat } = claims;

  // RFC 7519 §4.1.4: the current time MUST be before exp (plus leeway).
  if (!present(exp)) return jwtFailure('JWT_CLAIM_MISSING', 'The token has no exp claim.', { claim: 'exp' });
  if (!isNumericDate(exp)) return jwtFailure('JWT_CLAIM_INVALID', 'exp is not a NumericDate.', { claim: 'exp' });
  if (exp + expTolerance <= now) return jwtFailure('JWT_EXPIRED', `The token expired at ${exp}.`, { claim: 'exp' });
  if (policy.maxLifetimeSeconds !== undefined && exp > now + policy.maxLifetimeSeconds + tolerance) {
    return jwtFailure('JWT_LIFETIME_TOO_LONG', `exp ${exp} is more than ${policy.maxLifetimeSeconds} s ahead.`, { claim: 'exp' });
  }
  // RFC 7519 §4.1.5: not before nbf (minus leeway).
  if (present(nbf)) {
    if (!isNumericDate(nbf)) return jwtFailure('JWT_CLAIM_INVALID', 'nbf is not a NumericDate.', { claim: 'nbf' });
    if (nbf > now + tolerance) return jwtFailure('JWT_NOT_YET_VALID', `The token is not valid before ${nbf}.`, { claim: 'nbf' });
  }
  // RFC 7519 §4.1.6: iat is when the token was issued, so it cannot be in the future.
  if (present(iat)) {
    if (!isNumericDate(iat)) return jwtFailure('JWT_CLAIM_INVALID', 'iat is not a NumericDate.', { claim: 'iat' });
    if (iat > now + tolerance) return jwtFailure('JWT_ISSUED_IN_FUTURE', `The token was issued in the future (iat ${iat}).`, { claim: 'iat' });
  }
  if (policy.issuer !== undefined && claims.iss !== policy.issuer) {
    return jwtFailure('JWT_ISSUER_INVALID', `iss ${JSON.stringify(claims.iss)} is not ${policy.issuer}.`, { claim: 'iss' });
  }
  if (policy.audience !== undefined) {
    const failure = checkAudience(claims.aud, typeof policy.audience === 'string' ? [policy.audience] : policy.audience);
    if (failure) return failure;
  }
  if (policy.maxAgeSeconds !== undefined) {
    if (!present(iat)) return jwtFailure('JWT_CLAIM_MISSING', 'The token has no iat claim, so its age is unknown.', { claim: 'iat' });
    if (now - (iat as number) > policy.maxAgeSeconds + tolerance) return jwtFailure('JWT_TOO_OLD', `The token is older than ${policy.maxAgeSeconds} s.`, { claim: 'iat' });
  }
  for (const name of policy.requiredClaims ?? []) {
    if (!present(claims[name])) return jwtFailure('JWT_CLAIM_MISSING', `The token has no ${name} claim.`, { claim: name });
  }
  return undefined;
}

/**
 * RFC 7519 §4.1.3: `aud` is a StringOrURI or an array of them; the recipient MUST find itself
 * in it, else the JWT MUST be rejected. An array with a non-string member is not a valid `aud`.
 */
function checkAudience(aud: unknown, accepted: readonly string[]): Omit<JwtFailure, 'verified'> | undefined {
  const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined;
  if (!values || values.length === 0 || !values.every((v) => typeof v === 'string')) {
    return jwtFailure('JWT_AUDIENCE_INVALID', aud === undefined ? 'The token has no aud claim.' : 'aud is not a string or an array of strings.', { claim: 'aud' });
  }
  if (!values.some((v) => accepted.includes(v as string))) {
    return jwtFailure('JWT_AUDIENCE_INVALID', `aud ${JSON.stringify(aud)} names none of the accepted audiences.`, { claim: 'aud' });
  }
  return undefined;
}
