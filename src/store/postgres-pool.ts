import { createRequire } from 'node:module';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { statementName } from './named-statements.js';
import { DeferredWrites } from './postgres-deferred-writes.js';

let pgLoaded: typeof pg | undefined;
/** The pg driver, loaded only when a PostgreSQL database is opened (a SQLite node never imports it). */
const pgDriver = (): typeof pg => (pgLoaded ??= createRequire(import.meta.url)('pg') as typeof pg);

/** PostgreSQL's BIGINT (OID 20) as a JS number: every BIGINT here is an epoch-ms instant. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (value: string) => Number(value);
    return pgDriver().types.getTypeParser(oid, format);
  },
};

/**
 * A named prepared statement. pg copies an object config property by property
 * (`Object.getOwnPropertyDescriptors`), about 22 µs of CPU per returning login in a profile;
 * a query made from its text and named before it is submitted skips that copy and goes out the same.
 */
function namedQuery(client: pg.PoolClient, name: string, text: string, values: unknown[] | undefined): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    const query = new (pgDriver().Query)(text, values, (error: Error | undefined, result: pg.QueryResult) => (error ? reject(error) : resolve(result)));
    // Read when the query is submitted (`requiresPreparation`, the Parse message), not before.
    (query as unknown as { name: string }).name = name;
    client.query(query);
  });
}

/** The pg pool and the view of it Kysely queries through. */
export interface PostgresPools {
  pool: pg.Pool;
  kyselyPool: PostgresPool;
}

/**
 * A pg pool of at most `size` connections, and the view Kysely uses: a query whose text is a
 * registered statement (named-statements.ts) goes out as a named prepared statement, so the server
 * parses and plans it once per connection; any other text as an unnamed one, as before. Inside a
 * write set, writes nobody reads wait and go out as one statement, and BEGIN with them
 * (postgres-deferred-writes.ts).
 */
export function postgresPools(connectionString: string, size: number): PostgresPools {
  const pool = new (pgDriver().Pool)({ connectionString, max: size, types: pgTypes });
  // An idle client that errors (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor one that errors while checked out between queries (the start-up lock's): its next query fails.
  pool.on('connect', (client) => client.on('error', () => undefined));
  // Kysely keys its connection objects by client: one stable view per pg client.
  const views = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const view = (client: pg.PoolClient): PostgresPoolClient => {
    let found = views.get(client);
    if (!found) {
      const send = (text: string, values: unknown[] | undefined) => {
        const name = statementName(text);
        return name ? namedQuery(client, name, text, values) : client.query(text, values);
      };
      const writes = new DeferredWrites(send);
      found = {
        query: ((text: unknown, values?: unknown[]) =>
          typeof text === 'string' ? writes.query(text, values) : writes.flush().then(() => client.query(text as pg.Submittable))) as unknown as PostgresPoolClient['query'],
        release: () => {
          // A connection goes back to the pool holding nothing, whatever its last transaction did.
          writes.reset();
          client.release();
        },
      };
      views.set(client, found);
    }
    return found;
  };
  return {
    pool,
    kyselyPool: {
      connect: async () => view(await pool.connect()),
      end: () => pool.end(),
    },
  };
}
