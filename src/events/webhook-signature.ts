import { createHash, createHmac, createPrivateKey, createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isSigningAlgorithm } from '../jwt/algorithms.js';
import { signJwt } from '../jwt/jws.js';
import type { SigningAlgorithm } from '../store/records.js';
import type { Store } from '../store/store.js';

/** HMAC algorithms for a Key Master HMAC key (RFC 7518 §3.2). */
const HMAC_DIGESTS = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
type HmacAlgorithm = keyof typeof HMAC_DIGESTS;

/** A Key Master key ready to sign: an HMAC secret, or an asymmetric private key. */
export interface WebhookSigningKey {
  kid: string;
  alg: HmacAlgorithm | SigningAlgorithm;
  key: KeyObject;
}

/** Why a webhook cannot be signed: its key is gone or cannot sign (no private half, no algorithm). */
export class WebhookSigningKeyError extends Error {}

/**
 * Loads a signing key by id. An HMAC key's secret is the UTF-8 bytes of its `secret` string
 * (as FusionAuth's receivers key `jose.jwtVerify`); private halves and secrets are stored
 * encrypted, `decrypt` opens them.
 */
export async function loadWebhookSigningKey(store: Store, keyId: string, decrypt: (ciphertext: string) => string): Promise<WebhookSigningKey> {
  const key = await store.keys.findById(keyId);
  const secrets = key ? await store.keys.secrets(keyId) : undefined;
  if (!key || !secrets) throw new WebhookSigningKeyError(`signing key ${keyId} does not exist`);
  if (key.type === 'HMAC') {
    const alg = key.algorithm ?? 'HS256';
    if (!(alg in HMAC_DIGESTS) || !secrets.secret) throw new WebhookSigningKeyError(`signing key ${keyId} is not a usable HMAC key`);
    return { kid: key.kid, alg: alg as HmacAlgorithm, key: createSecretKey(Buffer.from(decrypt(secrets.secret), 'utf8')) };
  }
  if (!secrets.privateKey || !key.algorithm || !isSigningAlgorithm(key.algorithm)) {
    throw new WebhookSigningKeyError(`signing key ${keyId} has no private key or algorithm`);
  }
  return { kid: key.kid, alg: key.algorithm, key: createPrivateKey(decrypt(secrets.privateKey)) };
}

/** FusionAuth's `request_body_sha256`: the SHA-256 of the exact body bytes, standard base64. */
export const requestBodySha256 = (body: string): string => createHash('sha256').update(body, 'utf8').digest('base64');

/**
 * The `X-FusionAuth-Signature-JWT` header: a JWS (RFC 7515) with the key's `kid`, whose
 * `request_body_sha256` claim binds it to the body. A receiver verifies the JWT with the key,
 * then compares the claim to its own hash of the raw body.
 */
export function webhookSignatureJwt(body: string, signingKey: WebhookSigningKey, nowSeconds: number): string {
  const header = { typ: 'JWT', kid: signingKey.kid };
  const payload = { iat: nowSeconds, request_body_sha256: requestBodySha256(body) };
  if (!(signingKey.alg in HMAC_DIGESTS)) return signJwt(header, payload, signingKey.alg as SigningAlgorithm, signingKey.key);
  const signingInput = `${Buffer.from(JSON.stringify({ ...header, alg: signingKey.alg })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = createHmac(HMAC_DIGESTS[signingKey.alg as HmacAlgorithm], signingKey.key).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
