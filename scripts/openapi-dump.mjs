#!/usr/bin/env node
/**
 * Writes the OpenAPI document of the built server (dist/) to a file, default dist/openapi.json:
 * an in-process Gatehouse on an in-memory SQLite database, asked through inject() (no port).
 *   node scripts/openapi-dump.mjs [file]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatehouse, resolveConfig } from '../dist/src/app.js';

const target = process.argv[2] ?? 'dist/openapi.json';
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-openapi-'));
try {
  // A public URL of the reserved `.test` domain: the document's server entry is an example.
  const config = resolveConfig({ env: {}, overrides: { dataDir, logLevel: 'silent', publicUrl: 'https://gatehouse.test' } });
  const gatehouse = await createGatehouse({ config, sqliteFile: ':memory:' });
  try {
    const reply = await gatehouse.server.inject({ method: 'GET', url: '/api/openapi.json' });
    if (reply.statusCode !== 200) throw new Error(`GET /api/openapi.json answered ${reply.statusCode}`);
    writeFileSync(target, `${JSON.stringify(reply.json(), null, 2)}\n`);
    console.log(`OpenAPI document written to ${target}`);
  } finally {
    await gatehouse.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
