import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LambdaRunner } from '../../../src/lambda/lambda-runner.js';
import { DEFAULT_LAMBDA_LIMITS } from '../../../src/lambda/lambda-types.js';
import type { ReconcileRequest } from '../../../src/lambda/lambda-types.js';
import { PrometheusMetrics } from '../../../src/metrics/prometheus-metrics.js';
import { parsePrometheusText, sampleValue } from '../../helpers/prometheus-text.js';

const request = (body: string, checkOnly = false): ReconcileRequest => ({ body, user: {}, registration: {}, jwt: { sub: 'x' }, debug: false, checkOnly });
/** As in lambda-pool.test.ts: only the watchdog can end the loop, so the worker is killed whatever the load. */
const KILLING = { ...DEFAULT_LAMBDA_LIMITS, timeoutMs: 60_000, watchdogGraceMs: 200 - 60_000 };

describe('lambda runner metrics', () => {
  it('times each call by status and counts a killed worker as LAMBDA_TIMEOUT; lambda checks are not calls', async () => {
    const metrics = new PrometheusMetrics('sqlite');
    const runner = new LambdaRunner(KILLING, 1, metrics);
    try {
      assert.equal((await runner.reconcile(request('function reconcile(user, r, jwt, context) { context.reject("Nope", "no"); }'))).status, 'rejected');
      assert.equal((await runner.reconcile(request('function reconcile(user) { user.ok = true; }'))).status, 'completed');
      assert.equal((await runner.reconcile(request('function reconcile(user) {}', true))).status, 'completed');
      const killed = await runner.reconcile(request('function reconcile() { while (true) {} }'));
      assert.equal(killed.status === 'failed' && killed.code, 'LAMBDA_TIMEOUT');
      const samples = parsePrometheusText((await metrics.render()).body);
      assert.equal(sampleValue(samples, 'gatehouse_lambda_duration_seconds_count', { status: 'rejected' }), 1);
      assert.equal(sampleValue(samples, 'gatehouse_lambda_duration_seconds_count', { status: 'completed' }), 1, 'the checkOnly call is not counted');
      assert.equal(sampleValue(samples, 'gatehouse_lambda_duration_seconds_count', { status: 'failed' }), 1);
      assert.equal(sampleValue(samples, 'gatehouse_lambda_failures_total', { code: 'LAMBDA_TIMEOUT' }), 1);
    } finally {
      await runner.close();
    }
  });
});
