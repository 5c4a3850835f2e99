import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/database.js';
import { StartupLock } from '../../src/store/startup-lock.js';
import { Store } from '../../src/store/store.js';
import { createTestDatabase, selectedKinds } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';

const open = (db: TestDatabase) => Store.fromHandle(openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }));

/** The sessions that hold (`granted`) or wait for this schema's start-up lock. */
async function lockSessions(observer: Store, schema: string, granted: boolean): Promise<number[]> {
  const { rows } = await sql<{ pid: number }>`select pid from pg_locks where locktype = 'advisory' and objsubid = 2 and granted = ${granted}
    and classid = hashtext('gatehouse start-up')::oid and objid = hashtext(${schema})::oid`.execute(observer.db);
  return rows.map((r) => r.pid);
}

/** Resolves once a session waits for this schema's start-up lock (polls pg_locks). */
async function someoneWaits(observer: Store, schema: string): Promise<void> {
  while ((await lockSessions(observer, schema, false)).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
}

for (const kind of selectedKinds()) {
  describe(`start-up lock (${kind})`, () => {
    it('lets one node at a time through, and a node that dies holding it does not keep it', { skip: kind === 'sqlite' ? 'a no-op on SQLite, whose one connection per node runs start-up in order' : false }, async () => {
      const db = await createTestDatabase(kind);
      const [first, second, third, observer] = [open(db), open(db), open(db), open(db)];
      try {
        const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(observer.db)).rows[0]!.s;
        const order: string[] = [];
        const held = await StartupLock.acquire(first);
        const secondIn = StartupLock.acquire(second).then((lock) => (order.push('second'), lock));
        await someoneWaits(observer, schema);
        order.push('first released');
        await held.release();
        const secondLock = await secondIn;
        assert.deepEqual(order, ['first released', 'second']);

        // The holder dies: the server sees its connection close, with no release sent.
        const thirdIn = StartupLock.acquire(third);
        await someoneWaits(observer, schema);
        const holders = await lockSessions(observer, schema, true);
        assert.equal(holders.length, 1);
        await sql`select pg_terminate_backend(${holders[0]!})`.execute(observer.db);
        const thirdLock = await thirdIn;
        await thirdLock.release();
        await secondLock.release(); // its connection is gone: a no-op, not an error
      } finally {
        await Promise.all([first, second, third, observer].map((s) => s.close()));
        await db.drop();
      }
    });

    it('is a no-op on SQLite: two acquisitions do not wait for each other', { skip: kind === 'postgres' ? 'PostgreSQL takes a real lock (tested above)' : false }, async () => {
      const db = await createTestDatabase(kind);
      const store = open(db);
      try {
        const a = await StartupLock.acquire(store);
        const b = await StartupLock.acquire(store);
        await a.release();
        await b.release();
        assert.equal(store.dialect, 'sqlite');
      } finally {
        await store.close();
        await db.drop();
      }
    });
  });
}
