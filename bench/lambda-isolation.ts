/**
 * `npm run bench:lambda-isolation`: do looping lambdas slow down everyone else's logins?
 *
 * Starts a real Gatehouse (SQLite, own process) with two External JWT identity providers, one
 * whose reconcile lambda is the mimoto guide's and one whose lambda loops until its budget ends.
 * Measures returning-user logins through the normal provider idle, then while 8 connections call
 * the looping one continuously, and prints both and the ratio (target: at least 0.5).
 *
 * BENCH_SECONDS (10), BENCH_WARMUP (3), BENCH_CONNECTIONS (32), BENCH_LOOPERS (8) tune the run;
 * extra arguments are passed to `gatehouse start` (e.g. `--lambda-workers 4`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { BENCH_IDP_AUDIENCE, BENCH_IDP_ISSUER, BENCH_LAMBDA, benchIssuer } from './id-tokens.js';
import { drive } from './load.js';
import type { LoadResult } from './load.js';
import { freePort, startProcess } from './processes.js';
import { connections, seconds, warmupSeconds } from './settings.js';

const loopers = Number(process.env.BENCH_LOOPERS ?? 8);

const TENANT_ID = 'b0000000-0000-4000-8000-000000000031';
const APP_ID = 'b0000000-0000-4000-8000-000000000032';
const NORMAL_LAMBDA_ID = 'b0000000-0000-4000-8000-000000000033';
const LOOPING_LAMBDA_ID = 'b0000000-0000-4000-8000-000000000034';
const NORMAL_IDP_ID = 'b0000000-0000-4000-8000-000000000035';
const LOOPING_IDP_ID = 'b0000000-0000-4000-8000-000000000036';
const RETURNING_USERS = 200;
const LOOPING_LAMBDA = 'function reconcile(user) { while (true) {} }';

const fmt = (r: LoadResult) => `${r.requestsPerSecond.toFixed(0).padStart(6)} logins/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(5)} ms${r.non2xx || r.errors ? `   (non-2xx ${r.non2xx}, errors ${r.errors})` : ''}`;

async function listen(server: ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

const identityProvider = (id: string, name: string, lambdaId: string, jwksUri: string) => ({
  id,
  type: 'ExternalJWT',
  name,
  enabled: true,
  headerKeyParameter: 'kid',
  jwksUri,
  issuer: BENCH_IDP_ISSUER,
  audiences: [BENCH_IDP_AUDIENCE],
  oauth2: { uniqueIdClaim: 'ext-mimoto-original-sub-unique', emailClaim: 'urn:telematik:claims:email' },
  lambdaConfiguration: { reconcileId: lambdaId },
  applicationConfiguration: { [APP_ID]: { enabled: true, createRegistration: true } },
});

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-lambda-bench-'));
  const issuer = benchIssuer();
  const jwksServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
    response.end(JSON.stringify({ keys: [issuer.publicJwk] }));
  });
  const jwksUri = `http://127.0.0.1:${await listen(jwksServer)}/jwks.json`;
  try {
    const port = await freePort();
    const kickstart = join(dir, 'kickstart.json');
    writeFileSync(
      kickstart,
      JSON.stringify({
        tenants: [
          {
            id: TENANT_ID,
            name: 'Lambda bench',
            slug: 'lambda-bench',
            applications: [
              {
                id: APP_ID,
                name: 'patient app',
                roles: [{ name: 'patient', isDefault: true }],
                oauthConfiguration: { clientId: 'patient-app', clientAuthenticationMethod: 'none', enabledGrants: [] },
              },
            ],
          },
        ],
        lambdas: [
          { id: NORMAL_LAMBDA_ID, name: 'mimoto reconcile', type: 'ExternalJWTReconcile', body: BENCH_LAMBDA },
          { id: LOOPING_LAMBDA_ID, name: 'looping reconcile', type: 'ExternalJWTReconcile', body: LOOPING_LAMBDA },
        ],
        identityProviders: [identityProvider(NORMAL_IDP_ID, 'mimoto', NORMAL_LAMBDA_ID, jwksUri), identityProvider(LOOPING_IDP_ID, 'looping', LOOPING_LAMBDA_ID, jwksUri)],
      }),
    );
    const server = await startProcess(
      ['dist/src/cli.js', 'start', '--port', String(port), '--data-dir', join(dir, 'data'), '--kickstart', kickstart, '--fetch-allow-http', 'true', '--fetch-allow-cidr', '127.0.0.0/8', '--log-level', 'warn', ...process.argv.slice(2)],
      { ...process.env, GATEHOUSE_BOOTSTRAP_API_KEY: randomBytes(32).toString('base64url'), DATABASE_URL: '' },
      `http://127.0.0.1:${port}/ready`,
    );
    try {
      const loginUrl = `http://127.0.0.1:${port}/api/identity-provider/login`;
      const json = { 'content-type': 'application/json' };
      const login = (idp: string, n: number) => JSON.stringify({ applicationId: APP_ID, identityProviderId: idp, encodedJWT: issuer.idToken(`X-returning-${n}`, `returning-${n}@example.de`) });
      for (let n = 0; n < RETURNING_USERS; n++) {
        const response = await fetch(loginUrl, { method: 'POST', headers: json, body: login(NORMAL_IDP_ID, n) });
        if (response.status !== 200) throw new Error(`seeding returning users: ${response.status} ${await response.text()}`);
      }
      const looping = await fetch(loginUrl, { method: 'POST', headers: json, body: login(LOOPING_IDP_ID, 0) });
      if (looping.status !== 400) throw new Error(`the looping lambda answered ${looping.status}, expected 400`);
      const normalBody = () => login(NORMAL_IDP_ID, Math.floor(Math.random() * RETURNING_USERS));
      const measure = () => drive(loginUrl, normalBody, { seconds, warmupSeconds, connections, headers: json });

      const idle = await measure();
      // Looping logins, called continuously from `loopers` connections for the whole measured run.
      let loopingCalls = 0;
      let finished: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (finished = resolve));
      const load = autocannon({
        url: loginUrl,
        connections: loopers,
        duration: seconds + warmupSeconds + 5,
        timeout: 60,
        requests: [{ method: 'POST', headers: json, setupRequest: (request) => ((loopingCalls += 1), { ...request, body: login(LOOPING_IDP_ID, 0) }) }],
      }, () => finished());
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const loaded = await measure();
      const looped = loopingCalls;
      load.stop();
      await done;

      const cores = (await import('node:os')).availableParallelism();
      console.log(`\nLambda isolation (node ${process.version}, ${cores} cores, ${new Date().toISOString()}; ${connections} connections, ${seconds} s after ${warmupSeconds} s warm-up)\n`);
      console.log(`returning-user logins, normal lambda, idle:                 ${fmt(idle)}`);
      console.log(`same, while ${loopers} connections call a looping lambda:       ${fmt(loaded)}   (${looped} looping calls sent)`);
      console.log(`ratio loaded / idle: ${(loaded.requestsPerSecond / idle.requestsPerSecond).toFixed(2)} (target >= 0.50)`);
      for (const result of [idle, loaded]) {
        if (result.non2xx > 0 || result.errors > 0) console.log('WARNING: normal logins answered non-2xx or failed; the figure is not valid.');
      }
    } finally {
      await server.stop();
    }
  } finally {
    jwksServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
