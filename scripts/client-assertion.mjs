#!/usr/bin/env node
/**
 * Helper for trying Gatehouse by hand (README walk-through), built on jose:
 *   node scripts/client-assertion.mjs keygen ES384 KID > client.private.jwk.json
 *   node scripts/client-assertion.mjs jwks client.private.jwk.json > jwks.json
 *   node scripts/client-assertion.mjs sign client.private.jwk.json CLIENT_ID TOKEN_URL
 * `sign` prints a private_key_jwt assertion as SMART Backend Services wants it: typ JWT, kid,
 * iss = sub = client id, aud = token URL, exp in five minutes, a fresh jti.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';

const [command, ...args] = process.argv.slice(2);
const readJwk = (file) => JSON.parse(readFileSync(file, 'utf8'));

if (command === 'keygen') {
  const [alg = 'ES384', kid = randomUUID()] = args;
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048 } : {}) });
  console.log(JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg, use: 'sig' }, null, 2));
} else if (command === 'jwks') {
  const { d, p, q, dp, dq, qi, ...publicJwk } = readJwk(args[0]);
  void [d, p, q, dp, dq, qi];
  console.log(JSON.stringify({ keys: [{ ...publicJwk, key_ops: ['verify'] }] }, null, 2));
} else if (command === 'sign') {
  const [file, clientId, audience] = args;
  if (!file || !clientId || !audience) throw new Error('usage: sign KEY_FILE CLIENT_ID TOKEN_URL');
  const jwk = readJwk(file);
  const key = await importJWK(jwk, jwk.alg);
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ iss: clientId, sub: clientId, aud: audience, jti: randomUUID(), iat: now, exp: now + 300 })
    .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: 'JWT' })
    .sign(key);
  console.log(assertion);
} else {
  console.error('usage: client-assertion.mjs keygen [ALG] [KID] | jwks KEY_FILE | sign KEY_FILE CLIENT_ID TOKEN_URL');
  process.exitCode = 2;
}
