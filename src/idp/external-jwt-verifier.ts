import { createPublicKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { decodeJsonObject } from '../lib/base64url.js';
import { nowSeconds } from '../lib/clock.js';
import type { Clock } from '../lib/clock.js';
import { isSigningAlgorithm, keyFitsAlgorithm } from '../jwt/algorithms.js';
import { selectVerificationKey } from '../jwt/jwk-set.js';
import { parseCompactJws, verifyJwsSignature } from '../jwt/jws.js';
import type { KeyService } from '../keys/key-service.js';
import { JwksFetchError } from '../jwt/remote-jwks-cache.js';
import type { RemoteJwksCache } from '../jwt/remote-jwks-cache.js';
import type { ExternalJwtIdentityProvider, SigningAlgorithm } from '../store/records.js';
import type { Store } from '../store/store.js';

export type ExternalJwtErrorCode =
  | 'MALFORMED'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'KEY_NOT_FOUND'
  | 'JWKS_UNAVAILABLE'
  | 'BAD_SIGNATURE'
  | 'EXPIRED'
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
  clock: Clock;
}

/**
 * Verifies an external JWT for one provider (FusionAuth External JWT, with the gaps closed: only
 * the keys this provider lists, never any key of the Key Master — fi#2585; a JWKS URL; `iss`,
 * `aud`, skew and age checks). Every step is recorded for the provider test endpoint and the
 * debug event log; the result carries a stable code.
 */
export async function verifyExternalJwt(provider: ExternalJwtIdentityProvider, token: string, deps: VerifierDeps): Promise<VerificationResult> {
  const steps: VerificationStep[] = [];
  const step = (title: string, success: boolean, detail: string) => steps.push({ title, success, detail });
  const fail = (code: ExternalJwtErrorCode, title: string, message: string): VerificationResult => {
    step(title, false, message);
    return { ok: false, code, message, steps };
  };

  const jws = parseCompactJws(token);
  if (typeof jws === 'string') {
    // An unsigned token has an empty signature: name its algorithm rather than call it malformed.
    const header = typeof token === 'string' ? decodeJsonObject(token.split('.')[0] ?? '') : undefined;
    if (jws === 'BAD_SIGNATURE_ENCODING' && header && !isSigningAlgorithm(header.alg)) {
      return fail('ALGORITHM_NOT_ALLOWED', 'Algorithm', `alg ${String(header.alg)} is not allowed for this identity provider.`);
    }
    return fail('MALFORMED', 'Decode', `The token is not a compact JWS (${jws}).`);
  }
  step('Decode', true, 'Compact JWS with JSON header and payload.');

  // `none`, HMAC and anything not allowed for this provider are refused before any key is read.
  const alg = jws.header.alg;
  if (!isSigningAlgorithm(alg) || !provider.allowedAlgorithms.includes(alg)) {
    return fail('ALGORITHM_NOT_ALLOWED', 'Algorithm', `alg ${String(alg)} is not allowed for this identity provider.`);
  }
  if (jws.header.crit !== undefined) return fail('MALFORMED', 'Algorithm', 'crit header parameters are not supported.');
  step('Algorithm', true, `${alg} is allowed.`);

  const selected = await selectKey(provider, jws.header[provider.headerKeyParameter], alg, deps);
  if ('code' in selected) return fail(selected.code, 'Key', selected.message);
  step('Key', true, selected.source);

  if (!verifyJwsSignature(jws, alg, selected.key)) return fail('BAD_SIGNATURE', 'Signature', 'The signature does not verify with the chosen key.');
  step('Signature', true, 'Verified.');

  const claims = jws.payload;
  const now = nowSeconds(deps.clock);
  const skew = provider.clockSkewSeconds;
  if (typeof claims.exp !== 'number') return fail('EXPIRED', 'Expiry', 'The token has no exp claim.');
  if (claims.exp + skew <= now) return fail('EXPIRED', 'Expiry', `The token expired at ${claims.exp}.`);
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + skew)) return fail('NOT_YET_VALID', 'Expiry', 'The token is not valid yet (nbf).');
  if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat > now + skew)) return fail('NOT_YET_VALID', 'Expiry', 'The token was issued in the future (iat).');
  step('Expiry', true, `Valid until ${claims.exp}.`);

  if (provider.issuer !== undefined) {
    if (claims.iss !== provider.issuer) return fail('WRONG_ISSUER', 'Issuer', `iss ${JSON.stringify(claims.iss)} is not ${provider.issuer}.`);
    step('Issuer', true, provider.issuer);
  }
  if (provider.audiences.length > 0) {
    const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (!aud.some((a) => provider.audiences.includes(a as string))) return fail('WRONG_AUDIENCE', 'Audience', `aud ${JSON.stringify(claims.aud)} names none of this provider's audiences.`);
    step('Audience', true, 'An expected audience is present.');
  }
  if (provider.maximumTokenAgeSeconds !== undefined) {
    if (typeof claims.iat !== 'number') return fail('TOO_OLD', 'Age', 'The token has no iat claim, so its age is unknown.');
    if (now - claims.iat > provider.maximumTokenAgeSeconds + skew) return fail('TOO_OLD', 'Age', `The token is older than ${provider.maximumTokenAgeSeconds} s.`);
    step('Age', true, `Issued ${now - claims.iat} s ago.`);
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

type KeyChoice = { key: KeyObject; source: string } | { code: ExternalJwtErrorCode; message: string };

/**
 * The header parameter (usually `kid`, or `x5t`) names the key; without it, the default key
 * (first verification key, or the legacy `keys[""]`). Only this provider's keys are considered.
 */
async function selectKey(provider: ExternalJwtIdentityProvider, headerValue: unknown, alg: SigningAlgorithm, deps: VerifierDeps): Promise<KeyChoice> {
  const parameter = provider.headerKeyParameter;
  const wanted = typeof headerValue === 'string' && headerValue !== '' ? headerValue : undefined;
  const fits = (key: KeyObject, source: string): KeyChoice =>
    keyFitsAlgorithm(key, alg) ? { key, source } : { code: 'ALGORITHM_NOT_ALLOWED', message: `${source} does not fit ${alg}.` };

  for (const [index, keyId] of provider.verificationKeyIds.entries()) {
    const stored = await deps.store.keys.findById(keyId);
    if (!stored?.publicKey) continue;
    const matches = wanted === undefined ? index === 0 : parameter === 'x5t' ? deps.keys.thumbprintOf(stored) === wanted : stored.kid === wanted;
    if (!matches) continue;
    if (stored.expirationInstant !== undefined && stored.expirationInstant <= deps.clock.now()) return { code: 'KEY_NOT_FOUND', message: `Key ${stored.name} has expired.` };
    return fits(deps.keys.publicKeyOf(stored), `Key Master key ${stored.name} (${stored.id})`);
  }
  const legacy = provider.keys[wanted ?? ''];
  if (legacy) {
    const key = legacy.includes('CERTIFICATE') ? new X509Certificate(legacy).publicKey : createPublicKey(legacy);
    return fits(key, `legacy key ${wanted === undefined ? '(default)' : `${parameter} ${wanted}`}`);
  }
  if (provider.jwksUri && wanted !== undefined && parameter === 'kid') {
    try {
      let selection = selectVerificationKey(await deps.remoteJwks.get(provider.jwksUri), wanted, alg);
      if ('error' in selection && selection.error === 'NO_MATCHING_KEY') {
        const refreshed = await deps.remoteJwks.refreshForUnknownKid(provider.jwksUri);
        if (refreshed) selection = selectVerificationKey(refreshed, wanted, alg);
      }
      if ('key' in selection) return { key: selection.key, source: `JWKS ${provider.jwksUri}, kid ${wanted}` };
    } catch (error) {
      if (error instanceof JwksFetchError) return { code: 'JWKS_UNAVAILABLE', message: `The JWKS URL could not be read (${error.code}).` };
      throw error;
    }
  }
  return { code: 'KEY_NOT_FOUND', message: wanted === undefined ? `The token has no ${parameter} and the provider has no default key.` : `No key of this provider has ${parameter} ${wanted}.` };
}
