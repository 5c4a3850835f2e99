import { Worker } from 'node:worker_threads';
import { decode } from './lambda-request.js';
import { threadCpuClock } from './thread-cpu.js';
import type { CpuClock } from './thread-cpu.js';
import type { CallContext, LambdaErrorCode, LambdaLimits, ReconcileResult, WorkerCall, WorkerMessage, WorkerRequest } from './lambda-types.js';

export interface Call {
  id: number;
  request: WorkerRequest;
  /** Its lambda ran long last time: it runs alone on a worker, never with calls queued behind it. */
  slow: boolean;
  resolve(result: ReconcileResult): void;
}

export interface WorkerEvents {
  /** A call ended: its result, how long it ran (host wall time from its start on the worker), and where (unless it was killed). */
  finished(call: Call, result: ReconcileResult, runMs: number, context?: CallContext): void;
  /** The worker is gone; `unstarted` were posted to it but never began, and go elsewhere. */
  gone(worker: SandboxWorker, unstarted: Call[]): void;
  /** The worker can take more calls. */
  free(): void;
}

/** Whatever the CPU clock says, a call is killed after this many times its allowance in wall time. */
const WALL_FACTOR = 10;

/**
 * One sandbox worker thread and the calls posted to it, which it runs in order. The first runs
 * once the worker is ready, each next one when the previous answer arrives; a watchdog gives the
 * running call its budget plus a grace period of the thread's CPU time, then terminates it.
 */
export class SandboxWorker {
  readonly queue: Call[] = [];
  /** Takes no more quick calls: it is being emptied for a slow one. */
  draining = false;
  private readonly worker: Worker;
  private ready = false;
  private dead = false;
  private watchdog: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private cpu: CpuClock | undefined;
  /**
   * The worker's CPU time as of its last message. Only the head's answer (and `ready`) moves it,
   * and the call after it starts from there: the running call's CPU is counted from this mark.
   */
  private cpuMark = 0;

  constructor(
    private readonly limits: LambdaLimits,
    private readonly events: WorkerEvents,
  ) {
    this.worker = new Worker(new URL('./lambda-worker.js', import.meta.url), { workerData: { limits }, execArgv: [] });
    this.worker.unref();
    this.worker.on('message', (message: WorkerMessage) => this.receive(message));
    this.worker.on('error', (error: Error) => this.die('LAMBDA_CRASHED', `The lambda sandbox failed: ${error.message}`));
    this.worker.on('exit', () => this.die('LAMBDA_CRASHED', 'The lambda sandbox stopped.'));
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Runs (or will run) a slow call. */
  get slow(): boolean {
    return this.queue.length > 0 && this.queue[0].slow;
  }

  post(call: Call): void {
    this.queue.push(call);
    this.worker.ref();
    this.worker.postMessage({ id: call.id, request: call.request } satisfies WorkerCall);
    if (this.ready && this.queue.length === 1) this.arm();
  }

  /** Stops the thread; the calls it held are returned, unresolved. */
  async terminate(): Promise<Call[]> {
    this.dead = true;
    clearTimeout(this.watchdog);
    this.cpu?.close();
    const calls = this.queue.splice(0);
    await this.worker.terminate();
    return calls;
  }

  private receive(message: WorkerMessage): void {
    if (this.dead) return;
    if (message.type === 'ready') {
      this.ready = true;
      this.cpu = message.tid === undefined ? undefined : threadCpuClock(message.tid);
      this.mark(message.cpuMs);
      if (this.queue.length > 0) this.arm();
      return;
    }
    const head = this.queue[0];
    if (!head || head.id !== message.id) return;
    this.queue.shift();
    clearTimeout(this.watchdog);
    const runMs = performance.now() - this.startedAt;
    this.mark(message.cpuMs);
    if (message.retire) {
      this.dead = true;
      this.cpu?.close();
      void this.worker.terminate();
    } else if (this.queue.length > 0) {
      this.arm();
    } else {
      this.worker.unref();
    }
    this.events.finished(head, decode(message.result), runMs, message.context);
    if (message.retire) this.events.gone(this, this.queue.splice(0));
    this.events.free();
  }

  /**
   * The worker's own reading, sent with its message; read here only if it sent none. The worker
   * spends next to no CPU between its message and the next call's start, so counting from the
   * mark can only count a call's CPU high (by microseconds), never low.
   */
  private mark(cpuMs: number | undefined): void {
    if (this.cpu) this.cpuMark = cpuMs ?? this.cpu.read();
  }

  /** The call at the head has started: it may run for its budget plus grace. */
  private arm(): void {
    this.startedAt = performance.now();
    this.schedule(this.limits.timeoutMs + this.limits.watchdogGraceMs);
  }

  private schedule(ms: number): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.check(), ms);
  }

  /**
   * The allowance has passed in wall time. With a CPU clock, the thread may just have waited for
   * a core: check again when it could have used the rest (CPU time never runs ahead of wall time).
   */
  private check(): void {
    const allowed = this.limits.timeoutMs + this.limits.watchdogGraceMs;
    if (this.cpu && performance.now() - this.startedAt < allowed * WALL_FACTOR) {
      const used = this.cpu.read() - this.cpuMark;
      if (used < allowed) return this.schedule(Math.max(1, allowed - used));
    }
    this.die('LAMBDA_TIMEOUT', `The lambda did not finish within ${this.limits.timeoutMs} ms.`);
  }

  /**
   * The running call fails with `code`; the calls behind it have not started and go elsewhere. A
   * worker that dies before it was ready fails its first call too, so a sandbox that cannot start
   * at all answers every call instead of being restarted forever.
   */
  private die(code: LambdaErrorCode, message: string): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.watchdog);
    this.cpu?.close();
    void this.worker.terminate();
    const [head, ...unstarted] = this.queue.splice(0);
    if (head) this.events.finished(head, { status: 'failed', code, message, logs: [] }, performance.now() - this.startedAt);
    this.events.gone(this, unstarted);
    this.events.free();
  }
}
