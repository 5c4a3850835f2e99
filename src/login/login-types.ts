import type { ConfigurationCache } from '../identity/configuration-cache.js';
import type { LinkDecision } from '../identity/linking-strategy.js';
import type { UserView } from '../identity/user-rules.js';
import type { EventLog } from '../events/event-log.js';
import type { WebhookOutbox } from '../events/webhook-outbox.js';
import type { LambdaRunner } from '../lambda/lambda-runner.js';
import type { LambdaLog, MissingEntry } from '../lambda/lambda-types.js';
import type { Clock } from '../lib/clock.js';
import type { Application, ExternalJwtIdentityProvider, JsonObject, PendingIdentity, Registration, Tenant, User } from '../store/records.js';
import type { TenantRegistration } from '../store/repositories/registration-repository.js';
import type { Store } from '../store/store.js';
import type { AuthenticationType, UserTokens, UserTokenService } from '../tokens/user-tokens.js';
import type { TraceStep } from './trace.js';
import type { IdentityVerifier } from './verify.js';

export type { TraceStep } from './trace.js';

export interface ReconcileRequest {
  identityProviderId: unknown;
  applicationId: unknown;
  encodedJWT: unknown;
  /** `X-FusionAuth-TenantId`, when sent: must be the application's tenant. */
  tenantId?: string;
  /** FusionAuth `noLink`: log in only through an existing link. */
  noLink?: boolean;
  /** FusionAuth `noJWT`: do not issue tokens. */
  noJWT?: boolean;
  authenticationType: AuthenticationType;
  scope?: string;
  /** RFC 7523 JWT bearer: `aud` must name Gatehouse instead of the provider's audiences. */
  audiences?: string[];
  /** RFC 7523 §3 item 4: how far ahead `exp` may be (JWT bearer). */
  maxLifetimeSeconds?: number;
  /** Issue no refresh token even where the application generates them (JWT bearer). */
  noRefreshToken?: boolean;
  /** Runs on the verified claims before anything else (JWT bearer: consume the jti). */
  afterVerify?: (claims: JsonObject) => Promise<void>;
  /** Merges claims from elsewhere into the verified ones before the unique id, email and username are read (the upstream userinfo response). */
  supplementClaims?: (claims: JsonObject) => Promise<JsonObject>;
}

export interface ReconcileTrace {
  steps: TraceStep[];
  logs: LambdaLog[];
}

export type ReconcileOutcome =
  | ({ kind: 'loggedIn'; user: UserView; registration: Registration | undefined; tokens: UserTokens | undefined; created: boolean } & ReconcileTrace)
  | ({ kind: 'pendingLink'; pendingIdPLinkId: string } & ReconcileTrace)
  | ({ kind: 'onboarding'; pendingOnboardingId: string; reason: string; missing: MissingEntry[] } & ReconcileTrace);

export interface DryRunResult extends ReconcileTrace {
  success: boolean;
  identityProviderId: string;
  identityProviderUserId?: string;
  email?: string;
  username?: string;
  decision?: LinkDecision['kind'];
  /** The lambda would ask for onboarding (the link decision is then in the step trace). */
  onboarding?: { reason: string; missing: MissingEntry[] };
  user?: JsonObject;
  registration?: JsonObject;
  error?: { code: string; message: string };
}

export interface LoginOptions {
  noLink: boolean;
  noJWT: boolean;
  noRefreshToken?: boolean;
  authenticationType: AuthenticationType;
  scope?: string;
}

/** Who is logging in, where, and how: the resolved configuration plus the verified identity. */
export interface LoginSubject {
  tenant: Tenant;
  provider: ExternalJwtIdentityProvider;
  application: Application | undefined;
  identity: PendingIdentity;
  /** What an onboarding collected (`context.input` of the lambda). */
  input?: JsonObject;
  options: LoginOptions;
}

/** The login is held instead of completed: a pending link (CreatePendingLink) or an onboarding. */
export type PendingDecision = { pending: 'link' } | { pending: 'onboarding'; reason: string; missing: MissingEntry[] };

/** What a login would write, computed before any write. */
export interface LoginPlan {
  decision: LinkDecision;
  user: User;
  registration: TenantRegistration | undefined;
  registrationIsNew: boolean;
  /** The user's other registrations, as read (for the response). */
  otherRegistrations: TenantRegistration[];
  registrationChanged: boolean;
  userChanged: boolean;
}

/** What the stages are built from; `store` is the root store, which only `commit` and `onboarding` write through. */
export interface ReconcileDeps {
  store: Store;
  configuration: ConfigurationCache;
  clock: Clock;
  verifier: IdentityVerifier;
  lambdas: LambdaRunner;
  eventLog: EventLog;
  tokens: UserTokenService;
  /** The webhook outbox; without it a login emits no events. */
  webhooks?: WebhookOutbox;
}
