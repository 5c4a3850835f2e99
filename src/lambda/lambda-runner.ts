import { Worker } from 'node:worker_threads';
import { DEFAULT_LAMBDA_LIMITS } from './lambda-types.js';
import type { LambdaLimits, ReconcileRequest, ReconcileResult } from './lambda-types.js';

/** Time a worker gets beyond the lambda's own deadline before it is terminated. */
const WATCHDOG_GRACE_MS = 250;

/**
 * Runs reconcile lambdas in a sandbox worker, one call at a time. Never throws into the caller:
 * every outcome, including a worker that had to be killed, is a ReconcileResult. A call that
 * outlives its deadline inside a native builtin (where QuickJS cannot interrupt) is stopped by
 * terminating the worker, which the next call replaces.
 */
export class LambdaRunner {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;

  constructor(private readonly limits: LambdaLimits = DEFAULT_LAMBDA_LIMITS) {}

  reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
    const run = this.queue.then(() => this.call(request));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (!this.worker) {
      this.worker = new Worker(new URL('./lambda-worker.js', import.meta.url), { workerData: { limits: this.limits }, execArgv: [] });
      this.worker.unref();
    }
    return this.worker;
  }

  private call(request: ReconcileRequest): Promise<ReconcileResult> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<ReconcileResult>((resolve) => {
      const finish = (result: ReconcileResult) => {
        clearTimeout(watchdog);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(result);
      };
      const onMessage = (message: { id: number; result: ReconcileResult }) => {
        if (message.id === id) finish(message.result);
      };
      const onError = (error: Error) => {
        this.worker = undefined;
        finish({ status: 'failed', code: 'LAMBDA_CRASHED', message: `The lambda sandbox failed: ${error.message}`, logs: [] });
      };
      const onExit = () => {
        this.worker = undefined;
        finish({ status: 'failed', code: 'LAMBDA_CRASHED', message: 'The lambda sandbox stopped.', logs: [] });
      };
      const watchdog = setTimeout(() => {
        this.worker = undefined;
        worker.off('exit', onExit);
        void worker.terminate();
        finish({ status: 'failed', code: 'LAMBDA_TIMEOUT', message: `The lambda did not finish within ${this.limits.timeoutMs} ms.`, logs: [] });
      }, this.limits.timeoutMs + WATCHDOG_GRACE_MS);
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.ref();
      worker.postMessage({ id, request });
    }).finally(() => this.worker?.unref());
  }
}
