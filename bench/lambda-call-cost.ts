/**
 * `npm run bench:lambda-call`: CPU time of one reconcile-lambda call inside the sandbox, without a
 * worker, HTTP or storage: the bench's mimoto lambda with a returning user's data, in a fresh
 * context per call against a hardened realm kept for the body (src/lambda/hardened-realm.ts).
 * Batches of the two alternate in one process, so drift on a shared machine hits both alike;
 * prints the median and range of CPU µs per call over the batches, and what creating a realm costs.
 *
 * BENCH_BATCHES (20) and BENCH_CALLS (500 per batch) tune the run.
 */
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import { callInFreshContext } from '../src/lambda/fresh-context-call.js';
import { HardenedRealm } from '../src/lambda/hardened-realm.js';
import { toWorkerRequest } from '../src/lambda/lambda-request.js';
import { DEFAULT_LAMBDA_LIMITS } from '../src/lambda/lambda-types.js';
import type { WorkerResult } from '../src/lambda/lambda-types.js';
import { BENCH_LAMBDA } from './id-tokens.js';

const batches = Number(process.env.BENCH_BATCHES ?? 20);
const calls = Number(process.env.BENCH_CALLS ?? 500);

const request = toWorkerRequest({
  body: BENCH_LAMBDA,
  user: { id: 'b0000000-0000-4000-8000-000000000001', email: 'returning-1@example.de', username: 'X-returning-1', active: true, verified: true, data: { kvnr: 'X-returning-1' }, insertInstant: 1_700_000_000_000 },
  registration: { applicationId: 'b0000000-0000-4000-8000-000000000002', roles: ['patient'], data: {} },
  jwt: { iss: 'https://idp.example', sub: 'X-returning-1', acr: 'gematik-ehealth-loa-high', birthdate: '1990-01-01', 'urn:telematik:claims:email': 'returning-1@example.de', 'urn:telematik:claims:display_name': 'R. Eturning', 'urn:telematik:claims:id': 'X-returning-1', amr: ['urn:telematik:auth:eGK'] },
  debug: false,
});

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const range = (values: number[]) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;

async function main(): Promise<void> {
  const QuickJS = await newQuickJSWASMModuleFromVariant(variant as unknown as QuickJSSyncVariant);
  const rt = QuickJS.newRuntime();
  rt.setMemoryLimit(DEFAULT_LAMBDA_LIMITS.heapLimitBytes);
  rt.setMaxStackSize(DEFAULT_LAMBDA_LIMITS.stackLimitBytes);
  const noBudget = () => undefined;
  const create = () => HardenedRealm.create(rt, request.body, DEFAULT_LAMBDA_LIMITS);
  const creation = create();
  if (!('realm' in creation)) throw new Error('the bench lambda does not fit a realm');
  const realm = creation.realm;
  const check = (result: WorkerResult, how: string) => {
    if (result.status !== 'completed') throw new Error(`${how}: ${JSON.stringify(result)}`);
  };
  const variants: Record<string, () => void> = {
    'fresh context per call': () => check(callInFreshContext(rt, request, DEFAULT_LAMBDA_LIMITS, noBudget).result, 'fresh'),
    'hardened realm, reused': () => {
      const run = realm.run(request, noBudget);
      check('result' in run ? run.result : run.tentative, 'realm');
    },
  };
  const perCall: Record<string, number[]> = {};
  for (const [name, call] of Object.entries(variants)) {
    perCall[name] = [];
    for (let n = 0; n < calls; n++) call();
  }
  for (let batch = 0; batch < batches; batch++) {
    const order = batch % 2 === 0 ? Object.keys(variants) : Object.keys(variants).reverse();
    for (const name of order) {
      const start = cpuMicros();
      for (let n = 0; n < calls; n++) variants[name]();
      perCall[name].push((cpuMicros() - start) / calls);
    }
  }
  console.log(`\nLambda call in the sandbox (node ${process.version}, ${new Date().toISOString()}; ${batches} alternating batches of ${calls} calls, CPU µs per call)\n`);
  for (const [name, values] of Object.entries(perCall)) console.log(`${name.padEnd(26)} median ${median(values).toFixed(1).padStart(6)} µs   range ${range(values)}`);
  const creations: number[] = [];
  for (let n = 0; n < 20; n++) {
    const start = cpuMicros();
    const made = create();
    creations.push(cpuMicros() - start);
    if ('realm' in made) made.realm.dispose();
  }
  const [fresh, reused] = Object.values(perCall).map(median);
  console.log(`ratio reused / fresh: ${(reused / fresh).toFixed(2)}`);
  console.log(`creating a realm (context, freezing, compiling), once per body and runtime: median ${(median(creations) / 1000).toFixed(2)} ms   range ${range(creations.map((c) => c / 1000))}`);
  if (!realm.dispose()) throw new Error('the realm did not dispose cleanly');
  rt.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
