import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { openDatabase } from '../../../src/store/database.js';
import type { Database } from '../../../src/store/schema.js';

/**
 * The main connection's transactions while another connection holds the write lock: the wait is
 * a timer, not SQLite's busy handler sleeping on the event loop. The other connection lives on
 * the same thread here, so it can only let go from a timer: with a blocking BEGIN (or a deferred
 * one whose first write blocks), that timer could never run and the transaction would fail with
 * SQLITE_BUSY after the busy timeout.
 */
describe('SQLite transactions begin without blocking the event loop (real database file)', () => {
  let dir: string;
  let db: Kysely<Database>;
  let other: BetterSqlite3.Database;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-immediate-'));
    const handle = openDatabase({ dataDir: dir });
    db = handle.db;
    await sql`create table probe (id integer primary key, who text not null)`.execute(db);
    other = new BetterSqlite3(handle.sqliteFile!);
    // Its own statements fail at once instead of waiting (the test's thread is the one to let go).
    other.pragma('busy_timeout = 0');
  });
  after(async () => {
    other?.close();
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits on a timer while another connection writes, then commits after it', async () => {
    other.exec('BEGIN IMMEDIATE');
    other.exec(`insert into probe (who) values ('other')`);
    const order: string[] = [];
    let turns = 0;
    const ticking = setInterval(() => (turns += 1), 1);
    setTimeout(() => {
      order.push('other commits');
      other.exec('COMMIT');
    }, 30);
    try {
      await db.transaction().execute(async (trx) => {
        order.push('transaction begun');
        await sql`insert into probe (who) values ('main')`.execute(trx);
      });
    } finally {
      clearInterval(ticking);
    }
    assert.deepEqual(order, ['other commits', 'transaction begun']);
    assert.ok(turns > 0, 'timers ran while the transaction waited for the lock');
    const rows = await sql<{ who: string }>`select who from probe order by id`.execute(db);
    assert.deepEqual(rows.rows.map((row) => row.who), ['other', 'main']);
  });

  it('holds the write lock from BEGIN: a read-then-write transaction never fails to upgrade', async () => {
    await db.transaction().execute(async (trx) => {
      await sql`select count(*) from probe`.execute(trx);
      // Another connection cannot write meanwhile (it would have to wait for this COMMIT).
      assert.throws(() => other.prepare('insert into probe (who) values (?)').run('intruder'), { code: 'SQLITE_BUSY' });
      await sql`insert into probe (who) values ('after read')`.execute(trx);
    });
    const rows = await sql<{ who: string }>`select who from probe order by id`.execute(db);
    assert.deepEqual(rows.rows.map((row) => row.who), ['other', 'main', 'after read']);
  });
});
