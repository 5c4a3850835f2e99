#!/usr/bin/env node
/**
 * Runs the compiled test files with node:test (works the same on Node 20, 22 and 24, whose
 * `--test` argument handling differs).
 *   node scripts/run-tests.mjs             every suite, storage suites on SQLite
 *   node scripts/run-tests.mjs --postgres  the storage and end-to-end suites on PostgreSQL
 * With --postgres and no DATABASE_URL the suite is skipped with a message, except under CI=true,
 * where an unreachable or unconfigured database is a failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const postgres = process.argv.includes('--postgres');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

const env = { ...process.env };
let roots = ['dist/test'];
if (postgres) {
  if (!env.DATABASE_URL) {
    if (env.CI === 'true') {
      console.error('PostgreSQL suite: DATABASE_URL is not set (required under CI).');
      process.exit(1);
    }
    console.log('PostgreSQL suite SKIPPED: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run it.');
    process.exit(0);
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
    await client.end();
  } catch (error) {
    console.error(`PostgreSQL suite: cannot reach ${new URL(env.DATABASE_URL).host}: ${error.message}`);
    process.exit(1);
  }
  env.GATEHOUSE_TEST_DB = 'postgres';
  roots = ['dist/test/store', 'dist/test/e2e'];
} else {
  delete env.GATEHOUSE_TEST_DB;
}

// The page tests need Debian's Chromium; on a fresh machine `npm test` installs it (apt-get) when it can.
if (!existsSync(env.CHROMIUM_PATH ?? '/usr/bin/chromium')) {
  const install = spawnSync('bash', ['scripts/install-chromium.sh'], { stdio: 'inherit' });
  if (install.status !== 0) console.log('Chromium could not be installed: the page tests will skip (they fail under CI=true).');
}

const files = roots.filter((r) => existsSync(r)).flatMap(find).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// A test that hangs fails after three minutes, and the whole suite after fifteen, so CI always ends.
const result = spawnSync(process.execPath, ['--test', '--test-force-exit', '--test-concurrency=2', '--test-timeout=180000', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env,
  timeout: 15 * 60_000,
  killSignal: 'SIGKILL',
});
if (result.error) console.error(`test run stopped: ${result.error.message}`);
if (postgres) await dropTestSchemas();
process.exit(result.status ?? 1);

/**
 * Test schemas are dropped here, after every file has finished, not by each test: Kysely's
 * migrator introspects all schemas, and a schema dropped by a test in a parallel file while that
 * query runs fails it with "schema … does not exist".
 */
async function dropTestSchemas() {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  const { rows } = await client.query("select nspname from pg_namespace where nspname like 'gh\\_test\\_%'");
  for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
  await client.end();
}
