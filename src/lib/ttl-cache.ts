import type { Clock } from './clock.js';

/**
 * A small per-node cache for hot-path lookups (tenant by slug, client by id, role, derived
 * scopes): entries live `ttlMs`, the whole cache is dropped when it reaches `maxEntries`, and
 * writers clear it. Other nodes see a change within `ttlMs`. A `ttlMs` of Infinity keeps derived
 * values of immutable objects (still bounded by `maxEntries`); 0 caches nothing.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached value, or undefined when absent or expired (`has` tells a cached undefined apart). */
  get(key: string): { value: V } | undefined {
    const entry = this.entries.get(key);
    return entry && entry.until > this.clock.now() ? { value: entry.value } : undefined;
  }

  set(key: string, value: V): V {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, until: this.clock.now() + this.ttlMs });
    return value;
  }

  /** Returns the cached value, or computes, caches and returns it (for synchronous derivations). */
  getOrCompute(key: string, compute: () => V): V {
    const hit = this.get(key);
    return hit ? hit.value : this.set(key, compute());
  }

  /** Returns the cached value, or loads, caches and returns it. */
  async getOrLoad(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    return hit ? hit.value : this.set(key, await load());
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
