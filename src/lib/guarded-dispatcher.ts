import { promises as dns } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { Dispatcher } from 'undici';
import { addressRefusal, literalAddress } from './address-policy.js';
import type { AddressPolicy } from './address-policy.js';
import { undici } from './undici-module.js';

/** Resolves a host name to every address it has (`dns.lookup` with `all: true`; tests inject one). */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: HostResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** A connection the address policy forbids; raised before any packet is sent to that address. */
export class AddressRefusedError extends Error {
  readonly code = 'ADDRESS_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'AddressRefusedError';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `net.connect` lookup that resolves the name itself, drops every address the policy refuses
 * and hands only allowed ones to the socket: the check is on the address actually connected to,
 * so a name that answers differently later (DNS rebinding) cannot slip past a check made earlier.
 */
export function guardedLookup(policy: AddressPolicy, resolve: HostResolver) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        const wanted = addresses.filter((a) => !options.family || a.family === options.family);
        const refusals = wanted.map((a) => addressRefusal(a.address, policy));
        const allowed = wanted.filter((_, i) => refusals[i] === undefined);
        if (allowed.length === 0) {
          const why = refusals.length ? refusals.join('; ') : 'no address';
          callback(new AddressRefusedError(`${hostname} resolves to no allowed address (${why})`), '');
        } else if (options.all) callback(null, allowed);
        else callback(null, allowed[0].address, allowed[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

/**
 * An undici dispatcher whose every connection obeys `policy`: a literal-address host is checked
 * before connecting, a name through `guardedLookup`.
 */
export function guardedDispatcher(policy: AddressPolicy, resolve: HostResolver = systemResolver): Dispatcher {
  const { Agent, buildConnector } = undici();
  const connectSocket = buildConnector({ lookup: guardedLookup(policy, resolve) });
  return new Agent({
    connect(options, callback) {
      const literal = literalAddress(options.hostname);
      const refusal = literal === undefined ? undefined : addressRefusal(literal, policy);
      if (refusal) callback(new AddressRefusedError(refusal), null);
      else connectSocket(options, callback);
    },
  });
}

/** The AddressRefusedError in `error` or its causes (fetch wraps connect errors), if any. */
export function addressRefusalIn(error: unknown): AddressRefusedError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof AddressRefusedError) return e;
  }
  return undefined;
}
