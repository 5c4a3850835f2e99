import { CompiledQuery, PostgresAdapter } from 'kysely';
import type { Compilable, Kysely, QueryResult } from 'kysely';
import { namedStatement } from './named-statements.js';
import type { Database } from './schema.js';

/** Stands for a named parameter while the query is compiled. */
export type Param = (name: string) => string;

/**
 * A hot-path query built and compiled once per dialect; each call only binds its parameters.
 * Kysely's builder and compiler cost more per login than SQLite's own work for a point lookup
 * (measured), so the statements every login runs are prepared this way. Parameters are bound by
 * position: each named parameter is compiled as a unique sentinel and found again in the list.
 * On PostgreSQL the text is also a named prepared statement (named-statements.ts).
 */
export class PreparedQuery {
  private readonly compiled = new Map<string, { sql: string; names: (string | undefined)[]; fixed: readonly unknown[] }>();

  constructor(private readonly build: (db: Kysely<Database>, param: Param) => Compilable) {}

  execute<R>(db: Kysely<Database>, params: Record<string, unknown>): Promise<QueryResult<R>> {
    const adapter = db.getExecutor().adapter;
    const dialect = adapter.constructor.name;
    let query = this.compiled.get(dialect);
    if (!query) {
      const sentinels = new Map<unknown, string>();
      const compiled = this.build(db, (name) => {
        const sentinel = `\u0000gatehouse:${name}`;
        sentinels.set(sentinel, name);
        return sentinel;
      }).compile();
      query = { sql: compiled.sql, names: compiled.parameters.map((p) => sentinels.get(p)), fixed: compiled.parameters };
      if (adapter instanceof PostgresAdapter) namedStatement(compiled.sql);
      this.compiled.set(dialect, query);
    }
    const { sql, names, fixed } = query;
    const parameters = names.map((name, i) => {
      if (name === undefined) return fixed[i];
      if (!(name in params)) throw new Error(`prepared query: parameter ${name} missing`);
      return params[name];
    });
    return db.executeQuery<R>(CompiledQuery.raw(sql, parameters));
  }
}
