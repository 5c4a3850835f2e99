/**
 * `npm run bench`: Gatehouse against a same-run baseline on this machine.
 *
 * Each server runs in its own process (one core), the load generator in this one (the other
 * core). Every request carries a fresh private_key_jwt assertion, so Gatehouse does the full
 * work: JWKS lookup, signature, claim checks, jti replay insert, token signing.
 * Prints grants/s, p50 and p99 for both and the ratio, plus start-to-ready and idle RSS.
 *
 * With DATABASE_URL set, the scenarios run on SQLite and on PostgreSQL (schemas of their own in
 * that database, dropped at the end), against the same baseline; BENCH_STORES=postgres (or
 * sqlite) runs one of them.
 * BENCH_SECONDS (10), BENCH_WARMUP (3), BENCH_CONNECTIONS (32), BENCH_ROUNDS (3) tune the run;
 * BENCH_ONLY=returning measures only the baseline and the returning-user logins (for profiling).
 * BENCH_MODE=soak runs the soak instead (bench/soak.ts, also `npm run bench:soak`).
 * BENCH_COMPARE=metrics,webhooks runs Gatehouse with a switch off and on (bench/variants.ts), the
 * variants' servers at once, driven in turn in interleaved slices (BENCH_SLICES, BENCH_SLICE_SECONDS),
 * in the client_credentials, returning-login and new-user-login scenarios, and prints each
 * variant's server CPU per request and its ratio to the first, one comparison after the other.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchClient, clientCredentialsBody } from './assertions.js';
import { startBenchJwksServer } from './jwks-server.js';
import { benchKickstart, IDP_ID, PATIENT_APP_ID } from './bench-kickstart.js';
import { compareVariants } from './compare-variants.js';
import { benchIssuer } from './id-tokens.js';
import { drive } from './load.js';
import type { LoadResult } from './load.js';
import { cpuMs, freePort, rssMb, startProcess } from './processes.js';
import { connections, profileArgs, rounds, seconds, warmupSeconds } from './settings.js';
import { comparison } from './variants.js';
import { benchStores } from './bench-stores.js';
import type { BenchStore } from './bench-stores.js';
import { fmt, median, ratioTable, runs, storeReport } from './store-report.js';

const returningOnly = process.env.BENCH_ONLY === 'returning';
/** BENCH_COMPARE=metrics: Gatehouse against itself with a switch on and off (variants.ts), no baseline. */
const compareName = process.env.BENCH_COMPARE;
/** BENCH_COMPARE's interleaved slices: BENCH_ROUNDS of fresh servers, each BENCH_SLICES (4) of BENCH_SLICE_SECONDS (3) per variant. */
const compareSlices = Number(process.env.BENCH_SLICES ?? 4);
const compareSliceSeconds = Number(process.env.BENCH_SLICE_SECONDS ?? 3);

/** Returning users: this many identities, each logged in once before the measured runs. */
const RETURNING_USERS = 1000;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const client = benchClient();
  const issuer = benchIssuer();
  const jwks = await startBenchJwksServer(client.publicJwk, issuer.publicJwk);
  const { jwksUri, idpJwksUri } = jwks;

  const results: string[] = [];
  let stores: BenchStore[] = [];
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
    if (compareName) {
      const seedLogins = async (loginUrl: string) => {
        for (let n = 0; n < RETURNING_USERS; n++) {
          const response = await fetch(loginUrl, { method: 'POST', headers: json, body: loginBody(`X-returning-${n}`, `returning-${n}@example.de`) });
          if (response.status !== 200) throw new Error(`seeding returning users: ${response.status} ${await response.text()}`);
        }
      };
      const commonFlags = ['--log-level', 'warn', '--fetch-allow-http', 'true', '--fetch-allow-cidr', '127.0.0.0/8'];
      const env = { ...process.env, GATEHOUSE_BOOTSTRAP_API_KEY: randomBytes(32).toString('base64url'), DATABASE_URL: '' };
      const setup = { dir, kickstart, publicUrl: `http://localhost:${port}`, commonFlags, env, tokenPath: '/t/bench/oauth2/token', tokenBody: body, koppeltaalPath: '/t/koppeltaal/oauth2/token', koppeltaalBody: ktBody, loginBody: returningBody, newUserBody, seedLogins };
      // BENCH_COMPARE=metrics,webhooks: one comparison after the other, each against its own reference.
      for (const name of compareName.split(',').map((n) => n.trim()).filter(Boolean)) {
        const { variants, close } = await comparison(name);
        try {
          results.push('', `BENCH_COMPARE=${name} (node ${process.version}, ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`, ...(await compareVariants(variants, setup, { rounds, slices: compareSlices, sliceSeconds: compareSliceSeconds, warmupSeconds, connections })));
        } finally {
          await close();
        }
        console.log(results.join('\n'));
        results.length = 0;
      }
      return;
    }
    // Alternate baseline and Gatehouse so drift on the machine hits both alike; compare medians.
    stores = await benchStores(dir);
    for (let round = 0; round < rounds; round++) {
      const baseline = await startProcess(
        ['dist/bench/baseline-server.js'],
        { ...process.env, PORT: '0', BASELINE_CLIENT_JWK: JSON.stringify(client.publicJwk), BASELINE_SIGNING_KEY_PEM: signing },
        /baseline ready \d+/,
      );
      const baselinePort = Number(/baseline ready (\d+)/.exec(baseline.output())![1]);
      baselineRuns.push(await drive(`http://127.0.0.1:${baselinePort}/token`, body, { seconds, warmupSeconds, connections }));
      await baseline.stop();

      for (const store of stores) {
        const flags = ['--port', String(port), '--log-level', 'warn', '--fetch-allow-http', 'true', '--fetch-allow-cidr', '127.0.0.0/8'];
        const firstStart = (kind: 'tokens' | 'logins') => (kind === 'logins' || (round === 0 && store.databaseUrl.tokens !== '') ? ['--kickstart', kickstart] : []);
        const start = (kind: 'tokens' | 'logins') =>
          startProcess(
            [...profileArgs, 'dist/src/cli.js', 'start', '--data-dir', store.dataDir[kind], ...firstStart(kind), ...flags],
            { ...process.env, GATEHOUSE_BOOTSTRAP_API_KEY: randomBytes(32).toString('base64url'), DATABASE_URL: store.databaseUrl[kind] },
            `http://127.0.0.1:${port}/ready`,
          );
        if (!returningOnly) {
          const server = await start('tokens');
          // The replay table grows during the run; alternate which scenario goes first.
          // CPU per grant (all threads of the server), as for the logins below.
          const withCpu = async (run: () => Promise<LoadResult>) => {
            const before = cpuMs(server.child.pid!);
            const result = await run();
            return { ...result, cpuMsPerRequest: (cpuMs(server.child.pid!) - before) / (result.requestsPerSecond * (seconds + warmupSeconds)) };
          };
          const plain = () => withCpu(() => drive(`http://127.0.0.1:${port}/t/bench/oauth2/token`, body, { seconds, warmupSeconds, connections }));
          const koppeltaal = () => withCpu(() => drive(`http://127.0.0.1:${port}/t/koppeltaal/oauth2/token`, ktBody, { seconds, warmupSeconds, connections }));
          if (round % 2 === 0) {
            store.tokens.push(await plain());
            store.koppeltaal.push(await koppeltaal());
          } else {
            store.koppeltaal.push(await koppeltaal());
            store.tokens.push(await plain());
          }
          store.loadedRss = rssMb(server.child.pid!);
          await server.stop();
        }

        // Logins run on a database of their own: the client-credentials runs leave some
        // hundred thousand replay rows whose purge would otherwise land in the login runs.
        const loginServer = await start('logins');
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
        store.returning.push(await measured(returningBody));
        if (!returningOnly) store.newUsers.push(await measured(newUserBody));
        await loginServer.stop();
      }
    }
    const baselineResult = median(baselineRuns);
    results.push('');
    results.push(`  baseline   ${fmt(baselineResult)}   (runs: ${runs(baselineRuns)}; ${connections} connections, median of ${rounds} alternating ${seconds} s runs)`);
    for (const store of stores) results.push(...storeReport(store, baselineResult, returningOnly));
    results.push(...ratioTable(stores, baselineResult));
  } finally {
    jwks.server.close();
    for (const store of stores) await store.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nGatehouse benchmark (node ${process.version}, ${new Date().toISOString()})\n`);
  console.log(results.join('\n'));
}

// BENCH_MODE=soak: the soak of bench/soak.ts instead (minutes of mixed load, bounded log).
if (process.env.BENCH_MODE === 'soak') await import('./soak.js');
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
