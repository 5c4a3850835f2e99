import { Counter, Registry } from 'prom-client';
import { registerDefaultMetrics } from './default-metrics.js';
import { BoundHistogram } from './bound-histogram.js';
import { BoundedLabel, OTHER } from './bounded-label.js';
import type { FetchPurpose, LambdaStatus, LoginOutcome, Metrics, ReplayedAssertion, StatementKind, WebhookAttemptOutcome } from './metrics.js';

/** The route label of a request no route matched (404s of unknown paths), so that URLs never become labels. */
export const UNMATCHED_ROUTE = '__unmatched__';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const ROUTE_FORM = /^[\x21-\x7e]{1,200}$/;
/** Seconds; HTTP and lambda calls from 1 ms, database queries from 0.1 ms. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const QUERY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** Label children by their joined values, bound once: the hot path is a Map lookup and an increment. */
class Children<C> {
  private readonly bound = new Map<string, C>();

  constructor(private readonly bind: (...values: string[]) => C) {}

  get(...values: string[]): C {
    const key = values.join('\u0000');
    let child = this.bound.get(key);
    if (!child) this.bound.set(key, (child = this.bind(...values)));
    return child;
  }
}

type Observer = { observe(value: number): void };
type Incrementer = { inc(): void };

/**
 * Metrics of one Gatehouse instance in a registry of its own (several instances in one process,
 * as in the tests, never share series), in the Prometheus text format. Default process and
 * Node.js metrics are included (default-metrics.ts: prom-client's, without the GC observer): CPU,
 * memory, and the event-loop delay (`nodejs_eventloop_lag_seconds` and its percentiles from
 * `monitorEventLoopDelay`). Histograms are `BoundHistogram`s; counters are prom-client's.
 */
export class PrometheusMetrics implements Metrics {
  readonly enabled = true;
  readonly registry = new Registry();
  private readonly routes = new BoundedLabel(256, ROUTE_FORM);
  private readonly grantTypes = new BoundedLabel(16);
  private readonly errors = new BoundedLabel(32);
  private readonly authenticationTypes = new BoundedLabel(16);
  private readonly loginCodes = new BoundedLabel(64);
  private readonly lambdaFailureCodes = new BoundedLabel(16);
  private readonly fetchResults = new BoundedLabel(16);
  private readonly http: Children<Observer>;
  private readonly issued: Children<Incrementer>;
  private readonly refused: Children<Incrementer>;
  private readonly logins: Children<Incrementer>;
  private readonly lambdaDuration: Children<Observer>;
  private readonly lambdaFailures: Children<Incrementer>;
  private readonly fetches: Children<Incrementer>;
  private readonly cacheHits: Incrementer;
  private readonly replays: Children<Incrementer>;
  private readonly queryDuration: Children<Observer>;
  private readonly queryErrors: Children<Incrementer>;
  private readonly eventTypes = new BoundedLabel(32);
  private readonly webhookAttempts: Children<Incrementer>;
  private readonly webhookDuration: Children<Observer>;

  constructor(dialect: string) {
    const registers = [this.registry];
    registerDefaultMetrics(this.registry);
    const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) => new BoundHistogram(name, help, labelNames, buckets, this.registry);
    const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers });

    const http = histogram('gatehouse_http_request_duration_seconds', 'HTTP requests by route template, method and status code.', ['route', 'method', 'status_code'], REQUEST_BUCKETS);
    this.http = new Children((route, method, status) => http.series(route, method, status));
    const issued = counter('gatehouse_grants_issued_total', 'Token responses of the token endpoint, by grant type.', ['grant_type']);
    this.issued = new Children((grantType) => issued.labels(grantType));
    const refused = counter('gatehouse_grants_refused_total', 'Refused token requests, by grant type and OAuth error code (RFC 6749 §5.2).', ['grant_type', 'error']);
    this.refused = new Children((grantType, error) => refused.labels(grantType, error));
    const logins = counter('gatehouse_logins_total', 'External-identity logins by authentication type, outcome and code (reconcile error or the lambda\'s reject code).', ['authentication_type', 'outcome', 'code']);
    this.logins = new Children((type, outcome, code) => logins.labels(type, outcome, code));
    const lambdaDuration = histogram('gatehouse_lambda_duration_seconds', 'Reconcile-lambda run time in the sandbox, by status.', ['status'], REQUEST_BUCKETS);
    this.lambdaDuration = new Children((status) => lambdaDuration.series(status));
    const lambdaFailures = counter('gatehouse_lambda_failures_total', 'Failed lambda calls by code: LAMBDA_TIMEOUT, LAMBDA_OUT_OF_MEMORY, LAMBDA_CRASHED (worker killed), ...', ['code']);
    this.lambdaFailures = new Children((code) => lambdaFailures.labels(code));
    const fetches = counter('gatehouse_remote_fetches_total', 'Outbound JWKS and discovery fetches, by result (ok or the fetch error code).', ['purpose', 'result']);
    this.fetches = new Children((purpose, result) => fetches.labels(purpose, result));
    this.cacheHits = counter('gatehouse_jwks_cache_hits_total', 'Remote JWKS lookups answered from the cache.', []);
    const replays = counter('gatehouse_jti_replays_total', 'Assertions refused because their jti was used before.', ['assertion']);
    this.replays = new Children((assertion) => replays.labels(assertion));
    const queryDuration = histogram('gatehouse_db_query_duration_seconds', 'Database queries by dialect and statement kind.', ['dialect', 'statement'], QUERY_BUCKETS);
    this.queryDuration = new Children((statement) => queryDuration.series(dialect, statement));
    const queryErrors = counter('gatehouse_db_query_errors_total', 'Database queries that failed (unique violations included), by dialect and statement kind.', ['dialect', 'statement']);
    this.queryErrors = new Children((statement) => queryErrors.labels(dialect, statement));
    const webhookAttempts = counter('gatehouse_webhook_attempts_total', 'Webhook delivery attempts by event type and outcome: delivered, retry (failed, tried again later), failed (the last attempt failed).', ['event_type', 'outcome']);
    this.webhookAttempts = new Children((eventType, outcome) => webhookAttempts.labels(eventType, outcome));
    const webhookDuration = histogram('gatehouse_webhook_attempt_duration_seconds', 'Webhook delivery attempt time, from the POST to the answer (or the failure), by outcome.', ['outcome'], REQUEST_BUCKETS);
    this.webhookDuration = new Children((outcome) => webhookDuration.series(outcome));
  }

  /** The scrape answer. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  httpRequest(route: string | undefined, method: string, statusCode: number, seconds: number): void {
    const template = route === undefined ? UNMATCHED_ROUTE : this.routes.value(route);
    this.http.get(template, METHODS.has(method) ? method : OTHER, String(statusCode)).observe(seconds);
  }

  grantIssued(grantType: string): void {
    this.issued.get(this.grantTypes.value(grantType)).inc();
  }

  grantRefused(grantType: string, error: string): void {
    this.refused.get(this.grantTypes.value(grantType), this.errors.value(error)).inc();
  }

  login(authenticationType: string, outcome: LoginOutcome, code: string): void {
    this.logins.get(this.authenticationTypes.value(authenticationType), outcome, this.loginCodes.value(code)).inc();
  }

  lambdaCall(status: LambdaStatus, failure: string, seconds: number): void {
    this.lambdaDuration.get(status).observe(seconds);
    if (status === 'failed') this.lambdaFailures.get(this.lambdaFailureCodes.value(failure)).inc();
  }

  remoteFetch(purpose: FetchPurpose, result: string): void {
    this.fetches.get(purpose, this.fetchResults.value(result)).inc();
  }

  jwksCacheHit(): void {
    this.cacheHits.inc();
  }

  jtiReplayed(assertion: ReplayedAssertion): void {
    this.replays.get(assertion).inc();
  }

  dbQuery(statement: StatementKind, seconds: number, failed: boolean): void {
    this.queryDuration.get(statement).observe(seconds);
    if (failed) this.queryErrors.get(statement).inc();
  }

  webhookAttempt(eventType: string, outcome: WebhookAttemptOutcome, seconds: number): void {
    this.webhookAttempts.get(this.eventTypes.value(eventType), outcome).inc();
    this.webhookDuration.get(outcome).observe(seconds);
  }
}
