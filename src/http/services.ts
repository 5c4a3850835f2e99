import type { GatehouseConfig } from '../config/options.js';
import type { EventLog } from '../events/event-log.js';
import type { ApiKeyService } from '../admin/api-key-service.js';
import type { IdentityProviderService } from '../admin/identity-provider-service.js';
import type { ConfigurationCache } from '../identity/configuration-cache.js';
import type { LinkService } from '../admin/link-service.js';
import type { PendingActionService } from '../admin/pending-action-service.js';
import type { ReconcileService } from '../login/reconcile-service.js';
import type { UserTokenService } from '../tokens/user-tokens.js';
import type { ApplicationService } from '../admin/application-service.js';
import type { TenantService } from '../admin/tenant-service.js';
import type { UserService } from '../admin/user-service.js';
import type { WebhookService } from '../admin/webhook-service.js';
import type { KeyService } from '../keys/key-service.js';
import type { LambdaService } from '../admin/lambda-service.js';
import type { AuthorizationBroker } from '../oauth/authorization-broker.js';
import type { OAuthContext } from '../oauth/context.js';
import type { HostedLoginFlow } from '../oauth/hosted-login-flow.js';
import type { GrantRegistry } from '../oauth/grants/grant.js';
import type { RoleService } from '../admin/role-service.js';
import type { SmartClientPolicy } from '../smart/smart-client-policy.js';
import type { Store } from '../store/store.js';

/** What the HTTP layer is given by the composition root (`app.ts`). */
export interface HttpServices {
  config: Readonly<GatehouseConfig>;
  store: Store;
  oauth: OAuthContext;
  grants: GrantRegistry;
  /** The browser side of the authorization-code flow (authorize endpoint and upstream callback). */
  authorizationBroker: AuthorizationBroker;
  /** The hosted login pages' side of a brokered login (onboarding form, pending link). */
  hostedLogin: HostedLoginFlow;
  tenants: TenantService;
  applications: ApplicationService;
  users: UserService;
  apiKeys: ApiKeyService;
  keys: KeyService;
  roles: RoleService;
  smartPolicy: SmartClientPolicy;
  eventLog: EventLog;
  lambdas: LambdaService;
  identityProviders: IdentityProviderService;
  reconcile: ReconcileService;
  links: LinkService;
  pendingActions: PendingActionService;
  userTokens: UserTokenService;
  /** The login path's cache of providers, applications, tenants and lambdas. */
  configuration: ConfigurationCache;
  webhooks: WebhookService;
}
