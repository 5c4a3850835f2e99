#!/usr/bin/env node
/**
 * Compiles the TypeScript (server and admin console) only when dist/ is older than its sources, so `npm start` and `npm test`
 * skip the 10-second `tsc` when nothing changed:
 *   node scripts/ensure-build.mjs          build when stale (a source, directory, tsconfig.json or
 *                                          package.json newer than the stamp, or no stamp)
 *   node scripts/ensure-build.mjs --force  build anyway (`npm run build`, `prepare`)
 * After a successful build it writes dist/.build-stamp with the time the build started, so an
 * edit made while tsc ran still counts as newer. Directories count too: deleting or renaming a
 * file changes its directory's mtime.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const SOURCES = ['src', 'test', 'bench', 'console', 'tsconfig.json', 'package.json'];
/** The server, tests and benches (Node), then the admin console's browser modules (DOM, ES modules). */
const PROJECTS = ['tsconfig.json', join('console', 'tsconfig.json')];

/** The newest mtime (ms) of a file, or of a directory and everything under it. */
function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  let latest = stat.mtimeMs;
  if (stat.isDirectory()) for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function stampTime() {
  try {
    return statSync(stamp).mtimeMs;
  } catch {
    return -1;
  }
}

const force = process.argv.includes('--force');
if (force || Math.max(...SOURCES.map((s) => newest(join(root, s)))) >= stampTime()) {
  const started = new Date();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  for (const project of PROJECTS) {
    const result = spawnSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit', cwd: root });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, `${started.toISOString()}\n`);
  utimesSync(stamp, started, started);
}
