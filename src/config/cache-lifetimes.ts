/**
 * Every per-node cache lifetime, in one place. A node serves what it read for at most this long;
 * the services that write an object clear their node's cache at once, other nodes follow within
 * the lifetime. The two an operator may tune are options (`--configuration-cache`,
 * `--signing-key-cache`); `cacheLifetimesOf` reads them.
 */
export interface CacheLifetimes {
  /** Tenants, clients and applications, identity providers, lambdas, SMART roles' derived scopes and devices. */
  configurationMs: number;
  /** A tenant by its slug (the first read of every `/t/{tenant}` request). */
  tenantMs: number;
  /** A tenant's active signing key; a rotation keeps the old key published this much longer. */
  signingKeyMs: number;
  /** A tenant's published keys as its own tokens are verified against; an unknown `kid` reloads at once. */
  publishedKeysMs: number;
  /** An upstream provider's OpenID Connect discovery document; an unknown `kid` re-reads it sooner. */
  upstreamDiscoveryMs: number;
}

export const DEFAULT_CACHE_LIFETIMES: Readonly<CacheLifetimes> = Object.freeze({
  configurationMs: 2_000,
  tenantMs: 5_000,
  signingKeyMs: 30_000,
  publishedKeysMs: 5_000,
  upstreamDiscoveryMs: 3_600_000,
});

/** The lifetimes with the operator's choices from the config applied. */
export const cacheLifetimesOf = (config: { configurationCacheMs: number; signingKeyCacheMs: number }): CacheLifetimes => ({
  ...DEFAULT_CACHE_LIFETIMES,
  configurationMs: config.configurationCacheMs,
  signingKeyMs: config.signingKeyCacheMs,
});
