/**
 * `node dist/bench/metrics-cost.js`: what recording costs per request, in one process, so the
 * figure does not drown in the noise of a shared machine. Each part is timed with and without
 * metrics in alternating batches (median of the per-batch differences of CPU time): the Fastify request
 * hook plus its histogram, Kysely's query-timing hook on a real SQLite point lookup, and the
 * counters a token request or a login adds. Compare with the server CPU per request that
 * `BENCH_COMPARE=metrics npm run bench` prints.
 */
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { registerRequestMetrics } from '../src/http/request-metrics.js';
import { NO_METRICS } from '../src/metrics/metrics.js';
import type { Metrics } from '../src/metrics/metrics.js';
import { PrometheusMetrics } from '../src/metrics/prometheus-metrics.js';
import { queryTiming } from '../src/store/query-timing.js';

const BATCHES = 41;
const PER_BATCH = 4000;

/** Microseconds per call of `run` with metrics on minus off: median over alternating batches. */
async function cost(run: (metrics: Metrics) => Promise<() => Promise<void>>): Promise<number> {
  const on = await run(new PrometheusMetrics('sqlite'));
  const off = await run(NO_METRICS);
  const time = async (call: () => Promise<void>) => {
    // CPU time of this process, not wall time: other processes on a shared machine do not count.
    const start = process.cpuUsage();
    for (let i = 0; i < PER_BATCH; i++) await call();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / PER_BATCH;
  };
  await time(on);
  await time(off);
  const deltas: number[] = [];
  for (let batch = 0; batch < BATCHES; batch++) {
    if (batch % 2 === 0) {
      const withMetrics = await time(on);
      deltas.push(withMetrics - (await time(off)));
    } else {
      const without = await time(off);
      deltas.push((await time(on)) - without);
    }
  }
  return deltas.sort((x, y) => x - y)[Math.floor(deltas.length / 2)];
}

async function main(): Promise<void> {
  const http = await cost(async (metrics) => {
    const app = Fastify({ logger: false });
    if (metrics.enabled) registerRequestMetrics(app, metrics);
    app.post('/t/:tenant/oauth2/token', async () => ({ ok: true }));
    await app.ready();
    return async () => {
      await app.inject({ method: 'POST', url: '/t/bench/oauth2/token', payload: 'a=b', headers: { 'content-type': 'text/plain' } });
    };
  });
  const query = await cost(async (metrics) => {
    const database = new BetterSqlite3(':memory:');
    database.exec('create table t (id integer primary key, v text); insert into t values (1, \'x\')');
    const db = new Kysely<{ t: { id: number; v: string } }>({ dialect: new SqliteDialect({ database }), log: queryTiming(metrics) });
    await sql`select 1`.execute(db);
    return async () => {
      await db.selectFrom('t').select('v').where('id', '=', 1).execute();
    };
  });
  const counters = await cost(async (metrics) => async () => {
    metrics.grantIssued('client_credentials');
    metrics.jwksCacheHit();
    metrics.login('FEDERATED_JWT', 'completed', 'none');
    metrics.lambdaCall('completed', 'none', 0.0004);
  });
  console.log(`request hook + histogram: ${http.toFixed(2)} µs per request`);
  console.log(`query timing:             ${query.toFixed(2)} µs per query`);
  console.log(`grant + JWKS hit + login + lambda counters: ${counters.toFixed(2)} µs`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
