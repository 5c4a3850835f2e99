import { checkFetchUrl, fetchJson, FetchError } from '../lib/bounded-fetch.js';
import type { FetchPolicy } from '../lib/bounded-fetch.js';
import { isPlainObject } from '../lib/base64url.js';

/** OpenID Connect Discovery 1.0 §4: the path appended to the issuer (after removing a terminating `/`). */
export const WELL_KNOWN_PATH = '/.well-known/openid-configuration';

/** What Gatehouse takes of an upstream's discovery document (OpenID Connect Discovery 1.0 §3). */
export interface UpstreamMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  end_session_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
  userinfo_signing_alg_values_supported?: string[];
  code_challenge_methods_supported?: string[];
}

export type DiscoveryErrorCode = 'DISCOVERY_FETCH_FAILED' | 'DISCOVERY_NOT_JSON' | 'DISCOVERY_ISSUER_MISMATCH' | 'DISCOVERY_FIELD_MISSING' | 'DISCOVERY_FIELD_INVALID';

export class DiscoveryError extends Error {
  constructor(
    readonly code: DiscoveryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

/** §4.1: `{issuer without a terminating /}/.well-known/openid-configuration`. */
export const discoveryUrlOf = (issuer: string): string => `${issuer.replace(/\/$/, '')}${WELL_KNOWN_PATH}`;

/**
 * The issuers whose §4.1 discovery URL is `url`: the prefix before `/.well-known/openid-configuration`,
 * with and without a terminating `/` (both spellings lead to the same URL); none for another path.
 */
export function issuersOfDiscoveryUrl(url: string): string[] {
  if (!url.endsWith(WELL_KNOWN_PATH)) return [];
  const prefix = url.slice(0, -WELL_KNOWN_PATH.length);
  return prefix === '' ? [] : [prefix, `${prefix}/`];
}

const URL_FIELDS = ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'end_session_endpoint'] as const;
const REQUIRED: readonly string[] = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'];
const LIST_FIELDS = ['token_endpoint_auth_methods_supported', 'id_token_signing_alg_values_supported', 'userinfo_signing_alg_values_supported', 'code_challenge_methods_supported'] as const;

/**
 * Reads and checks a discovery document through the outbound fetch (time and size limits, SSRF
 * rules). §4.3: its `issuer` MUST be identical to the issuer the document was looked up for —
 * `expectedIssuers` (the configured issuer, or the spellings of `issuersOfDiscoveryUrl`); a
 * mismatch means the document is not to be used. The endpoints Gatehouse needs must be absolute
 * https URLs (http where the fetch policy allows it) (§3: `authorization_endpoint`, `token_endpoint` and `jwks_uri` are REQUIRED here).
 */
export async function readDiscoveryDocument(url: string, expectedIssuers: readonly string[], policy: FetchPolicy): Promise<UpstreamMetadata> {
  let body: unknown;
  try {
    ({ body } = await fetchJson(url, policy));
  } catch (error) {
    if (!(error instanceof FetchError)) throw error;
    if (error.code === 'FETCH_NOT_JSON') throw new DiscoveryError('DISCOVERY_NOT_JSON', `The discovery document at ${url} is not JSON.`);
    throw new DiscoveryError('DISCOVERY_FETCH_FAILED', `The discovery document at ${url} could not be read: ${error.code} (${error.message}).`);
  }
  if (!isPlainObject(body)) throw new DiscoveryError('DISCOVERY_NOT_JSON', `The discovery document at ${url} is not a JSON object.`);
  const issuer = body.issuer;
  if (typeof issuer !== 'string' || issuer === '') throw new DiscoveryError('DISCOVERY_FIELD_MISSING', 'The discovery document has no issuer.');
  if (!expectedIssuers.includes(issuer)) {
    throw new DiscoveryError(
      'DISCOVERY_ISSUER_MISMATCH',
      `The discovery document's issuer ${JSON.stringify(issuer)} is not ${expectedIssuers.map((i) => JSON.stringify(i)).join(' or ')} (OpenID Connect Discovery 1.0 §4.3).`,
    );
  }
  const metadata: Record<string, unknown> = { issuer };
  for (const field of URL_FIELDS) {
    const value = body[field];
    if (value === undefined) {
      if (REQUIRED.includes(field)) throw new DiscoveryError('DISCOVERY_FIELD_MISSING', `The discovery document has no ${field}.`);
      continue;
    }
    try {
      if (typeof value !== 'string') throw new FetchError('FETCH_URL_INVALID', 'not a string');
      checkFetchUrl(value, policy.allowHttp);
    } catch {
      throw new DiscoveryError('DISCOVERY_FIELD_INVALID', `The discovery document's ${field} is not an absolute ${policy.allowHttp ? 'http(s)' : 'https'} URL.`);
    }
    metadata[field] = value;
  }
  for (const field of LIST_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new DiscoveryError('DISCOVERY_FIELD_INVALID', `The discovery document's ${field} is not a list of strings.`);
    metadata[field] = value;
  }
  return metadata as unknown as UpstreamMetadata;
}
