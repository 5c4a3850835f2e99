import type { Clock } from '../lib/clock.js';
import type { FetchPolicy } from '../lib/bounded-fetch.js';
import type { ExternalJwtIdentityProvider } from '../store/records.js';
import { DiscoveryError, issuersOfDiscoveryUrl, readDiscoveryDocument } from './upstream-discovery.js';
import type { UpstreamMetadata } from './upstream-discovery.js';
import type { Metrics } from '../metrics/metrics.js';

/** Where Gatehouse talks to one upstream provider: discovered, else as configured. */
export interface UpstreamEndpoints {
  authorization_endpoint?: string;
  token_endpoint?: string;
  userinfo_endpoint?: string;
  end_session_endpoint?: string;
  jwks_uri?: string;
  /** `discovery` when a discovery document supplied them, `configured` otherwise. */
  source: 'discovery' | 'configured';
  /** Why the discovery document could not be read, when the configured endpoints stand in for it. */
  discoveryError?: DiscoveryError;
}

/** The endpoint a step needs; when it is missing because discovery failed, that failure is the error. */
export function requireEndpoint(endpoints: UpstreamEndpoints, name: 'authorization_endpoint' | 'token_endpoint' | 'jwks_uri'): string | undefined {
  const value = endpoints[name];
  if (value === undefined && endpoints.discoveryError) throw endpoints.discoveryError;
  return value;
}

export interface DiscoveryCacheOptions {
  fetchPolicy: FetchPolicy;
  clock: Clock;
  /** How long a document is used before it is read again (`config/cache-lifetimes.ts`). */
  ttlMs: number;
  /** How long a failed read is answered from memory. */
  failureCooldownMs: number;
  /** Least time between two reads caused by an unknown `kid`. */
  refetchCooldownMs: number;
  /** Counts each read by result (`ok` or the DiscoveryError code). */
  metrics?: Pick<Metrics, 'remoteFetch'>;
}

type Entry = { metadata: UpstreamMetadata; until: number; fetchedAt: number } | { error: DiscoveryError; until: number; fetchedAt: number };

/** The issuers a provider's discovery document may name (§4.3): the configured one, else those its URL implies. */
export const expectedIssuersOf = (provider: Pick<ExternalJwtIdentityProvider, 'issuer' | 'oauth2'>): string[] =>
  provider.issuer ? [provider.issuer] : issuersOfDiscoveryUrl(provider.oauth2.discoveryUrl ?? '');

/**
 * Upstream discovery documents, per node: read on first use, re-read after `ttlMs` (default one
 * hour) and when a token names a `kid` the provider's JWKS lacks (the keys may have moved), a
 * failure remembered for a cooldown so a broken upstream is not fetched per request.
 */
export class UpstreamDiscoveryCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry>>();

  constructor(private readonly options: DiscoveryCacheOptions) {}

  /** The document of `url` as checked against `expectedIssuers`; throws its DiscoveryError. */
  async metadata(url: string, expectedIssuers: readonly string[]): Promise<UpstreamMetadata> {
    const key = `${url} ${expectedIssuers.join(' ')}`;
    const entry = this.entries.get(key);
    const current = entry && entry.until > this.options.clock.now() ? entry : await this.read(key, url, expectedIssuers);
    if ('error' in current) throw current.error;
    return current.metadata;
  }

  /** Reads the document again unless it was read within the refetch cooldown; true when it was. */
  async refresh(url: string, expectedIssuers: readonly string[]): Promise<boolean> {
    const key = `${url} ${expectedIssuers.join(' ')}`;
    const entry = this.entries.get(key);
    if (entry && this.options.clock.now() - entry.fetchedAt < this.options.refetchCooldownMs) return false;
    await this.read(key, url, expectedIssuers);
    return true;
  }

  private read(key: string, url: string, expectedIssuers: readonly string[]): Promise<Entry> {
    const running = this.inflight.get(key);
    if (running) return running;
    const { clock, fetchPolicy, ttlMs, failureCooldownMs } = this.options;
    const promise = readDiscoveryDocument(url, expectedIssuers, fetchPolicy)
      .then((metadata): Entry => {
        this.options.metrics?.remoteFetch('discovery', 'ok');
        return { metadata, until: clock.now() + ttlMs, fetchedAt: clock.now() };
      })
      .catch((error: unknown): Entry => {
        if (!(error instanceof DiscoveryError)) throw error;
        this.options.metrics?.remoteFetch('discovery', error.code);
        return { error, until: clock.now() + failureCooldownMs, fetchedAt: clock.now() };
      })
      .then((entry) => {
        if (this.entries.size >= 1000) this.entries.clear();
        this.entries.set(key, entry);
        return entry;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  /**
   * The provider's endpoints. With `oauth2.discoveryUrl`, the document's values win and the
   * configured ones fill what it lacks; when the document cannot be fetched at all
   * (`DISCOVERY_FETCH_FAILED`), the configured endpoints serve where the provider has them (the
   * Health-ID preset carries mimoto's; `requireEndpoint` throws the fetch failure for a missing
   * one). A document that is wrong (issuer mismatch, not JSON,
   * fields missing) is never replaced by the configured values: its error is thrown.
   */
  async endpointsOf(provider: ExternalJwtIdentityProvider): Promise<UpstreamEndpoints> {
    const configured = configuredEndpoints(provider);
    const url = provider.oauth2.discoveryUrl;
    if (!url) return configured;
    let metadata: UpstreamMetadata;
    try {
      metadata = await this.metadata(url, expectedIssuersOf(provider));
    } catch (error) {
      if (error instanceof DiscoveryError && error.code === 'DISCOVERY_FETCH_FAILED') return { ...configured, discoveryError: error };
      throw error;
    }
    return {
      authorization_endpoint: metadata.authorization_endpoint,
      token_endpoint: metadata.token_endpoint,
      jwks_uri: metadata.jwks_uri,
      ...pick('userinfo_endpoint', metadata.userinfo_endpoint ?? configured.userinfo_endpoint),
      ...pick('end_session_endpoint', metadata.end_session_endpoint ?? configured.end_session_endpoint),
      source: 'discovery',
    };
  }
}

const pick = <K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> => (value ? ({ [name]: value } as Record<K, string>) : {});

/** The endpoints as typed on the provider. */
export function configuredEndpoints(provider: ExternalJwtIdentityProvider): UpstreamEndpoints {
  const { oauth2 } = provider;
  return {
    ...pick('authorization_endpoint', oauth2.authorization_endpoint),
    ...pick('token_endpoint', oauth2.token_endpoint),
    ...pick('userinfo_endpoint', oauth2.userinfo_endpoint),
    ...pick('end_session_endpoint', oauth2.end_session_endpoint),
    ...pick('jwks_uri', provider.jwksUri),
    source: 'configured',
  };
}
