import { hash } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { CONSUME_JTI_SQL } from '../replay-sql.js';
import type { Database } from '../schema.js';
import { deleteInBatches, expiredBy } from './batched-delete.js';

/**
 * The first 132 bits (22 base64url characters) of SHA-256 over scope and jti: fixed-size keys,
 * and no client-chosen text in the index.
 */
const jtiKey = (scope: string, jti: string): string => hash('sha256', `${scope}\0${jti}`, 'base64url').slice(0, 22);

/** Writes consumes outside transactions, batched (the SQLite worker, the PostgreSQL batch writer). */
export interface ReplayWriter {
  consume(key: string, expiresAt: number, now: number): Promise<boolean>;
}

/**
 * One-time identifiers (`jti`) seen per scope (tenant + client). The database is the replay
 * store so the guarantee holds across restarts and across nodes sharing one database.
 */
export class ReplayRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    /** The batching writer, used outside transactions. */
    private readonly writer?: ReplayWriter,
  ) {}

  /**
   * Records `jti` until `expiresAt`. Returns false when it was already recorded and has not
   * expired yet (a replay). An expired record is taken over atomically.
   */
  async consume(scope: string, jti: string, expiresAt: number, now: number): Promise<boolean> {
    const key = jtiKey(scope, jti);
    if (this.writer && !this.db.isTransaction) return this.writer.consume(key, expiresAt, now);
    const result = await this.db.executeQuery(CompiledQuery.raw(CONSUME_JTI_SQL[this.dialect], [key, expiresAt, now]));
    return Number(result.numAffectedRows ?? 0) === 1;
  }

  /** Deletes the rows expired by `now`, in batches (batched-delete.ts). */
  purge(now: number, batchRows?: number): Promise<number> {
    return deleteInBatches(this.db, 'used_jtis', 'jti_key', expiredBy(now), batchRows);
  }
}
