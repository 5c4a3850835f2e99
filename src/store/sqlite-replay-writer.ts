import { Worker } from 'node:worker_threads';
import type { ReplayBatch, ReplayBatchResult } from './sqlite-replay-worker.js';

/**
 * The event-loop side of the replay writer: consumes of one event-loop turn are batched and
 * sent to the worker; each promise settles when its row is committed.
 */
export class SqliteReplayWriter {
  private workerThread: Worker | undefined;
  private pending: { row: string; resolve(fresh: boolean): void; reject(error: unknown): void }[] = [];
  private readonly inflight = new Map<number, typeof this.pending>();
  private nextId = 0;
  private closed = false;

  constructor(private readonly file: string) {}

  /** Started on first use: a Gatehouse that never sees a client assertion never pays for it. */
  private get worker(): Worker {
    if (!this.workerThread) {
      const worker = new Worker(new URL('./sqlite-replay-worker.js', import.meta.url), { workerData: { file: this.file }, execArgv: [] });
      worker.unref();
      worker.on('message', (result: ReplayBatchResult) => this.settle(result));
      worker.on('error', (error) => this.failAll(error));
      worker.on('exit', () => {
        this.workerThread = undefined;
        this.failAll(new Error('replay writer stopped'));
      });
      this.workerThread = worker;
    }
    return this.workerThread;
  }

  /** Starts the worker, whose connection checkpoints the WAL, once this node writes at volume. */
  startBackgroundCheckpoints(): void {
    if (!this.closed && !this.workerThread) this.worker.postMessage('start');
  }

  /** Whether the worker (and with it the background checkpointing) is running. */
  get checkpointing(): boolean {
    return this.workerThread !== undefined;
  }

  /** `key` is base64url (no spaces or newlines); instants are epoch milliseconds. */
  consume(key: string, expiresAt: number, now: number): Promise<boolean> {
    const row = `${key} ${expiresAt} ${now}`;
    if (this.closed) return Promise.reject(new Error('replay writer closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.workerThread;
    if (!worker) return;
    worker.ref();
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('close');
    await exited;
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const id = this.nextId++;
    this.inflight.set(id, batch);
    this.worker.ref();
    this.worker.postMessage({ id, rows: batch.map((entry) => entry.row).join('\n') } satisfies ReplayBatch);
  }

  private settle(result: ReplayBatchResult): void {
    const batch = this.inflight.get(result.id);
    this.inflight.delete(result.id);
    if (this.inflight.size === 0) this.workerThread?.unref();
    if (!batch) return;
    if ('error' in result) for (const entry of batch) entry.reject(new Error(`replay store write failed: ${result.error}`));
    else batch.forEach((entry, i) => entry.resolve(result.fresh[i] === '1'));
  }

  private failAll(error: unknown): void {
    for (const batch of this.inflight.values()) for (const entry of batch) entry.reject(error);
    this.inflight.clear();
    for (const entry of this.pending.splice(0)) entry.reject(error);
  }
}
