import { hash } from 'node:crypto';

/**
 * The PostgreSQL statements worth preparing once per connection: the hot-path SQL
 * (`PreparedQuery`, the replay batch), fixed texts compiled once. A statement named here is sent
 * as a named prepared statement, so the server parses and plans it once per connection instead
 * of on every call. Only registered texts are named: Kysely builds other queries with texts that
 * vary, and every named statement stays prepared on its connection.
 */
const names = new Map<string, string>();

/** Registers `sql` (PostgreSQL dialect) as a named statement; returns the text, for a constant. */
export function namedStatement(sql: string): string {
  if (!names.has(sql)) names.set(sql, `gh_${hash('sha256', sql, 'base64url').slice(0, 16)}`);
  return sql;
}

/** The name of a registered statement, undefined for any other text. */
export const statementName = (sql: string): string | undefined => names.get(sql);
