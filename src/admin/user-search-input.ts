import { FieldErrors } from '../lib/api-error.js';
import { isUuid } from '../lib/ids.js';
import { USER_SORT_FIELDS } from '../store/repositories/user-repository.js';
import type { UserSearchQuery, UserSortField } from '../store/repositories/user-repository.js';

/** FusionAuth's `search` criteria (UserSearchCriteria) as Gatehouse supports them. */
export interface UserSearchInput {
  ids?: string[];
  queryString?: string;
  /** Elasticsearch JSON queries: refused (`[notSupported]search.query`). */
  query?: unknown;
  /** Elasticsearch paging tokens: refused (`[notSupported]search.nextResults`). */
  nextResults?: unknown;
  numberOfResults?: number;
  startRow?: number;
  /** `{ name, order }`; `missing` is accepted and ignored (users without the field always come last). */
  sortFields?: { name?: string; order?: string; missing?: string }[];
  /** FusionAuth's database-search form: `name [ASC|DESC]`. */
  orderBy?: string;
  /** Accepted and ignored: the total is always exact. */
  accurateTotal?: boolean;
}

export const DEFAULT_NUMBER_OF_RESULTS = 25;
const SORT_FIELDS = new Set<string>(USER_SORT_FIELDS);

/**
 * The query string syntax supported (a subset of FusionAuth's): `*` alone matches every user;
 * otherwise the text is matched as a case-insensitive (A–Z) substring of the email, username,
 * first, last or full name, where `*` matches any run of characters. Every other character is
 * literal (no boolean operators, fields or regular expressions).
 */
export function queryPieces(queryString: string): string[] {
  return queryString.trim().split('*').filter((piece) => piece !== '');
}

/** Validates the criteria and builds the repository's query; every problem is reported at once. */
export function userSearchQuery(tenantId: string, input: UserSearchInput): UserSearchQuery {
  const errors = new FieldErrors();
  if (input.query !== undefined) errors.add('search.query', 'notSupported', 'Elasticsearch queries are not supported; use search.queryString or search.ids.');
  if (input.nextResults !== undefined) errors.add('search.nextResults', 'notSupported', 'Use search.startRow to page.');
  const queryString = input.queryString?.trim() ?? '';
  if (queryString === '' && input.ids === undefined) errors.add('search.queryString', 'blank', 'Give search.queryString or search.ids.');
  const sort: UserSearchQuery['sort'][number][] = [];
  (input.sortFields ?? []).forEach((field, i) => {
    const order = (field.order ?? 'asc').toLowerCase();
    if (!field.name || !SORT_FIELDS.has(field.name)) errors.add(`search.sortFields[${i}].name`, 'invalid', `Sort by one of ${USER_SORT_FIELDS.join(', ')}.`);
    else if (order !== 'asc' && order !== 'desc') errors.add(`search.sortFields[${i}].order`, 'invalid', 'The order is asc or desc.');
    else sort.push({ field: field.name as UserSortField, descending: order === 'desc' });
  });
  if (input.orderBy !== undefined) {
    const match = /^\s*([A-Za-z]+)(?:\s+(asc|desc))?\s*$/i.exec(input.orderBy);
    if (!match || !SORT_FIELDS.has(match[1])) errors.add('search.orderBy', 'invalid', `Order by one of ${USER_SORT_FIELDS.join(', ')}, then ASC or DESC.`);
    else sort.push({ field: match[1] as UserSortField, descending: match[2]?.toLowerCase() === 'desc' });
  }
  errors.throwIfAny();
  return {
    tenantId,
    // FusionAuth: an id that is not a UUID is ignored.
    ...(input.ids !== undefined ? { ids: input.ids.filter((id) => isUuid(id)) } : {}),
    ...(queryString !== '' ? { pieces: queryPieces(queryString) } : {}),
    sort: sort.length > 0 ? sort : [{ field: 'insertInstant', descending: false }],
    offset: input.startRow ?? 0,
    limit: input.numberOfResults ?? DEFAULT_NUMBER_OF_RESULTS,
  };
}
