import { createHash } from 'node:crypto';
import { safeEqual } from '../lib/hash.js';
import { randomSecret } from '../lib/ids.js';

/** RFC 7636 §4.1 / §4.2: 43–128 characters of the unreserved set. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** An S256 challenge is a base64url SHA-256: exactly 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export const isCodeVerifier = (value: string): boolean => VERIFIER.test(value);
export const isS256Challenge = (value: string): boolean => S256_CHALLENGE.test(value);

/** RFC 7636 §4.2: `BASE64URL(SHA256(ASCII(code_verifier)))`. */
export const s256 = (verifier: string): string => createHash('sha256').update(verifier, 'ascii').digest('base64url');

/** RFC 7636 §4.6: the verifier must be well formed and hash to the challenge. */
export const verifierMatches = (verifier: string, challenge: string): boolean => isCodeVerifier(verifier) && safeEqual(s256(verifier), challenge);

/** A verifier of 32 random bytes (43 characters) and its S256 challenge, for Gatehouse as a client. */
export function newPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomSecret(32);
  return { verifier, challenge: s256(verifier) };
}
