import { statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { BUSY_TIMEOUT_MS, FORCE_RESTART_AT_BYTES, FORCE_RESTART_BUSY_TIMEOUT_MS, JOURNAL_SIZE_LIMIT_BYTES, RESTART_AT_BYTES, RESTART_BUSY_TIMEOUT_MS } from './sqlite-wal-policy.js';

/** One row of `pragma wal_checkpoint` (https://www.sqlite.org/pragma.html#pragma_wal_checkpoint). */
interface CheckpointResult {
  /** 1 when the checkpoint could not finish (a lock was busy). */
  busy: number;
  /** Frames in the log. */
  log: number;
  /** Frames copied back into the database file. */
  checkpointed: number;
}

/** What one round did: `restarted` when a RESTART checkpoint reset the log. */
export interface CheckpointRound {
  logBytes: number;
  restarted: boolean;
}

/**
 * One round of the policy in sqlite-wal-policy.ts, on a connection of its own (never the event
 * loop's): a PASSIVE checkpoint, then a RESTART one when the log holds RESTART_AT_BYTES or more
 * and the PASSIVE pass copied all of it (so the RESTART, which holds the writer lock, has only the
 * frames of the last moments to copy and no old reader to wait for) — or, failing that, once it
 * holds FORCE_RESTART_AT_BYTES; a TRUNCATE one instead when the log file is past the journal
 * size limit, so the file is cut here, not in a writer's COMMIT. Busy locks and a closing
 * database end the round quietly; the next round tries again.
 */
export function checkpointWal(db: BetterSqlite3.Database, pageSize: number): CheckpointRound {
  try {
    const [passive] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
    const logBytes = passive.log * pageSize;
    const caughtUp = passive.busy === 0 && passive.checkpointed === passive.log;
    if (logBytes < RESTART_AT_BYTES || (!caughtUp && logBytes < FORCE_RESTART_AT_BYTES)) return { logBytes, restarted: false };
    db.pragma(`busy_timeout = ${logBytes < FORCE_RESTART_AT_BYTES ? RESTART_BUSY_TIMEOUT_MS : FORCE_RESTART_BUSY_TIMEOUT_MS}`);
    try {
      // The file's size, or the log's when it cannot be read.
      const mode = Math.max(logBytes, walFileBytes(db)) > JOURNAL_SIZE_LIMIT_BYTES ? 'TRUNCATE' : 'RESTART';
      const [restart] = db.pragma(`wal_checkpoint(${mode})`) as CheckpointResult[];
      return { logBytes, restarted: restart.busy === 0 };
    } finally {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  } catch {
    return { logBytes: 0, restarted: false };
  }
}

/** The size of the database's `-wal` file; 0 when it cannot be read. */
function walFileBytes(db: BetterSqlite3.Database): number {
  try {
    return statSync(`${db.name}-wal`).size;
  } catch {
    return 0;
  }
}
