/**
 * `node dist/bench/pg-cost.js` (DATABASE_URL required; the server must run on this machine):
 * what one request costs on PostgreSQL, counted rather than timed, so that it holds on a shared
 * machine. Per scenario (client_credentials, returning login, new-user login), each on a fresh
 * Gatehouse process with metrics on: Gatehouse CPU and the CPU of its PostgreSQL backends
 * (/proc), committed and rolled-back transactions, rows inserted and updated (pg_stat_database),
 * and Kysely queries (the metrics endpoint; BEGIN and COMMIT are not among them), all per request.
 * BENCH_SECONDS (10), BENCH_WARMUP (3, not counted) and BENCH_CONNECTIONS (32) tune the load;
 * BENCH_CLI runs another build's `dist/src/cli.js` (an A/B against an older commit); the schema is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { benchClient, clientCredentialsBody } from './assertions.js';
import { startBenchJwksServer } from './jwks-server.js';
import { benchKickstart, IDP_ID, PATIENT_APP_ID } from './bench-kickstart.js';
import { benchIssuer } from './id-tokens.js';
import { drive } from './load.js';
import { backendCpu, cpuBetween, createBenchSchema, databaseCounters } from './pg-schema.js';
import { cpuMs, freePort, startProcess } from './processes.js';
import { connections, seconds, warmupSeconds } from './settings.js';

const RETURNING_USERS = 1000;
const json = { 'content-type': 'application/json' };

async function scrape(port: number): Promise<{ requests: number; queries: number }> {
  const lines = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n');
  const total = (prefix: string) => lines.filter((line) => line.startsWith(prefix)).reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return { requests: total('gatehouse_http_request_duration_seconds_count{'), queries: total('gatehouse_db_query_duration_seconds_count{') };
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-cost-'));
  const schema = await createBenchSchema(databaseUrl);
  const monitor = new pg.Client({ connectionString: databaseUrl });
  await monitor.connect();
  const client = benchClient();
  const issuer = benchIssuer();
  const jwks = await startBenchJwksServer(client.publicJwk, issuer.publicJwk);
  const { jwksUri, idpJwksUri } = jwks;
  try {
    const port = await freePort();
    const metricsPort = await freePort();
    const kickstart = join(dir, 'kickstart.json');
    writeFileSync(kickstart, JSON.stringify(benchKickstart(jwksUri, idpJwksUri)));
    const env = { ...process.env, DATABASE_URL: schema.url, GATEHOUSE_BOOTSTRAP_API_KEY: randomBytes(32).toString('base64url') };
    const flags = ['--port', String(port), '--data-dir', join(dir, 'data'), '--log-level', 'warn', '--fetch-allow-http', 'true', '--fetch-allow-cidr', '127.0.0.0/8', '--metrics', 'true', '--metrics-port', String(metricsPort)];
    const start = (extra: string[] = []) => startProcess([process.env.BENCH_CLI ?? 'dist/src/cli.js', 'start', ...flags, ...extra], env, `http://127.0.0.1:${port}/ready`);
    const tokenUrl = `http://localhost:${port}/t/bench/oauth2/token`;
    const loginUrl = `http://127.0.0.1:${port}/api/identity-provider/login`;
    const loginBody = (uniqueId: string, email: string) => JSON.stringify({ applicationId: PATIENT_APP_ID, identityProviderId: IDP_ID, encodedJWT: issuer.idToken(uniqueId, email) });

    const seeding = await start(['--kickstart', kickstart]);
    for (let n = 0; n < RETURNING_USERS; n++) {
      const response = await fetch(loginUrl, { method: 'POST', headers: json, body: loginBody(`X-returning-${n}`, `returning-${n}@example.de`) });
      if (response.status !== 200) throw new Error(`seeding returning users: ${response.status} ${await response.text()}`);
    }
    await seeding.stop();

    let newUsers = 0;
    const scenarios: { name: string; url: string; body: () => string; headers?: Record<string, string> }[] = [
      { name: 'client_credentials', url: tokenUrl.replace('localhost', '127.0.0.1'), body: () => clientCredentialsBody(client, 'bench-client', tokenUrl) },
      {
        name: 'returning login',
        url: loginUrl,
        headers: json,
        body: () => {
          const n = Math.floor(Math.random() * RETURNING_USERS);
          return loginBody(`X-returning-${n}`, `returning-${n}@example.de`);
        },
      },
      { name: 'new-user login', url: loginUrl, headers: json, body: () => loginBody(`X-new-${(newUsers += 1)}-${randomBytes(4).toString('hex')}`, `new-${newUsers}-${randomBytes(4).toString('hex')}@example.de`) },
    ];
    const lines: string[] = [];
    for (const scenario of scenarios) {
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const server = await start();
      const pid = server.child.pid!;
      // Warm-up (JWKS, lambda workers, JIT), then a pause in which the backends report its counts.
      if (warmupSeconds > 0) await drive(scenario.url, scenario.body, { seconds: warmupSeconds, warmupSeconds: 0, connections, headers: scenario.headers });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const counters = await databaseCounters(monitor);
      const backends = await backendCpu(monitor, cpuMs);
      const gatehouseCpu = cpuMs(pid);
      const scraped = await scrape(metricsPort);
      const result = await drive(scenario.url, scenario.body, { seconds, warmupSeconds: 0, connections, headers: scenario.headers });
      const gatehouseCpuAfter = cpuMs(pid);
      const backendsAfter = await backendCpu(monitor, cpuMs);
      const scrapedAfter = await scrape(metricsPort);
      await server.stop();
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const countersAfter = await databaseCounters(monitor);
      const requests = scrapedAfter.requests - scraped.requests;
      const per = (value: number) => (value / requests).toFixed(2);
      lines.push(
        `${scenario.name.padEnd(18)} ${result.requestsPerSecond.toFixed(0).padStart(6)}/s  ${requests} requests${result.non2xx || result.errors ? ` (non-2xx ${result.non2xx}, errors ${result.errors})` : ''}; per request: ` +
          `Gatehouse CPU ${per(gatehouseCpuAfter - gatehouseCpu)} ms, PostgreSQL backends CPU ${per(cpuBetween(backends, backendsAfter))} ms, ` +
          `commits ${per(countersAfter.commits - counters.commits)}, rollbacks ${per(countersAfter.rollbacks - counters.rollbacks)}, ` +
          `rows inserted ${per(countersAfter.inserted - counters.inserted)}, updated ${per(countersAfter.updated - counters.updated)}, queries ${per(scrapedAfter.queries - scraped.queries)}`,
      );
    }
    console.log(`\nGatehouse on PostgreSQL, cost per request (node ${process.version}, ${new Date().toISOString()}, ${connections} connections, ${seconds} s each)\n`);
    console.log(lines.join('\n'));
  } finally {
    jwks.server.close();
    await monitor.end();
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
