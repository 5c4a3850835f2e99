import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import type { Metrics } from '../metrics/metrics.js';
import { postgresPools } from './postgres-pool.js';
import { queryTiming } from './query-timing.js';
import { BUSY_TIMEOUT_MS, JOURNAL_SIZE_LIMIT_BYTES } from './sqlite-wal-policy.js';
import type { Database } from './schema.js';
import { SqliteImmediateDialect } from './sqlite-immediate-dialect.js';
import { cachingSqliteDatabase } from './statement-cache.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The SQLite file, for the replay writer's own connection (absent for `:memory:`). */
  sqliteFile?: string;
  /** Where the data lives, without credentials (for logs). */
  location: string;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  /** SQLite file; `:memory:` for a private in-memory database. */
  sqliteFile?: string;
  dataDir?: string;
  /** Most PostgreSQL connections of this node (default 10). */
  poolSize?: number;
  /** Times every query through Kysely (the SQLite replay writer's own connection is not). */
  metrics?: Metrics;
}

export function openDatabase(options: OpenDatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) {
    const { kyselyPool } = postgresPools(options.databaseUrl, options.poolSize ?? 10);
    const url = new URL(options.databaseUrl);
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: kyselyPool }), log: queryTiming(options.metrics) }),
      dialect: 'postgres',
      location: `postgres://${url.host}${url.pathname}`,
    };
  }
  let file = options.sqliteFile;
  if (!file) {
    const dir = options.dataDir ?? './data';
    mkdirSync(dir, { recursive: true });
    file = join(dir, 'gatehouse.sqlite');
  }
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Replay-store inserts land on random B-tree pages: keep them cached. The WAL is not
  // checkpointed on commit (a checkpoint stalled a login up to 35 ms): the replay worker's
  // connection does it in the background once this node writes at volume (sqlite-wal-policy.ts),
  // and the store's periodic maintenance otherwise (Store.checkpoint).
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('wal_autocheckpoint = 0');
  sqlite.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
  return {
    db: new Kysely<Database>({ dialect: new SqliteImmediateDialect({ database: cachingSqliteDatabase(sqlite) }, sqlite), log: queryTiming(options.metrics) }),
    dialect: 'sqlite',
    ...(file === ':memory:' ? {} : { sqliteFile: file }),
    location: file,
  };
}
