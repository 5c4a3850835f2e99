import type { JsonObject } from '../store/records.js';

export type EmailVerification = 'verified' | 'unverified' | 'absent';

/**
 * How the provider's email-verified claim (OIDC Core §5.1 `email_verified`) reads. Only the boolean
 * `true`, and the string `"true"` as FusionAuth reads it, mean verified; every other value that is
 * present (`false`, `"False"`, `0`, `"0"`, `null`, an object …) means unverified, so it blocks a
 * LinkByEmail link. An absent claim says nothing either way.
 */
export function emailVerification(claims: JsonObject, claim: string): EmailVerification {
  if (!Object.prototype.hasOwnProperty.call(claims, claim)) return 'absent';
  const value = claims[claim];
  return value === true || value === 'true' ? 'verified' : 'unverified';
}
