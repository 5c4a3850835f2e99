import ipaddr from 'ipaddr.js';
import type { IPv4, IPv6 } from 'ipaddr.js';

/**
 * Which IP addresses an outbound fetch may connect to (SSRF defence, OWASP SSRF Prevention Cheat
 * Sheet): public unicast only, unless the operator allows private networks or lists CIDRs.
 * The ranges come from ipaddr.js (IANA special-purpose registries, RFC 6890), not from
 * hand-written checks.
 */
export interface AddressPolicy {
  /** Also allow loopback, RFC 1918 private, RFC 6598 carrier-grade NAT and RFC 4193 unique-local. */
  allowPrivate: boolean;
  /** CIDRs allowed whatever their range (validated at start with ipaddr.js `parseCIDR`). */
  allowCidrs: readonly string[];
}

/** Public unicast only: the default for every fetch whose URL an API caller chose. */
export const PUBLIC_ADDRESSES_ONLY: AddressPolicy = Object.freeze({ allowPrivate: false, allowCidrs: Object.freeze([]) });

/** Any address: for fetches whose URLs only the operator configures (the resource-guard library). */
export const ANY_ADDRESS: AddressPolicy = Object.freeze({ allowPrivate: true, allowCidrs: Object.freeze(['0.0.0.0/0', '::/0']) });

/** Ranges `allowPrivate` opens. Link-local (169.254/16: cloud metadata) is not one of them. */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'carrierGradeNat', 'uniqueLocal']);

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one that a router, a NAT64 or
 * the kernel would reach: IPv4-mapped `::ffff:a.b.c.d` and IPv4-compatible `::a.b.c.d`
 * (RFC 4291 §2.5.5), RFC 6145 `::ffff:0:a.b.c.d`, NAT64 well-known prefix `64:ff9b::/96`
 * (RFC 6052 §2.1) and 6to4 `2002:aabb:ccdd::/48` (RFC 3056 §2).
 */
function embeddedIPv4(address: IPv6): IPv4 | undefined {
  const parts = address.parts;
  const lastTwo = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const range = address.range();
  if (range === 'ipv4Mapped') return address.toIPv4Address();
  if (range === 'rfc6145' || (range === 'rfc6052' && parts[2] === 0)) return lastTwo(parts[6], parts[7]);
  if (range === '6to4') return lastTwo(parts[1], parts[2]);
  if (parts.slice(0, 6).every((p) => p === 0) && range === 'unicast') return lastTwo(parts[6], parts[7]);
  return undefined;
}

function inAllowedCidr(address: IPv4 | IPv6, cidrs: readonly string[]): boolean {
  return cidrs.some((cidr) => {
    const [network, bits] = ipaddr.parseCIDR(cidr);
    return network.kind() === address.kind() && address.match(network, bits);
  });
}

/**
 * Why `address` (a literal IPv4 or IPv6 address) may not be connected to under `policy`, or
 * undefined when it may. An IPv6 address that embeds an IPv4 address is judged as that address.
 */
export function addressRefusal(address: string, policy: AddressPolicy): string | undefined {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const parsed = ipaddr.parse(address);
  const inner = parsed.kind() === 'ipv6' ? embeddedIPv4(parsed as IPv6) : undefined;
  if (inAllowedCidr(parsed, policy.allowCidrs) || (inner && inAllowedCidr(inner, policy.allowCidrs))) return undefined;
  const target = inner ?? parsed;
  const range = target.range();
  if (range === 'unicast' || (policy.allowPrivate && PRIVATE_RANGES.has(range))) return undefined;
  return inner ? `${address} stands for ${inner.toString()}, in the ${range} range` : `${address} is in the ${range} range`;
}

/** The address a URL host names literally (`[::1]` → `::1`), or undefined for a DNS name. */
export function literalAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.IPv4.isValidFourPartDecimal(bare) || ipaddr.IPv6.isValid(bare) ? bare : undefined;
}
