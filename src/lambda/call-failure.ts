/** How a lambda call that did not finish is described to the host: one WorkerResult failure. */
import type { LambdaLimits, LambdaLog, WorkerResult } from './lambda-types.js';

export type Failure = Extract<WorkerResult, { status: 'failed' }>;

/** The failure for a value the lambda threw (or QuickJS raised: out of memory, interrupted). */
export function failureOf(error: unknown, logs: LambdaLog[], limits: LambdaLimits): Failure {
  const e = (error ?? {}) as { name?: string; message?: string };
  if (error === null || error === undefined || e.message === 'out of memory') return { status: 'failed', code: 'LAMBDA_OUT_OF_MEMORY', message: 'The lambda ran out of memory.', logs };
  if (e.message === 'interrupted') return { status: 'failed', code: 'LAMBDA_TIMEOUT', message: `The lambda did not finish within ${limits.timeoutMs} ms.`, logs };
  const message = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`.slice(0, limits.maxLogLength);
  return { status: 'failed', code: e.name === 'SyntaxError' ? 'LAMBDA_SYNTAX_ERROR' : 'LAMBDA_THREW', message, logs };
}

/** The call cannot go on in its context: out of memory or out of time. */
export const exhausted = (failure: Failure): boolean => failure.code === 'LAMBDA_OUT_OF_MEMORY' || failure.code === 'LAMBDA_TIMEOUT';

/** The module aborted (emscripten `Aborted(...)`): nothing in it can be trusted any more. */
export const isAbort = (error: unknown): boolean => error instanceof Error && (error.message.startsWith('Aborted(') || error.name === 'RuntimeError');

/** Thrown inside the call to leave it with a failure already described. */
export class CallFailed extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/** Disposes what is alive, each on its own, so one failure leaves nothing else alive. */
export function disposeAll(handles: { alive: boolean; dispose(): void }[]): boolean {
  let clean = true;
  for (const handle of handles) {
    try {
      if (handle.alive) handle.dispose();
    } catch {
      clean = false;
    }
  }
  return clean;
}

/** How a call ended for the worker: its result, whether its runtime may serve more calls, whether the worker must go. */
export interface CallRun {
  result: WorkerResult;
  /** False after out of time or memory, or an unexpected error: the runtime is replaced. */
  healthy: boolean;
  /** The module or the runtime is suspect: the worker answers and exits. */
  retire: boolean;
}

/** A call left by an exception of the host's own code (a described failure, an abort, anything else). */
export function caughtRun(error: unknown, logs: LambdaLog[], limits: LambdaLimits): CallRun {
  if (error instanceof CallFailed) return { result: error.failure, healthy: !exhausted(error.failure), retire: error.failure.code === 'LAMBDA_OUT_OF_MEMORY' };
  if (isAbort(error)) return { result: { status: 'failed', code: 'LAMBDA_CRASHED', message: 'The lambda sandbox failed.', logs }, healthy: false, retire: true };
  const failure = failureOf(error, logs, limits);
  return { result: failure, healthy: false, retire: failure.code === 'LAMBDA_OUT_OF_MEMORY' };
}

/** A call whose lambda threw: out of memory retires the worker, out of time replaces the runtime. */
export const thrownRun = (failure: Failure): CallRun => ({ result: failure, healthy: !exhausted(failure), retire: failure.code === 'LAMBDA_OUT_OF_MEMORY' });
