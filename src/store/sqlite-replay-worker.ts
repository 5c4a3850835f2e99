/**
 * Worker thread owning a second SQLite connection for replay-store writes, so the random-page
 * B-tree inserts and WAL writes of `used_jtis` run off the event loop. Each message is one
 * batch, written in one transaction; the answer says, per row, whether it was fresh.
 *
 * It also checkpoints the WAL (sqlite-wal-policy.ts: PASSIVE every interval, RESTART once the log
 * passes a size): the connections do not checkpoint on commit, so the page copies — up to 35 ms at
 * a time, measured under login load — happen here instead of in a request on the event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { CONSUME_JTI_SQL } from './replay-sql.js';
import { checkpointWal } from './sqlite-wal-checkpoint.js';
import { BUSY_TIMEOUT_MS, CHECKPOINT_INTERVAL_MS, JOURNAL_SIZE_LIMIT_BYTES } from './sqlite-wal-policy.js';

/** One batch: `id`, then per row `key expiresAt now` lines (one string is cheap to post). */
export interface ReplayBatch {
  id: number;
  rows: string;
}

/** `fresh`: one character per row, `1` for a fresh jti, `0` for a replay. */
export type ReplayBatchResult = { id: number; fresh: string } | { id: number; error: string };

const db = new BetterSqlite3((workerData as { file: string }).file);
db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
db.pragma('synchronous = NORMAL');
db.pragma('cache_size = -65536');
db.pragma('wal_autocheckpoint = 0');
db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
const pageSize = db.pragma('page_size', { simple: true }) as number;
const checkpoints = setInterval(() => checkpointWal(db, pageSize), CHECKPOINT_INTERVAL_MS);
let statement: BetterSqlite3.Statement | undefined;
const write = db.transaction((rows: string): string => {
  let fresh = '';
  for (const line of rows.split('\n')) {
    const [key, expiresAt, now] = line.split(' ');
    fresh += statement!.run(key, Number(expiresAt), Number(now)).changes === 1 ? '1' : '0';
  }
  return fresh;
});

parentPort!.on('message', (batch: ReplayBatch | 'start' | 'close') => {
  if (batch === 'start') return;
  if (batch === 'close') {
    clearInterval(checkpoints);
    db.close();
    parentPort!.close();
    return;
  }
  try {
    statement ??= db.prepare(CONSUME_JTI_SQL.sqlite);
    parentPort!.postMessage({ id: batch.id, fresh: write(batch.rows) } satisfies ReplayBatchResult);
  } catch (error) {
    parentPort!.postMessage({ id: batch.id, error: (error as Error).message } satisfies ReplayBatchResult);
  }
});
