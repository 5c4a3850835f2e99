import { Worker } from 'node:worker_threads';

/**
 * The event-loop side of the WAL checkpointer: started once this node writes at volume (the
 * first grouped write or replay-store batch), so an idle Gatehouse does not pay for the thread.
 */
export class SqliteCheckpointer {
  private worker: Worker | undefined;
  private closed = false;

  constructor(private readonly file: string) {}

  get running(): boolean {
    return this.worker !== undefined;
  }

  start(): void {
    if (this.closed || this.worker) return;
    const worker = new Worker(new URL('./sqlite-checkpoint-worker.js', import.meta.url), { workerData: { file: this.file }, execArgv: [] });
    worker.unref();
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
    });
    this.worker = worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    worker.ref();
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('close');
    await exited;
  }
}
