import type { Clock } from '../lib/clock.js';
import { fetchJson, FetchError, maxAgeSeconds } from '../lib/bounded-fetch.js';
import type { FetchPolicy } from '../lib/bounded-fetch.js';
import type { Metrics } from '../metrics/metrics.js';
import { importJwkSet } from './jwk-set.js';
import type { ImportedJwk } from './jwk-set.js';

export interface RemoteJwksOptions {
  fetchPolicy: FetchPolicy;
  clock: Clock;
  /** Lifetime when the response carries no Cache-Control max-age. */
  defaultTtlMs: number;
  /** Cap on Cache-Control max-age. */
  maxTtlMs: number;
  /** Least time between two fetches of one URL caused by an unknown `kid`. */
  refetchCooldownMs: number;
  /** Bound on cached documents (least recently used goes first). */
  maxEntries: number;
  /** How long a failed fetch is answered from memory before the URL is fetched again (default: refetchCooldownMs). */
  failureCooldownMs?: number;
  /** Fetches by result and cache hits. */
  metrics?: Metrics;
}

interface Entry {
  keys: ImportedJwk[];
  fetchedAt: number;
  expiresAt: number;
}

export class JwksFetchError extends Error {
  constructor(
    readonly code: FetchError['code'] | 'NOT_A_JWKS',
    message: string,
  ) {
    super(message);
    this.name = 'JwksFetchError';
  }
}

/**
 * Remote JWKS documents (client JWKS URLs, identity-provider JWKS URLs): fetched with a time
 * budget and size limit, cached per Cache-Control (capped), fetched again at most once per
 * cooldown when a `kid` is unknown, so key rotation works and a flood of bad `kid`s cannot
 * turn Gatehouse into a request amplifier. A failed fetch is remembered for a cooldown too, so
 * anonymous requests naming a broken or refused URL cannot make Gatehouse fetch at will.
 */
export class RemoteJwksCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry>>();
  private readonly lastFetchAt = new Map<string, number>();
  private readonly failures = new Map<string, { error: JwksFetchError; until: number }>();

  constructor(private readonly options: RemoteJwksOptions) {}

  /** The outbound-fetch limits, shared with the other server-side fetches (upstream token endpoints). */
  get fetchPolicy(): FetchPolicy {
    return this.options.fetchPolicy;
  }

  /** The cached keys of `url`, fetched when missing or expired. */
  async get(url: string): Promise<ImportedJwk[]> {
    const now = this.options.clock.now();
    const entry = this.entries.get(url);
    if (entry && entry.expiresAt > now) {
      this.options.metrics?.jwksCacheHit();
      this.touch(url, entry);
      return entry.keys;
    }
    return (await this.fetch(url)).keys;
  }

  /**
   * Called when no key matched: fetches `url` again unless it was fetched within the cooldown.
   * Returns the new keys, or undefined when the cooldown forbids a fetch.
   */
  async refreshForUnknownKid(url: string): Promise<ImportedJwk[] | undefined> {
    const last = this.lastFetchAt.get(url) ?? 0;
    if (this.options.clock.now() - last < this.options.refetchCooldownMs) return undefined;
    return (await this.fetch(url)).keys;
  }

  /** Drops a cached document (e.g. when a client's JWKS URL changes). */
  invalidate(url: string): void {
    this.entries.delete(url);
    this.failures.delete(url);
  }

  private fetch(url: string): Promise<Entry> {
    const pending = this.inflight.get(url);
    if (pending) return pending;
    const failure = this.failures.get(url);
    if (failure && failure.until > this.options.clock.now()) return Promise.reject(failure.error);
    this.failures.delete(url);
    const promise = this.load(url)
      .catch((error: unknown) => {
        if (error instanceof JwksFetchError) this.rememberFailure(url, error);
        throw error;
      })
      .finally(() => this.inflight.delete(url));
    this.inflight.set(url, promise);
    return promise;
  }

  private async load(url: string): Promise<Entry> {
    this.lastFetchAt.set(url, this.options.clock.now());
    let response;
    try {
      response = await fetchJson(url, this.options.fetchPolicy);
    } catch (error) {
      if (error instanceof FetchError) {
        this.options.metrics?.remoteFetch('jwks', error.code);
        throw new JwksFetchError(error.code, error.message);
      }
      throw error;
    }
    const keys = importJwkSet(response.body);
    this.options.metrics?.remoteFetch('jwks', keys === 'NOT_A_JWKS' ? keys : 'ok');
    if (keys === 'NOT_A_JWKS') throw new JwksFetchError('NOT_A_JWKS', 'document has no "keys" array');
    const now = this.options.clock.now();
    const maxAge = maxAgeSeconds(response.headers.get('cache-control'));
    const ttl = Math.min(maxAge === undefined ? this.options.defaultTtlMs : maxAge * 1000, this.options.maxTtlMs);
    const entry = { keys, fetchedAt: now, expiresAt: now + ttl };
    this.touch(url, entry);
    return entry;
  }

  private rememberFailure(url: string, error: JwksFetchError): void {
    const cooldown = this.options.failureCooldownMs ?? this.options.refetchCooldownMs;
    this.failures.set(url, { error, until: this.options.clock.now() + cooldown });
    if (this.failures.size > this.options.maxEntries) this.failures.delete(this.failures.keys().next().value as string);
  }

  private touch(url: string, entry: Entry): void {
    this.entries.delete(url);
    this.entries.set(url, entry);
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.lastFetchAt.delete(oldest);
    }
    if (this.lastFetchAt.size > this.options.maxEntries * 2) this.lastFetchAt.clear();
  }
}
