import { randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { generateKeyPairSync } from 'node:crypto';

export const BENCH_IDP_ISSUER = 'https://mimoto-test.pie.azuma-health.tech/';
export const BENCH_IDP_AUDIENCE = '11186bbc-c07d-48ec-8ce5-8a9839e0ba0e';

/** An external issuer (mimoto stand-in) signing ES256 ID tokens with the reference's claims. */
export interface BenchIssuer {
  publicJwk: Record<string, unknown>;
  idToken(uniqueId: string, email: string | undefined): string;
}

export function benchIssuer(kid = 'bench-idp-key'): BenchIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid, typ: 'JWT' })).toString('base64url');
  return {
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid, use: 'sig', alg: 'ES256' },
    idToken(uniqueId, email) {
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: BENCH_IDP_ISSUER,
        aud: BENCH_IDP_AUDIENCE,
        sub: randomUUID(),
        iat: now,
        exp: now + 600,
        acr: 'gematik-ehealth-loa-high',
        'urn:telematik:claims:id': 'X110411675',
        ...(email ? { 'urn:telematik:claims:email': email } : {}),
        'urn:telematik:claims:display_name': 'Darius Michael Boedefeld',
        birthdate: '1973-09-01',
        'ext-mimoto-original-sub-unique': uniqueId,
      };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${header}.${payload}.${sign('sha256', Buffer.from(`${header}.${payload}`), { key: privateKey as KeyObject, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    },
  };
}

/** The reconcile lambda of the mimoto FusionAuth guide, as an integrator would write it. */
export const BENCH_LAMBDA = `function reconcile(user, registration, jwt, context) {
  if (jwt.acr !== 'gematik-ehealth-loa-high') { context.reject('LoaTooLow', 'LoA high required.'); return; }
  user.email = jwt['urn:telematik:claims:email'];
  user.fullName = jwt['urn:telematik:claims:display_name'];
  user.birthDate = jwt.birthdate;
  user.data.kvnr = jwt['urn:telematik:claims:id'];
}`;
