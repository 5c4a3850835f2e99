import { createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { isPlainObject } from '../lib/base64url.js';
import type { SigningAlgorithm } from '../store/records.js';
import { keyFitsAlgorithm } from './algorithms.js';

/** A public verification key from a JWKS, imported once into a node:crypto KeyObject. */
export interface ImportedJwk {
  kid: string | undefined;
  alg: string | undefined;
  use: string | undefined;
  keyOps: string[] | undefined;
  key: KeyObject;
}

export type JwkSetError = 'NOT_A_JWKS';

/**
 * Imports the public keys of a JWKS (RFC 7517 §5). Entries that are not usable public
 * signature keys (private parameters, symmetric keys, unknown types) are skipped, never trusted.
 */
export function importJwkSet(document: unknown): ImportedJwk[] | JwkSetError {
  if (!isPlainObject(document) || !Array.isArray(document.keys)) return 'NOT_A_JWKS';
  const imported: ImportedJwk[] = [];
  for (const jwk of document.keys) {
    const key = importPublicJwk(jwk);
    if (key) imported.push(key);
  }
  return imported;
}

export function importPublicJwk(jwk: unknown): ImportedJwk | undefined {
  if (!isPlainObject(jwk) || typeof jwk.kty !== 'string') return undefined;
  if (!['EC', 'RSA', 'OKP'].includes(jwk.kty)) return undefined;
  // A JWKS must publish public keys only (TOP-KT-020); a key with private members is refused.
  if ('d' in jwk || 'p' in jwk || 'q' in jwk) return undefined;
  try {
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    return {
      kid: typeof jwk.kid === 'string' ? jwk.kid : undefined,
      alg: typeof jwk.alg === 'string' ? jwk.alg : undefined,
      use: typeof jwk.use === 'string' ? jwk.use : undefined,
      keyOps: Array.isArray(jwk.key_ops) ? jwk.key_ops.filter((op): op is string => typeof op === 'string') : undefined,
      key,
    };
  } catch {
    return undefined;
  }
}

export type KeySelection = { key: KeyObject } | { error: 'NO_MATCHING_KEY' | 'AMBIGUOUS_KEY' | 'KEY_ALG_MISMATCH' };

/**
 * SMART Backend Services (client-confidential-asymmetric, "Signature Verification"): exactly one
 * key whose `kid` matches and whose type fits `alg`; `use`, `key_ops` and `alg` on the JWK, when
 * present, must allow signature verification with this algorithm (RFC 7517 §4.2–4.4, RFC 8725
 * §3.1: a key is used only with its own algorithm). `KEY_ALG_MISMATCH`: keys have this `kid`,
 * but none of them may verify `alg`.
 */
export function selectVerificationKey(keys: readonly ImportedJwk[], kid: string, alg: SigningAlgorithm): KeySelection {
  const named = keys.filter((k) => k.kid === kid);
  const matches = named.filter(
    (k) =>
      (k.alg === undefined || k.alg === alg) &&
      (k.use === undefined || k.use === 'sig') &&
      (k.keyOps === undefined || k.keyOps.includes('verify')) &&
      keyFitsAlgorithm(k.key, alg),
  );
  if (matches.length === 1) return { key: matches[0].key };
  if (matches.length > 1) return { error: 'AMBIGUOUS_KEY' };
  return { error: named.length === 0 ? 'NO_MATCHING_KEY' : 'KEY_ALG_MISMATCH' };
}
