/** Runs `work` in one transaction of its own (the store's `transaction`). */
export type RunInTransaction<Tx> = (work: (tx: Tx) => Promise<void>) => Promise<void>;

interface Pending<Tx> {
  work: (tx: Tx) => Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for SQLite: the write sets handed in during one event-loop turn run in one
 * transaction, so one COMMIT (one WAL append) serves them all. Every caller still waits for the
 * COMMIT before it answers, so durability is that of a transaction of its own.
 *
 * Optimistic: the batch runs without savepoints (two statements per write set saved, measured on
 * the login path). If any write set fails, the whole batch is rolled back and each write set is
 * run again in a transaction of its own, so a failing one fails alone and leaves nothing behind
 * while the others commit. Write sets must therefore touch nothing but `tx` (they may run twice).
 * (SQLite has one writer anyway; PostgreSQL does not use this.)
 */
export class WriteBatcher<Tx> {
  private pending: Pending<Tx>[] = [];
  private scheduled = false;

  constructor(private readonly transaction: RunInTransaction<Tx>) {}

  run(work: (tx: Tx) => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ work, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
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
