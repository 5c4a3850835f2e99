import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type pgModule from 'pg';
import type { Metrics } from '../metrics/metrics.js';
import { queryTiming } from './query-timing.js';
import { BUSY_TIMEOUT_MS, JOURNAL_SIZE_LIMIT_BYTES } from './sqlite-wal-policy.js';
import type { Database } from './schema.js';
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

let pgLoaded: typeof pgModule | undefined;
/** The pg driver, loaded only when a PostgreSQL database is opened (a SQLite node never imports it). */
const pg = (): typeof pgModule => (pgLoaded ??= createRequire(import.meta.url)('pg') as typeof pgModule);

/** PostgreSQL's BIGINT (OID 20) as a JS number: every BIGINT here is an epoch-ms instant. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (value: string) => Number(value);
    return pg().types.getTypeParser(oid, format);
  },
};

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  /** SQLite file; `:memory:` for a private in-memory database. */
  sqliteFile?: string;
  dataDir?: string;
  poolSize?: number;
  /** Times every query through Kysely (the SQLite replay writer's own connection is not). */
  metrics?: Metrics;
}

export function openDatabase(options: OpenDatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) {
    const pool = new (pg().Pool)({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, types: pgTypes });
    // An idle client that errors (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    // Nor one that errors while checked out between queries (the start-up lock's): its next query fails.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const url = new URL(options.databaseUrl);
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: queryTiming(options.metrics) }),
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
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingSqliteDatabase(sqlite) }), log: queryTiming(options.metrics) }),
    dialect: 'sqlite',
    ...(file === ':memory:' ? {} : { sqliteFile: file }),
    location: file,
  };
}
