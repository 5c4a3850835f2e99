import { DEFAULT_CACHE_LIFETIMES } from '../config/cache-lifetimes.js';
import type { Clock } from '../lib/clock.js';
import { TtlCache } from '../lib/ttl-cache.js';
import type { Application, ExternalJwtIdentityProvider, Lambda, SmartRole, Tenant } from '../store/records.js';
import type { ApplicationWithSecret } from '../store/repositories/application-repository.js';
import type { Store } from '../store/store.js';

/**
 * The configuration every login and token reads — provider, application, client, tenant, lambda,
 * SMART role — cached per node for `ttlMs` (`config/cache-lifetimes.ts`). The services that write
 * these objects clear it, so this node sees its own changes at once; other nodes within the TTL.
 */
export class ConfigurationCache {
  private readonly cache: TtlCache<unknown>;

  constructor(
    private readonly store: Store,
    clock: Clock,
    ttlMs: number = DEFAULT_CACHE_LIFETIMES.configurationMs,
  ) {
    this.cache = new TtlCache(clock, ttlMs);
  }

  provider(id: string): Promise<ExternalJwtIdentityProvider | undefined> {
    return this.load(`p:${id}`, () => this.store.identityProviders.findById(id));
  }

  /** All identity providers (token exchange, JWT bearer and the authorization endpoint choose among them). */
  providers(): Promise<ExternalJwtIdentityProvider[]> {
    return this.load('providers', () => this.store.identityProviders.list());
  }

  application(id: string): Promise<Application | undefined> {
    return this.load(`a:${id}`, () => this.store.applications.findById(id));
  }

  /** An OAuth client of a tenant by `client_id`, with its secret's hash (the token endpoint's lookup). */
  client(tenantId: string, clientId: string): Promise<ApplicationWithSecret | undefined> {
    return this.load(`c:${tenantId}\u0000${clientId}`, () => this.store.applications.findByClientId(tenantId, clientId));
  }

  /** The CORS origins (`authorizedOriginURLs`) of a tenant's active applications. */
  tenantOrigins(tenantId: string): Promise<ReadonlySet<string>> {
    return this.load(`o:${tenantId}`, async () => {
      const applications = await this.store.applications.listByTenant(tenantId);
      return new Set(applications.filter((a) => a.active).flatMap((a) => a.oauthConfiguration.authorizedOriginURLs ?? []));
    });
  }

  tenant(id: string): Promise<Tenant | undefined> {
    return this.load(`t:${id}`, () => this.store.tenants.findById(id));
  }

  lambda(id: string): Promise<Lambda | undefined> {
    return this.load(`l:${id}`, () => this.store.lambdas.findById(id));
  }

  /** A SMART role (Koppeltaal client credentials derive every token's scopes from it). */
  role(id: string): Promise<SmartRole | undefined> {
    return this.load(`r:${id}`, () => this.store.smartRoles.findById(id));
  }

  clear(): void {
    this.cache.clear();
  }

  private load<T>(key: string, read: () => Promise<T>): Promise<T> {
    return this.cache.getOrLoad(key, read) as Promise<T>;
  }
}
