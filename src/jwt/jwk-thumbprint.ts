import { createHash } from 'node:crypto';

/** RFC 7638 §3.2: the members of each key type that enter its thumbprint, in lexicographic order. */
const REQUIRED: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/**
 * RFC 7638 JWK thumbprint (SHA-256, base64url), computed synchronously with node:crypto: key
 * generation runs inside a transaction, which should not wait on the thread pool (as WebCrypto's
 * digest does).
 */
export function jwkThumbprint(jwk: Record<string, unknown>): string {
  const members = REQUIRED[String(jwk.kty)];
  if (!members) throw new Error(`no thumbprint for key type ${String(jwk.kty)}`);
  const canonical = `{${members.map((name) => `${JSON.stringify(name)}:${JSON.stringify(jwk[name])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}
