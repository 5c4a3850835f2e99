import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressRefusal, ANY_ADDRESS, literalAddress, PUBLIC_ADDRESSES_ONLY } from '../../../src/lib/address-policy.js';
import type { AddressPolicy } from '../../../src/lib/address-policy.js';

const PRIVATE_ALLOWED: AddressPolicy = { allowPrivate: true, allowCidrs: [] };

/** [address, the range its refusal names] */
const REFUSED_BY_DEFAULT: [string, RegExp][] = [
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['10.0.0.1', /private/],
  ['172.16.0.1', /private/],
  ['172.31.255.255', /private/],
  ['192.168.1.1', /private/],
  ['169.254.169.254', /linkLocal/],
  ['100.64.0.1', /carrierGradeNat/],
  ['100.127.255.255', /carrierGradeNat/],
  ['0.0.0.0', /unspecified/],
  ['255.255.255.255', /broadcast/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['240.0.0.1', /reserved/],
  ['192.0.2.10', /reserved/],
  ['198.18.0.1', /reserved/],
  ['::1', /loopback/],
  ['::', /unspecified/],
  ['fc00::1', /uniqueLocal/],
  ['fd12:3456::1', /uniqueLocal/],
  ['fe80::1', /linkLocal/],
  ['ff02::1', /multicast/],
  ['2001:db8::1', /reserved/],
  ['2001::1', /teredo/],
  ['64:ff9b:1::a00:1', /rfc6052/],
  // IPv4 inside IPv6 is judged as the IPv4 address it stands for.
  ['::ffff:127.0.0.1', /127\.0\.0\.1, in the loopback/],
  ['::ffff:169.254.169.254', /169\.254\.169\.254, in the linkLocal/],
  ['::ffff:a9fe:a9fe', /169\.254\.169\.254, in the linkLocal/],
  ['::ffff:10.0.0.1', /private/],
  ['::ffff:0:7f00:1', /127\.0\.0\.1, in the loopback/],
  ['::7f00:1', /127\.0\.0\.1, in the loopback/],
  ['::a9fe:a9fe', /linkLocal/],
  ['64:ff9b::a9fe:a9fe', /169\.254\.169\.254, in the linkLocal/],
  ['64:ff9b::7f00:1', /loopback/],
  ['2002:a00:1::1', /10\.0\.0\.1, in the private/],
];

const PUBLIC = ['8.8.8.8', '1.1.1.1', '93.184.215.14', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'];

describe('outbound address policy', () => {
  it('refuses every special-purpose range by default, naming it, including IPv4 embedded in IPv6', () => {
    for (const [address, range] of REFUSED_BY_DEFAULT) {
      const refusal = addressRefusal(address, PUBLIC_ADDRESSES_ONLY);
      assert.ok(refusal, `${address} must be refused`);
      assert.match(refusal, range, address);
    }
  });

  it('allows public unicast addresses, also when IPv4-mapped or behind NAT64', () => {
    for (const address of PUBLIC) assert.equal(addressRefusal(address, PUBLIC_ADDRESSES_ONLY), undefined, address);
  });

  it('allow-private opens loopback, RFC 1918, carrier-grade NAT and unique-local, but not link-local or the rest', () => {
    for (const address of ['127.0.0.1', '10.0.0.1', '172.20.1.1', '192.168.0.10', '100.64.0.1', '::1', 'fd00::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1']) {
      assert.equal(addressRefusal(address, PRIVATE_ALLOWED), undefined, address);
    }
    for (const address of ['169.254.169.254', '::ffff:169.254.169.254', 'fe80::1', '0.0.0.0', '::', '224.0.0.1', '255.255.255.255', '240.0.0.1']) {
      assert.ok(addressRefusal(address, PRIVATE_ALLOWED), address);
    }
  });

  it('an allowed CIDR admits exactly its addresses, in IPv4 and IPv4-mapped form', () => {
    const loopback: AddressPolicy = { allowPrivate: false, allowCidrs: ['127.0.0.0/8'] };
    for (const address of ['127.0.0.1', '127.1.2.3', '::ffff:127.0.0.1']) assert.equal(addressRefusal(address, loopback), undefined, address);
    for (const address of ['10.0.0.1', '::1', '169.254.169.254', '192.168.0.1']) assert.ok(addressRefusal(address, loopback), address);
    const metadata: AddressPolicy = { allowPrivate: false, allowCidrs: ['169.254.169.254/32', 'fd00:ec2::/32'] };
    assert.equal(addressRefusal('169.254.169.254', metadata), undefined);
    assert.equal(addressRefusal('fd00:ec2::254', metadata), undefined);
    assert.ok(addressRefusal('169.254.169.253', metadata));
    assert.equal(addressRefusal('10.9.9.9', ANY_ADDRESS), undefined);
  });

  it('reads a literal-address host the way the WHATWG URL parser leaves it: hex, decimal and octal IPv4 included', () => {
    const cases: [string, string | undefined][] = [
      ['http://0x7f000001:1/', '127.0.0.1'],
      ['http://2130706433/', '127.0.0.1'],
      ['http://017700000001/', '127.0.0.1'],
      ['http://0177.1/', '127.0.0.1'],
      ['http://0xa9.0xfe.0xa9.0xfe/', '169.254.169.254'],
      ['http://127.0.0.1./', '127.0.0.1'],
      ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe'],
      ['http://[0:0:0:0:0:0:0:1]/', '::1'],
      ['https://id.example.org/', undefined],
      ['http://localhost:8080/', undefined],
    ];
    for (const [url, literal] of cases) {
      const found = literalAddress(new URL(url).hostname);
      assert.equal(found, literal, url);
      if (found) assert.ok(addressRefusal(found, PUBLIC_ADDRESSES_ONLY), url);
    }
  });
});
