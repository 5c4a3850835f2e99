/**
 * How the SQLite write-ahead log is kept bounded under sustained load
 * (https://www.sqlite.org/wal.html#ckpt, https://www.sqlite.org/pragma.html#pragma_wal_checkpoint).
 *
 * Neither connection checkpoints on commit (`wal_autocheckpoint = 0`: a checkpoint inside a
 * login's COMMIT stalled it up to 35 ms). The replay worker's connection checkpoints instead,
 * every CHECKPOINT_INTERVAL_MS: PASSIVE, which copies what it can without taking the writer
 * lock. A PASSIVE checkpoint never resets the log while writers keep appending, so the file
 * grew without bound (3.7 GB in a minute of mixed load). Once the log holds more than
 * RESTART_AT_BYTES (and the PASSIVE pass reached its end; past FORCE_RESTART_AT_BYTES in any
 * case), a RESTART checkpoint follows the PASSIVE one: it takes the writer lock,
 * copies the few frames the PASSIVE pass left, waits for readers to leave the log, and makes the
 * next writer start the log from its beginning. Its busy handler is kept short
 * (RESTART_BUSY_TIMEOUT_MS): the main connection's writers wait while it holds the writer lock,
 * so it gives up (and tries again next interval) rather than hold it long.
 * `journal_size_limit` then truncates the file after the reset, so a burst does not leave a
 * large file behind — in the writer's COMMIT that follows the reset, which is the event loop's
 * when the main connection writes first: cutting 22 MB off a file already written back to disk
 * took 16–18 ms on the 2-core test machine's ext4 (measured with ftruncate), the size of the
 * single-statement stalls the soak found on the event loop. So a log file past the limit is
 * reset with a TRUNCATE checkpoint on the worker's connection instead (the file is cut to zero
 * there, the main connection's transactions waiting on a timer, not in a busy handler); a RESTART
 * leaves a file within the limit, which no writer cuts.
 */
export const CHECKPOINT_INTERVAL_MS = 100;
export const RESTART_AT_BYTES = 16 * 1024 * 1024;
/**
 * A RESTART even when readers kept the PASSIVE pass from copying the whole log, and with a longer
 * busy handler (FORCE_RESTART_BUSY_TIMEOUT_MS): past this size bounding the disk comes first.
 */
export const FORCE_RESTART_AT_BYTES = 32 * 1024 * 1024;
export const RESTART_BUSY_TIMEOUT_MS = 10;
export const FORCE_RESTART_BUSY_TIMEOUT_MS = 50;
/** The ordinary busy timeout of both connections. */
export const BUSY_TIMEOUT_MS = 5000;
/** What a reset log is truncated to (`pragma journal_size_limit`), on both connections. */
export const JOURNAL_SIZE_LIMIT_BYTES = 32 * 1024 * 1024;
