/** Runs `work` in one transaction of its own (the store's `transaction`). */
export type RunInTransaction<Tx> = (work: (tx: Tx) => Promise<void>) => Promise<void>;

interface Pending<Tx> {
  work: (tx: Tx) => Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: the write sets handed in during one event-loop turn run in one transaction, so
 * one COMMIT (one WAL append) serves them all. Every caller still waits for the
 * COMMIT before it answers, so durability is that of a transaction of its own.
 *
 * Optimistic: the batch runs without savepoints (two statements per write set saved, measured on
 * the login path). If any write set fails, the whole batch is rolled back and each write set is
 * run again in a transaction of its own, so a failing one fails alone and leaves nothing behind
 * while the others commit. Write sets must therefore touch nothing but `tx` (they may run twice).
 *
 * `serial` (PostgreSQL): one batch in flight at a time; what arrives meanwhile is the next batch,
 * so under load a batch holds every write set of its predecessor's round trip, on one pooled
 * connection. Batches of one node never wait for each other's row locks. (SQLite has one writer
 * anyway: its batches follow each other on the one connection.)
 */
export class WriteBatcher<Tx> {
  private pending: Pending<Tx>[] = [];
  private scheduled = false;
  private flushing = false;

  constructor(
    private readonly transaction: RunInTransaction<Tx>,
    private readonly serial = false,
  ) {}

  run(work: (tx: Tx) => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ work, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || (this.serial && this.flushing)) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    this.flushing = true;
    try {
      await this.commit(batch);
    } finally {
      this.flushing = false;
      if (this.pending.length > 0) this.schedule();
    }
  }

  private async commit(batch: Pending<Tx>[]): Promise<void> {
    try {
      await this.transaction(async (tx) => {
        for (const item of batch) await item.work(tx);
      });
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      // One of them failed (or the COMMIT did): nothing of the batch was kept. Each alone now.
      for (const item of batch) {
        try {
          await this.transaction(item.work);
          item.resolve();
        } catch (itemError) {
          item.reject(itemError);
        }
      }
      return;
    }
    for (const item of batch) item.resolve();
  }
}
