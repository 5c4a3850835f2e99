import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { namedStatement } from '../../../src/store/named-statements.js';
import { DEFER_WRITES, DeferredWrites, isDeferrable } from '../../../src/store/postgres-deferred-writes.js';

const UPDATE = namedStatement('update "users" set "data" = $1 where "id" = $2');
const INSERT = namedStatement('insert into "refresh_tokens" ("token_hash", "user_id") values ($1, $2)');
const RETURNING = namedStatement('insert into "replay" ("k") values ($1) on conflict do nothing returning "k"');

/** A view over a recording connection: what reaches the server, in order. `failCombined`: a combined statement fails as a duplicate key. */
function recording(failCombined = false) {
  const sent: { text: string; values: unknown[] | undefined }[] = [];
  const writes = new DeferredWrites(async (text, values) => {
    sent.push({ text, values });
    if (failCombined && text.startsWith('with')) throw Object.assign(new Error('duplicate key'), { code: '23505' });
    return { command: 'SELECT', rowCount: 1, rows: [] };
  });
  return { sent, writes };
}

describe('PostgreSQL deferred writes', () => {
  it('only registered writes without RETURNING or quoted literals wait', () => {
    assert.equal(isDeferrable(UPDATE), true);
    assert.equal(isDeferrable(INSERT), true);
    assert.equal(isDeferrable(RETURNING), false, 'its result is read');
    assert.equal(isDeferrable('update "users" set "data" = $1 where "id" = $2 and 1 = 1'), false, 'not a registered text');
    assert.equal(isDeferrable(namedStatement('select "data" from "users" where "id" = $1')), false);
    assert.equal(isDeferrable(namedStatement(`update "t" set "s" = 'x' where "id" = $1`)), false, 'a literal could hold a $');
  });

  it('outside a write set every statement goes out at once', async () => {
    const { sent, writes } = recording();
    await writes.query(UPDATE, ['{}', 'u1']);
    assert.deepEqual(sent.map((s) => s.text), [UPDATE]);
  });

  it('a write set alone: BEGIN and its writes wait, and COMMIT sends them as ONE statement, renumbered, with no BEGIN or COMMIT', async () => {
    const { sent, writes } = recording();
    await writes.query('begin', undefined);
    await writes.query(DEFER_WRITES, undefined);
    const held = await writes.query(UPDATE, ['{"a":1}', 'u1']);
    await writes.query(INSERT, ['h1', 'u1']);
    assert.deepEqual(held, { command: 'DEFERRED', rowCount: null, rows: [], fields: [] }, 'no row count is claimed');
    assert.equal(sent.length, 0, 'nothing sent yet, not even BEGIN');
    await writes.query('commit', undefined);
    assert.deepEqual(sent.map((s) => s.text), [`with w0 as (${UPDATE}), w1 as (insert into "refresh_tokens" ("token_hash", "user_id") values ($3, $4)) select 1`]);
    assert.deepEqual(sent[0].values, ['{"a":1}', 'u1', 'h1', 'u1']);
  });

  it('a read or another statement opens the transaction on the server and sends what is held first', async () => {
    const { sent, writes } = recording();
    await writes.query('begin', undefined);
    await writes.query(DEFER_WRITES, undefined);
    await writes.query(UPDATE, ['{}', 'u1']);
    await writes.query('select 1', undefined);
    await writes.query(INSERT, ['h', 'u']);
    await writes.query('commit', undefined);
    assert.deepEqual(sent.map((s) => s.text), ['begin', UPDATE, 'select 1', INSERT, 'commit']);
    await writes.query(UPDATE, ['{}', 'u2']);
    assert.equal(sent.length, 6, 'after COMMIT nothing waits any more');
  });

  it('a second write to a table sends the first group inside the transaction: one statement never writes a table twice', async () => {
    const { sent, writes } = recording();
    await writes.query('begin', undefined);
    await writes.query(DEFER_WRITES, undefined);
    await writes.query(INSERT, ['h', 'u']);
    await writes.query(UPDATE, ['{}', 'u1']);
    await writes.query(DEFER_WRITES, undefined);
    await writes.query(UPDATE, ['{}', 'u2']);
    await writes.query('commit', undefined);
    assert.equal(sent.length, 4);
    assert.equal(sent[0].text, 'begin');
    assert.match(sent[1].text, /^with w0 as \(insert into "refresh_tokens".*\), w1 as \(update "users"/);
    assert.deepEqual([sent[2].text, sent[2].values], [UPDATE, ['{}', 'u2']], 'the second write to users after the first, in the same transaction');
    assert.equal(sent[3].text, 'commit');
  });

  it('a transaction that is no write set goes out as before, BEGIN with its first statement', async () => {
    const { sent, writes } = recording();
    await writes.query('begin', undefined);
    await writes.query(UPDATE, ['{}', 'u1']);
    await writes.query('commit', undefined);
    assert.deepEqual(sent.map((s) => s.text), ['begin', UPDATE, 'commit']);
    await writes.query('begin', undefined);
    await writes.flush();
    assert.deepEqual(sent.map((s) => s.text).slice(3), ['begin'], 'a cursor (a statement the view does not see) opens it too');
  });

  it('ROLLBACK drops what is held; a transaction that never reached the server ends without a round trip', async () => {
    const { sent, writes } = recording();
    await writes.query('begin', undefined);
    await writes.query(DEFER_WRITES, undefined);
    await writes.query(UPDATE, ['{}', 'u1']);
    await writes.query('rollback', undefined);
    await writes.query('begin', undefined);
    await writes.query('commit', undefined);
    assert.equal(sent.length, 0);
    await writes.query('begin', undefined);
    await writes.query(DEFER_WRITES, undefined);
    await writes.query('select 1', undefined);
    await writes.query(UPDATE, ['{}', 'u1']);
    await writes.query('rollback', undefined);
    assert.deepEqual(sent.map((s) => s.text), ['begin', 'select 1', 'rollback']);
  });

  it('a failing group fails COMMIT; the ROLLBACK after it is answered in place, and the next transaction starts clean', async () => {
    const { sent, writes } = recording(true);
    await writes.query('begin', undefined);
    await writes.query(DEFER_WRITES, undefined);
    await writes.query(INSERT, ['h', 'u']);
    await writes.query(UPDATE, ['{}', 'u']);
    await assert.rejects(writes.query('commit', undefined), { code: '23505' });
    await writes.query('rollback', undefined);
    assert.equal(sent.length, 1, 'only the failing statement went out');
    await writes.query('begin', undefined);
    await writes.query('select 1', undefined);
    assert.deepEqual(sent.slice(1).map((s) => s.text), ['begin', 'select 1']);
  });

  it('inside an open transaction a failing group fails where it is sent, and ROLLBACK goes to the server', async () => {
    const { sent, writes } = recording(true);
    await writes.query('begin', undefined);
    await writes.query(DEFER_WRITES, undefined);
    await writes.query(INSERT, ['h', 'u']);
    await writes.query(UPDATE, ['{}', 'u']);
    await assert.rejects(writes.query('select 1', undefined), { code: '23505' });
    await writes.query('rollback', undefined);
    assert.deepEqual(sent.map((s) => s.text.split(' ')[0]), ['begin', 'with', 'rollback']);
  });
});
