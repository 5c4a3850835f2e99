import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_METRICS } from '../../../src/metrics/metrics.js';
import { PrometheusMetrics, UNMATCHED_ROUTE } from '../../../src/metrics/prometheus-metrics.js';
import { parsePrometheusText, sampleValue } from '../../helpers/prometheus-text.js';

const scrape = async (metrics: PrometheusMetrics) => parsePrometheusText((await metrics.render()).body);

describe('PrometheusMetrics', () => {
  it('exports the default process and Node.js metrics except the GC observer\'s', async () => {
    const names = new Set((await scrape(new PrometheusMetrics('sqlite'))).map((sample) => sample.name));
    for (const name of ['process_cpu_user_seconds_total', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_heap_space_size_used_bytes', 'nodejs_version_info']) {
      assert.ok(names.has(name), `${name} is exported`);
    }
    assert.ok(![...names].some((name) => name.startsWith('nodejs_gc_')), 'no GC duration histogram: its observer costs every collection');
  });

  it('keeps each instance in a registry of its own', async () => {
    const a = new PrometheusMetrics('sqlite');
    const b = new PrometheusMetrics('postgres');
    a.grantIssued('client_credentials');
    a.grantIssued('client_credentials');
    assert.equal(sampleValue(await scrape(a), 'gatehouse_grants_issued_total', { grant_type: 'client_credentials' }), 2);
    assert.equal(sampleValue(await scrape(b), 'gatehouse_grants_issued_total', { grant_type: 'client_credentials' }), 0);
  });

  it('bounds the lambda codes of logins at 64 distinct values, then "other"', async () => {
    const metrics = new PrometheusMetrics('sqlite');
    for (let i = 0; i < 70; i++) metrics.login('FEDERATED_JWT', 'rejected', `Code${i}`);
    metrics.login('FEDERATED_JWT', 'rejected', 'someone@example.de');
    const samples = (await scrape(metrics)).filter((s) => s.name === 'gatehouse_logins_total');
    assert.equal(samples.length, 65);
    assert.equal(sampleValue(samples, 'gatehouse_logins_total', { code: 'other' }), 7);
    assert.equal(sampleValue(samples, 'gatehouse_logins_total', { code: 'Code63' }), 1);
  });

  it('counts webhook attempts by event type and outcome, with their duration; event types are bounded too', async () => {
    const metrics = new PrometheusMetrics('sqlite');
    metrics.webhookAttempt('user.create', 'retry', 0.003);
    metrics.webhookAttempt('user.create', 'failed', 0.2);
    metrics.webhookAttempt('user.login.success', 'delivered', 0.001);
    metrics.webhookAttempt('https://receiver.example/hook', 'delivered', 0.001);
    const samples = await scrape(metrics);
    assert.equal(sampleValue(samples, 'gatehouse_webhook_attempts_total', { event_type: 'user.create', outcome: 'retry' }), 1);
    assert.equal(sampleValue(samples, 'gatehouse_webhook_attempts_total', { event_type: 'user.create', outcome: 'failed' }), 1);
    assert.equal(sampleValue(samples, 'gatehouse_webhook_attempts_total', { event_type: 'user.login.success', outcome: 'delivered' }), 1);
    assert.equal(sampleValue(samples, 'gatehouse_webhook_attempts_total', { event_type: 'other', outcome: 'delivered' }), 1, 'not code-like: other');
    assert.equal(sampleValue(samples, 'gatehouse_webhook_attempt_duration_seconds_count', { outcome: 'delivered' }), 2);
    assert.equal(sampleValue(samples, 'gatehouse_webhook_attempt_duration_seconds_bucket', { outcome: 'failed', le: '0.1' }), 0);
    assert.equal(sampleValue(samples, 'gatehouse_webhook_attempt_duration_seconds_bucket', { outcome: 'failed', le: '0.25' }), 1);
  });

  it('labels an unmatched request as __unmatched__ and an unknown method as "other", with the status code', async () => {
    const metrics = new PrometheusMetrics('sqlite');
    metrics.httpRequest(undefined, 'BREW', 404, 0.002);
    metrics.httpRequest('/t/:tenant/oauth2/token', 'POST', 200, 0.004);
    const samples = await scrape(metrics);
    assert.equal(sampleValue(samples, 'gatehouse_http_request_duration_seconds_count', { route: UNMATCHED_ROUTE, method: 'other', status_code: '404' }), 1);
    assert.equal(sampleValue(samples, 'gatehouse_http_request_duration_seconds_bucket', { route: '/t/:tenant/oauth2/token', le: '0.0025' }), 0);
    assert.equal(sampleValue(samples, 'gatehouse_http_request_duration_seconds_bucket', { route: '/t/:tenant/oauth2/token', le: '0.005' }), 1);
  });

  it('counts lambda failures by code next to the duration by status; queries by dialect and statement', async () => {
    const metrics = new PrometheusMetrics('postgres');
    metrics.lambdaCall('failed', 'LAMBDA_TIMEOUT', 0.5);
    metrics.lambdaCall('completed', 'none', 0.001);
    metrics.dbQuery('select', 0.0003, false);
    metrics.dbQuery('insert', 0.001, true);
    const samples = await scrape(metrics);
    assert.equal(sampleValue(samples, 'gatehouse_lambda_failures_total', { code: 'LAMBDA_TIMEOUT' }), 1);
    assert.equal(sampleValue(samples, 'gatehouse_lambda_failures_total', { code: 'none' }), 0);
    assert.equal(sampleValue(samples, 'gatehouse_lambda_duration_seconds_count', { status: 'completed' }), 1);
    assert.equal(sampleValue(samples, 'gatehouse_db_query_duration_seconds_count', { dialect: 'postgres', statement: 'select' }), 1);
    assert.equal(sampleValue(samples, 'gatehouse_db_query_errors_total', { dialect: 'postgres', statement: 'insert' }), 1);
    assert.equal(sampleValue(samples, 'gatehouse_db_query_errors_total', { dialect: 'postgres', statement: 'select' }), 0);
  });

  it('NO_METRICS is disabled and accepts every call', () => {
    assert.equal(NO_METRICS.enabled, false);
    NO_METRICS.httpRequest(undefined, 'GET', 200, 1);
    NO_METRICS.login('FEDERATED_JWT', 'completed', 'none');
  });
});
