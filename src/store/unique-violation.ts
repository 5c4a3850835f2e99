/**
 * True when a write failed on a primary-key or unique constraint (SQLite `SQLITE_CONSTRAINT_*`,
 * PostgreSQL SQLSTATE 23505). Callers that race on first creation retry on it.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
