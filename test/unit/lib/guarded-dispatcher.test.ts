import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { describe, it } from 'node:test';
import { AddressRefusedError, guardedLookup } from '../../../src/lib/guarded-dispatcher.js';
import type { HostResolver } from '../../../src/lib/guarded-dispatcher.js';
import { PUBLIC_ADDRESSES_ONLY } from '../../../src/lib/address-policy.js';

const resolving =
  (...addresses: string[]): HostResolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

/** Runs the lookup as net.connect would, without connecting anywhere. */
function lookup(resolve: HostResolver, options: { all?: boolean; family?: number }, policy = PUBLIC_ADDRESSES_ONLY) {
  return new Promise<{ error: Error | null; address: string | LookupAddress[]; family?: number }>((done) => {
    guardedLookup(policy, resolve)('jwks.example.test', options, (error, address, family) => done({ error, address, family }));
  });
}

describe('connect-time address check (lookup)', () => {
  it('hands the socket only the allowed addresses of a name', async () => {
    const answer = await lookup(resolving('10.0.0.1', '93.184.215.14', '169.254.169.254', '2606:4700::1'), { all: true });
    assert.equal(answer.error, null);
    assert.deepEqual(answer.address, [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:4700::1', family: 6 },
    ]);
    const one = await lookup(resolving('127.0.0.1', '93.184.215.14'), {});
    assert.deepEqual([one.error, one.address, one.family], [null, '93.184.215.14', 4]);
    const v6 = await lookup(resolving('93.184.215.14', '2606:4700::1'), { family: 6 });
    assert.deepEqual([v6.address, v6.family], ['2606:4700::1', 6]);
  });

  it('refuses a name that resolves only to refused addresses, naming them', async () => {
    const answer = await lookup(resolving('127.0.0.1', '::1', '::ffff:169.254.169.254'), { all: true });
    assert.ok(answer.error instanceof AddressRefusedError);
    assert.match(answer.error.message, /jwks\.example\.test resolves to no allowed address/);
    assert.match(answer.error.message, /127\.0\.0\.1 is in the loopback range/);
    assert.match(answer.error.message, /169\.254\.169\.254, in the linkLocal range/);
    const allowed = await lookup(resolving('127.0.0.1'), { all: true }, { allowPrivate: false, allowCidrs: ['127.0.0.0/8'] });
    assert.deepEqual(allowed.address, [{ address: '127.0.0.1', family: 4 }]);
  });

  it('passes a resolution failure on', async () => {
    const failing: HostResolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const answer = await lookup(failing, { all: true });
    assert.equal((answer.error as NodeJS.ErrnoException).code, 'ENOTFOUND');
  });
});
