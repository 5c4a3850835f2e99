import { FORWARDABLE_PARAMETERS } from '../idp/upstream-oidc-client.js';
import type { ForwardableParameter } from '../idp/upstream-oidc-client.js';
import { isPlainObject } from '../lib/base64url.js';

/** Each forwarded value goes into the upstream URL: bounded. */
const MAX_FORWARDED_LENGTH = 2048;

/**
 * The client's OpenID Connect authentication parameters that go on to the upstream provider
 * (OIDC Core §3.1.2.1: `prompt`, `login_hint`, `acr_values`, `max_age`, `ui_locales`; §5.5
 * `claims`), checked as far as Gatehouse passes them on: `max_age` is a non-negative integer of
 * seconds, `claims` a JSON object. Returns the parameters, or why the request is invalid.
 */
export function forwardedParameters(params: ReadonlyMap<string, string>): Partial<Record<ForwardableParameter, string>> | string {
  const forwarded: Partial<Record<ForwardableParameter, string>> = {};
  for (const name of FORWARDABLE_PARAMETERS) {
    const value = params.get(name);
    if (value === undefined || value === '') continue;
    if (value.length > MAX_FORWARDED_LENGTH) return `${name} is longer than ${MAX_FORWARDED_LENGTH} characters.`;
    forwarded[name] = value;
  }
  if (forwarded.max_age !== undefined && !/^\d{1,10}$/.test(forwarded.max_age)) return 'max_age must be a non-negative number of seconds.';
  if (forwarded.claims !== undefined) {
    let claims: unknown;
    try {
      claims = JSON.parse(forwarded.claims);
    } catch {
      claims = undefined;
    }
    if (!isPlainObject(claims)) return 'claims must be a JSON object (OIDC Core §5.5).';
  }
  return forwarded;
}
