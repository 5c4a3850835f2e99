import type { GatehouseConfig } from '../config/options.js';
import type { ApplicationService } from '../identity/application-service.js';
import type { TenantService } from '../identity/tenant-service.js';
import type { KeyService } from '../keys/key-service.js';
import type { RemoteJwksCache } from '../keys/remote-jwks-cache.js';
import type { Clock } from '../lib/clock.js';
import type { Application, Tenant } from '../store/records.js';
import type { Store } from '../store/store.js';

/** Decides which scopes a client gets (RFC 6749 §3.3); SMART tenants plug in their own. */
export interface ScopePolicy {
  /** Returns the granted scopes, or throws OAuthError('invalid_scope'). */
  grant(tenant: Tenant, application: Application, requested: string[] | undefined): Promise<string[]> | string[];
}

/** Everything the OAuth core needs, injected (the clock too, so expiry tests are exact). */
export interface OAuthContext {
  config: Readonly<GatehouseConfig>;
  clock: Clock;
  store: Store;
  keys: KeyService;
  tenants: TenantService;
  applications: ApplicationService;
  remoteJwks: RemoteJwksCache;
  scopePolicy: ScopePolicy;
}

/** A request to one of a tenant's OAuth endpoints, already parsed by the HTTP layer. */
export interface EndpointRequest {
  tenant: Tenant;
  /** Form parameters; each at most once (RFC 6749 §3.2). */
  params: ReadonlyMap<string, string>;
  authorization: string | undefined;
}

export const issuerOf = (config: Readonly<GatehouseConfig>, tenant: Tenant): string => `${config.publicUrl}/t/${tenant.slug}`;
export const tokenEndpointOf = (config: Readonly<GatehouseConfig>, tenant: Tenant): string => `${issuerOf(config, tenant)}/oauth2/token`;
