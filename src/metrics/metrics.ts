/**
 * What Gatehouse measures, as one recorder interface injected into every stage that observes
 * something (the HTTP edge, the token endpoint, the login facade, the lambda pool, the remote
 * JWKS cache, the database). Every label is a small enum or a value bounded by the recorder:
 * route templates, never URLs; no tenant, client, user or token ever becomes a label.
 * `NO_METRICS` records nothing, so a stage costs nothing when metrics are off.
 */
export type LoginOutcome = 'completed' | 'onboarding' | 'pending_link' | 'rejected' | 'failed';
export type LambdaStatus = 'completed' | 'rejected' | 'onboarding' | 'failed';
/** Which outbound document was fetched (bounded-fetch serves every one of them). */
export type FetchPurpose = 'jwks' | 'discovery';
/** Where a jti is single-use: client assertions (SMART, RFC 7523 §3) and the JWT bearer grant. */
export type ReplayedAssertion = 'client_assertion' | 'jwt_bearer';
export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'other';
/** One webhook delivery attempt: `delivered` (2xx), `retry` (failed, another attempt is due), `failed` (the last attempt failed). */
export type WebhookAttemptOutcome = 'delivered' | 'retry' | 'failed';

export interface Metrics {
  /** False for `NO_METRICS`: callers may skip work that only feeds the recorder. */
  readonly enabled: boolean;
  /** One answered request; `route` is the matched route template, undefined when none matched. */
  httpRequest(route: string | undefined, method: string, statusCode: number, seconds: number): void;
  /** A token response; `grantType` is a registered grant type. */
  grantIssued(grantType: string): void;
  /** A refused token request: the grant type (`unsupported` for an unknown one, `none` when absent) and the OAuth error code. */
  grantRefused(grantType: string, error: string): void;
  /** A login's outcome; `code` is the reconcile error (failed), the lambda's code (rejected) or `none`. */
  login(authenticationType: string, outcome: LoginOutcome, code: string): void;
  /** One lambda call: its status, its failure code (`none` unless failed) and its run time. */
  lambdaCall(status: LambdaStatus, failure: string, seconds: number): void;
  /** One outbound fetch: `ok` or the fetch error code. */
  remoteFetch(purpose: FetchPurpose, result: string): void;
  /** A remote JWKS answered from the cache. */
  jwksCacheHit(): void;
  /** A jti seen before, refused. */
  jtiReplayed(assertion: ReplayedAssertion): void;
  /** One database query (the SQL text never leaves the store). */
  dbQuery(statement: StatementKind, seconds: number, failed: boolean): void;
  /** One webhook delivery attempt: the event type (a FusionAuth event type), what it came to, and how long it took. */
  webhookAttempt(eventType: string, outcome: WebhookAttemptOutcome, seconds: number): void;
}

const ignore = (): void => undefined;

export const NO_METRICS: Metrics = Object.freeze({
  enabled: false,
  httpRequest: ignore,
  grantIssued: ignore,
  grantRefused: ignore,
  login: ignore,
  lambdaCall: ignore,
  remoteFetch: ignore,
  jwksCacheHit: ignore,
  jtiReplayed: ignore,
  dbQuery: ignore,
  webhookAttempt: ignore,
});
