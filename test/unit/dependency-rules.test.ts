/**
 * The import rules (`.dependency-cruiser.cjs`, run in CI as `npm run deps`) hold for src/, and
 * they fail on what they forbid: a deliberately added folder cycle and an upward import, in a
 * scratch tree checked with the project's own configuration.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

const root = process.cwd();
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = join(root, '.dependency-cruiser.cjs');

function cruise(cwd: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [depcruise, 'src', '--config', config, '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function scratchTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-deps-'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('import rules', () => {
  it('src/ has no violation', () => {
    const { status, output } = cruise(root);
    assert.equal(status, 0, output);
  });

  it('a cycle between two folders fails the check', () => {
    const dir = scratchTree({
      'src/oauth/token.ts': "import { role } from '../admin/role.js';\nexport const token = () => role;\n",
      'src/admin/role.ts': "import { token } from '../oauth/token.js';\nexport const role = () => token;\n",
    });
    try {
      const { status, output } = cruise(dir);
      assert.notEqual(status, 0);
      assert.match(output, /layer-oauth: src\/oauth\/token\.ts → src\/admin\/role\.ts/);
      assert.match(output, /layer-admin: src\/admin\/role\.ts → src\/oauth\/token\.ts/);
      assert.match(output, /no-circular/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an import against the direction fails the check', () => {
    const dir = scratchTree({
      'src/http/server.ts': 'export const server = 1;\n',
      'src/store/store.ts': "import { server } from '../http/server.js';\nexport const store = server;\n",
    });
    try {
      const { status, output } = cruise(dir);
      assert.notEqual(status, 0);
      assert.match(output, /layer-store: src\/store\/store\.ts → src\/http\/server\.ts/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
