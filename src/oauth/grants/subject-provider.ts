import { decodeJsonObject } from '../../lib/base64url.js';
import type { ExternalJwtIdentityProvider } from '../../store/records.js';
import { OAuthError } from '../errors.js';

/**
 * The identity provider that issued a subject token or assertion, among those enabled for the
 * client's application (`enabled`): named by `subject_issuer` (id, name or issuer), else by the
 * token's `iss` (read before verification only to choose; the provider then verifies everything).
 */
export function selectSubjectProvider(
  enabled: ExternalJwtIdentityProvider[],
  token: string,
  subjectIssuer: string | undefined,
  refused: 'invalid_request' | 'invalid_grant',
): ExternalJwtIdentityProvider {
  if (subjectIssuer !== undefined) {
    const named = enabled.filter((p) => p.id === subjectIssuer || p.name === subjectIssuer || p.issuer === subjectIssuer);
    if (named.length === 1) return named[0];
    throw new OAuthError('invalid_request', named.length === 0 ? 'subject_issuer names no identity provider this client may use.' : 'subject_issuer is ambiguous; name the provider by id.');
  }
  const payload = decodeJsonObject(token.split('.')[1] ?? '');
  const iss = payload?.iss;
  const matching = typeof iss === 'string' ? enabled.filter((p) => p.issuer === iss) : [];
  if (matching.length === 1) return matching[0];
  throw new OAuthError(refused, matching.length === 0 ? 'No identity provider this client may use has the token’s issuer.' : 'Several identity providers have this issuer; name one with subject_issuer.');
}
