import { createHmac, KeyObject, randomBytes, sign as cryptoSign } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK } from 'jose';

/**
 * Client key pairs and assertions built with jose — an implementation independent of
 * Gatehouse's node:crypto JWS code, so every test also cross-checks the two.
 */
export interface ClientKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function clientKey(alg: string, kid = randomBytes(8).toString('hex')): Promise<ClientKey> {
  const options = alg === 'EdDSA' ? { crv: 'Ed25519' as const } : alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048 } : {};
  const { privateKey, publicKey } = await generateKeyPair(alg, { ...options, extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg };
  return { alg, kid, privateKey, publicJwk };
}

export const jwks = (...keys: ClientKey[]) => ({ keys: keys.map((k) => k.publicJwk) });

export interface AssertionOptions {
  clientId: string;
  audience: string | string[];
  /** Overrides and removals: a claim set to undefined is left out. */
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  nowSeconds?: number;
}

export async function signAssertion(key: ClientKey, options: AssertionOptions): Promise<string> {
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: options.clientId,
    sub: options.clientId,
    aud: options.audience,
    exp: now + 240,
    iat: now,
    jti: randomBytes(16).toString('hex'),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...options.header } as { alg: string }).sign(key.privateKey);
}

/** An unsigned token (`alg: none`). */
export function unsignedAssertion(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ ...header, alg: 'none' })}.${encode(claims)}.`;
}

/** The classic key-confusion attack: HS256 keyed with the text of the public key. */
export function hmacWithPublicKey(secret: string, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ ...header, alg: 'HS256' })}.${encode(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Signs with exactly the given header, bypassing jose's own header checks (e.g. for `crit`). */
export function signRaw(key: ClientKey, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: key.alg, kid: key.kid, ...header })}.${encode(claims)}`;
  if (key.alg !== 'ES256') throw new Error('signRaw supports ES256 only');
  const signature = cryptoSign('sha256', Buffer.from(input), { key: KeyObject.from(key.privateKey), dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
