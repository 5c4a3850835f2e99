import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Rows one batch of a periodic purge deletes. One batch is one short statement (and on SQLite
 * one short hold of the writer lock): a purge of a minute's expired jtis in one DELETE held the
 * event loop 79–88 ms; in batches of this size no batch comes near 20 ms.
 */
export const PURGE_BATCH_ROWS = 500;

/**
 * Deletes the rows of `table` that match `condition`, `batchRows` at a time (picked by the
 * primary key `key`), yielding the event loop between batches; stops after a batch that found
 * fewer. Returns how many rows it deleted. The same statement on SQLite and PostgreSQL, each batch
 * in a transaction of its own: on SQLite that takes the writer lock without SQLite's busy handler
 * sleeping on the event loop while the replay worker holds it (sqlite-immediate-dialect.ts).
 */
export async function deleteInBatches(db: Kysely<Database>, table: keyof Database, key: string, condition: RawBuilder<unknown>, batchRows = PURGE_BATCH_ROWS): Promise<number> {
  let deleted = 0;
  for (;;) {
    const batch = sql`delete from ${sql.table(table)} where ${sql.ref(key)} in (select ${sql.ref(key)} from ${sql.table(table)} where ${condition} limit ${batchRows})`;
    const result = db.isTransaction ? await batch.execute(db) : await db.transaction().execute((trx) => batch.execute(trx));
    const rows = Number(result.numAffectedRows ?? 0);
    deleted += rows;
    if (rows < batchRows) return deleted;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** `expires_at <= now`: the condition of every expiring table's purge. */
export const expiredBy = (now: number): RawBuilder<unknown> => sql`expires_at <= ${now}`;
