/** The JSON contract between Gatehouse and a reconcile lambda; the lambda sees only JSON. */
export type LambdaErrorCode =
  | 'LAMBDA_SYNTAX_ERROR'
  | 'LAMBDA_FUNCTION_MISSING'
  | 'LAMBDA_THREW'
  | 'LAMBDA_TIMEOUT'
  | 'LAMBDA_OUT_OF_MEMORY'
  | 'LAMBDA_BAD_OUTPUT'
  | 'LAMBDA_CRASHED';

/** A member of a field description as the sandbox hands it over (an object or array becomes null). */
export type MissingMember = string | number | boolean | null;

/**
 * One entry of `context.requireOnboarding(reason, { missing })` as the sandbox hands it over: a
 * field name, or a description's four members as the lambda gave them (strings cut to 200
 * characters), which the login pipeline validates strictly (src/login/onboarding-fields.ts).
 */
export type MissingEntry = string | { name?: MissingMember; label?: MissingMember; type?: MissingMember; required?: MissingMember };

export interface LambdaLog {
  level: 'debug' | 'info' | 'error';
  message: string;
}

export interface ReconcileRequest {
  /** The lambda's source: must define `function reconcile(user, registration, jwt, context)`. */
  body: string;
  user: Record<string, unknown>;
  registration: Record<string, unknown>;
  jwt: Record<string, unknown>;
  /** Data collected during onboarding (`context.input`), if any. */
  input?: Record<string, unknown>;
  /** Keep `console.debug` lines (FusionAuth: only when the lambda's `debug` is on). */
  debug: boolean;
  /** Only evaluate the body and check that it defines `reconcile`; never call it. */
  checkOnly?: boolean;
}

/**
 * What crosses to the worker: the call's data as one JSON text (parsed once, inside QuickJS) and
 * the shape of its nested objects, so the worker can deep-freeze without parsing it again.
 */
export interface WorkerRequest {
  body: string;
  /** `{"user","registration","jwt","input"}` as JSON. */
  data: string;
  /** For `jwt` and `input`: an object per nested object or array, keyed like it. */
  frozen: { jwt: FreezeShape; input: FreezeShape | null };
  debug: boolean;
  checkOnly?: boolean;
}

export interface FreezeShape {
  [key: string]: FreezeShape;
}

/** The worker's answer: a completed call carries user and registration as JSON texts. */
export type WorkerResult =
  | { status: 'completed'; user: string; registration: string; logs: LambdaLog[] }
  | Exclude<ReconcileResult, { status: 'completed' }>;

export type ReconcileResult =
  | { status: 'completed'; user: Record<string, unknown>; registration: Record<string, unknown>; logs: LambdaLog[] }
  | { status: 'rejected'; code: string; message: string; logs: LambdaLog[] }
  | { status: 'onboarding'; reason: string; missing: MissingEntry[]; logs: LambdaLog[] }
  | { status: 'failed'; code: LambdaErrorCode; message: string; logs: LambdaLog[] };

export interface LambdaLimits {
  /**
   * Budget of one call's own execution, from the moment the lambda's code starts inside the
   * worker: the worker thread's CPU time where Linux reports it, else wall time. Time spent queued
   * or while the worker starts does not count.
   */
  timeoutMs: number;
  /**
   * Extra time the host gives a running call beyond `timeoutMs` before it terminates the worker
   * (QuickJS cannot interrupt inside a native builtin). Counted in the worker thread's CPU time
   * where Linux reports it, so a worker waiting for a core is not killed; in wall time elsewhere.
   */
  watchdogGraceMs: number;
  /** Cap on the worker's WebAssembly memory; it never shrinks, so this bounds it for good. */
  memoryCapBytes: number;
  /** QuickJS's own allocation limit (catches large single allocations early). */
  heapLimitBytes: number;
  stackLimitBytes: number;
  maxLogEntries: number;
  maxLogLength: number;
  maxOutputBytes: number;
}

const MB = 1024 * 1024;

export const DEFAULT_LAMBDA_LIMITS: Readonly<LambdaLimits> = Object.freeze({
  timeoutMs: 500,
  watchdogGraceMs: 500,
  memoryCapBytes: 64 * MB,
  heapLimitBytes: 32 * MB,
  stackLimitBytes: 256 * 1024,
  maxLogEntries: 100,
  maxLogLength: 2000,
  maxOutputBytes: 1024 * 1024,
});

/**
 * The limits for a time budget and a QuickJS heap size (MB): the WebAssembly memory is capped at
 * twice the heap, as by default (32 MB heap, 64 MB cap), since QuickJS's own limit misses
 * incremental growth and the module needs room of its own.
 */
export function lambdaLimits(options: { timeoutMs: number; memoryMb: number }): LambdaLimits {
  return { ...DEFAULT_LAMBDA_LIMITS, timeoutMs: options.timeoutMs, heapLimitBytes: options.memoryMb * MB, memoryCapBytes: 2 * options.memoryMb * MB };
}

/** Host → worker: one call. */
export interface WorkerCall {
  id: number;
  request: WorkerRequest;
}

/**
 * Worker → host: `ready` once QuickJS is loaded (calls start from then on; `tid` names the thread
 * for its CPU clock), then one `result` per call in the order posted, with the kind of context it
 * ran in. `cpuMs` is the worker thread's CPU time as it sends the message (its own clock; absent
 * where there is none): the host counts the next call's CPU from there without reading the clock
 * itself. `retire` says the worker exits after this answer (its WebAssembly module can no longer
 * be trusted) and takes no more calls.
 */
export type WorkerMessage = { type: 'ready'; tid?: number; cpuMs?: number } | { type: 'result'; id: number; result: WorkerResult; context: CallContext; cpuMs?: number; retire?: boolean };

/** Where a call ran: a context of its own, a realm made for it, or a realm that served before. */
export type CallContext = 'fresh' | 'new-realm' | 'reused-realm';
