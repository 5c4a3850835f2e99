import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { namedStatement } from '../../../src/store/named-statements.js';
import { DEFER_WRITES, DeferredWrites, FLUSH_WRITES, isDeferrable } from '../../../src/store/postgres-deferred-writes.js';

const UPDATE = namedStatement('update "users" set "data" = $1 where "id" = $2');
const INSERT = namedStatement('insert into "refresh_tokens" ("token_hash", "user_id") values ($1, $2)');
const RETURNING = namedStatement('insert into "replay" ("k") values ($1) on conflict do nothing returning "k"');

/** A view over a recording connection: what reaches the server, in order. */
function recording() {
  const sent: { text: string; values: unknown[] | undefined }[] = [];
  const writes = new DeferredWrites(async (text, values) => {
    sent.push({ text, values });
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

  it('a write set: writes wait, then go out as one statement with their parameters renumbered', async () => {
    const { sent, writes } = recording();
    await writes.query('begin', undefined);
    await writes.query(DEFER_WRITES, undefined);
    const held = await writes.query(UPDATE, ['{"a":1}', 'u1']);
    await writes.query(INSERT, ['h1', 'u1']);
    assert.deepEqual(held, { command: 'DEFERRED', rowCount: null, rows: [], fields: [] }, 'no row count is claimed');
    assert.deepEqual(sent.map((s) => s.text), ['begin'], 'nothing sent yet');
    await writes.query(FLUSH_WRITES, undefined);
    assert.equal(sent[1].text, `with w0 as (${UPDATE}), w1 as (insert into "refresh_tokens" ("token_hash", "user_id") values ($3, $4)) select 1`);
    assert.deepEqual(sent[1].values, ['{"a":1}', 'u1', 'h1', 'u1']);
    await writes.query('commit', undefined);
    assert.deepEqual(sent.map((s) => s.text).slice(2), ['commit']);
  });

  it('a read, another statement or COMMIT sends what is held first; one held write goes out as it is', async () => {
    const { sent, writes } = recording();
    await writes.query(DEFER_WRITES, undefined);
    await writes.query(UPDATE, ['{}', 'u1']);
    await writes.query('select 1', undefined);
    await writes.query(INSERT, ['h', 'u']);
    await writes.query('commit', undefined);
    assert.deepEqual(sent.map((s) => s.text), [UPDATE, 'select 1', INSERT, 'commit']);
    await writes.query(UPDATE, ['{}', 'u2']);
    assert.equal(sent.length, 5, 'after COMMIT nothing waits any more');
  });

  it('a second write to a table sends the first group: one statement never writes a table twice', async () => {
    const { sent, writes } = recording();
    await writes.query(DEFER_WRITES, undefined);
    await writes.query(INSERT, ['h', 'u']);
    await writes.query(UPDATE, ['{}', 'u1']);
    await writes.query(UPDATE, ['{}', 'u1']);
    await writes.query(FLUSH_WRITES, undefined);
    assert.equal(sent.length, 2);
    assert.match(sent[0].text, /^with w0 as \(insert into "refresh_tokens".*\), w1 as \(update "users"/);
    assert.equal(sent[1].text, UPDATE, 'the second write to users after the first');
  });

  it('ROLLBACK drops what is held', async () => {
    const { sent, writes } = recording();
    await writes.query(DEFER_WRITES, undefined);
    await writes.query(UPDATE, ['{}', 'u1']);
    await writes.query('rollback', undefined);
    assert.deepEqual(sent.map((s) => s.text), ['rollback']);
  });

  it('a failing combined statement fails the flush, inside the transaction', async () => {
    const writes = new DeferredWrites(async (text) => {
      if (text.startsWith('with')) throw Object.assign(new Error('duplicate key'), { code: '23505' });
      return { rows: [] };
    });
    await writes.query(DEFER_WRITES, undefined);
    await writes.query(INSERT, ['h', 'u']);
    await writes.query(UPDATE, ['{}', 'u']);
    await assert.rejects(writes.query(FLUSH_WRITES, undefined), { code: '23505' });
  });
});
