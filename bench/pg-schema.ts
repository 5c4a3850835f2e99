import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A schema of its own in the database at `DATABASE_URL`, for one bench run. */
export interface BenchSchema {
  /** `DATABASE_URL` with `search_path` set to the schema. */
  url: string;
  name: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

export async function createBenchSchema(databaseUrl: string): Promise<BenchSchema> {
  const name = `gh_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`create schema ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists ${name} cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The database's cumulative counters (pg_stat_database; a backend reports its own within a second or at exit). */
export interface DatabaseCounters {
  commits: number;
  rollbacks: number;
  inserted: number;
  updated: number;
}

export async function databaseCounters(client: pg.Client): Promise<DatabaseCounters> {
  const { rows } = await client.query<{ c: string; r: string; i: string; u: string }>(
    'select xact_commit as c, xact_rollback as r, tup_inserted as i, tup_updated as u from pg_stat_database where datname = current_database()',
  );
  return { commits: Number(rows[0].c), rollbacks: Number(rows[0].r), inserted: Number(rows[0].i), updated: Number(rows[0].u) };
}

/** Backend pid → CPU ms used so far, for this database's client backends but the monitor's own (the server must run on this machine). */
export async function backendCpu(client: pg.Client, cpuMs: (pid: number) => number): Promise<Map<number, number>> {
  const { rows } = await client.query<{ pid: number }>("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'");
  const used = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      used.set(pid, cpuMs(pid));
    } catch {
      // Exited meanwhile.
    }
  }
  return used;
}

/** CPU ms the backends used between two samples (a backend started meanwhile counts from zero). */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
