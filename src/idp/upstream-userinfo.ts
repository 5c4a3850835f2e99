import { fetchText, FetchError } from '../lib/bounded-fetch.js';
import type { FetchPolicy } from '../lib/bounded-fetch.js';
import { isPlainObject } from '../lib/base64url.js';
import type { ExternalJwtIdentityProvider } from '../store/records.js';
import { verifyProviderJwt } from './external-jwt-verifier.js';
import type { VerifierDeps } from './external-jwt-verifier.js';
import { UpstreamLoginError } from './upstream-oidc-client.js';

export type UserinfoMode = 'always' | 'never' | 'whenMissing';
export const USERINFO_MODES: readonly UserinfoMode[] = ['always', 'never', 'whenMissing'];

/** Why a userinfo response is not used: the login is refused with this as its `reason`. */
export type UserinfoRefusalCode = 'USERINFO_SUB_MISMATCH' | 'USERINFO_INVALID';

export class UserinfoRefusal extends Error {
  constructor(
    readonly code: UserinfoRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'UserinfoRefusal';
  }
}

/**
 * The claims the login reads of a provider's token: the unique id, the email where the linking
 * strategy or the managed domains need it, the username for username linking, and the sources
 * of the claim map and attribute mappings (their first JSON-pointer segment).
 */
export function neededClaims(provider: ExternalJwtIdentityProvider): string[] {
  const needed = new Set<string>([provider.uniqueIdentityClaim ?? provider.oauth2.uniqueIdClaim]);
  if (provider.linkingStrategy.startsWith('LinkByEmail') || provider.domains.length > 0) needed.add(provider.oauth2.emailClaim);
  if (provider.linkingStrategy.startsWith('LinkByUsername')) needed.add(provider.oauth2.usernameClaim);
  for (const claim of Object.keys(provider.claimMap)) needed.add(claim);
  for (const pointer of Object.values(provider.attributeMappings)) {
    const first = pointer.startsWith('/') ? pointer.slice(1).split('/')[0] : pointer;
    if (first) needed.add(first.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return [...needed];
}

/** `oauth2.userinfo`: `always`, `never`, or (the default) `whenMissing` a needed claim in the ID token. */
export function userinfoWanted(provider: ExternalJwtIdentityProvider, idTokenClaims: Record<string, unknown>): boolean {
  const mode = provider.oauth2.userinfo ?? 'whenMissing';
  if (mode === 'never') return false;
  return mode === 'always' || neededClaims(provider).some((claim) => idTokenClaims[claim] === undefined);
}

/** What the ID token says about the authentication itself; the userinfo response never changes these. */
const ID_TOKEN_ONLY = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'auth_time', 'acr', 'amr', 'azp', 'at_hash', 'c_hash', 'sid']);

/**
 * OIDC Core §5.3.2: userinfo's `sub` MUST exactly match the ID token's, else its values MUST
 * NOT be used. Userinfo is the authoritative source of the user's claims, so its values win;
 * what the ID token states about the authentication (`iss`, `sub`, `aud`, times, `nonce`,
 * `acr`, `amr`, …) always comes from the ID token.
 */
export function mergeUserinfo(idTokenClaims: Record<string, unknown>, userinfo: Record<string, unknown>): Record<string, unknown> {
  if (typeof userinfo.sub !== 'string' || userinfo.sub !== idTokenClaims.sub) {
    throw new UserinfoRefusal('USERINFO_SUB_MISMATCH', `The userinfo response's sub ${JSON.stringify(userinfo.sub)} is not the ID token's sub (OIDC Core §5.3.2).`);
  }
  const merged = { ...idTokenClaims };
  for (const [name, value] of Object.entries(userinfo)) if (!ID_TOKEN_ONLY.has(name)) merged[name] = value;
  return merged;
}

/**
 * Calls the upstream userinfo endpoint with the access token (OIDC Core §5.3.1, Bearer per
 * RFC 6750 §2.1) through the outbound fetch. A JSON answer is taken as is; an `application/jwt`
 * answer is verified with the provider's keys through `verifyJwt`, `iss` the provider's issuer
 * and `aud` Gatehouse's client id there (§5.3.2). A failed request is an UpstreamLoginError
 * (`temporarily_unavailable`); an unusable answer a UserinfoRefusal.
 */
export async function fetchUpstreamUserinfo(
  provider: ExternalJwtIdentityProvider,
  endpoint: string,
  accessToken: string,
  policy: FetchPolicy,
  verifier: VerifierDeps,
): Promise<Record<string, unknown>> {
  let answer: Awaited<ReturnType<typeof fetchText>>;
  try {
    answer = await fetchText(endpoint, policy, { method: 'GET', headers: { authorization: `Bearer ${accessToken}` } }, 'application/json, application/jwt');
  } catch (error) {
    if (!(error instanceof FetchError)) throw error;
    throw new UpstreamLoginError('UPSTREAM_USERINFO_FAILED', `The identity provider's userinfo endpoint failed: ${error.code} (${error.message}).`);
  }
  const type = (answer.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/jwt') {
    const verified = await verifyProviderJwt(provider, answer.text.trim(), verifier, provider.oauth2.client_id ? [provider.oauth2.client_id] : [], undefined);
    if (!verified.ok) throw new UserinfoRefusal('USERINFO_INVALID', `The signed userinfo response does not verify: ${verified.code} (${verified.detail}).`);
    return verified.claims;
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    body = undefined;
  }
  if (!isPlainObject(body)) throw new UserinfoRefusal('USERINFO_INVALID', `The userinfo response is neither a JSON object nor a signed JWT (content type ${type || 'none'}).`);
  return body;
}
