import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../../src/lib/api-error.js';
import { queryPieces, userSearchQuery } from '../../../src/admin/user-search-input.js';

const TENANT = '00000000-0000-4000-8000-000000000001';
const ID = '6b1f9c7e-3c1a-4a57-9a39-2f1b1c0d9e11';

const codes = (work: () => unknown): string[] => {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof ApiError);
    return error.fieldErrors.map((e) => e.code);
  }
  assert.fail('expected field errors');
};

describe('user search criteria', () => {
  it('splits the query string on * into literal pieces; * alone matches everyone', () => {
    assert.deepEqual(queryPieces('  jan '), ['jan']);
    assert.deepEqual(queryPieces('ja*sen'), ['ja', 'sen']);
    assert.deepEqual(queryPieces('*'), []);
    assert.deepEqual(queryPieces('100%_x'), ['100%_x']);
  });

  it('defaults to 25 from row 0 in insertion order, and ignores ids that are not UUIDs', () => {
    const query = userSearchQuery(TENANT, { ids: [ID, 'not-a-uuid'] });
    assert.deepEqual(query, { tenantId: TENANT, ids: [ID], sort: [{ field: 'insertInstant', descending: false }], offset: 0, limit: 25 });
  });

  it('takes sortFields and orderBy in FusionAuth form', () => {
    const query = userSearchQuery(TENANT, { queryString: 'x', sortFields: [{ name: 'lastName', order: 'DESC', missing: '_first' }], orderBy: 'email asc', startRow: 5, numberOfResults: 2 });
    assert.deepEqual(query.sort, [{ field: 'lastName', descending: true }, { field: 'email', descending: false }]);
    assert.deepEqual([query.offset, query.limit, query.pieces], [5, 2, ['x']]);
  });

  it('refuses what it does not support, every problem at once', () => {
    assert.deepEqual(codes(() => userSearchQuery(TENANT, {})), ['[blank]search.queryString']);
    assert.deepEqual(
      codes(() => userSearchQuery(TENANT, { queryString: 'a', query: '{"match_all":{}}', nextResults: 'x', sortFields: [{ name: 'password' }, { name: 'email', order: 'up' }], orderBy: 'email sideways' })),
      ['[notSupported]search.query', '[notSupported]search.nextResults', '[invalid]search.sortFields[0].name', '[invalid]search.sortFields[1].order', '[invalid]search.orderBy'],
    );
  });
});
