import { setTimeout as sleep } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, SqliteDriver } from 'kysely';
import type { Driver, SqliteDialectConfig } from 'kysely';
import { BUSY_TIMEOUT_MS } from './sqlite-wal-policy.js';

/** How long a busy BEGIN waits before it tries again (a timer: the event loop runs meanwhile). */
const BEGIN_RETRY_MS = 1;

const isBusy = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';

/**
 * Kysely's SQLite dialect with transactions that take the write lock without blocking the event
 * loop. SQLite's busy handler sleeps on the calling thread — for the main connection, the event
 * loop — while another connection (the replay worker's jti inserts and RESTART checkpoints) holds
 * the write lock, so every request of the process waited for it. Here a transaction starts with
 * `BEGIN IMMEDIATE` (https://www.sqlite.org/lang_transaction.html: the write lock at once, so no
 * statement of it can meet SQLITE_BUSY later, and a transaction that read first never fails to
 * upgrade after another connection's commit) with the busy handler off; a busy BEGIN is tried
 * again after a timer, for at most the connection's ordinary busy timeout, then fails as a busy
 * statement does. Statements outside transactions keep the busy handler.
 */
export class SqliteImmediateDialect extends SqliteDialect {
  constructor(
    private readonly config: SqliteDialectConfig,
    private readonly sqlite: BetterSqlite3.Database,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new SqliteImmediateDriver(this.config, this.sqlite);
  }
}

class SqliteImmediateDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly sqlite: BetterSqlite3.Database,
  ) {
    super(config);
  }

  /**
   * Kysely holds the one connection from here to COMMIT or ROLLBACK, so the pragma cannot leak into
   * another statement. The pragmas are compiled each time: SQLite sets the busy timeout when
   * `PRAGMA busy_timeout = n` is prepared, not when it runs, so a statement prepared once would not.
   * `exec` compiles and runs it without a statement object or result rows (1.4 µs a pair against
   * 5.6 µs through `pragma()`, measured).
   */
  override async beginTransaction(): Promise<void> {
    const deadline = performance.now() + BUSY_TIMEOUT_MS;
    for (;;) {
      this.sqlite.exec('PRAGMA busy_timeout = 0');
      try {
        this.sqlite.exec('BEGIN IMMEDIATE');
        return;
      } catch (error) {
        if (!isBusy(error) || performance.now() >= deadline) throw error;
      } finally {
        this.sqlite.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      }
      await sleep(BEGIN_RETRY_MS);
    }
  }
}
