import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '../helpers/test-server.js';

const CLI = join(process.cwd(), 'dist/src/cli.js');
const baseEnv = () => {
  const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.GATEHOUSE_BOOTSTRAP_API_KEY;
  return env;
};

/** Starts `gatehouse start` and resolves once it logged "gatehouse ready". */
function startCli(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [CLI, 'start', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${stdout}`)), 60_000); // a bound for a hung start, not a speed check
    child.stdout.on('data', () => {
      if (stdout.includes('gatehouse ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stdout}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, ready, exited, output: () => stdout };
}

describe('gatehouse CLI', () => {
  it('starts on the embedded default, prints a generated key once, logs no secrets, and drains on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
    try {
      const port = await freePort();
      const first = startCli(['--port', String(port), '--data-dir', dir], baseEnv());
      await first.ready;
      const key = /shown once, store it now\):\s+(\S+)/.exec(first.output())?.[1];
      assert.ok(key && key.length >= 40, first.output());
      const tenants = await fetch(`http://127.0.0.1:${port}/api/tenant`, { headers: { authorization: key } });
      assert.equal(tenants.status, 200);
      // A request in flight when SIGTERM arrives still completes: half its body is sent before
      // the signal, the rest after.
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const body = 'grant_type=client_credentials';
      socket.write(`POST /t/default/oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      first.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 100));
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.write(body.slice(10));
      await closed;
      assert.match(answer, /^HTTP\/1\.1 401/, 'the in-flight request got its answer');
      assert.match(answer, /invalid_client/);
      assert.equal(await first.exited, 0);
      const logLines = first.output().split('\n').filter((line) => line.startsWith('{'));
      assert.ok(logLines.length > 0);
      assert.ok(logLines.every((line) => !line.includes(key)), 'the key never appears in a log line');
      const ready = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'gatehouse ready');
      assert.equal(typeof ready.readyMs, 'number');

      const second = startCli(['--port', String(port), '--data-dir', dir], baseEnv());
      await second.ready;
      assert.equal(second.output().includes('shown once'), false, 'printed only on the first start');
      second.child.kill('SIGINT');
      assert.equal(await second.exited, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs at trace level carry no client secret, assertion or access token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
    try {
      const port = await freePort();
      const adminKey = randomBytes(32).toString('base64url');
      const server = startCli(['--port', String(port), '--data-dir', dir, '--log-level', 'trace'], { ...baseEnv(), GATEHOUSE_BOOTSTRAP_API_KEY: adminKey });
      await server.ready;
      const created = await fetch(`http://127.0.0.1:${port}/api/application`, {
        method: 'POST',
        headers: { authorization: adminKey, 'content-type': 'application/json' },
        body: JSON.stringify({ application: { name: 'logged', oauthConfiguration: { clientId: 'logged', enabledGrants: ['client_credentials'] } } }),
      });
      const secret = ((await created.json()) as { application: { oauthConfiguration: { clientSecret: string } } }).application.oauthConfiguration.clientSecret;
      const token = await fetch(`http://127.0.0.1:${port}/t/default/oauth2/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`logged:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      const accessToken = ((await token.json()) as { access_token: string }).access_token;
      const assertion = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl';
      await fetch(`http://127.0.0.1:${port}/t/default/oauth2/introspect?token=${accessToken}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${accessToken}&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=${assertion}`,
      });
      server.child.kill('SIGTERM');
      await server.exited;
      const logs = server.output();
      assert.ok(logs.includes('"level":10') || logs.includes('"level":20') || logs.includes('"level":30'), 'something was logged');
      for (const secretText of [adminKey, secret, accessToken, assertion, Buffer.from(`logged:${secret}`).toString('base64')]) {
        assert.equal(logs.includes(secretText), false, 'a secret or token reached the log');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops with a message naming a bad option or value', () => {
    const bad = spawnSync(process.execPath, [CLI, 'start', '--port', 'nine'], { env: baseEnv(), encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--port: expected an integer/);
    const unknown = spawnSync(process.execPath, [CLI, 'start', '--prot', '1'], { env: baseEnv(), encoding: 'utf8' });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown option --prot/);
    const env = spawnSync(process.execPath, [CLI, 'start'], { env: { ...baseEnv(), GATEHOUSE_RATE_LIMIT_TOKEN: '-1' }, encoding: 'utf8' });
    assert.equal(env.status, 2);
    assert.match(env.stderr, /GATEHOUSE_RATE_LIMIT_TOKEN/);
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
    try {
      writeFileSync(join(dir, 'gatehouse.yaml'), 'port: 9011\nlogLevell: info\n');
      const file = spawnSync(process.execPath, [CLI, 'start', '--config', join(dir, 'gatehouse.yaml')], { env: baseEnv(), encoding: 'utf8' });
      assert.equal(file.status, 2);
      assert.match(file.stderr, /gatehouse\.yaml: unknown option "logLevell"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const command = spawnSync(process.execPath, [CLI, 'launch'], { env: baseEnv(), encoding: 'utf8' });
    assert.equal(command.status, 2);
    assert.match(command.stderr, /unknown command launch/);
  });

  it('export writes YAML to stdout or JSON to a .json FILE, and kickstart applies it to an empty data dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
    const copy = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
    try {
      const env: NodeJS.ProcessEnv = { ...baseEnv(), GATEHOUSE_BOOTSTRAP_API_KEY: 'cli-export-bootstrap-key-0123456789abcdefghij' };
      const run = (data: string, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--data-dir', data], { env, encoding: 'utf8' });
      const file = join(dir, 'k.json');
      writeFileSync(file, JSON.stringify({ tenants: [{ id: '6d2c1a10-0000-4000-8000-0000000000ab', name: 'Export tenant', slug: 'exp', applications: [{ id: '6d2c1a10-0000-4000-8000-0000000000ac', name: 'Job', oauthConfiguration: { clientId: 'job', enabledGrants: ['client_credentials'] } }] }] }));
      assert.equal(run(dir, 'kickstart', file).status, 0);
      const yamlExport = run(dir, 'export', '--tenant', 'exp');
      assert.equal(yamlExport.status, 0, yamlExport.stderr);
      assert.match(yamlExport.stdout, /^# Gatehouse configuration/);
      assert.match(yamlExport.stdout, /clientSecret: \$\{APP_JOB_CLIENT_SECRET\}/);
      assert.doesNotMatch(yamlExport.stdout, /slug: default/);
      const out = join(dir, 'export.json');
      assert.equal(run(dir, 'export', out).status, 0);
      const exported = JSON.parse(readFileSync(out, 'utf8'));
      assert.deepEqual(exported.tenants.map((t: { slug: string }) => t.slug), ['default', 'exp']);
      assert.deepEqual(Object.keys(exported.variables).sort(), ['APP_JOB_CLIENT_SECRET']);
      const refused = run(copy, 'kickstart', out);
      assert.equal(refused.status, 2);
      assert.match(refused.stderr, /environment variable APP_JOB_CLIENT_SECRET is not set/);
      env.APP_JOB_CLIENT_SECRET = 'a-client-secret-of-at-least-32-characters';
      const applied = run(copy, 'kickstart', out);
      assert.equal(applied.status, 0, applied.stderr);
      const again = run(copy, 'export', join(copy, 'again.json'));
      assert.equal(again.status, 0, again.stderr);
      assert.deepEqual(JSON.parse(readFileSync(join(copy, 'again.json'), 'utf8')), exported);
      const unknown = run(dir, 'export', '--tenant', 'nope');
      assert.equal(unknown.status, 2);
      assert.match(unknown.stderr, /no tenant with slug nope/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('migrate, kickstart FILE, keys rotate and help config work against a data dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
    try {
      const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--data-dir', dir], { env: baseEnv(), encoding: 'utf8' });
      const migrate = run('migrate');
      assert.equal(migrate.status, 0, migrate.stderr);
      const file = join(dir, 'k.json');
      writeFileSync(file, JSON.stringify({ tenants: [{ id: '6d2c1a10-0000-4000-8000-0000000000aa', name: 'CLI tenant', slug: 'cli' }] }));
      const kickstart = run('kickstart', file);
      assert.equal(kickstart.status, 0, kickstart.stderr);
      assert.deepEqual(JSON.parse(kickstart.stdout).created, ['tenant 6d2c1a10-0000-4000-8000-0000000000aa']);
      const rotate = run('keys', 'rotate', '--tenant', 'cli');
      assert.equal(rotate.status, 0, rotate.stderr);
      assert.match(rotate.stdout, /tenant cli: new signing key/);
      const missing = run('keys', 'rotate', '--tenant', 'nope');
      assert.equal(missing.status, 2);
      const help = spawnSync(process.execPath, [CLI, 'help', 'config'], { encoding: 'utf8' });
      assert.match(help.stdout, /\| `--port` \| `GATEHOUSE_PORT` \| `9011` \|/);
      assert.match(help.stdout, /\| — \| `--config` \| `GATEHOUSE_CONFIG` \|/);
      assert.match(help.stdout, /\| `dataDir` \| `--data-dir` \|/);
      // Options from a --config file: the data dir and log level the migrate above used.
      const config = join(dir, 'gatehouse.json');
      writeFileSync(config, JSON.stringify({ dataDir: dir, logLevel: 'warn' }));
      const fromFile = spawnSync(process.execPath, [CLI, 'keys', 'rotate', '--tenant', 'cli', '--config', config], { env: baseEnv(), encoding: 'utf8' });
      assert.equal(fromFile.status, 0, fromFile.stderr);
      assert.match(fromFile.stdout, /tenant cli: new signing key/, 'the tenant lives in the data dir the file names');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
