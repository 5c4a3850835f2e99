/**
 * `npm run bench`: Gatehouse against a same-run baseline on this machine.
 *
 * Each server runs in its own process (one core), the load generator in this one (the other
 * core). Every request carries a fresh private_key_jwt assertion, so Gatehouse does the full
 * work: JWKS lookup, signature, claim checks, jti replay insert (SQLite, WAL), token signing.
 * Prints grants/s, p50 and p99 for both and the ratio, plus start-to-ready and idle RSS.
 *
 * BENCH_SECONDS (10), BENCH_WARMUP (3), BENCH_CONNECTIONS (32), BENCH_ROUNDS (3) tune the run;
 * BENCH_ONLY=returning measures only the baseline and the returning-user logins (for profiling).
 * BENCH_COMPARE=metrics,webhooks alternates Gatehouse with a switch off and on (bench/variants.ts)
 * in the client_credentials, returning-login and new-user-login scenarios and prints the
 * same-round ratios of throughput and server CPU per request, one comparison after the other.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchClient, clientCredentialsBody } from './assertions.js';
import { benchKickstart, IDP_ID, PATIENT_APP_ID } from './bench-kickstart.js';
import { compareVariants } from './compare-variants.js';
import { benchIssuer } from './id-tokens.js';
import { drive } from './load.js';
import type { LoadResult } from './load.js';
import { cpuMs, freePort, rssMb, startProcess } from './processes.js';
import { connections, rounds, seconds, warmupSeconds } from './settings.js';
import { comparison } from './variants.js';

const returningOnly = process.env.BENCH_ONLY === 'returning';
/** BENCH_COMPARE=metrics: Gatehouse against itself with a switch on and off (variants.ts), no baseline. */
const compareName = process.env.BENCH_COMPARE;

/** The run with the median throughput. */
const median = (runs: LoadResult[]): LoadResult => [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(runs.length / 2)];
/** Returning users: this many identities, each logged in once before the measured runs. */
const RETURNING_USERS = 1000;
/** BENCH_PROFILE=1: CPU profiles of the measured Gatehouse processes, in /tmp/gh-prof. */
const profileArgs = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/gh-prof'] : [];

const fmt = (r: LoadResult) => `${r.requestsPerSecond.toFixed(0).padStart(7)} grants/s   p50 ${String(r.p50).padStart(3)} ms   p99 ${String(r.p99).padStart(3)} ms${r.non2xx || r.errors ? `   (non-2xx ${r.non2xx}, errors ${r.errors})` : ''}`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const client = benchClient();
  const issuer = benchIssuer();
  const jwksServer = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
    response.end(JSON.stringify({ keys: [request.url === '/idp/jwks' ? issuer.publicJwk : client.publicJwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const jwksAddress = jwksServer.address();
  const jwksUri = `http://127.0.0.1:${typeof jwksAddress === 'object' && jwksAddress ? jwksAddress.port : 0}/jwks.json`;
  const idpJwksUri = jwksUri.replace('/jwks.json', '/idp/jwks');

  const results: string[] = [];
  try {
    // --- Gatehouse -----------------------------------------------------------------------
    const port = await freePort();
    const kickstart = join(dir, 'kickstart.json');
    writeFileSync(kickstart, JSON.stringify(benchKickstart(jwksUri, idpJwksUri)));
    const gatehouse = await startProcess(
      ['dist/src/cli.js', 'start', '--port', String(port), '--data-dir', join(dir, 'data'), '--kickstart', kickstart, '--fetch-allow-http', 'true', '--fetch-allow-cidr', '127.0.0.0/8', '--log-level', 'warn'],
      { ...process.env, GATEHOUSE_BOOTSTRAP_API_KEY: randomBytes(32).toString('base64url'), DATABASE_URL: '' },
      `http://127.0.0.1:${port}/ready`,
    );
    // The first start creates the database; a second start is what an operator restarts into.
    await gatehouse.stop();
    const restarted = await startProcess(
      ['dist/src/cli.js', 'start', '--port', String(port), '--data-dir', join(dir, 'data'), '--log-level', 'info', '--fetch-allow-http', 'true', '--fetch-allow-cidr', '127.0.0.0/8'],
      { ...process.env, GATEHOUSE_BOOTSTRAP_API_KEY: randomBytes(32).toString('base64url'), DATABASE_URL: '' },
      /gatehouse ready/,
    );
    const readyMs = JSON.parse(restarted.output().split('\n').find((l) => l.includes('gatehouse ready'))!).readyMs as number;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idleRss = rssMb(restarted.child.pid!);
    await restarted.stop();
    results.push(`start to ready (fresh data dir, first start): ${gatehouse.startToReadyMs.toFixed(0)} ms wall`);
    results.push(`start to ready (existing data dir):          ${restarted.startToReadyMs.toFixed(0)} ms wall, ${readyMs} ms inside the process`);
    results.push(`idle RSS after start:                          ${idleRss} MB`);

    const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const tokenUrl = `http://localhost:${port}/t/bench/oauth2/token`;
    const body = () => clientCredentialsBody(client, 'bench-client', tokenUrl);
    const gatehouseRuns: LoadResult[] = [];
    const koppeltaalRuns: LoadResult[] = [];
    const baselineRuns: LoadResult[] = [];
    const ktTokenUrl = `http://localhost:${port}/t/koppeltaal/oauth2/token`;
    const ktBody = () => clientCredentialsBody(client, 'kt-module', ktTokenUrl);
    const loginBody = (uniqueId: string, email: string) => JSON.stringify({ applicationId: PATIENT_APP_ID, identityProviderId: IDP_ID, encodedJWT: issuer.idToken(uniqueId, email) });
    const returningBody = () => {
      const n = Math.floor(Math.random() * RETURNING_USERS);
      return loginBody(`X-returning-${n}`, `returning-${n}@example.de`);
    };
    let newUsers = 0;
    const newUserBody = () => {
      newUsers += 1;
      return loginBody(`X-new-${newUsers}-${randomBytes(4).toString('hex')}`, `new-${newUsers}-${randomBytes(4).toString('hex')}@example.de`);
    };
    const json = { 'content-type': 'application/json' };
    const returningRuns: (LoadResult & { cpuMsPerRequest: number })[] = [];
    const newUserRuns: (LoadResult & { cpuMsPerRequest: number })[] = [];
    let loadedRss = 0;
    if (compareName) {
      const seedLogins = async (loginUrl: string) => {
        for (let n = 0; n < RETURNING_USERS; n++) {
          const response = await fetch(loginUrl, { method: 'POST', headers: json, body: loginBody(`X-returning-${n}`, `returning-${n}@example.de`) });
          if (response.status !== 200) throw new Error(`seeding returning users: ${response.status} ${await response.text()}`);
        }
      };
      const commonFlags = ['--log-level', 'warn', '--fetch-allow-http', 'true', '--fetch-allow-cidr', '127.0.0.0/8'];
      const env = { ...process.env, GATEHOUSE_BOOTSTRAP_API_KEY: randomBytes(32).toString('base64url'), DATABASE_URL: '' };
      const setup = { port, dir, kickstart, commonFlags, env, tokenPath: '/t/bench/oauth2/token', tokenBody: body, loginBody: returningBody, newUserBody, seedLogins };
      // BENCH_COMPARE=metrics,webhooks: one comparison after the other, each against its own reference.
      for (const name of compareName.split(',').map((n) => n.trim()).filter(Boolean)) {
        const { variants, close } = await comparison(name);
        try {
          results.push('', `BENCH_COMPARE=${name} (node ${process.version}, ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`, ...(await compareVariants(variants, setup, { rounds, seconds, warmupSeconds, connections })));
        } finally {
          await close();
        }
        console.log(results.join('\n'));
        results.length = 0;
      }
      return;
    }
    // Alternate baseline and Gatehouse so drift on the machine hits both alike; compare medians.
    for (let round = 0; round < rounds; round++) {
      const baseline = await startProcess(
        ['dist/bench/baseline-server.js'],
        { ...process.env, PORT: '0', BASELINE_CLIENT_JWK: JSON.stringify(client.publicJwk), BASELINE_SIGNING_KEY_PEM: signing },
        /baseline ready \d+/,
      );
      const baselinePort = Number(/baseline ready (\d+)/.exec(baseline.output())![1]);
      baselineRuns.push(await drive(`http://127.0.0.1:${baselinePort}/token`, body, { seconds, warmupSeconds, connections }));
      await baseline.stop();

      if (!returningOnly) {
        const server = await startProcess(
          [...profileArgs, 'dist/src/cli.js', 'start', '--port', String(port), '--data-dir', join(dir, 'data'), '--log-level', 'warn', '--fetch-allow-http', 'true', '--fetch-allow-cidr', '127.0.0.0/8'],
          { ...process.env, DATABASE_URL: '' },
          `http://127.0.0.1:${port}/ready`,
        );
        // The replay table grows during the run; alternate which scenario goes first.
        const plain = () => drive(`http://127.0.0.1:${port}/t/bench/oauth2/token`, body, { seconds, warmupSeconds, connections });
        const koppeltaal = () => drive(`http://127.0.0.1:${port}/t/koppeltaal/oauth2/token`, ktBody, { seconds, warmupSeconds, connections });
        if (round % 2 === 0) {
          gatehouseRuns.push(await plain());
          koppeltaalRuns.push(await koppeltaal());
        } else {
          koppeltaalRuns.push(await koppeltaal());
          gatehouseRuns.push(await plain());
        }
        loadedRss = rssMb(server.child.pid!);
        await server.stop();
      }

      // Logins run on a data directory of their own: the client-credentials runs leave some
      // hundred thousand replay rows whose purge would otherwise land in the login runs.
      const loginServer = await startProcess(
        [
          ...profileArgs,
          'dist/src/cli.js', 'start', '--port', String(port), '--data-dir', join(dir, 'login-data'), '--kickstart', kickstart, '--log-level', 'warn', '--fetch-allow-http', 'true', '--fetch-allow-cidr', '127.0.0.0/8',
        ],
        { ...process.env, GATEHOUSE_BOOTSTRAP_API_KEY: randomBytes(32).toString('base64url'), DATABASE_URL: '' },
        `http://127.0.0.1:${port}/ready`,
      );
      const loginUrl = `http://127.0.0.1:${port}/api/identity-provider/login`;
      if (round === 0) {
        // Every returning identity logs in once, so the measured runs find links only.
        for (let n = 0; n < RETURNING_USERS; n++) {
          const response = await fetch(loginUrl, { method: 'POST', headers: json, body: loginBody(`X-returning-${n}`, `returning-${n}@example.de`) });
          if (response.status !== 200) throw new Error(`seeding returning users: ${response.status} ${await response.text()}`);
        }
      }
      // CPU per login (both threads of the server) is steadier than throughput on a shared machine.
      const measured = async (body: () => string) => {
        const before = cpuMs(loginServer.child.pid!);
        const result = await drive(loginUrl, body, { seconds, warmupSeconds, connections, headers: json });
        return { ...result, cpuMsPerRequest: (cpuMs(loginServer.child.pid!) - before) / (result.requestsPerSecond * (seconds + warmupSeconds)) };
      };
      returningRuns.push(await measured(returningBody));
      if (!returningOnly) newUserRuns.push(await measured(newUserBody));
      await loginServer.stop();
    }
    const baselineResult = median(baselineRuns);
    const returningResult = median(returningRuns);
    const cpu = (list: { cpuMsPerRequest: number }[]) => list.map((r) => r.cpuMsPerRequest.toFixed(2)).join(', ');
    const runs = (list: LoadResult[]) => list.map((r) => r.requestsPerSecond.toFixed(0)).join(', ');
    if (returningOnly) {
      results.push(`  baseline   ${fmt(baselineResult)}   (runs: ${runs(baselineRuns)})`);
      results.push(`  returning users (${RETURNING_USERS} linked)  ${fmt(returningResult)}   (runs: ${runs(returningRuns)}; server CPU per login: ${cpu(returningRuns)} ms)`);
      results.push(`  ratio gatehouse / baseline: ${(returningResult.requestsPerSecond / baselineResult.requestsPerSecond).toFixed(2)} (target >= 0.35)`);
      console.log(results.join('\n'));
      return;
    }
    const gatehouseResult = median(gatehouseRuns);
    const koppeltaalResult = median(koppeltaalRuns);
    const newUserResult = median(newUserRuns);

    results.push('');
    results.push(`client_credentials + private_key_jwt (ES256), SQLite, replay protection on, ${connections} connections, median of ${rounds} alternating ${seconds} s runs:`);
    results.push(`  gatehouse  ${fmt(gatehouseResult)}   (RSS under load ${loadedRss} MB; runs: ${runs(gatehouseRuns)})`);
    results.push(`  baseline   ${fmt(baselineResult)}   (runs: ${runs(baselineRuns)})`);
    results.push(`  ratio gatehouse / baseline: ${(gatehouseResult.requestsPerSecond / baselineResult.requestsPerSecond).toFixed(2)} (target >= 0.80)`);
    if (gatehouseResult.non2xx > 0 || gatehouseResult.errors > 0) results.push('  WARNING: Gatehouse answered non-2xx or failed requests; the figure is not valid.');
    results.push('');
    results.push('client_credentials on a Koppeltaal tenant (JWKS URL client, role of 10 permissions, scopes derived per token):');
    results.push(`  gatehouse  ${fmt(koppeltaalResult)}   (runs: ${runs(koppeltaalRuns)})`);
    results.push(`  ratio gatehouse / baseline: ${(koppeltaalResult.requestsPerSecond / baselineResult.requestsPerSecond).toFixed(2)} (target >= 0.80)`);
    if (koppeltaalResult.non2xx > 0 || koppeltaalResult.errors > 0) results.push('  WARNING: Gatehouse answered non-2xx or failed requests; the figure is not valid.');
    results.push('');
    results.push(`External JWT login (POST /api/identity-provider/login, ES256 ID token via JWKS URL, reconcile lambda, access + refresh token):`);
    results.push(`  returning users (${RETURNING_USERS} linked)  ${fmt(returningResult)}   (runs: ${runs(returningRuns)}; server CPU per login: ${cpu(returningRuns)} ms)`);
    results.push(`  ratio gatehouse / baseline: ${(returningResult.requestsPerSecond / baselineResult.requestsPerSecond).toFixed(2)} (target >= 0.35)`);
    results.push(`  new users (user + registration + link created)  ${fmt(newUserResult)}   (runs: ${runs(newUserRuns)}; server CPU per login: ${cpu(newUserRuns)} ms)`);
    results.push(`  ratio gatehouse / baseline: ${(newUserResult.requestsPerSecond / baselineResult.requestsPerSecond).toFixed(2)} (target >= 0.15)`);
    for (const result of [returningResult, newUserResult]) {
      if (result.non2xx > 0 || result.errors > 0) results.push('  WARNING: Gatehouse answered non-2xx or failed requests; the figure is not valid.');
    }
  } finally {
    jwksServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nGatehouse benchmark (node ${process.version}, ${new Date().toISOString()})\n`);
  console.log(results.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
