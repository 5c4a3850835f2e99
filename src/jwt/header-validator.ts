import type { SigningAlgorithm } from '../store/records.js';
import { isSigningAlgorithm } from './algorithms.js';
import { jwtFailure } from './jwt-failure.js';
import type { JwtFailure } from './jwt-failure.js';

/** What a caller expects of a JWS's protected header. */
export interface HeaderPolicy {
  /** The algorithms accepted (RFC 8725 §3.1); `none` and HMAC are never signing algorithms here. */
  algorithms: readonly SigningAlgorithm[];
  /** When given, a `typ` header, if present, must be one of these (RFC 8725 §3.11). */
  typ?: readonly string[];
  /** `required` (the default): `kid` must be a non-empty string (SMART, TOP-KT-021). */
  kid?: 'required' | 'optional';
  /** Extension header names this caller understands and so accepts in `crit`; none by default. */
  criticalHeaders?: readonly string[];
}

/** RFC 7515 §4.1 and RFC 7519 §5: names that `crit` must not list. */
const REGISTERED = new Set(['alg', 'jku', 'jwk', 'kid', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'typ', 'cty', 'crit']);

/** RFC 7515 §4.1.9: `typ` is a media type, compared case-insensitively, `application/` optional. */
const normalizeTyp = (value: string): string => value.toLowerCase().replace(/^application\//, '');

/**
 * RFC 8725 §3.1: `alg` is checked against the caller's list before any key is looked at, so
 * `none` and HMAC keyed with a public key (algorithm confusion, RFC 8725 §2.1) never pass.
 */
export function checkAlgorithm(header: Record<string, unknown>, policy: HeaderPolicy): SigningAlgorithm | JwtFailure {
  const alg = header.alg;
  if (!isSigningAlgorithm(alg) || !policy.algorithms.includes(alg)) return jwtFailure('JWS_ALG_NOT_ALLOWED', `alg ${JSON.stringify(alg)} is not allowed.`);
  return alg;
}

/** `crit`, `typ` and `kid`; returns the `kid` when it is a non-empty string. */
export function checkHeader(header: Record<string, unknown>, policy: HeaderPolicy): { kid: string | undefined } | JwtFailure {
  const crit = checkCritical(header, policy.criticalHeaders ?? []);
  if (crit) return crit;
  if (policy.typ !== undefined && header.typ !== undefined) {
    const accepted = policy.typ.map(normalizeTyp);
    if (typeof header.typ !== 'string' || !accepted.includes(normalizeTyp(header.typ))) {
      return jwtFailure('JWT_TYP_INVALID', `typ ${JSON.stringify(header.typ)} is not one of ${policy.typ.join(', ')}.`);
    }
  }
  const kid = typeof header.kid === 'string' && header.kid !== '' ? header.kid : undefined;
  if (kid === undefined && (policy.kid ?? 'required') === 'required') return jwtFailure('JWS_KID_MISSING', 'The token has no kid header.');
  return { kid };
}

/**
 * RFC 7515 §4.1.11: `crit` is a non-empty array of extension names, none of them registered,
 * each present in the header; an extension the recipient does not understand makes the JWS
 * invalid.
 */
function checkCritical(header: Record<string, unknown>, understood: readonly string[]): JwtFailure | undefined {
  const crit = header.crit;
  if (crit === undefined) return undefined;
  if (!Array.isArray(crit) || crit.length === 0 || !crit.every((name) => typeof name === 'string' && !REGISTERED.has(name) && name in header)) {
    return jwtFailure('JWT_MALFORMED', 'crit is not a non-empty list of extension header names present in the header.');
  }
  const unknown = (crit as string[]).filter((name) => !understood.includes(name));
  if (unknown.length > 0) return jwtFailure('JWS_CRIT_UNSUPPORTED', `crit names extensions that are not supported: ${unknown.join(', ')}.`);
  return undefined;
}
