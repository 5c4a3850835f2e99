/**
 * Worker thread that checkpoints the SQLite WAL through a connection of its own (PASSIVE, every
 * CHECKPOINT_INTERVAL_MS). No connection checkpoints on commit: the page copies — up to 35 ms at
 * a time, measured under login load — stall neither a request on the event loop nor the replay
 * worker's jti batches.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

const CHECKPOINT_INTERVAL_MS = 200;

const db = new BetterSqlite3((workerData as { file: string }).file);
db.pragma('busy_timeout = 5000');
db.pragma('wal_autocheckpoint = 0');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next interval tries again.
  }
}, CHECKPOINT_INTERVAL_MS);

parentPort!.on('message', (message: 'close') => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
