import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase } from '../../../src/store/database.js';
import { checkpointWal } from '../../../src/store/sqlite-wal-checkpoint.js';
import { FORCE_RESTART_AT_BYTES, JOURNAL_SIZE_LIMIT_BYTES, RESTART_AT_BYTES } from '../../../src/store/sqlite-wal-policy.js';

/** Frames in the log right now (a PASSIVE checkpoint reports them). */
const framesInLog = (db: BetterSqlite3.Database) => (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0].log;

describe('SQLite WAL checkpoint policy (real database file)', () => {
  let dir: string;
  let file: string;
  let writer: BetterSqlite3.Database;
  let checkpointer: BetterSqlite3.Database;
  let pageSize: number;
  /** Appends about `bytes` of new pages to the log, in one transaction. */
  const grow = (bytes: number) => writer.transaction(() => {
    const insert = writer.prepare('insert into filler (body) values (?)');
    for (let written = 0; written < bytes; written += 8192) insert.run(Buffer.alloc(8192, written % 251));
  })();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-wal-'));
    const handle = openDatabase({ dataDir: dir });
    file = handle.sqliteFile!;
    await handle.db.destroy();
    writer = new BetterSqlite3(file);
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('create table filler (id integer primary key, body blob)');
    checkpointer = new BetterSqlite3(file);
    pageSize = checkpointer.pragma('page_size', { simple: true }) as number;
  });
  after(() => {
    writer?.close();
    checkpointer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the application connection bounds the log file and does not checkpoint on commit', async () => {
    const handle = openDatabase({ dataDir: dir });
    const pragma = async (name: string) => Object.values((await sql.raw<Record<string, number>>(`pragma ${name}`).execute(handle.db)).rows[0])[0];
    assert.equal(await pragma('journal_size_limit'), JOURNAL_SIZE_LIMIT_BYTES);
    assert.equal(await pragma('wal_autocheckpoint'), 0);
    await handle.db.destroy();
  });

  it('a small log is only checkpointed PASSIVE, not reset', () => {
    grow(64 * 1024);
    const round = checkpointWal(checkpointer, pageSize);
    assert.equal(round.restarted, false);
    assert.ok(round.logBytes > 0 && round.logBytes < RESTART_AT_BYTES);
  });

  it('past the restart size the log is reset: the next write starts it from its beginning', () => {
    grow(RESTART_AT_BYTES + 1024 * 1024);
    const before = framesInLog(checkpointer);
    const round = checkpointWal(checkpointer, pageSize);
    assert.equal(round.restarted, true);
    assert.ok(round.logBytes >= RESTART_AT_BYTES);
    writer.prepare('insert into filler (body) values (?)').run(Buffer.alloc(100));
    const after = framesInLog(checkpointer);
    assert.ok(after < 10 && after < before, `log restarted: ${after} frames after, ${before} before`);
    assert.ok(statSync(`${file}-wal`).size <= JOURNAL_SIZE_LIMIT_BYTES);
  });

  it('a log file past the journal size limit is cut by the checkpoint itself, not by the next writer', () => {
    grow(JOURNAL_SIZE_LIMIT_BYTES + 1024 * 1024);
    assert.ok(statSync(`${file}-wal`).size > JOURNAL_SIZE_LIMIT_BYTES);
    const round = checkpointWal(checkpointer, pageSize);
    assert.equal(round.restarted, true);
    // Before any writer commits: the file is already empty (TRUNCATE), so no COMMIT cuts it.
    assert.equal(statSync(`${file}-wal`).size, 0);
    writer.prepare('insert into filler (body) values (?)').run(Buffer.alloc(100));
    assert.ok(framesInLog(checkpointer) < 10);
  });

  it('a reader holding an old snapshot keeps the log from being reset below the forced size, without blocking the round', () => {
    grow(1024 * 1024);
    const reader = new BetterSqlite3(file);
    try {
      reader.exec('begin');
      reader.prepare('select count(*) from filler').get();
      grow(RESTART_AT_BYTES + 1024 * 1024);
      assert.ok(RESTART_AT_BYTES + 2 * 1024 * 1024 < FORCE_RESTART_AT_BYTES);
      const round = checkpointWal(checkpointer, pageSize);
      assert.equal(round.restarted, false, 'the PASSIVE pass could not reach the end of the log');
      assert.ok(round.logBytes >= RESTART_AT_BYTES);
      reader.exec('commit');
      assert.equal(checkpointWal(checkpointer, pageSize).restarted, true, 'once the reader left, the next round resets the log');
    } finally {
      reader.close();
    }
  });
});
