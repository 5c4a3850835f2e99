import { createRequire } from 'node:module';
import type * as Undici from 'undici';

let loaded: typeof Undici | undefined;

/**
 * undici (outbound fetches: JWKS, discovery, webhooks), loaded on the first outbound request
 * instead of at start-up, where importing it took about 60 ms and 3 MB and many nodes make
 * their first outbound request long after they are ready, or never.
 */
export function undici(): typeof Undici {
  loaded ??= createRequire(import.meta.url)('undici') as typeof Undici;
  return loaded;
}
