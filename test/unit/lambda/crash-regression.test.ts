import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LambdaRunner } from '../../../src/lambda/lambda-runner.js';
import { DEFAULT_LAMBDA_LIMITS } from '../../../src/lambda/lambda-types.js';
import type { ReconcileRequest } from '../../../src/lambda/lambda-types.js';

/**
 * Regression: QuickJS printed `Aborted(Assertion failed: list_empty(&rt->gc_obj_list))` when a
 * runtime was freed with objects still alive (after a failed dynamic `import()`, which leaks them,
 * or with a handle left undisposed on an error path, or after running out of memory). An abort leaves the module unusable, so a crash
 * shows as LAMBDA_CRASHED or as "Aborted" on the worker's stderr, which reaches ours.
 */
const request = (body: string): ReconcileRequest => ({ body, user: {}, registration: {}, jwt: { sub: 'x', amr: ['pwd'] }, debug: true });
const LAMBDAS: [string, string][] = [
  ['throwing', 'function reconcile() { throw new Error("no"); }'],
  ['throwing an object with a looping toJSON', 'function reconcile() { throw { toJSON() { while (true) {} } }; }'],
  ['looping', 'function reconcile() { while (true) {} }'],
  ['looping while logging', 'function reconcile(user) { const a = []; while (true) { a.push({ n: a.length }); console.log(a); } }'],
  ['out of memory (objects)', 'function reconcile() { const a = []; while (true) a.push({ n: a.length, list: [1, 2, 3] }); }'],
  ['out of memory (strings)', 'function reconcile() { const a = []; while (true) a.push("x".repeat(100000) + a.length); }'],
  ['out of memory, caught, then rejecting', 'function reconcile(u, r, j, c) { const a = []; try { while (true) a.push([a.length]); } catch (e) { c.reject("OOM", String(e)); } }'],
  ['onboarding with a looping getter', 'function reconcile(u, r, j, c) { c.requireOnboarding("x", { get missing() { while (true) {} } }); }'],
  ['importing a module', 'function reconcile(user) { try { import("fs"); } catch (e) { user.error = String(e); } }'],
  ['normal', 'function reconcile(user, registration, jwt) { user.sub = jwt.sub; console.debug({ sub: jwt.sub }); }'],
];

describe('lambda sandbox robustness', () => {
  it('runs throwing, looping, out-of-memory and normal lambdas many times without the worker crashing', async () => {
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => (stderr.push(String(chunk)), write(chunk, ...rest))) as typeof process.stderr.write;
    // A short budget keeps the loops cheap; out of memory must still be reported as such when reached.
    const runner = new LambdaRunner({ ...DEFAULT_LAMBDA_LIMITS, timeoutMs: 50 }, 2);
    try {
      for (let round = 0; round < 8; round++) {
        const results = await Promise.all(LAMBDAS.map(([, body]) => runner.reconcile(request(body))));
        results.forEach((result, n) => {
          const [name] = LAMBDAS[n];
          assert.notEqual(result.status === 'failed' && result.code, 'LAMBDA_CRASHED', `${name}: ${JSON.stringify(result)}`);
          if (name === 'normal') assert.equal(result.status, 'completed', JSON.stringify(result));
        });
      }
      assert.equal((await runner.reconcile(request(LAMBDAS[LAMBDAS.length - 1][1]))).status, 'completed');
    } finally {
      await runner.close();
      process.stderr.write = write;
    }
    assert.equal(stderr.join('').includes('Aborted'), false, stderr.join(''));
  });
});
