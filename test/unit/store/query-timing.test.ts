import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import { NO_METRICS } from '../../../src/metrics/metrics.js';
import type { Metrics, StatementKind } from '../../../src/metrics/metrics.js';
import { DEFER_WRITES } from '../../../src/store/postgres-deferred-writes.js';
import { queryTiming, statementKind } from '../../../src/store/query-timing.js';

interface Db {
  t: { id: number; name: string };
}

describe('query timing', () => {
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });

  it('reads the statement kind from the query node, and raw SQL from its first keyword', () => {
    assert.equal(statementKind(db.selectFrom('t').selectAll().compile()), 'select');
    assert.equal(statementKind(db.insertInto('t').values({ id: 1, name: 'a' }).compile()), 'insert');
    assert.equal(statementKind(db.updateTable('t').set({ name: 'b' }).compile()), 'update');
    assert.equal(statementKind(db.deleteFrom('t').compile()), 'delete');
    assert.equal(statementKind(CompiledQuery.raw('  DELETE FROM t WHERE id = ?', [1])), 'delete');
    assert.equal(statementKind(CompiledQuery.raw('create table t (id integer)')), 'other');
  });

  it('is no hook at all when metrics are off; otherwise records each query and failure without its SQL', async () => {
    assert.equal(queryTiming(NO_METRICS), undefined);
    const seen: [StatementKind, number, boolean][] = [];
    const metrics = { ...NO_METRICS, enabled: true, dbQuery: (kind: StatementKind, seconds: number, failed: boolean) => seen.push([kind, seconds, failed]) } as Metrics;
    const timed = new Kysely<Db>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }), log: queryTiming(metrics) });
    await timed.executeQuery(CompiledQuery.raw('create table t (id integer primary key, name text)'));
    await timed.insertInto('t').values({ id: 1, name: 'a' }).execute();
    await assert.rejects(timed.insertInto('t').values({ id: 1, name: 'a' }).execute());
    await timed.selectFrom('t').selectAll().execute();
    // The PostgreSQL write-set control texts are no queries (the connection view answers them).
    const log = queryTiming(metrics)!;
    for (const text of [DEFER_WRITES]) void log({ level: 'query', query: CompiledQuery.raw(text), queryDurationMillis: 0 });
    assert.deepEqual(seen.map(([kind, , failed]) => [kind, failed]), [['other', false], ['insert', false], ['insert', true], ['select', false]]);
    assert.ok(seen.every(([, seconds]) => seconds >= 0 && seconds < 60));
    await timed.destroy();
  });
});
