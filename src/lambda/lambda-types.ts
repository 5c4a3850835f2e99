/** The JSON contract between Gatehouse and a reconcile lambda; the lambda sees only JSON. */
export type LambdaErrorCode =
  | 'LAMBDA_SYNTAX_ERROR'
  | 'LAMBDA_FUNCTION_MISSING'
  | 'LAMBDA_THREW'
  | 'LAMBDA_TIMEOUT'
  | 'LAMBDA_OUT_OF_MEMORY'
  | 'LAMBDA_BAD_OUTPUT'
  | 'LAMBDA_CRASHED';

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
  | { status: 'onboarding'; reason: string; missing: string[]; logs: LambdaLog[] }
  | { status: 'failed'; code: LambdaErrorCode; message: string; logs: LambdaLog[] };

export interface LambdaLimits {
  /** Wall-clock budget of one call. */
  timeoutMs: number;
  /** Cap on the worker's WebAssembly memory; it never shrinks, so this bounds it for good. */
  memoryCapBytes: number;
  /** QuickJS's own allocation limit (catches large single allocations early). */
  heapLimitBytes: number;
  stackLimitBytes: number;
  maxLogEntries: number;
  maxLogLength: number;
  maxOutputBytes: number;
}

export const DEFAULT_LAMBDA_LIMITS: Readonly<LambdaLimits> = Object.freeze({
  timeoutMs: 500,
  memoryCapBytes: 64 * 1024 * 1024,
  heapLimitBytes: 32 * 1024 * 1024,
  stackLimitBytes: 256 * 1024,
  maxLogEntries: 100,
  maxLogLength: 2000,
  maxOutputBytes: 1024 * 1024,
});
