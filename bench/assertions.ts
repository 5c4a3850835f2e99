import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** A client's ES256 key pair and a signer producing a fresh private_key_jwt assertion per call. */
export interface BenchClient {
  kid: string;
  publicJwk: Record<string, unknown>;
  assertion(clientId: string, audience: string): string;
}

/** `lifetimeSeconds`: how far ahead each assertion's `exp` is (and so how long its jti row lives). */
export function benchClient(kid = 'bench-client-key', lifetimeSeconds = 240): BenchClient {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid, typ: 'JWT' })).toString('base64url');
  return {
    kid,
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid, use: 'sig', alg: 'ES256' },
    assertion(clientId, audience) {
      const now = Math.floor(Date.now() / 1000);
      const payload = Buffer.from(JSON.stringify({ iss: clientId, sub: clientId, aud: audience, exp: now + lifetimeSeconds, iat: now, jti: randomUUID() })).toString('base64url');
      return `${header}.${payload}.${sign('sha256', Buffer.from(`${header}.${payload}`), { key: privateKey as KeyObject, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    },
  };
}

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export const clientCredentialsBody = (client: BenchClient, clientId: string, tokenUrl: string, scope?: string): string =>
  new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: client.assertion(clientId, tokenUrl),
    ...(scope ? { scope } : {}),
  }).toString();
