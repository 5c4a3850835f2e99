import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cacheLifetimesOf } from '../../../src/config/cache-lifetimes.js';
import { ConfigError, resolveConfig } from '../../../src/config/options.js';

describe('configuration', () => {
  it('has documented defaults and derives the public URL from the port', () => {
    const config = resolveConfig({ env: {} });
    assert.equal(config.port, 9011);
    assert.equal(config.dataDir, './data');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.publicUrl, 'http://localhost:9011');
    assert.equal(config.rateLimitTokenPerMinute, 0);
    assert.deepEqual(cacheLifetimesOf(config), { configurationMs: 2000, tenantMs: 5000, signingKeyMs: 30000, publishedKeysMs: 5000, upstreamDiscoveryMs: 3_600_000 });
    assert.equal(cacheLifetimesOf(resolveConfig({ env: { GATEHOUSE_CONFIGURATION_CACHE_MS: '0' } })).configurationMs, 0);
    assert.ok(Object.isFrozen(config));
  });

  it('flags win over environment, environment over defaults', () => {
    const config = resolveConfig({ env: { GATEHOUSE_PORT: '8000', GATEHOUSE_HOST: '0.0.0.0' }, argv: ['--port', '9000', '--public-url=https://id.example.org/'] });
    assert.equal(config.port, 9000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.publicUrl, 'https://id.example.org');
  });

  it('has lambda limits: 500 ms, 32 MB, workers from the core count unless given', () => {
    const config = resolveConfig({ env: {} });
    assert.equal(config.lambdaTimeoutMs, 500);
    assert.equal(config.lambdaMemoryMb, 32);
    assert.equal(config.lambdaWorkers, undefined);
    const set = resolveConfig({ env: { GATEHOUSE_LAMBDA_TIMEOUT_MS: '2000', GATEHOUSE_LAMBDA_MEMORY_MB: '64' }, argv: ['--lambda-workers', '4'] });
    assert.deepEqual([set.lambdaTimeoutMs, set.lambdaMemoryMb, set.lambdaWorkers], [2000, 64, 4]);
    assert.throws(() => resolveConfig({ env: {}, argv: ['--lambda-workers', '0'] }), /--lambda-workers: expected 1\.\.256/);
    assert.throws(() => resolveConfig({ env: { GATEHOUSE_LAMBDA_TIMEOUT_MS: 'fast' } }), /GATEHOUSE_LAMBDA_TIMEOUT_MS: expected an integer/);
  });

  it('names the offending option', () => {
    const cases: [Parameters<typeof resolveConfig>[0], RegExp][] = [
      [{ argv: ['--port', 'abc'] }, /--port: expected an integer/],
      [{ env: { GATEHOUSE_PORT: '70000' } }, /GATEHOUSE_PORT: expected 0\.\.65535/],
      [{ argv: ['--porr', '1'] }, /unknown option --porr/],
      [{ argv: ['--port'] }, /--port needs a value/],
      [{ env: { DATABASE_URL: 'mysql://x' } }, /DATABASE_URL: expected a postgres/],
      [{ argv: ['--public-url', 'ftp://x'] }, /--public-url/],
      [{ env: { GATEHOUSE_MASTER_KEY: 'short' } }, /GATEHOUSE_MASTER_KEY/],
      [{ argv: ['--log-level', 'loud'] }, /--log-level/],
      [{ argv: ['--tls-cert', 'a.pem'] }, /--tls-cert and --tls-key go together/],
      [{ env: { GATEHOUSE_FETCH_ALLOW_HTTP: 'maybe' } }, /GATEHOUSE_FETCH_ALLOW_HTTP/],
      [{ argv: ['--client-assertion-max-lifetime', '600'] }, /--client-assertion-max-lifetime/],
      [{ argv: ['--configuration-cache', '60001'] }, /--configuration-cache: expected 0\.\.60000/],
      [{ env: { GATEHOUSE_SIGNING_KEY_CACHE_MS: '-1' } }, /GATEHOUSE_SIGNING_KEY_CACHE_MS/],
    ];
    for (const [input, message] of cases) {
      assert.throws(() => resolveConfig({ env: {}, ...input }), (error: unknown) => error instanceof ConfigError && message.test(error.message), JSON.stringify(input));
    }
  });

  it('reads the outbound address switches: allow-private and a validated, normalized CIDR allow list', () => {
    const defaults = resolveConfig({ env: {} });
    assert.equal(defaults.fetchAllowPrivate, false);
    assert.deepEqual(defaults.fetchAllowCidrs, []);
    assert.equal(defaults.fetchFailureCooldownSeconds, 10);
    const config = resolveConfig({ env: { GATEHOUSE_FETCH_ALLOW_CIDRS: ' 127.0.0.0/8, fd00:0::/8 ' }, argv: ['--fetch-allow-private', 'true', '--fetch-failure-cooldown', '60'] });
    assert.equal(config.fetchAllowPrivate, true);
    assert.deepEqual(config.fetchAllowCidrs, ['127.0.0.0/8', 'fd00::/8']);
    assert.ok(Object.isFrozen(config.fetchAllowCidrs));
    assert.equal(config.fetchFailureCooldownSeconds, 60);
    assert.deepEqual(resolveConfig({ env: {}, argv: ['--fetch-allow-cidr', '10.1.0.0/16'] }).fetchAllowCidrs, ['10.1.0.0/16']);
    for (const bad of ['10.0.0.1', '10.0.0.0/33', 'localhost/8', '127.0.0.0/8,nope']) {
      assert.throws(() => resolveConfig({ env: { GATEHOUSE_FETCH_ALLOW_CIDRS: bad } }), (error: unknown) => error instanceof ConfigError && /GATEHOUSE_FETCH_ALLOW_CIDRS: .*not one/.test(error.message), bad);
    }
    assert.throws(() => resolveConfig({ env: {}, argv: ['--fetch-allow-private', 'maybe'] }), /--fetch-allow-private/);
  });

  it('reads a --config file (YAML or JSON) below environment and flags, with the same parsers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
    try {
      const yaml = join(dir, 'gatehouse.yaml');
      writeFileSync(yaml, 'port: 8100\nhost: 0.0.0.0\ndataDir: /var/lib/gatehouse\nfetchAllowPrivate: true\nfetchAllowCidrs: [10.1.0.0/16, 127.0.0.0/8]\nbodyLimitBytes: 131072\nkickstart: null\n');
      const fromFile = resolveConfig({ env: {}, argv: ['--config', yaml] });
      assert.equal(fromFile.configFile, yaml);
      assert.equal(fromFile.port, 8100);
      assert.equal(fromFile.host, '0.0.0.0');
      assert.equal(fromFile.dataDir, '/var/lib/gatehouse');
      assert.equal(fromFile.fetchAllowPrivate, true);
      assert.deepEqual(fromFile.fetchAllowCidrs, ['10.1.0.0/16', '127.0.0.0/8']);
      assert.equal(fromFile.bodyLimitBytes, 131072);
      assert.equal(fromFile.kickstart, undefined);
      assert.equal(fromFile.publicUrl, 'http://localhost:8100');
      assert.ok(Object.isFrozen(fromFile));
      // flag > environment > file > default
      const layered = resolveConfig({ env: { GATEHOUSE_CONFIG: yaml, GATEHOUSE_PORT: '8200', GATEHOUSE_HOST: '::1' }, argv: ['--port', '8300'] });
      assert.deepEqual([layered.port, layered.host, layered.dataDir, layered.logLevel], [8300, '::1', '/var/lib/gatehouse', 'info']);
      const json = join(dir, 'gatehouse.json');
      writeFileSync(json, JSON.stringify({ port: 8400, logLevel: 'warn' }));
      const fromJson = resolveConfig({ env: { GATEHOUSE_CONFIG: yaml }, argv: [`--config=${json}`] });
      assert.deepEqual([fromJson.port, fromJson.logLevel, fromJson.dataDir], [8400, 'warn', './data'], 'the flag names the file, not the environment');
      writeFileSync(join(dir, 'empty.yaml'), '');
      assert.equal(resolveConfig({ env: {}, argv: ['--config', join(dir, 'empty.yaml')] }).port, 9011);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a config file with an unknown key, a bad value or bad syntax, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
    try {
      const cases: [string, string, RegExp][] = [
        ['unknown.yaml', 'port: 8100\nprot: 1\n', /unknown\.yaml: unknown option "prot"/],
        ['flag-name.yaml', 'data-dir: /tmp\n', /unknown option "data-dir" \(the file names options as dataDir, not by flag\)/],
        ['bad-value.yaml', 'port: nine\n', /bad-value\.yaml: port: expected an integer/],
        ['range.json', '{"clockSkewSeconds": 900}', /range\.json: clockSkewSeconds: expected 0\.\.300/],
        ['cidr.yaml', 'fetchAllowCidrs: [nope]\n', /fetchAllowCidrs: expected a comma-separated list of CIDRs/],
        ['object.yaml', 'host: { a: 1 }\n', /host: expected a string, number, boolean or list of strings/],
        ['nested.yaml', 'configFile: other.yaml\n', /configFile: a config file cannot name another/],
        ['list.yaml', '- port\n', /must hold an object of options/],
        ['broken.json', '{"port": ', /broken\.json is not valid JSON/],
        ['broken.yaml', 'port: [1\n', /broken\.yaml is not valid YAML/],
      ];
      for (const [name, text, message] of cases) {
        writeFileSync(join(dir, name), text);
        assert.throws(() => resolveConfig({ env: {}, argv: ['--config', join(dir, name)] }), (error: unknown) => error instanceof ConfigError && message.test(error.message), name);
      }
      assert.throws(() => resolveConfig({ env: { GATEHOUSE_CONFIG: join(dir, 'missing.yaml') } }), (error: unknown) => error instanceof ConfigError && /cannot read config file .*missing\.yaml/.test(error.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has metrics off by default, on loopback port 9012 when on, and refuses the main port for them', () => {
    const config = resolveConfig({ env: {} });
    assert.equal(config.metrics, false);
    assert.equal(config.metricsPort, 9012);
    assert.equal(config.metricsHost, '127.0.0.1');
    assert.equal(resolveConfig({ env: { GATEHOUSE_METRICS: 'true' } }).metrics, true);
    assert.throws(() => resolveConfig({ argv: ['--metrics', 'true', '--port', '9012'] }), /--metrics-port must differ from --port/);
    assert.equal(resolveConfig({ argv: ['--metrics', 'false', '--port', '9012'] }).metricsPort, 9012);
  });
});
