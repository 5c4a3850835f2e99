#!/usr/bin/env node
/**
 * A stand-in for azuma mimoto, for the README's Health-ID walk-through (built on jose):
 *   node scripts/mock-id-token.mjs serve [PORT]          serve {issuer}.well-known/jwks on 127.0.0.1:PORT (8001)
 *   node scripts/mock-id-token.mjs token [PORT] [CLAIMS]  print an ID token like mimoto's (reference §5)
 * The key pair lives in ./mock-mimoto.private.jwk.json (created on first use). CLAIMS is JSON
 * merged into the sample claims; `null` removes a claim (e.g. '{"urn:telematik:claims:email":null}').
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';

const KEY_FILE = 'mock-mimoto.private.jwk.json';
const [command = 'token', portArg = '8001', claimsArg = '{}'] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${portArg}/`;

async function privateJwk() {
  if (existsSync(KEY_FILE)) return JSON.parse(readFileSync(KEY_FILE, 'utf8'));
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };
  writeFileSync(KEY_FILE, JSON.stringify(jwk, null, 2), { mode: 0o600 });
  return jwk;
}

const jwk = await privateJwk();
if (command === 'serve') {
  const { d, ...publicJwk } = jwk;
  void d;
  createServer((request, response) => {
    if (request.url === '/.well-known/jwks') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [publicJwk] }));
    } else {
      response.writeHead(404);
      response.end();
    }
  }).listen(Number(portArg), '127.0.0.1', () => console.log(`mock mimoto: ${issuer}.well-known/jwks`));
} else if (command === 'token') {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: issuer,
    aud: '11186bbc-c07d-48ec-8ce5-8a9839e0ba0e',
    sub: randomUUID(),
    iat: now,
    exp: now + 600,
    acr: 'gematik-ehealth-loa-high',
    amr: ['urn:telematik:auth:eGK'],
    'urn:telematik:claims:id': 'X110411675',
    'urn:telematik:claims:email': 'darius_michael@mail.boedefeld.de',
    'urn:telematik:claims:given_name': 'Darius Michael',
    'urn:telematik:claims:display_name': 'Darius Michael Boedefeld',
    birthdate: '1973-09-01',
    'ext-mimoto-original-sub-unique': 'X110411675-3e0a9c1b7f',
    ...JSON.parse(claimsArg),
  };
  for (const [name, value] of Object.entries(claims)) if (value === null) delete claims[name];
  const key = await importJWK(jwk, 'ES256');
  console.log(await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' }).sign(key));
} else {
  console.error('usage: mock-id-token.mjs serve [PORT] | token [PORT] [CLAIMS_JSON]');
  process.exitCode = 2;
}
