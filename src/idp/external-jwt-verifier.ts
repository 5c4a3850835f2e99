import { createPublicKey, X509Certificate } from 'node:crypto';
import { nowSeconds } from '../lib/clock.js';
import type { Clock } from '../lib/clock.js';
import { isSigningAlgorithm } from '../jwt/algorithms.js';
import { jwtFailure } from '../jwt/jwt-failure.js';
import { verifyJwt } from '../jwt/verify-jwt.js';
import type { JwtFailure, JwtFailureCode, ResolvedKeySource, UnverifiedJwt } from '../jwt/verify-jwt.js';
import type { KeyService } from '../keys/key-service.js';
import type { OwnSigningKeys } from '../keys/own-signing-keys.js';
import type { RemoteJwksCache } from '../jwt/remote-jwks-cache.js';
import type { ExternalJwtIdentityProvider } from '../store/records.js';
import type { Store } from '../store/store.js';
import { DiscoveryError } from './upstream-discovery.js';
import { expectedIssuersOf, requireEndpoint } from './upstream-endpoints.js';
import type { UpstreamDiscoveryCache } from './upstream-endpoints.js';

export type ExternalJwtErrorCode =
  | 'MALFORMED'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'KEY_NOT_FOUND'
  | 'KEY_NOT_ALLOWED'
  | 'JWKS_UNAVAILABLE'
  | 'BAD_SIGNATURE'
  | 'EXPIRED'
  | 'LIFETIME_TOO_LONG'
  | 'NOT_YET_VALID'
  | 'WRONG_ISSUER'
  | 'WRONG_AUDIENCE'
  | 'TOO_OLD'
  | 'MISSING_UNIQUE_ID'
  | 'DOMAIN_NOT_MANAGED';

export interface VerificationStep {
  title: string;
  success: boolean;
  detail: string;
}

export type VerificationResult =
  | { ok: true; claims: Record<string, unknown>; uniqueId: string; email: string | undefined; steps: VerificationStep[] }
  | { ok: false; code: ExternalJwtErrorCode; message: string; steps: VerificationStep[] };

export interface VerifierDeps {
  store: Store;
  /** Key Master: its public keys are parsed once and cached. */
  keys: KeyService;
  remoteJwks: RemoteJwksCache;
  /** Keys Gatehouse signs with: never accepted as a provider's key. */
  ownKeys: OwnSigningKeys;
  clock: Clock;
  /** Upstream discovery documents: a provider with `oauth2.discoveryUrl` takes its `jwks_uri` from there. */
  discovery?: UpstreamDiscoveryCache;
}

/**
 * Claims from elsewhere merged into the verified ones before the unique id, email and username
 * are read (the brokered login: the upstream userinfo response, OIDC Core §5.3.2). It may throw.
 */
export type ClaimsSupplement = (claims: Record<string, unknown>) => Promise<Record<string, unknown>>;

/**
 * Verifies an external JWT for one provider (FusionAuth External JWT, with the gaps closed: only
 * the keys this provider lists, never any key of the Key Master — fi#2585; a JWKS URL; `iss`,
 * `aud`, skew and age checks), through `verifyJwt` with the provider's policy. Every step is
 * recorded for the provider test endpoint and the debug event log; the result carries a stable code.
 */
export async function verifyExternalJwt(
  provider: ExternalJwtIdentityProvider,
  token: string,
  deps: VerifierDeps,
  options: { supplement?: ClaimsSupplement; maxLifetimeSeconds?: number } = {},
): Promise<VerificationResult> {
  const { supplement } = options;
  const verified = await verifyProviderJwt(provider, token, deps, provider.audiences.length > 0 ? provider.audiences : undefined, provider.maximumTokenAgeSeconds, options.maxLifetimeSeconds);
  const stages = ['Decode', 'Algorithm', 'Key', 'Signature', 'Expiry'];
  if (provider.issuer !== undefined) stages.push('Issuer');
  if (provider.audiences.length > 0) stages.push('Audience');
  if (provider.maximumTokenAgeSeconds !== undefined) stages.push('Age');

  if (!verified.ok) {
    const { code, title } = externalCode(verified);
    const steps = stages.slice(0, Math.max(0, stages.indexOf(title))).map((t) => passed(t, provider, verified.verified, deps));
    steps.push({ title, success: false, detail: verified.detail });
    return { ok: false, code, message: verified.detail, steps };
  }
  if (await deps.ownKeys.includes(verified.key)) {
    const message = 'The token is signed with a key Gatehouse itself signs with; a provider may not use it.';
    return { ok: false, code: 'KEY_NOT_ALLOWED', message, steps: [...stages.slice(0, stages.indexOf('Key')).map((t) => passed(t, provider, verified, deps)), { title: 'Key', success: false, detail: message }] };
  }
  const steps = stages.map((t) => passed(t, provider, { claims: verified.claims, keyLabel: verified.keyLabel, alg: verified.alg }, deps));
  const step = (title: string, success: boolean, detail: string) => steps.push({ title, success, detail });
  const fail = (code: ExternalJwtErrorCode, title: string, message: string): VerificationResult => {
    step(title, false, message);
    return { ok: false, code, message, steps };
  };
  let claims = verified.claims;
  if (supplement) {
    claims = await supplement(claims);
    step('Userinfo', true, 'Claims of the upstream userinfo response merged where needed.');
  }

  // FusionAuth: the deprecated uniqueIdentityClaim "takes precedence if defined".
  const uniqueIdClaim = provider.uniqueIdentityClaim ?? provider.oauth2.uniqueIdClaim;
  const uniqueId = claims[uniqueIdClaim];
  if (typeof uniqueId !== 'string' && typeof uniqueId !== 'number') return fail('MISSING_UNIQUE_ID', 'Unique id', `The token has no ${uniqueIdClaim} claim.`);
  if (String(uniqueId) === '') return fail('MISSING_UNIQUE_ID', 'Unique id', `The ${uniqueIdClaim} claim is empty.`);
  step('Unique id', true, `${uniqueIdClaim} is present.`);

  const rawEmail = claims[provider.oauth2.emailClaim];
  const email = typeof rawEmail === 'string' && rawEmail.trim() !== '' ? rawEmail.trim() : undefined;
  if (provider.domains.length > 0) {
    const domain = email?.split('@')[1]?.toLowerCase();
    if (!domain || !provider.domains.includes(domain)) return fail('DOMAIN_NOT_MANAGED', 'Domain', 'The email domain is not managed by this identity provider.');
    step('Domain', true, `${domain} is managed.`);
  }
  return { ok: true, claims, uniqueId: String(uniqueId), email, steps };
}

/**
 * A JWT signed by the provider (an ID token, a signed userinfo response) through the one
 * `verifyJwt` with this provider's keys, algorithms, issuer and skew. A provider whose keys come
 * from its discovery document has that document read again once on an unknown `kid` (the
 * `jwks_uri` may have moved; OpenID Connect Discovery 1.0 §3), then the token is tried again.
 */
export async function verifyProviderJwt(
  provider: ExternalJwtIdentityProvider,
  token: string,
  deps: VerifierDeps,
  audience: readonly string[] | undefined,
  maxAgeSeconds: number | undefined,
  /** RFC 7523 §3 item 4 (JWT bearer): how far ahead `exp` may be. */
  maxLifetimeSeconds?: number,
): Promise<Awaited<ReturnType<typeof verifyJwt>>> {
  const verify = () =>
    verifyJwt(token, {
      // `none`, HMAC and anything not allowed for this provider are refused before any key is read.
      algorithms: provider.allowedAlgorithms.filter(isSigningAlgorithm),
      kid: 'optional',
      keys: { kind: 'resolve', resolve: (unverified) => providerKey(provider, unverified, deps) },
      clock: deps.clock,
      clockToleranceSeconds: provider.clockSkewSeconds,
      issuer: provider.issuer,
      audience,
      maxAgeSeconds,
      ...(maxLifetimeSeconds !== undefined ? { maxLifetimeSeconds } : {}),
    });
  const first = await verify();
  const { discoveryUrl } = provider.oauth2;
  if (first.ok || first.code !== 'JWKS_NO_MATCHING_KEY' || !discoveryUrl || !deps.discovery) return first;
  return (await deps.discovery.refresh(discoveryUrl, expectedIssuersOf(provider))) ? verify() : first;
}

/** The provider's JWKS URL: from its discovery document when it has one, else as configured. */
async function jwksUriOf(provider: ExternalJwtIdentityProvider, deps: VerifierDeps): Promise<string | JwtFailure | undefined> {
  if (!provider.oauth2.discoveryUrl || !deps.discovery) return provider.jwksUri;
  try {
    return requireEndpoint(await deps.discovery.endpointsOf(provider), 'jwks_uri');
  } catch (error) {
    if (!(error instanceof DiscoveryError)) throw error;
    return jwtFailure('JWKS_FETCH_FAILED', `${error.code}: ${error.message}`);
  }
}

/** The step a verified token passed, with what it showed. */
function passed(title: string, provider: ExternalJwtIdentityProvider, verified: (JwtFailure['verified'] & { alg?: string }) | undefined, deps: VerifierDeps): VerificationStep {
  const claims = verified?.claims ?? {};
  const details: Record<string, string> = {
    Decode: 'Compact JWS with JSON header and payload.',
    Algorithm: `${verified?.alg ?? 'The algorithm'} is allowed.`,
    Key: verified?.keyLabel ?? 'A key of this provider was selected.',
    Signature: 'Verified.',
    Expiry: `Valid until ${String(claims.exp)}.`,
    Issuer: provider.issuer ?? '',
    Audience: 'An expected audience is present.',
    Age: `Issued ${nowSeconds(deps.clock) - Number(claims.iat)} s ago.`,
  };
  return { title, success: true, detail: details[title] };
}

/** verifyJwt's failure → this provider's FusionAuth-compatible reason and the step it failed. */
function externalCode(failure: JwtFailure): { code: ExternalJwtErrorCode; title: string } {
  if (failure.code === 'JWT_CLAIM_MISSING' || failure.code === 'JWT_CLAIM_INVALID') {
    if (failure.claim === 'iat' && failure.code === 'JWT_CLAIM_MISSING') return { code: 'TOO_OLD', title: 'Age' };
    if (failure.claim === 'nbf' || failure.claim === 'iat') return { code: 'NOT_YET_VALID', title: 'Expiry' };
    return { code: 'EXPIRED', title: 'Expiry' };
  }
  return EXTERNAL_CODES[failure.code];
}

const EXTERNAL_CODES: Record<JwtFailureCode, { code: ExternalJwtErrorCode; title: string }> = {
  JWT_MALFORMED: { code: 'MALFORMED', title: 'Decode' },
  JWS_ALG_NOT_ALLOWED: { code: 'ALGORITHM_NOT_ALLOWED', title: 'Algorithm' },
  JWS_CRIT_UNSUPPORTED: { code: 'MALFORMED', title: 'Algorithm' },
  JWT_TYP_INVALID: { code: 'MALFORMED', title: 'Algorithm' },
  JWS_KID_MISSING: { code: 'KEY_NOT_FOUND', title: 'Key' },
  JWS_JKU_NOT_ALLOWED: { code: 'KEY_NOT_FOUND', title: 'Key' },
  JWKS_NO_MATCHING_KEY: { code: 'KEY_NOT_FOUND', title: 'Key' },
  JWKS_MULTIPLE_MATCHING_KEYS: { code: 'KEY_NOT_FOUND', title: 'Key' },
  JWS_KEY_ALG_MISMATCH: { code: 'ALGORITHM_NOT_ALLOWED', title: 'Key' },
  JWKS_FETCH_FAILED: { code: 'JWKS_UNAVAILABLE', title: 'Key' },
  JWS_SIGNATURE_INVALID: { code: 'BAD_SIGNATURE', title: 'Signature' },
  JWT_CLAIM_MISSING: { code: 'EXPIRED', title: 'Expiry' },
  JWT_CLAIM_INVALID: { code: 'EXPIRED', title: 'Expiry' },
  JWT_EXPIRED: { code: 'EXPIRED', title: 'Expiry' },
  JWT_LIFETIME_TOO_LONG: { code: 'LIFETIME_TOO_LONG', title: 'Expiry' },
  JWT_NOT_YET_VALID: { code: 'NOT_YET_VALID', title: 'Expiry' },
  JWT_ISSUED_IN_FUTURE: { code: 'NOT_YET_VALID', title: 'Expiry' },
  JWT_ISSUER_INVALID: { code: 'WRONG_ISSUER', title: 'Issuer' },
  JWT_AUDIENCE_INVALID: { code: 'WRONG_AUDIENCE', title: 'Audience' },
  JWT_TOO_OLD: { code: 'TOO_OLD', title: 'Age' },
};

/**
 * The header parameter (usually `kid`, or `x5t`) names the key; without it, the default key
 * (first verification key, or the legacy `keys[""]`). Only this provider's keys are considered;
 * a JWKS URL is searched by `kid` (and re-read once on an unknown one) by `verifyJwt`.
 */
async function providerKey(provider: ExternalJwtIdentityProvider, token: UnverifiedJwt, deps: VerifierDeps): Promise<ResolvedKeySource | JwtFailure> {
  const parameter = provider.headerKeyParameter;
  const headerValue = token.header[parameter];
  const wanted = typeof headerValue === 'string' && headerValue !== '' ? headerValue : undefined;

  for (const [index, keyId] of provider.verificationKeyIds.entries()) {
    const stored = await deps.store.keys.findById(keyId);
    if (!stored?.publicKey) continue;
    const matches = wanted === undefined ? index === 0 : parameter === 'x5t' ? deps.keys.thumbprintOf(stored) === wanted : stored.kid === wanted;
    if (!matches) continue;
    if (stored.expirationInstant !== undefined && stored.expirationInstant <= deps.clock.now()) return jwtFailure('JWKS_NO_MATCHING_KEY', `Key ${stored.name} has expired.`);
    return { kind: 'key', key: deps.keys.publicKeyOf(stored), label: `Key Master key ${stored.name} (${stored.id})` };
  }
  const legacy = provider.keys[wanted ?? ''];
  if (legacy) {
    const key = legacy.includes('CERTIFICATE') ? new X509Certificate(legacy).publicKey : createPublicKey(legacy);
    return { kind: 'key', key, label: `legacy key ${wanted === undefined ? '(default)' : `${parameter} ${wanted}`}` };
  }
  const jwksUri = wanted !== undefined && parameter === 'kid' ? await jwksUriOf(provider, deps) : undefined;
  if (typeof jwksUri === 'object') return jwksUri;
  if (jwksUri) return { kind: 'remote-jwks', url: jwksUri, cache: deps.remoteJwks };
  return jwtFailure(
    'JWKS_NO_MATCHING_KEY',
    wanted === undefined ? `The token has no ${parameter} and the provider has no default key.` : `No key of this provider has ${parameter} ${wanted}.`,
  );
}
