import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LambdaRunner } from '../../../src/lambda/lambda-runner.js';
import { DEFAULT_LAMBDA_LIMITS } from '../../../src/lambda/lambda-types.js';
import type { ReconcileRequest, ReconcileResult } from '../../../src/lambda/lambda-types.js';

// No assertion here depends on how fast the machine is: only on outcomes and on their order.
const request = (body: string): ReconcileRequest => ({ body, user: {}, registration: {}, jwt: { sub: 'x' }, debug: false });
const LOOPING = 'function reconcile() { while (true) {} }';
const NORMAL = 'function reconcile(user) { user.ok = true; }';
/**
 * The host's allowance (budget + grace) shorter than the worker's own budget: only the watchdog
 * can end a looping call, so the worker is always killed, however the machine is loaded.
 */
const KILLING = { ...DEFAULT_LAMBDA_LIMITS, timeoutMs: 60_000, watchdogGraceMs: 200 - 60_000 };

describe('lambda sandbox pool', () => {
  it('keeps serving normal lambdas while 8 calls of a looping lambda are in flight', async () => {
    const runner = new LambdaRunner(DEFAULT_LAMBDA_LIMITS, 2);
    try {
      // The first call teaches the pool that this lambda is slow.
      assert.equal((await runner.reconcile(request(LOOPING))).status, 'failed');
      const order: string[] = [];
      const loops = Array.from({ length: 8 }, () => runner.reconcile(request(LOOPING)).then((result) => (order.push('loop'), result)));
      const normal = await runner.reconcile(request(NORMAL)).then((result) => (order.push('normal'), result));
      assert.equal(normal.status, 'completed', JSON.stringify(normal));
      const results = await Promise.all(loops);
      for (const result of results) assert.equal(result.status === 'failed' && result.code, 'LAMBDA_TIMEOUT');
      // Slow calls run one after the other on their half of the pool; the normal call did not wait for them.
      assert.ok(order.indexOf('normal') < 2, order.join(' '));
    } finally {
      await runner.close();
    }
  });

  it('replaces a killed worker while the others keep serving', async () => {
    const runner = new LambdaRunner(KILLING, 2);
    try {
      const stuck = runner.reconcile(request(LOOPING));
      const normals = Array.from({ length: 20 }, () => runner.reconcile(request(NORMAL)));
      const killed = await stuck;
      assert.equal(killed.status === 'failed' && killed.code, 'LAMBDA_TIMEOUT', JSON.stringify(killed));
      for (const result of await Promise.all(normals)) assert.equal(result.status, 'completed', JSON.stringify(result));
      const again = await Promise.all(Array.from({ length: 4 }, () => runner.reconcile(request(NORMAL))));
      assert.ok(again.every((result) => result.status === 'completed'));
      const stats = runner.stats();
      assert.ok(stats.started >= 3, JSON.stringify(stats));
      assert.ok(stats.live <= stats.size, JSON.stringify(stats));
    } finally {
      await runner.close();
    }
  });

  it('dispatches again, not fails, the calls queued on a worker that is killed', async () => {
    const runner = new LambdaRunner(KILLING, 1);
    try {
      const stuck = runner.reconcile(request(LOOPING));
      const behind = Array.from({ length: 6 }, (_, n) => runner.reconcile(request(`function reconcile(user) { user.n = ${n}; }`)));
      assert.equal(((await stuck) as Extract<ReconcileResult, { status: 'failed' }>).code, 'LAMBDA_TIMEOUT');
      const results = await Promise.all(behind);
      results.forEach((result, n) => assert.equal(result.status === 'completed' && result.user.n, n, JSON.stringify(result)));
      assert.equal(runner.stats().started, 2);
    } finally {
      await runner.close();
    }
  });

  it('counts the budget from when the lambda starts, not from when it was queued', async () => {
    // Ten calls queued on one worker, each using most of a short budget: none is charged for the wait.
    const runner = new LambdaRunner({ ...DEFAULT_LAMBDA_LIMITS, timeoutMs: 1000 }, 1);
    try {
      const body = 'function reconcile(user) { let x = 0; for (let i = 0; i < 2e6; i++) x += i; user.x = x; }';
      const results = await Promise.all(Array.from({ length: 10 }, () => runner.reconcile(request(body))));
      for (const result of results) assert.equal(result.status, 'completed', JSON.stringify(result));
    } finally {
      await runner.close();
    }
  });
});
