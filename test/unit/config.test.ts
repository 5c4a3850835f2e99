import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheLifetimesOf } from '../../src/config/cache-lifetimes.js';
import { ConfigError, resolveConfig } from '../../src/config/options.js';

describe('configuration', () => {
  it('has documented defaults and derives the public URL from the port', () => {
    const config = resolveConfig({ env: {} });
    assert.equal(config.port, 9011);
    assert.equal(config.dataDir, './data');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.publicUrl, 'http://localhost:9011');
    assert.equal(config.rateLimitTokenPerMinute, 0);
    assert.deepEqual(cacheLifetimesOf(config), { configurationMs: 2000, tenantMs: 5000, signingKeyMs: 30000, publishedKeysMs: 5000 });
    assert.equal(cacheLifetimesOf(resolveConfig({ env: { GATEHOUSE_CONFIGURATION_CACHE_MS: '0' } })).configurationMs, 0);
    assert.ok(Object.isFrozen(config));
  });

  it('flags win over environment, environment over defaults', () => {
    const config = resolveConfig({ env: { GATEHOUSE_PORT: '8000', GATEHOUSE_HOST: '0.0.0.0' }, argv: ['--port', '9000', '--public-url=https://id.example.org/'] });
    assert.equal(config.port, 9000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.publicUrl, 'https://id.example.org');
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
});
