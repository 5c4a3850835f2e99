import type { GatehouseConfig } from '../config/options.js';
import type { CacheLifetimes } from '../config/cache-lifetimes.js';
import { KeyService } from '../keys/key-service.js';
import type { MasterKey } from '../keys/master-key.js';
import type { LambdaRunner } from '../lambda/lambda-runner.js';
import type { AddressPolicy } from '../lib/address-policy.js';
import type { FetchPolicy } from '../lib/bounded-fetch.js';
import type { WebhookOutbox } from '../events/webhook-outbox.js';
import type { Clock } from '../lib/clock.js';
import type { Store } from '../store/store.js';
import { ApiKeyService } from './api-key-service.js';
import { ApplicationService } from './application-service.js';
import { IdentityProviderService } from './identity-provider-service.js';
import { LambdaService } from './lambda-service.js';
import { LinkService } from './link-service.js';
import { PendingActionService } from './pending-action-service.js';
import { RoleService } from './role-service.js';
import { TenantService } from './tenant-service.js';
import { UserService } from './user-service.js';
import { WebhookService } from './webhook-service.js';

/** The configuration services of one unit of work: they all write through the same store. */
export interface AdminServices {
  keys: KeyService;
  tenants: TenantService;
  applications: ApplicationService;
  roles: RoleService;
  users: UserService;
  apiKeys: ApiKeyService;
  lambdas: LambdaService;
  identityProviders: IdentityProviderService;
  links: LinkService;
  pendingActions: PendingActionService;
  webhooks: WebhookService;
}

/** What the admin services share across units of work. */
export interface AdminDependencies {
  config: Readonly<GatehouseConfig>;
  clock: Clock;
  masterKey: MasterKey;
  lambdaRunner: LambdaRunner;
  lifetimes: CacheLifetimes;
  addresses: AddressPolicy;
  /** The outbound fetch rules (the discovery preview fetches). */
  fetchPolicy: FetchPolicy;
  /** Writes webhook events in the transaction of their change. */
  webhooks: WebhookOutbox;
  /** Called after every configuration write (clears the login path's configuration cache). */
  onChange: () => void;
}

/**
 * The admin services bound to `store`: the root store for the API, or a transaction as an
 * explicit unit of work (a kickstart document is applied all or nothing through one).
 */
export function adminServices(store: Store, deps: AdminDependencies): AdminServices {
  const { config, clock, masterKey, onChange } = deps;
  const keys = new KeyService(store, masterKey, clock, deps.lifetimes);
  const fetchRules = { allowHttpJwksUri: config.fetchAllowHttp, addresses: deps.addresses };
  return {
    keys,
    tenants: new TenantService(store, keys, clock, onChange, config.publicUrl),
    applications: new ApplicationService(store, clock, fetchRules, onChange),
    roles: new RoleService(store, clock, onChange),
    users: new UserService(store, clock, deps.webhooks),
    apiKeys: new ApiKeyService(store, clock),
    lambdas: new LambdaService(store, deps.lambdaRunner, clock, onChange),
    identityProviders: new IdentityProviderService(store, clock, { ...fetchRules, encryptSecret: (s) => masterKey.encrypt(s), fetchPolicy: deps.fetchPolicy }, onChange),
    links: new LinkService(store, clock, deps.webhooks),
    pendingActions: new PendingActionService(store, clock),
    webhooks: new WebhookService(store, clock, { urls: { allowHttp: config.fetchAllowHttp, addresses: deps.addresses }, encryptSecret: (s) => masterKey.encrypt(s) }, () => deps.webhooks.changed()),
  };
}
