import type { GatehouseConfig } from '../config/options.js';
import { issuerUrl, tokenEndpointUrl } from '../config/issuer-url.js';
import type { ConfigurationCache } from '../identity/configuration-cache.js';
import type { KeyService } from '../keys/key-service.js';
import type { RemoteJwksCache } from '../jwt/remote-jwks-cache.js';
import type { Clock } from '../lib/clock.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SmartClientPolicy } from '../smart/smart-client-policy.js';
import type { Tenant } from '../store/records.js';
import type { Store } from '../store/store.js';
import { signerOf } from '../tokens/access-token.js';
import type { RefreshTokens } from '../tokens/refresh-tokens.js';
import type { TokenSigner } from '../tokens/access-token.js';

/** Everything the OAuth core needs, injected (the clock too, so expiry tests are exact). */
export interface OAuthContext {
  config: Readonly<GatehouseConfig>;
  clock: Clock;
  store: Store;
  keys: KeyService;
  /** Clients and tenants as the login path reads them: cached per node, cleared by every write. */
  configuration: ConfigurationCache;
  remoteJwks: RemoteJwksCache;
  refreshTokens: RefreshTokens;
  /** The SMART rules that client credentials apply on SMART tenants. */
  smart: SmartClientPolicy;
  /** Grants issued and refused, jti replays (`NO_METRICS` when metrics are off). */
  metrics: Metrics;
}

/** A request to one of a tenant's OAuth endpoints, already parsed by the HTTP layer. */
export interface EndpointRequest {
  tenant: Tenant;
  /** Form parameters; each at most once (RFC 6749 §3.2). */
  params: ReadonlyMap<string, string>;
  authorization: string | undefined;
}

/** `config/issuer-url.ts` spelled with the config, for the OAuth modules. */
export const issuerOf = (config: Readonly<GatehouseConfig>, tenant: Tenant): string => issuerUrl(config.publicUrl, tenant);
export const tokenEndpointOf = (config: Readonly<GatehouseConfig>, tenant: Tenant): string => tokenEndpointUrl(config.publicUrl, tenant);

/** The tenant's issuer and active signing key, for the token signers of `tokens/`. */
export const tokenSignerOf = (ctx: OAuthContext, tenant: Tenant): Promise<TokenSigner> =>
  signerOf({ publicUrl: ctx.config.publicUrl, keys: ctx.keys, clock: ctx.clock }, tenant);
