import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RemoteJwksCache, JwksFetchError } from '../../../src/jwt/remote-jwks-cache.js';
import { ManualClock } from '../../../src/lib/clock.js';
import { clientKey, jwks } from '../../helpers/client-keys.js';
import { startDocumentServer } from '../../helpers/jwks-server.js';
import type { DocumentServer } from '../../helpers/jwks-server.js';

describe('remote JWKS cache', () => {
  let documents: DocumentServer;
  before(async () => {
    documents = await startDocumentServer();
  });
  after(() => documents.close());

  const cache = (clock: ManualClock, overrides: Partial<ConstructorParameters<typeof RemoteJwksCache>[0]> = {}) =>
    new RemoteJwksCache({
      fetchPolicy: { timeoutMs: 300, maxBytes: 4096, allowHttp: true, addresses: { allowPrivate: true, allowCidrs: [] } },
      clock,
      defaultTtlMs: 60_000,
      maxTtlMs: 600_000,
      refetchCooldownMs: 10_000,
      maxEntries: 2,
      ...overrides,
    });

  it('honours Cache-Control max-age, capped by the maximum', async () => {
    const key = await clientKey('ES256');
    documents.set('/a', jwks(key), { 'cache-control': 'public, max-age=30' });
    const clock = new ManualClock(0);
    const c = cache(clock);
    assert.equal((await c.get(`${documents.baseUrl}/a`)).length, 1);
    await c.get(`${documents.baseUrl}/a`);
    assert.equal(documents.hits('/a'), 1);
    clock.advance(31_000);
    await c.get(`${documents.baseUrl}/a`);
    assert.equal(documents.hits('/a'), 2);

    documents.set('/capped', jwks(key), { 'cache-control': 'max-age=999999' });
    const capped = cache(clock, { maxTtlMs: 5_000 });
    await capped.get(`${documents.baseUrl}/capped`);
    clock.advance(5_001);
    await capped.get(`${documents.baseUrl}/capped`);
    assert.equal(documents.hits('/capped'), 2);
  });

  it('no-store means no caching', async () => {
    documents.set('/nostore', jwks(await clientKey('ES256')), { 'cache-control': 'no-store' });
    const c = cache(new ManualClock(0));
    await c.get(`${documents.baseUrl}/nostore`);
    await c.get(`${documents.baseUrl}/nostore`);
    assert.equal(documents.hits('/nostore'), 2);
  });

  it('re-reads for an unknown kid at most once per cooldown', async () => {
    documents.set('/cool', jwks(await clientKey('ES256')));
    const clock = new ManualClock(0);
    const c = cache(clock);
    await c.get(`${documents.baseUrl}/cool`);
    assert.equal(await c.refreshForUnknownKid(`${documents.baseUrl}/cool`), undefined);
    clock.advance(10_000);
    assert.ok(await c.refreshForUnknownKid(`${documents.baseUrl}/cool`));
    assert.equal(documents.hits('/cool'), 2);
  });

  it('deduplicates concurrent fetches and evicts the least recently used', async () => {
    documents.set('/d1', jwks(await clientKey('ES256')));
    documents.set('/d2', jwks(await clientKey('ES256')));
    documents.set('/d3', jwks(await clientKey('ES256')));
    const c = cache(new ManualClock(0));
    await Promise.all([1, 2, 3, 4].map(() => c.get(`${documents.baseUrl}/d1`)));
    assert.equal(documents.hits('/d1'), 1);
    await c.get(`${documents.baseUrl}/d2`);
    await c.get(`${documents.baseUrl}/d3`);
    await c.get(`${documents.baseUrl}/d1`);
    assert.equal(documents.hits('/d1'), 2, 'evicted by the bound of 2');
  });

  it('fails with a code for slow, large, broken, non-JSON and non-JWKS answers, and for plain http when not allowed', async () => {
    documents.misbehave('/slow', { delayMs: 1000 });
    documents.misbehave('/large', { bodyBytes: 10_000 });
    documents.misbehave('/error', { status: 500 });
    documents.set('/notjwks', { hello: 'world' });
    const c = cache(new ManualClock(0));
    const expectCode = async (path: string, code: string, target = c) =>
      assert.rejects(target.get(`${documents.baseUrl}${path}`), (error: unknown) => error instanceof JwksFetchError && error.code === code, path);
    await expectCode('/slow', 'FETCH_TIMEOUT');
    await expectCode('/large', 'FETCH_TOO_LARGE');
    await expectCode('/error', 'FETCH_STATUS');
    await expectCode('/notjwks', 'NOT_A_JWKS');
    await expectCode('/missing', 'FETCH_STATUS');
    const strict = cache(new ManualClock(0), { fetchPolicy: { timeoutMs: 300, maxBytes: 4096, allowHttp: false, addresses: { allowPrivate: true, allowCidrs: [] } } });
    await expectCode('/a', 'FETCH_SCHEME_FORBIDDEN', strict);
  });

  it('remembers a failed fetch for the failure cooldown: the URL is not fetched again until it passes', async () => {
    documents.misbehave('/failing', { status: 503 });
    const clock = new ManualClock(0);
    const c = cache(clock, { failureCooldownMs: 30_000 });
    const url = `${documents.baseUrl}/failing`;
    for (let i = 0; i < 5; i++) {
      await assert.rejects(c.get(url), (error: unknown) => error instanceof JwksFetchError && error.code === 'FETCH_STATUS');
    }
    assert.equal(await c.refreshForUnknownKid(url), undefined);
    assert.equal(documents.hits('/failing'), 1);
    clock.advance(29_999);
    await assert.rejects(c.get(url), JwksFetchError);
    await assert.rejects(c.refreshForUnknownKid(url), JwksFetchError, 'past the refetch cooldown, still the remembered failure');
    assert.equal(documents.hits('/failing'), 1);
    documents.set('/failing', jwks(await clientKey('ES256')));
    clock.advance(1);
    assert.equal((await c.get(url)).length, 1, 'fetched again once the cooldown passed');
    assert.equal(documents.hits('/failing'), 2);
    documents.misbehave('/refused', { status: 500 });
    const byDefault = cache(clock);
    await assert.rejects(byDefault.get(`${documents.baseUrl}/refused`), JwksFetchError);
    clock.advance(9_999);
    await assert.rejects(byDefault.get(`${documents.baseUrl}/refused`), JwksFetchError);
    assert.equal(documents.hits('/refused'), 1, 'the refetch cooldown is the default failure cooldown');
  });

  it('skips private and symmetric keys in a JWKS', async () => {
    const key = await clientKey('ES256');
    documents.set('/mixed', { keys: [key.publicJwk, { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }, { ...key.publicJwk, d: 'private', kid: 'leaked' }, 'junk'] });
    const keys = await cache(new ManualClock(0)).get(`${documents.baseUrl}/mixed`);
    assert.deepEqual(keys.map((k) => k.kid), [key.kid]);
  });
});
