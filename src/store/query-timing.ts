import type { CompiledQuery, Logger, LogEvent } from 'kysely';
import type { Metrics, StatementKind } from '../metrics/metrics.js';
import { DEFER_WRITES } from './postgres-deferred-writes.js';

const NODE_KIND: Record<string, StatementKind> = { SelectQueryNode: 'select', InsertQueryNode: 'insert', UpdateQueryNode: 'update', DeleteQueryNode: 'delete' };
const KEYWORDS = new Set<string>(['select', 'insert', 'update', 'delete']);

/** A query's kind from Kysely's query node; raw SQL (the prepared hot-path statements) by its first keyword. */
export function statementKind(query: CompiledQuery): StatementKind {
  const kind = NODE_KIND[query.query.kind];
  if (kind) return kind;
  const head = query.sql.trimStart().slice(0, 6).toLowerCase();
  return KEYWORDS.has(head) ? (head as StatementKind) : 'other';
}

/** The control texts of PostgreSQL write sets: answered by the connection view, never sent, so no query. */
const CONTROL_TEXTS = new Set([DEFER_WRITES]);

/**
 * Kysely's `log` hook as query timing: duration and failure by statement kind, never the SQL
 * text or its parameters. Undefined when metrics are off, so Kysely does not time queries at all.
 * A held write is counted where the code issues it (a write set's writes go out together).
 */
export function queryTiming(metrics: Metrics | undefined): Logger | undefined {
  if (!metrics?.enabled) return undefined;
  return (event: LogEvent) => {
    if (event.level === 'query' && CONTROL_TEXTS.has(event.query.sql)) return;
    metrics.dbQuery(statementKind(event.query), event.queryDurationMillis / 1000, event.level === 'error');
  };
}
