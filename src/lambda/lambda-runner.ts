import { availableParallelism } from 'node:os';
import { NO_METRICS } from '../metrics/metrics.js';
import type { Metrics } from '../metrics/metrics.js';
import { toWorkerRequest } from './lambda-request.js';
import { DEFAULT_LAMBDA_LIMITS } from './lambda-types.js';
import type { CallContext, LambdaLimits, ReconcileRequest, ReconcileResult } from './lambda-types.js';
import { SandboxWorker } from './sandbox-worker.js';
import type { Call, WorkerEvents } from './sandbox-worker.js';

/**
 * Calls a quick worker holds at once: the running one and the next, so it never sleeps between
 * calls (measured: 1.44 → 1.00 ms of CPU per login under load, against one round trip at a time),
 * and few wait behind a lambda that turns out to loop.
 */
const PIPELINE_DEPTH = 2;
/** A lambda whose last call ran this share of the budget (or timed out) counts as slow. */
const SLOW_SHARE = 0.2;
/** How many slow lambdas are remembered (by body); the oldest is forgotten first. */
const SLOW_BODIES = 100;

/** The default pool size: one worker per core, at least two. */
export function defaultWorkerCount(): number {
  return Math.max(2, availableParallelism());
}

export interface PoolStats {
  size: number;
  /** Workers running now. */
  live: number;
  /** Workers started so far, replacements included. */
  started: number;
  /** Calls answered so far by the kind of context they ran in (see hardened-realm.ts). */
  contexts: Record<CallContext, number>;
}

/**
 * Runs reconcile lambdas on a pool of sandbox workers (started on demand, up to `size`), so that
 * one lambda that loops or exhausts its memory delays no other.
 *
 * Dispatch: a call goes to an idle worker, else a new one, else behind one quick call on the
 * least loaded worker. A lambda that ran long last time is slow: its calls run alone, on at most
 * half the pool, so quick lambdas always keep the other half. When a worker is killed (watchdog)
 * or dies, only its running call fails; the calls queued on it had not started and are
 * dispatched again, first in line.
 *
 * Never throws into the caller: every outcome, a killed worker included, is a ReconcileResult.
 */
export class LambdaRunner {
  readonly size: number;
  private readonly workers: SandboxWorker[] = [];
  private readonly waiting: Call[] = [];
  private readonly waitingSlow: Call[] = [];
  private readonly slowBodies = new Set<string>();
  private readonly slowSlots: number;
  private readonly slowMs: number;
  private readonly events: WorkerEvents;
  private nextId = 0;
  private started = 0;
  private readonly contexts: Record<CallContext, number> = { fresh: 0, 'new-realm': 0, 'reused-realm': 0 };

  constructor(
    private readonly limits: LambdaLimits = DEFAULT_LAMBDA_LIMITS,
    size: number = defaultWorkerCount(),
    /** Run time by status; timeouts, memory exhaustion and killed workers by failure code. */
    private readonly metrics: Metrics = NO_METRICS,
  ) {
    this.size = Math.max(1, Math.floor(size));
    this.slowSlots = Math.max(1, Math.floor(this.size / 2));
    this.slowMs = limits.timeoutMs * SLOW_SHARE;
    this.events = {
      finished: (call, result, runMs, context) => {
        if (context) this.contexts[context] += 1;
        this.finished(call, result, runMs);
      },
      gone: (worker, unstarted) => this.gone(worker, unstarted),
      free: () => this.pump(),
    };
  }

  reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
    return new Promise<ReconcileResult>((resolve) => {
      const slow = this.slowBodies.has(request.body);
      const call: Call = { id: this.nextId++, request: toWorkerRequest(request), slow, resolve };
      (slow ? this.waitingSlow : this.waiting).push(call);
      this.pump();
    });
  }

  stats(): PoolStats {
    return { size: this.size, live: this.workers.length, started: this.started, contexts: { ...this.contexts } };
  }

  /** Stops every worker; calls not answered yet fail. The runner starts new workers if used again. */
  async close(): Promise<void> {
    const shutDown: ReconcileResult = { status: 'failed', code: 'LAMBDA_CRASHED', message: 'The lambda sandbox was shut down.', logs: [] };
    const workers = this.workers.splice(0);
    const calls = [...this.waiting.splice(0), ...this.waitingSlow.splice(0)];
    for (const held of await Promise.all(workers.map((worker) => worker.terminate()))) calls.push(...held);
    for (const call of calls) call.resolve(shutDown);
  }

  private finished(call: Call, result: ReconcileResult, runMs: number): void {
    const slow = (result.status === 'failed' && result.code === 'LAMBDA_TIMEOUT') || runMs >= this.slowMs;
    const body = call.request.body;
    if (!call.request.checkOnly) this.metrics.lambdaCall(result.status, result.status === 'failed' ? result.code : 'none', runMs / 1000);
    if (slow && !this.slowBodies.has(body)) {
      this.slowBodies.add(body);
      if (this.slowBodies.size > SLOW_BODIES) this.slowBodies.delete(this.slowBodies.values().next().value as string);
    } else if (!slow) {
      this.slowBodies.delete(body);
    }
    call.resolve(result);
  }

  /** A dead worker leaves the pool; the calls it had not started go first in line again. */
  private gone(worker: SandboxWorker, unstarted: Call[]): void {
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    this.waiting.unshift(...unstarted.filter((call) => !call.slow));
    this.waitingSlow.unshift(...unstarted.filter((call) => call.slow));
  }

  /** Hands waiting calls to workers until no worker or no call is left. */
  private pump(): void {
    for (;;) {
      const running = this.workers.filter((worker) => worker.slow).length;
      if (this.waitingSlow.length > 0 && running < this.slowSlots) {
        const worker = this.idleWorker(true);
        if (worker) {
          worker.draining = false;
          worker.post(this.waitingSlow.shift()!);
          continue;
        }
        this.drainOne(running);
      } else if (this.waitingSlow.length === 0) {
        for (const worker of this.workers) worker.draining = false;
      }
      if (this.waiting.length === 0) return;
      const worker = this.idleWorker(false) ?? this.leastLoadedQuickWorker();
      if (!worker) return;
      worker.post(this.waiting.shift()!);
    }
  }

  /** An idle worker (for a slow call, one being emptied for it first), else a new one if the pool has room. */
  private idleWorker(forSlow: boolean): SandboxWorker | undefined {
    const idle = this.workers.filter((worker) => worker.queue.length === 0 && (forSlow || !worker.draining));
    const found = (forSlow ? idle.find((worker) => worker.draining) : undefined) ?? idle[0];
    if (found || this.workers.length >= this.size) return found;
    const worker = new SandboxWorker(this.limits, this.events);
    this.workers.push(worker);
    this.started += 1;
    return worker;
  }

  private leastLoadedQuickWorker(): SandboxWorker | undefined {
    let best: SandboxWorker | undefined;
    for (const worker of this.workers) {
      if (worker.slow || worker.draining || worker.queue.length >= PIPELINE_DEPTH) continue;
      if (!best || worker.queue.length < best.queue.length) best = worker;
    }
    return best;
  }

  /**
   * A slow call waits and no worker is idle: the least loaded quick worker takes no more quick
   * calls until it is empty (else a steady stream of quick calls would keep slow ones out).
   */
  private drainOne(runningSlow: number): void {
    const draining = this.workers.filter((worker) => worker.draining).length;
    if (runningSlow + draining >= Math.min(this.slowSlots, this.waitingSlow.length + runningSlow)) return;
    const candidates = this.workers.filter((worker) => !worker.slow && !worker.draining);
    if (candidates.length > 0) candidates.sort((a, b) => a.queue.length - b.queue.length)[0].draining = true;
  }
}
