import { sql } from 'kysely';
import type { Store } from './store.js';

interface Pending {
  work: (tx: Store) => Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for SQLite: the write sets handed in during one event-loop turn run in one
 * transaction, each inside its own savepoint, so one COMMIT (one WAL append) serves them all.
 * A write set that fails is rolled back to its savepoint alone and its caller gets the error;
 * the others commit. Every caller still waits for the COMMIT before it answers, so durability
 * is that of a transaction of its own. (SQLite has one writer anyway; PostgreSQL does not use this.)
 */
export class WriteBatcher {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(private readonly root: Store) {}

  run(work: (tx: Store) => Promise<void>): Promise<void> {
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
    const failures = new Map<number, unknown>();
    try {
      await this.root.transaction(async (tx) => {
        // One name for every savepoint (each is released before the next): the statements stay
        // three cached ones however large the batch.
        for (const [index, item] of batch.entries()) {
          const name = 'gatehouse_write';
          await sql.raw(`savepoint ${name}`).execute(tx.db);
          try {
            await item.work(tx);
          } catch (error) {
            failures.set(index, error);
            await sql.raw(`rollback to ${name}`).execute(tx.db);
          }
          await sql.raw(`release ${name}`).execute(tx.db);
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, index) => (failures.has(index) ? item.reject(failures.get(index)) : item.resolve()));
  }
}
