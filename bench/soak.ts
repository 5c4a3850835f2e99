/**
 * `npm run bench:soak` (or `BENCH_MODE=soak npm run bench`): minutes of mixed load on one
 * Gatehouse on SQLite, to show that the write-ahead log stays bounded, RSS levels off and
 * housekeeping never stalls the event loop.
 *
 * Gatehouse runs as a child process with `--metrics` (its event-loop delay) and a short
 * `--purge-interval`; the load is client_credentials with fresh private_key_jwt assertions
 * (their jtis expire after BENCH_SOAK_ASSERTION_SECONDS, so the purge has rows to delete),
 * returning-user logins and new-user logins, all at once. Every few seconds it prints the WAL
 * (largest size seen in the interval), database size, RSS and event-loop delay p99 / max, then a
 * summary after the warm-up.
 *
 * BENCH_SOAK_SECONDS (300), BENCH_SOAK_WARMUP (30), BENCH_SOAK_SAMPLE_SECONDS (5),
 * BENCH_SOAK_PURGE_MS (10000), BENCH_SOAK_ASSERTION_SECONDS (30), BENCH_CONNECTIONS (32, split
 * half client credentials, a quarter each login kind); BENCH_SOAK_RATE (0: as fast as the server
 * answers, which saturates both cores together with the load generator; else the requests per
 * second offered in all, split like the connections, for a steady load with CPU to spare);
 * BENCH_SOAK_CLI runs another build's `cli.js` (for a before/after comparison).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { benchClient, clientCredentialsBody } from './assertions.js';
import { startBenchJwksServer } from './jwks-server.js';
import { benchKickstart, IDP_ID, PATIENT_APP_ID } from './bench-kickstart.js';
import { benchIssuer } from './id-tokens.js';
import { freePort, startProcess } from './processes.js';
import { connections } from './settings.js';
import { SAMPLE_HEADER, sampleRow, SoakSampler, soakSummary } from './soak-sampler.js';

const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 300);
const warmupSeconds = Number(process.env.BENCH_SOAK_WARMUP ?? 30);
const sampleSeconds = Number(process.env.BENCH_SOAK_SAMPLE_SECONDS ?? 5);
const purgeMs = Number(process.env.BENCH_SOAK_PURGE_MS ?? 10_000);
const assertionSeconds = Number(process.env.BENCH_SOAK_ASSERTION_SECONDS ?? 30);
/** Another build's cli.js, started without `--purge-interval` (it purges at its own interval). */
const otherBuild = process.env.BENCH_SOAK_CLI;
/** Requests per second offered in all; 0 (the default) drives as fast as the server answers. */
const offeredRate = Number(process.env.BENCH_SOAK_RATE ?? 0);
const cli = otherBuild ?? 'dist/src/cli.js';
const RETURNING_USERS = 1000;

/** Drives `url` for `seconds` with a fresh body per request, counting responses into `counts`. */
function load(name: string, url: string, body: () => string, contentType: string, clients: number, counts: { responses: Record<string, number>; non2xx: number }): Promise<autocannon.Result> {
  counts.responses[name] = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: clients,
        duration: soakSeconds,
        // The offered rate is split like the connections.
        ...(offeredRate > 0 ? { overallRate: Math.max(1, Math.round((offeredRate * clients) / connections)) } : {}),
        requests: [{ method: 'POST', headers: { 'content-type': contentType }, setupRequest: (request) => ({ ...request, body: body() }) }],
      },
      (error: unknown, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result)),
    );
    instance.on('response', (_client, status) => {
      counts.responses[name] += 1;
      if (status < 200 || status > 299) counts.non2xx += 1;
    });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-soak-'));
  const client = benchClient('bench-client-key', assertionSeconds);
  const issuer = benchIssuer();
  const jwks = await startBenchJwksServer(client.publicJwk, issuer.publicJwk);
  const { jwksUri, idpJwksUri } = jwks;
  try {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const kickstart = join(dir, 'kickstart.json');
    writeFileSync(kickstart, JSON.stringify(benchKickstart(jwksUri, idpJwksUri)));
    const dataDir = join(dir, 'data');
    const args = [
      cli, 'start', '--port', String(port), '--data-dir', dataDir, '--kickstart', kickstart, '--log-level', 'warn', '--fetch-allow-http', 'true', '--fetch-allow-cidr', '127.0.0.0/8',
      '--metrics', 'true', '--metrics-port', String(metricsPort), ...(otherBuild ? [] : ['--purge-interval', String(purgeMs)]),
    ];
    const server = await startProcess(args, { ...process.env, GATEHOUSE_BOOTSTRAP_API_KEY: randomBytes(32).toString('base64url'), DATABASE_URL: '' }, `http://127.0.0.1:${port}/ready`, 120_000);
    try {
      const loginUrl = `http://127.0.0.1:${port}/api/identity-provider/login`;
      const loginBody = (uniqueId: string, email: string) => JSON.stringify({ applicationId: PATIENT_APP_ID, identityProviderId: IDP_ID, encodedJWT: issuer.idToken(uniqueId, email) });
      for (let n = 0; n < RETURNING_USERS; n += 10) {
        await Promise.all(
          Array.from({ length: 10 }, async (_, i) => {
            const response = await fetch(loginUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: loginBody(`X-returning-${n + i}`, `returning-${n + i}@example.de`) });
            if (response.status !== 200) throw new Error(`seeding returning users: ${response.status} ${await response.text()}`);
          }),
        );
      }
      let newUsers = 0;
      const tokenUrl = `http://localhost:${port}/t/bench/oauth2/token`;
      const counts = { responses: {} as Record<string, number>, non2xx: 0 };
      const sampler = new SoakSampler({ pid: server.child.pid!, dbFile: join(dataDir, 'gatehouse.sqlite'), metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` }, counts, sampleSeconds, (sample) =>
        console.log(sampleRow(sample, sampleSeconds)),
      );
      await sampler.reset();
      const quarter = Math.max(1, Math.floor(connections / 4));
      console.log(`Gatehouse soak (node ${process.version}, ${new Date().toISOString()}): ${soakSeconds} s of mixed load, ${connections} connections, ${offeredRate > 0 ? `${offeredRate} requests/s offered` : 'as fast as answered'}, purge every ${otherBuild ? '(its default)' : `${purgeMs}`} ms, assertions live ${assertionSeconds} s, ${cli}\n`);
      console.log(SAMPLE_HEADER);
      const loads = await Promise.all([
        load('cc', `http://127.0.0.1:${port}/t/bench/oauth2/token`, () => clientCredentialsBody(client, 'bench-client', tokenUrl), 'application/x-www-form-urlencoded', connections - 2 * quarter, counts),
        load('returning', loginUrl, () => {
          const n = Math.floor(Math.random() * RETURNING_USERS);
          return loginBody(`X-returning-${n}`, `returning-${n}@example.de`);
        }, 'application/json', quarter, counts),
        load('new', loginUrl, () => {
          newUsers += 1;
          return loginBody(`X-new-${newUsers}-${randomBytes(4).toString('hex')}`, `new-${newUsers}-${randomBytes(4).toString('hex')}@example.de`);
        }, 'application/json', quarter, counts),
      ]);
      sampler.stop();
      console.log('');
      for (const line of soakSummary(sampler.samples, warmupSeconds)) console.log(line);
      const totals = loads.map((result, i) => `${['client_credentials', 'returning logins', 'new-user logins'][i]} ${result.requests.average.toFixed(0)}/s (p99 ${result.latency.p99} ms)`);
      console.log(`throughput: ${totals.join(', ')}; errors ${loads.reduce((sum, r) => sum + r.errors, 0)}`);
    } finally {
      await server.stop();
    }
  } finally {
    jwks.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
