import type { LoadResult } from './load.js';
import { createBenchSchema } from './pg-schema.js';
import type { BenchSchema } from './pg-schema.js';

export type Measured = LoadResult & { cpuMsPerRequest: number };

/** One database the bench runs its scenarios on, with the runs measured there. */
export interface BenchStore {
  name: 'SQLite' | 'PostgreSQL';
  /** `DATABASE_URL` for the client-credentials server and for the login server ('' = SQLite). */
  databaseUrl: { tokens: string; logins: string };
  /** Data directories (SQLite file, master key) of the two servers. */
  dataDir: { tokens: string; logins: string };
  tokens: Measured[];
  koppeltaal: Measured[];
  returning: Measured[];
  newUsers: Measured[];
  loadedRss: number;
  drop(): Promise<void>;
}

/**
 * The stores of this run: SQLite, and PostgreSQL when `DATABASE_URL` is set (each scenario in a
 * schema of its own there, dropped at the end). `BENCH_STORES=postgres` (or `sqlite`) runs one.
 */
export async function benchStores(dir: string): Promise<BenchStore[]> {
  const databaseUrl = process.env.DATABASE_URL ?? '';
  const wanted = (process.env.BENCH_STORES ?? (databaseUrl ? 'sqlite,postgres' : 'sqlite')).split(',').map((s) => s.trim());
  const unknown = wanted.filter((s) => s !== 'sqlite' && s !== 'postgres');
  if (unknown.length > 0 || wanted.length === 0) throw new Error(`BENCH_STORES: expected sqlite and/or postgres, not ${unknown.join(', ')}`);
  if (wanted.includes('postgres') && !databaseUrl) throw new Error('BENCH_STORES=postgres needs DATABASE_URL (a database the bench may create schemas in)');
  const empty = () => ({ tokens: [], koppeltaal: [], returning: [], newUsers: [], loadedRss: 0 });
  const stores: BenchStore[] = [];
  if (wanted.includes('sqlite')) {
    stores.push({ name: 'SQLite', databaseUrl: { tokens: '', logins: '' }, dataDir: { tokens: `${dir}/data`, logins: `${dir}/login-data` }, ...empty(), drop: async () => undefined });
  }
  if (wanted.includes('postgres')) {
    const schemas: BenchSchema[] = [await createBenchSchema(databaseUrl), await createBenchSchema(databaseUrl)];
    stores.push({
      name: 'PostgreSQL',
      databaseUrl: { tokens: schemas[0].url, logins: schemas[1].url },
      dataDir: { tokens: `${dir}/pg-data`, logins: `${dir}/pg-login-data` },
      ...empty(),
      drop: async () => {
        for (const schema of schemas) await schema.drop();
      },
    });
  }
  return stores;
}
