import { constants } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '../store/records.js';

/**
 * The asymmetric JWS algorithms Gatehouse signs and verifies (RFC 7518 §3, RFC 8037 for EdDSA).
 * `none` and HMAC are deliberately absent: a client assertion or external JWT with them is
 * rejected before any key is looked at.
 */
export interface AlgorithmSpec {
  alg: SigningAlgorithm;
  kty: 'EC' | 'RSA' | 'OKP';
  /** Curves a JWK must have for this algorithm (EC, OKP). */
  curves?: readonly string[];
  /** node:crypto digest name; null for EdDSA. */
  digest: string | null;
  /** Extra node:crypto sign/verify options. */
  options: { dsaEncoding?: 'ieee-p1363'; padding?: number; saltLength?: number };
}

const ec = (alg: SigningAlgorithm, curve: string, digest: string): AlgorithmSpec => ({
  alg,
  kty: 'EC',
  curves: [curve],
  digest,
  options: { dsaEncoding: 'ieee-p1363' },
});
const rsa = (alg: SigningAlgorithm, digest: string): AlgorithmSpec => ({ alg, kty: 'RSA', digest, options: {} });
const pss = (alg: SigningAlgorithm, digest: string, saltLength: number): AlgorithmSpec => ({
  alg,
  kty: 'RSA',
  digest,
  options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
});

export const ALGORITHMS: Readonly<Record<SigningAlgorithm, AlgorithmSpec>> = Object.freeze({
  ES256: ec('ES256', 'P-256', 'sha256'),
  ES384: ec('ES384', 'P-384', 'sha384'),
  ES512: ec('ES512', 'P-521', 'sha512'),
  RS256: rsa('RS256', 'sha256'),
  RS384: rsa('RS384', 'sha384'),
  RS512: rsa('RS512', 'sha512'),
  PS256: pss('PS256', 'sha256', 32),
  PS384: pss('PS384', 'sha384', 48),
  PS512: pss('PS512', 'sha512', 64),
  EdDSA: { alg: 'EdDSA', kty: 'OKP', curves: ['Ed25519', 'Ed448'], digest: null, options: {} },
});

export const ASYMMETRIC_ALGORITHMS = Object.keys(ALGORITHMS) as SigningAlgorithm[];

export const isSigningAlgorithm = (value: unknown): value is SigningAlgorithm =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(ALGORITHMS, value);

/** node:crypto's curve names → JOSE curve names. */
const NODE_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** RSA keys shorter than this are refused (RFC 7518 §3.3: 2048 bits or larger). */
export const MIN_RSA_BITS = 2048;

/** Whether a node:crypto key can carry `alg`: key type, curve and RSA size must fit. */
export function keyFitsAlgorithm(key: KeyObject, alg: SigningAlgorithm): boolean {
  const spec = ALGORITHMS[alg];
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      return spec.kty === 'EC' && spec.curves!.includes(NODE_CURVES[details.namedCurve ?? ''] ?? '');
    case 'rsa':
      return spec.kty === 'RSA' && (details.modulusLength ?? 0) >= MIN_RSA_BITS;
    case 'ed25519':
      return alg === 'EdDSA';
    case 'ed448':
      return alg === 'EdDSA';
    default:
      return false;
  }
}
