import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkOutboundUrl, FetchError, fetchJson, outboundUrlProblem } from '../../../src/lib/bounded-fetch.js';
import type { FetchPolicy } from '../../../src/lib/bounded-fetch.js';
import type { AddressPolicy } from '../../../src/lib/address-policy.js';
import type { HostResolver } from '../../../src/lib/guarded-dispatcher.js';
import { startDocumentServer } from '../../helpers/jwks-server.js';
import type { DocumentServer } from '../../helpers/jwks-server.js';

const STRICT: AddressPolicy = { allowPrivate: false, allowCidrs: [] };
const LOOPBACK: AddressPolicy = { allowPrivate: false, allowCidrs: ['127.0.0.0/8'] };
const policy = (addresses: AddressPolicy, extra: Partial<FetchPolicy> = {}): FetchPolicy => ({ timeoutMs: 2000, maxBytes: 4096, allowHttp: true, addresses, ...extra });

const isCode = (code: string) => (error: unknown) => error instanceof FetchError && error.code === code;

describe('SSRF-safe outbound fetch', () => {
  let documents: DocumentServer;
  let port: string;
  before(async () => {
    documents = await startDocumentServer();
    documents.set('/doc', { ok: true });
    port = new URL(documents.baseUrl).port;
  });
  after(() => documents.close());

  it('refuses literal disallowed addresses before any request, in every form the URL parser reads', async () => {
    let calls = 0;
    const counting: typeof fetch = async (input, init) => {
      calls++;
      return fetch(input, init);
    };
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://[::ffff:169.254.169.254]/', 'http://0x7f000001:1/', 'http://2130706433/', 'http://017700000001/', 'http://[::1]/', 'http://0.0.0.0/']) {
      assert.throws(() => checkOutboundUrl(url, { allowHttp: true, addresses: STRICT }), isCode('FETCH_ADDRESS_FORBIDDEN'), url);
      await assert.rejects(fetchJson(url, policy(STRICT, { fetch: counting })), isCode('FETCH_ADDRESS_FORBIDDEN'), url);
    }
    assert.equal(calls, 0, 'refused before the (injected) fetch was called');
  });

  it('answers registration with a field-error code: addressNotAllowed for a refused address, invalid for a bad URL', () => {
    const rules = { allowHttp: false, addresses: STRICT };
    assert.equal(outboundUrlProblem('https://10.0.0.1/jwks', rules)?.code, 'addressNotAllowed');
    assert.match(outboundUrlProblem('https://10.0.0.1/jwks', rules)!.message, /private range/);
    assert.equal(outboundUrlProblem('http://example.org/jwks', rules)?.code, 'invalid');
    assert.equal(outboundUrlProblem('not a url', rules)?.code, 'invalid');
    assert.equal(outboundUrlProblem('https://idp.example.org/jwks', rules), undefined, 'names are judged when fetched');
    assert.equal(outboundUrlProblem('https://10.0.0.1/jwks', { allowHttp: false, addresses: { allowPrivate: true, allowCidrs: [] } }), undefined);
  });

  it('checks the address a host name resolves to when it connects (localhost is loopback)', async () => {
    const url = `http://localhost:${port}/doc`;
    await assert.rejects(fetchJson(url, policy(STRICT)), (error: unknown) => isCode('FETCH_ADDRESS_FORBIDDEN')(error) && /loopback/.test((error as Error).message));
    assert.equal(documents.hits('/doc'), 0, 'refused before connecting');
    assert.deepEqual((await fetchJson(url, policy(LOOPBACK))).body, { ok: true });
    assert.deepEqual((await fetchJson(url, policy({ allowPrivate: true, allowCidrs: [] }))).body, { ok: true });
    assert.equal(documents.hits('/doc'), 2);
  });

  it('connects only to the allowed addresses of a name (injected resolver), never to the refused ones', async () => {
    const resolved: string[] = [];
    const resolve: HostResolver = async (hostname) => {
      resolved.push(hostname);
      // 10.0.0.1 is dropped before the socket sees it: the fetch reaches the loopback server.
      return [{ address: '10.0.0.1', family: 4 }, { address: '127.0.0.1', family: 4 }];
    };
    const before = documents.hits('/doc');
    const reply = await fetchJson(`http://jwks.gatehouse.test:${port}/doc`, policy(LOOPBACK, { resolve }));
    assert.deepEqual(reply.body, { ok: true });
    assert.deepEqual(resolved, ['jwks.gatehouse.test']);
    const onlyPrivate: HostResolver = async () => [{ address: '10.0.0.1', family: 4 }];
    await assert.rejects(fetchJson(`http://rebound.gatehouse.test:${port}/doc`, policy(LOOPBACK, { resolve: onlyPrivate })), isCode('FETCH_ADDRESS_FORBIDDEN'));
    assert.equal(documents.hits('/doc'), before + 1);
  });

  it('an injected fetch that passes init on to Node fetch keeps the connect-time check', async () => {
    let calls = 0;
    const counting: typeof fetch = async (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const before = documents.hits('/doc');
    await assert.rejects(fetchJson(`http://localhost:${port}/doc`, policy(STRICT, { fetch: counting })), isCode('FETCH_ADDRESS_FORBIDDEN'));
    assert.deepEqual((await fetchJson(`http://localhost:${port}/doc`, policy(LOOPBACK, { fetch: counting }))).body, { ok: true });
    assert.equal(calls, 2);
    assert.equal(documents.hits('/doc'), before + 1);
  });
});
