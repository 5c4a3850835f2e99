import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import type { FieldErrors } from '../lib/api-error.js';
import { ALGORITHMS } from '../jwt/algorithms.js';
import type { JsonObject, KeyType, SigningAlgorithm } from '../store/records.js';

/** What an import request brings: a public key, a certificate, a JWK, and/or a private key (PEM). */
export interface KeyMaterialRequest {
  publicKey?: string;
  privateKey?: string;
  certificate?: string;
  jwk?: JsonObject;
}

export interface KeyMaterial {
  publicKey: KeyObject | undefined;
  certificateInformation: JsonObject | undefined;
  expirationInstant: number | undefined;
  /** The private key re-encoded as PKCS #8 PEM, when one was given. */
  privatePem: string | null;
}

/**
 * Parses `POST /api/key/import` material: an X.509 certificate (RFC 5280; refused once expired),
 * a JWK (RFC 7517) or a PEM public key, and optionally the private key, which must belong to the
 * public one. Problems are added to `errors` under the FusionAuth field names.
 */
export function parseKeyMaterial(request: KeyMaterialRequest, now: number, errors: FieldErrors): KeyMaterial {
  let publicKey: KeyObject | undefined;
  let certificateInformation: JsonObject | undefined;
  let expirationInstant: number | undefined;
  let privatePem: string | null = null;
  try {
    if (request.certificate) {
      const certificate = new X509Certificate(request.certificate);
      expirationInstant = Date.parse(certificate.validTo);
      if (expirationInstant <= now) errors.add('key.certificate', 'expired', 'The certificate has expired.');
      publicKey = certificate.publicKey;
      certificateInformation = {
        issuer: certificate.issuer,
        subject: certificate.subject,
        serialNumber: certificate.serialNumber,
        sha1Fingerprint: certificate.fingerprint,
        sha256Fingerprint: certificate.fingerprint256,
        validFrom: Date.parse(certificate.validFrom),
        validTo: expirationInstant,
      };
    } else if (request.jwk) {
      publicKey = createPublicKey({ key: request.jwk as JsonWebKey, format: 'jwk' });
    } else if (request.publicKey) {
      publicKey = createPublicKey(request.publicKey);
    }
    if (request.privateKey) {
      const privateKey = createPrivateKey(request.privateKey);
      const derived = createPublicKey(privateKey);
      if (publicKey && !publicKeysEqual(publicKey, derived)) errors.add('key.privateKey', 'mismatch', 'The private key does not belong to the public key.');
      publicKey ??= derived;
      privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    }
  } catch (error) {
    errors.add('key.publicKey', 'invalid', `The key could not be parsed: ${(error as Error).message}`);
  }
  return { publicKey, certificateInformation, expirationInstant, privatePem };
}

export function generatePair(alg: SigningAlgorithm, length: number): { publicKey: KeyObject; privateKey: KeyObject } {
  const spec = ALGORITHMS[alg];
  if (spec.kty === 'RSA') return generateKeyPairSync('rsa', { modulusLength: length });
  if (spec.kty === 'EC') return generateKeyPairSync('ec', { namedCurve: spec.curves![0] });
  return generateKeyPairSync('ed25519');
}

export function keyTypeOf(key: KeyObject): KeyType {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return 'EC';
    case 'rsa':
    case 'rsa-pss':
      return 'RSA';
    default:
      return 'OKP';
  }
}

function publicKeysEqual(a: KeyObject, b: KeyObject): boolean {
  return a.export({ format: 'der', type: 'spki' }).equals(b.export({ format: 'der', type: 'spki' }));
}
