import type { Dialect } from './database.js';

/**
 * The replay store's hot-path statement, written once per dialect instead of built per request:
 * insert the jti key, or take over a record that has expired; a live record makes it change
 * nothing (a replay). Shared by the repository and the SQLite replay worker.
 */
export const CONSUME_JTI_SQL: Readonly<Record<Dialect, string>> = Object.freeze({
  sqlite:
    'insert into used_jtis (jti_key, expires_at) values (?, ?) ' +
    'on conflict (jti_key) do update set expires_at = excluded.expires_at where used_jtis.expires_at <= ?',
  postgres:
    'insert into used_jtis (jti_key, expires_at) values ($1, $2) ' +
    'on conflict (jti_key) do update set expires_at = excluded.expires_at where used_jtis.expires_at <= $3',
});

/**
 * PostgreSQL, many consumes in one statement: `$1` the keys (distinct), `$2` their expiry
 * instants, `$3` the earliest `now` of the batch (a record counts as expired only if it was at
 * every request's time). Returns the keys that were fresh: inserted, or taken over from an
 * expired record.
 */
export const CONSUME_JTI_BATCH_SQL =
  'insert into used_jtis (jti_key, expires_at) select * from unnest($1::varchar[], $2::bigint[]) ' +
  'on conflict (jti_key) do update set expires_at = excluded.expires_at where used_jtis.expires_at <= $3 returning jti_key';
