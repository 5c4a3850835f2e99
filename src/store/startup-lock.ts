import { sql } from 'kysely';
import type { ControlledTransaction } from 'kysely';
import type { Database } from './schema.js';
import type { Store } from './store.js';

/** How long a starting node waits for another node's start-up before it gives up. */
const STARTUP_LOCK_TIMEOUT = '10min';

/**
 * Serializes start-up across the nodes that share one PostgreSQL schema: migrations, the
 * master-key check, the default tenant with its signing key, kickstart and the bootstrap API key
 * run on one node at a time, so a node that starts second finds the rows the first one wrote.
 *
 * The lock is PostgreSQL's transaction-level advisory lock (`pg_advisory_xact_lock`, PostgreSQL
 * manual §13.3.5), held by a transaction of its own that only holds the lock; the start-up work
 * runs on the pool's other connections. It ends at `release()`, at the end of that transaction;
 * when a node dies while holding it, its connection closes and PostgreSQL ends the transaction, so
 * no crashed node keeps it (TCP keepalives on that connection notice a host that vanished). The key
 * is per schema, so Gatehouses in other schemas of the same database do not wait for each other.
 * Nothing in start-up may wait for every open transaction (e.g. `CREATE INDEX CONCURRENTLY`).
 *
 * On SQLite it is a no-op: one node owns the file and its single connection runs start-up in
 * order; the start-up writes are idempotent all the same.
 */
export class StartupLock {
  private released = false;

  private constructor(private readonly transaction: ControlledTransaction<Database> | undefined) {}

  static async acquire(store: Store): Promise<StartupLock> {
    if (store.dialect !== 'postgres') return new StartupLock(undefined);
    const transaction = await store.db.startTransaction().execute();
    try {
      // set_config(…, true) is SET LOCAL: it ends with this transaction.
      await sql`select set_config('lock_timeout', ${STARTUP_LOCK_TIMEOUT}, true),
        set_config('idle_in_transaction_session_timeout', '0', true),
        set_config('tcp_keepalives_idle', '30', true),
        set_config('tcp_keepalives_interval', '10', true),
        set_config('tcp_keepalives_count', '3', true)`.execute(transaction);
      await sql`select pg_advisory_xact_lock(hashtext('gatehouse start-up'), hashtext(current_schema()))`.execute(transaction);
    } catch (error) {
      await transaction.rollback().execute().catch(() => undefined);
      if ((error as { code?: unknown }).code === '55P03') {
        throw new Error(`another node has held the start-up lock for more than ${STARTUP_LOCK_TIMEOUT}; is one stuck starting?`, { cause: error });
      }
      throw error;
    }
    return new StartupLock(transaction);
  }

  /**
   * Ends the lock's transaction; safe to call more than once. A rollback that fails means its
   * connection is gone, and the lock went with it: nothing is left to release.
   */
  async release(): Promise<void> {
    if (this.released || !this.transaction) return;
    this.released = true;
    await this.transaction.rollback().execute().catch(() => undefined);
  }
}
