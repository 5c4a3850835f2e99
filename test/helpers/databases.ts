import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type DatabaseKind = 'sqlite' | 'postgres';

/**
 * Which databases the storage-dependent suites run on: `GATEHOUSE_TEST_DB=postgres` (set by
 * `npm run test:pg`) selects PostgreSQL at `DATABASE_URL`; otherwise SQLite.
 */
export function selectedKinds(): DatabaseKind[] {
  return process.env.GATEHOUSE_TEST_DB === 'postgres' ? ['postgres'] : ['sqlite'];
}

/** A private database for one test: a SQLite file in a temp dir, or a fresh PostgreSQL schema. */
export interface TestDatabase {
  kind: DatabaseKind;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Fixed per database so a restarted server can read its own keys. */
  masterKey: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const masterKey = randomBytes(32).toString('base64url');
  if (kind === 'sqlite') {
    return { kind, dataDir, databaseUrl: undefined, masterKey, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error('DATABASE_URL is required for the PostgreSQL suite');
  const schema = `gh_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    kind,
    dataDir,
    databaseUrl: url.toString(),
    masterKey,
    // The schema is dropped by the test runner once every file has finished (scripts/run-tests.mjs):
    // dropping it here could fail a concurrent migration in another file, which reads all schemas.
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
