/**
 * `npm run bench:lambda-pool`: what the lambda pool's size costs, without HTTP or storage. Drives
 * LambdaRunners of 1 and 2 workers (and the default size) with the bench's mimoto lambda, a fixed
 * number of calls in flight, in alternating batches in one process; prints the process's CPU per
 * call (main thread and workers) and calls per second of each size, median and range.
 *
 * BENCH_BATCHES (8), BENCH_CALLS (2000 per batch), BENCH_IN_FLIGHT (8) tune the run.
 */
import { availableParallelism } from 'node:os';
import { LambdaRunner, defaultWorkerCount } from '../src/lambda/lambda-runner.js';
import type { ReconcileRequest } from '../src/lambda/lambda-types.js';
import { BENCH_LAMBDA } from './id-tokens.js';

const batches = Number(process.env.BENCH_BATCHES ?? 8);
const calls = Number(process.env.BENCH_CALLS ?? 2000);
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 8);

const request: ReconcileRequest = {
  body: BENCH_LAMBDA,
  user: { id: 'b0000000-0000-4000-8000-000000000001', email: 'returning-1@example.de', username: 'X-returning-1', active: true, data: { kvnr: 'X-returning-1' } },
  registration: { applicationId: 'b0000000-0000-4000-8000-000000000002', roles: ['patient'], data: {} },
  jwt: { sub: 'X-returning-1', acr: 'gematik-ehealth-loa-high', birthdate: '1990-01-01', 'urn:telematik:claims:email': 'returning-1@example.de', 'urn:telematik:claims:id': 'X-returning-1', amr: ['urn:telematik:auth:eGK'] },
  debug: false,
};

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const range = (values: number[], digits: number) => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

/** `calls` calls with `inFlight` at a time, as concurrent logins would make them. */
async function drive(runner: LambdaRunner, count: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next += 1;
      const result = await runner.reconcile(request);
      if (result.status !== 'completed') throw new Error(JSON.stringify(result));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

async function main(): Promise<void> {
  const sizes = [...new Set([1, 2, defaultWorkerCount()])];
  const runners = sizes.map((size) => new LambdaRunner(undefined, size));
  const cpu = sizes.map((): number[] => []);
  const rate = sizes.map((): number[] => []);
  try {
    for (const runner of runners) await drive(runner, calls);
    for (let batch = 0; batch < batches; batch++) {
      const order = sizes.map((_, i) => (i + batch) % sizes.length);
      for (const index of order) {
        const startCpu = cpuMicros();
        const startWall = performance.now();
        await drive(runners[index], calls);
        cpu[index].push((cpuMicros() - startCpu) / calls);
        rate[index].push(calls / ((performance.now() - startWall) / 1000));
      }
    }
  } finally {
    await Promise.all(runners.map((runner) => runner.close()));
  }
  console.log(`\nLambda pool (node ${process.version}, ${availableParallelism()} cores, ${new Date().toISOString()}; ${batches} alternating batches of ${calls} calls, ${inFlight} in flight)\n`);
  sizes.forEach((size, i) => {
    console.log(`${String(size).padStart(2)} worker${size === 1 ? ' ' : 's'}${size === defaultWorkerCount() ? ' (default)' : '          '}  CPU per call median ${median(cpu[i]).toFixed(1).padStart(6)} µs (${range(cpu[i], 1)})   calls/s median ${median(rate[i]).toFixed(0).padStart(6)} (${range(rate[i], 0)})`);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
