import type { Application } from '../store/records.js';
import { OAuthError } from './errors.js';

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Parses the `scope` parameter; undefined when absent. Duplicates collapse. */
export function parseScope(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const tokens = raw.split(' ');
  if (raw === '') return [];
  if (!tokens.every((t) => SCOPE_TOKEN.test(t))) throw new OAuthError('invalid_scope', 'The scope parameter is malformed (RFC 6749 §3.3).');
  return [...new Set(tokens)];
}

/** Scopes a user token may carry besides the application's `allowedScopes`. */
const USER_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

/**
 * The scopes of a user token (token exchange, JWT bearer, authorization code): RFC 6749 §3.3
 * against what the application allows; `undefined` when no scope was asked.
 */
export function grantUserScopes(application: Application, raw: string | undefined): string[] | undefined {
  const requested = parseScope(raw);
  if (requested === undefined || requested.length === 0) return undefined;
  const allowed = new Set([...USER_SCOPES, ...(application.oauthConfiguration.allowedScopes ?? [])]);
  const refused = requested.filter((s) => !allowed.has(s));
  if (refused.length > 0) throw new OAuthError('invalid_scope', `Scopes not available to this client: ${refused.join(' ').slice(0, 200)}.`);
  return requested;
}
