import type { EventLog } from '../events/event-log.js';
import { verifyExternalJwt } from '../idp/external-jwt-verifier.js';
import type { VerificationStep, VerifierDeps } from '../idp/external-jwt-verifier.js';
import type { LambdaRunner } from '../lambda/lambda-runner.js';
import type { LambdaLog } from '../lambda/lambda-types.js';
import { isPlainObject } from '../lib/base64url.js';
import type { Clock } from '../lib/clock.js';
import { nowSeconds } from '../lib/clock.js';
import { isUuid, newId } from '../lib/ids.js';
import type { AuthenticationType, UserTokens, UserTokenService } from '../tokens/user-tokens.js';
import { refreshTokensEnabled } from '../tokens/user-tokens.js';
import type { Application, ExternalJwtIdentityProvider, JsonObject, Lambda, PendingIdentity, PendingOnboarding, Registration, Tenant, User } from '../store/records.js';
import type { TenantRegistration } from '../store/repositories/registration-repository.js';
import type { Store } from '../store/store.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import { applyAttributeMappings, applyClaimMap } from './claim-mapping.js';
import type { ConfigurationCache } from '../identity/configuration-cache.js';
import { decideLink } from '../identity/linking-strategy.js';
import type { LinkDecision } from '../identity/linking-strategy.js';
import { ReconcileError } from './reconcile-error.js';
import { PROFILE_FIELDS, userFieldErrors } from '../identity/user-rules.js';
import type { UserView } from '../identity/user-rules.js';

/** How long verified claims wait for a pending link or an onboarding to complete. */
export const PENDING_TTL_MS = 10 * 60_000;
/** Concurrent first logins race on the link's primary key; the loser re-runs and finds the link. */
const MAX_ATTEMPTS = 3;

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
  /** Issue no refresh token even where the application generates them (JWT bearer). */
  noRefreshToken?: boolean;
  /** Runs on the verified claims before anything else (JWT bearer: consume the jti). */
  afterVerify?: (claims: JsonObject) => Promise<void>;
}

export interface ReconcileTrace {
  steps: VerificationStep[];
  logs: LambdaLog[];
}

export type ReconcileOutcome =
  | ({ kind: 'loggedIn'; user: UserView; registration: Registration | undefined; tokens: UserTokens | undefined; created: boolean } & ReconcileTrace)
  | ({ kind: 'pendingLink'; pendingIdPLinkId: string } & ReconcileTrace)
  | ({ kind: 'onboarding'; pendingOnboardingId: string; reason: string; missing: string[] } & ReconcileTrace);

export interface DryRunResult extends ReconcileTrace {
  success: boolean;
  identityProviderId: string;
  identityProviderUserId?: string;
  email?: string;
  username?: string;
  decision?: LinkDecision['kind'];
  /** The lambda would ask for onboarding (the link decision is then in the step trace). */
  onboarding?: { reason: string; missing: string[] };
  user?: JsonObject;
  registration?: JsonObject;
  error?: { code: string; message: string };
}

interface Subject {
  tenant: Tenant;
  provider: ExternalJwtIdentityProvider;
  application: Application | undefined;
  identity: PendingIdentity;
  input?: JsonObject;
  options: { noLink: boolean; noJWT: boolean; noRefreshToken?: boolean; authenticationType: AuthenticationType; scope?: string };
}

/** What a reconcile would write, computed before any write. */
interface Plan {
  decision: LinkDecision;
  user: User;
  registration: TenantRegistration | undefined;
  registrationIsNew: boolean;
  /** The user's other registrations, as read (for the response). */
  otherRegistrations: TenantRegistration[];
  registrationChanged: boolean;
  userChanged: boolean;
}

export interface ReconcileDeps {
  store: Store;
  configuration: ConfigurationCache;
  clock: Clock;
  verifier: VerifierDeps;
  lambdas: LambdaRunner;
  eventLog: EventLog;
  tokens: UserTokenService;
}

/**
 * The External JWT pipeline behind `/api/jwt/reconcile`, `/api/identity-provider/login`, token
 * exchange and JWT bearer: verify → find the link or apply the linking strategy → claim map /
 * attribute mappings → reconcile lambda → write user, registration and link in one transaction
 * → tokens. Nothing is written before the lambda has finished; a reject, an onboarding or a
 * failing lambda leaves no row behind.
 */
export class ReconcileService {
  constructor(private readonly deps: ReconcileDeps) {}

  /** A login with an encoded external JWT. */
  async login(request: ReconcileRequest): Promise<ReconcileOutcome> {
    const { provider, application, tenant } = await this.resolve(request.identityProviderId, request.applicationId, request.tenantId);
    const steps: VerificationStep[] = [];
    let identity: PendingIdentity;
    try {
      identity = await this.verify(provider, request.encodedJWT, request.audiences, steps);
      await request.afterVerify?.(identity.claims);
    } catch (error) {
      await this.trace(provider, steps);
      throw error;
    }
    return this.run(
      { tenant, provider, application, identity, options: { noLink: request.noLink === true, noJWT: request.noJWT === true, noRefreshToken: request.noRefreshToken === true, authenticationType: request.authenticationType, ...(request.scope ? { scope: request.scope } : {}) } },
      steps,
    );
  }

  /** `POST /api/identity-provider/onboarding/{id}/complete`: the held claims, plus what was collected. */
  async completeOnboarding(pendingId: string, input: JsonObject): Promise<ReconcileOutcome> {
    const { store, clock } = this.deps;
    const pending = isUuid(pendingId) ? await store.pendingActions.find(pendingId, 'onboarding', clock.now()) : undefined;
    // Consumed before the run: an onboarding completes at most once, even when raced.
    if (!pending || !(await store.pendingActions.consume(pending.id))) throw new ReconcileError('PendingOnboardingNotFound', 'No pending onboarding with this id, or it has expired or was completed.');
    const identity = pending.identity as PendingOnboarding;
    const { provider, application, tenant } = await this.resolve(identity.identityProviderId, identity.applicationId, pending.tenantId);
    const steps: VerificationStep[] = [{ title: 'Onboarding', success: true, detail: `Completing onboarding ${pending.id} (${identity.reason}).` }];
    return this.run(
      { tenant, provider, application, identity, input, options: { noLink: false, noJWT: identity.options.noJWT, authenticationType: 'FEDERATED_JWT' } },
      steps,
    );
  }

  /**
   * `POST /api/identity-provider/{id}/test`: every step of a login, nothing written, no tokens.
   * Works on a disabled provider, so it can be tried before it is switched on.
   */
  async dryRun(providerId: string, encodedJWT: unknown, applicationId: unknown, tenantId: string | undefined): Promise<DryRunResult> {
    const steps: VerificationStep[] = [];
    const logs: LambdaLog[] = [];
    const result: DryRunResult = { success: false, identityProviderId: providerId, steps, logs };
    try {
      const provider = await this.provider(providerId, false);
      let application: Application | undefined;
      let tenant: Tenant | undefined;
      if (applicationId !== undefined && applicationId !== null && applicationId !== '') {
        ({ application, tenant } = await this.resolve(providerId, applicationId, tenantId, false));
      } else {
        const id = provider.tenantId ?? tenantId;
        tenant = id && isUuid(id) ? await this.deps.store.tenants.findById(id) : undefined;
        if (!tenant) throw new ReconcileError('InvalidApplication', 'Give an applicationId (or send X-FusionAuth-TenantId) so the tenant is known.');
      }
      const identity = await this.verify(provider, encodedJWT, undefined, steps);
      Object.assign(result, {
        identityProviderUserId: identity.identityProviderUserId,
        ...(identity.email ? { email: identity.email } : {}),
        ...(identity.username ? { username: identity.username } : {}),
      });
      const subject: Subject = { tenant: tenant!, provider, application, identity, options: { noLink: false, noJWT: true, authenticationType: 'FEDERATED_JWT' } };
      const planned = await this.plan(subject, steps, logs);
      if ('pending' in planned) {
        if (planned.pending === 'link') result.decision = 'pendingLink';
        else result.onboarding = { reason: planned.reason, missing: planned.missing };
        steps.push({ title: 'Result', success: true, detail: planned.pending === 'link' ? 'A pending link would be created (CreatePendingLink).' : `Onboarding would be required: ${planned.reason}.` });
        result.success = true;
        return result;
      }
      result.decision = planned.decision.kind;
      result.user = planned.user as unknown as JsonObject;
      if (planned.registration) {
        const { tenantId: _t, ...registration } = planned.registration;
        result.registration = registration as unknown as JsonObject;
      }
      steps.push({ title: 'Result', success: true, detail: 'The login would succeed; nothing was written.' });
      result.success = true;
    } catch (error) {
      if (!(error instanceof ReconcileError)) throw error;
      result.error = { code: error.publicCode, message: error.message };
      if (!steps.some((s) => !s.success)) steps.push({ title: 'Result', success: false, detail: error.message });
    }
    return result;
  }

  /** The enabled providers an application may log in with (from the configuration cache; do not modify). */
  async providersFor(application: Application): Promise<ExternalJwtIdentityProvider[]> {
    return (await this.deps.configuration.providers()).filter(
      (p) => p.enabled && p.applicationConfiguration[application.id]?.enabled === true && (!p.tenantId || p.tenantId === application.tenantId),
    );
  }

  // ---------------------------------------------------------------------------------------

  private async provider(id: unknown, requireEnabled = true): Promise<ExternalJwtIdentityProvider> {
    const provider = isUuid(id) ? await this.deps.configuration.provider(id) : undefined;
    if (!provider || provider.type !== 'ExternalJWT') throw new ReconcileError('InvalidIdentityProviderId', 'No External JWT identity provider has this id.');
    if (requireEnabled && !provider.enabled) throw new ReconcileError('InvalidIdentityProviderId', 'The identity provider is disabled.');
    return provider;
  }

  /** Provider, application and tenant of a request, checked against each other. */
  private async resolve(providerId: unknown, applicationId: unknown, tenantId: string | undefined, requireEnabled = true): Promise<{ provider: ExternalJwtIdentityProvider; application: Application; tenant: Tenant }> {
    const provider = await this.provider(providerId, requireEnabled);
    const application = isUuid(applicationId) ? await this.deps.configuration.application(applicationId) : undefined;
    if (!application || !application.active) throw new ReconcileError('InvalidApplication', 'No active application has this id.');
    if (tenantId !== undefined && tenantId !== application.tenantId) throw new ReconcileError('InvalidApplication', 'The application belongs to another tenant.');
    if (provider.tenantId && provider.tenantId !== application.tenantId) throw new ReconcileError('InvalidIdentityProviderId', 'The identity provider belongs to another tenant.');
    if (requireEnabled && provider.applicationConfiguration[application.id]?.enabled !== true) {
      throw new ReconcileError('InvalidApplication', 'The identity provider is not enabled for this application.');
    }
    const tenant = await this.deps.configuration.tenant(application.tenantId);
    if (!tenant) throw new ReconcileError('InvalidApplication', 'The application has no tenant.');
    return { provider, application, tenant };
  }

  private async verify(provider: ExternalJwtIdentityProvider, encodedJWT: unknown, audiences: string[] | undefined, steps: VerificationStep[]): Promise<PendingIdentity> {
    if (typeof encodedJWT !== 'string' || encodedJWT === '') throw new ReconcileError('InvalidJWT', 'Give the external JWT as encodedJWT (or data.token).', { reason: 'MALFORMED' });
    const checked = audiences ? { ...provider, audiences } : provider;
    const verified = await verifyExternalJwt(checked, encodedJWT, this.deps.verifier);
    steps.push(...verified.steps);
    if (!verified.ok) {
      const code = verified.code === 'MISSING_UNIQUE_ID' ? 'MissingUniqueId' : verified.code === 'DOMAIN_NOT_MANAGED' ? 'DomainNotManaged' : 'InvalidJWT';
      throw new ReconcileError(code, verified.message, { reason: verified.code });
    }
    const claimed = verified.claims[provider.oauth2.usernameClaim];
    const username = typeof claimed === 'string' && claimed.trim() !== '' ? claimed.trim() : undefined;
    return {
      identityProviderId: provider.id,
      applicationId: '',
      identityProviderUserId: verified.uniqueId,
      claims: verified.claims,
      ...(verified.email ? { email: verified.email } : {}),
      ...(username ? { username } : {}),
      displayName: verified.email ?? username ?? verified.uniqueId,
      options: { noJWT: false },
    };
  }

  private async run(subject: Subject, steps: VerificationStep[]): Promise<ReconcileOutcome> {
    const logs: LambdaLog[] = [];
    try {
      for (let attempt = 1; ; attempt++) {
        let planned: Awaited<ReturnType<ReconcileService['plan']>>;
        try {
          planned = await this.plan(subject, steps, logs);
        } catch (error) {
          // A new user's email or username taken meanwhile by a login of this same identity:
          // the race was lost before the write; run again as the returning user.
          const lostRace =
            error instanceof ReconcileError &&
            (error.code === 'DuplicateEmail' || error.code === 'DuplicateUsername') &&
            attempt < MAX_ATTEMPTS &&
            (await this.deps.store.links.find(subject.tenant.id, subject.provider.id, subject.identity.identityProviderUserId)) !== undefined;
          if (!lostRace) throw error;
          steps.push({ title: 'Retry', success: true, detail: 'Another login created this identity at the same time; reconciling again.' });
          continue;
        }
        if ('pending' in planned) {
          const id = await this.hold(subject, planned);
          return planned.pending === 'link'
            ? { kind: 'pendingLink', pendingIdPLinkId: id, steps, logs }
            : { kind: 'onboarding', pendingOnboardingId: id, reason: planned.reason, missing: planned.missing, steps, logs };
        }
        try {
          const outcome = await this.commit(subject, planned, steps, logs);
          return outcome;
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= MAX_ATTEMPTS) throw error;
          steps.push({ title: 'Retry', success: true, detail: 'Another login created this identity at the same time; reconciling again.' });
        }
      }
    } catch (error) {
      if (error instanceof ReconcileError) steps.push({ title: 'Result', success: false, detail: `${error.publicCode} ${error.message}` });
      throw error;
    } finally {
      await this.trace(subject.provider, steps);
    }
  }

  /** Decides and computes; reads only. */
  private async plan(
    subject: Subject,
    steps: VerificationStep[],
    logs: LambdaLog[],
  ): Promise<Plan | { pending: 'link' } | { pending: 'onboarding'; reason: string; missing: string[] }> {
    const { store, clock } = this.deps;
    const { tenant, provider, application, identity } = subject;
    const decision = await decideLink(store, provider, tenant.id, identity, subject.options.noLink);
    steps.push({ title: 'Link', success: true, detail: describeDecision(decision) });
    if (decision.kind === 'pendingLink') return { pending: 'link' };

    const now = clock.now();
    const existing = decision.kind === 'create' ? undefined : decision.user;
    const user: User = existing
      ? structuredClone(existing)
      : {
          id: newId(),
          tenantId: tenant.id,
          ...(decision.anonymous ? {} : newUserIdentifiers(provider, identity)),
          data: {},
          active: true,
          verified: !decision.anonymous && identity.email !== undefined && identity.claims[provider.oauth2.emailVerifiedClaim] === true,
          insertInstant: now,
          lastUpdateInstant: now,
        };
    const appConfig = application ? provider.applicationConfiguration[application.id] : undefined;
    const registrations = existing ? await store.registrations.listByUser(existing.id) : [];
    let registration = application ? registrations.find((r) => r.applicationId === application.id) : undefined;
    const otherRegistrations = registrations.filter((r) => r !== registration);
    const registrationIsNew = !registration && application !== undefined && appConfig?.createRegistration !== false;
    if (!registration && application && appConfig?.createRegistration !== false) {
      registration = {
        id: newId(),
        tenantId: tenant.id,
        userId: user.id,
        applicationId: application.id,
        roles: application.roles.filter((r) => r.isDefault).map((r) => r.name),
        data: {},
        verified: false,
        insertInstant: now,
        lastUpdateInstant: now,
      };
    }

    const before = JSON.stringify({ user, registration });
    const userObject = user as unknown as JsonObject;
    const registrationObject = registration as unknown as JsonObject | undefined;
    applyClaimMap(provider, identity.claims, userObject, registrationObject);
    if (!decision.anonymous) applyAttributeMappings(provider, identity.claims, userObject, registrationObject);
    if (existing) {
      // Email and username are fixed once a user is linked or matched: no mapping changes them.
      for (const field of ['email', 'username'] as const) {
        if (existing[field] === undefined) delete user[field];
        else user[field] = existing[field];
      }
    }

    let finalUser = user;
    let finalRegistration = registration;
    const lambdaId = provider.lambdaConfiguration.reconcileId;
    if (lambdaId && !decision.anonymous) {
      const lambda = await this.deps.configuration.lambda(lambdaId);
      if (!lambda) throw new ReconcileError('LambdaInvocation', `The reconcile lambda ${lambdaId} of this identity provider does not exist.`, { lambdaId });
      const result = await this.deps.lambdas.reconcile({
        body: lambda.body,
        user: lambdaView(user),
        registration: registration ? lambdaRegistrationView(registration) : {},
        jwt: identity.claims,
        ...(subject.input ? { input: subject.input } : {}),
        debug: lambda.debug,
      });
      logs.push(...result.logs);
      await this.writeLambdaLogs(lambda, result.logs);
      if (result.status === 'failed') {
        await this.deps.eventLog.write('Error', `Reconcile lambda ${lambda.name} (${lambda.id}) failed for identity provider ${provider.name}: ${result.code}: ${result.message}`);
        steps.push({ title: 'Lambda', success: false, detail: `${lambda.name}: ${result.code}: ${result.message}` });
        throw new ReconcileError('LambdaInvocation', `The reconcile lambda ${lambda.name} (${lambda.id}) failed: ${result.message}`, { lambdaId: lambda.id, lambdaName: lambda.name, reason: result.code });
      }
      if (result.status === 'rejected') {
        steps.push({ title: 'Lambda', success: false, detail: `${lambda.name} rejected the login: ${result.code}.` });
        throw new ReconcileError('LambdaRejected', result.message, { lambdaId: lambda.id, reason: 'LambdaRejected' }, result.code);
      }
      if (result.status === 'onboarding') {
        steps.push({ title: 'Lambda', success: true, detail: `${lambda.name} requires onboarding: ${result.reason}.` });
        return { pending: 'onboarding', reason: result.reason, missing: result.missing };
      }
      steps.push({ title: 'Lambda', success: true, detail: `${lambda.name} completed.` });
      finalUser = mergeLambdaUser(user, result.user, existing !== undefined);
      finalRegistration = registration ? mergeLambdaRegistration(registration, result.registration, application!) : undefined;
    }

    await this.checkUser(provider, decision, finalUser, existing);
    const changed = JSON.stringify({ user: finalUser, registration: finalRegistration }) !== before;
    return {
      decision,
      user: finalUser,
      registration: finalRegistration,
      registrationIsNew,
      otherRegistrations,
      registrationChanged: registrationIsNew || (changed && finalRegistration !== undefined),
      userChanged: changed || existing === undefined,
    };
  }

  /** The identifiers the strategy requires, and no collision for a new user. */
  private async checkUser(provider: ExternalJwtIdentityProvider, decision: LinkDecision, user: User, existing: User | undefined): Promise<void> {
    const errors = userFieldErrors(user);
    if (!errors.empty) {
      const [field, messages] = Object.entries(errors.all)[0];
      throw new ReconcileError('InvalidUser', `${field}: ${messages[0].message}`, { field });
    }
    if (existing || decision.anonymous) return;
    const byEmail = provider.linkingStrategy === 'LinkByEmail' || provider.linkingStrategy === 'LinkByEmailForExistingUser';
    const byUsername = provider.linkingStrategy === 'LinkByUsername' || provider.linkingStrategy === 'LinkByUsernameForExistingUser';
    if (byEmail && !user.email) throw new ReconcileError('MissingEmail', `The token has no ${provider.oauth2.emailClaim} claim and the reconcile lambda set no email.`);
    if (byUsername && !user.username) throw new ReconcileError('MissingUsername', `The token has no ${provider.oauth2.usernameClaim} claim and the reconcile lambda set no username.`);
    if (!user.email && !user.username) throw new ReconcileError('MissingEmail', 'A new user needs an email or a username.');
    // A value the lambda set is never used to link: it would let a token claim someone else's account.
    if (user.email && (await this.deps.store.users.findByEmail(user.tenantId, user.email))) throw new ReconcileError('DuplicateEmail', 'Another user of this tenant has this email; Gatehouse does not link on it here.');
    if (user.username && (await this.deps.store.users.findByUsername(user.tenantId, user.username))) throw new ReconcileError('DuplicateUsername', 'Another user of this tenant has this username; Gatehouse does not link on it here.');
  }

  /** Signs the tokens, then writes the plan and the refresh token in one transaction. */
  private async commit(subject: Subject, plan: Plan, steps: VerificationStep[], logs: LambdaLog[]): Promise<ReconcileOutcome> {
    const { store, clock } = this.deps;
    const { tenant, provider, application, identity } = subject;
    const now = clock.now();
    const user: User = { ...plan.user, lastLoginInstant: now, ...(plan.userChanged ? { lastUpdateInstant: now } : {}) };
    const created = plan.decision.kind === 'create';
    const saved = plan.registration && plan.registrationChanged ? { ...plan.registration, lastUpdateInstant: now } : plan.registration;
    const publicRegistration = saved ? (({ tenantId: _t, ...r }) => r)(saved) : undefined;
    const prepared =
      !subject.options.noJWT && application
        ? await this.deps.tokens.prepare({
            tenant,
            application,
            user,
            registration: publicRegistration,
            authenticationType: subject.options.authenticationType,
            authTime: nowSeconds(clock),
            ...(subject.options.scope ? { scope: subject.options.scope } : {}),
            withRefreshToken: !subject.options.noRefreshToken && refreshTokensEnabled(application, publicRegistration),
          })
        : undefined;
    await store.write(async (tx) => {
      if (created) await tx.users.insert(user);
      // Email and username of a linked or matched user never change here (see mergeLambdaUser).
      else await tx.users.updateAfterLogin(user);
      if (plan.decision.kind === 'linked') {
        await tx.links.touch(plan.decision.link, now, identity.displayName);
      } else {
        await tx.links.insert({
          tenantId: tenant.id,
          identityProviderId: provider.id,
          identityProviderUserId: identity.identityProviderUserId,
          userId: user.id,
          ...(identity.displayName ? { displayName: identity.displayName } : {}),
          insertInstant: now,
          lastLoginInstant: now,
        });
      }
      if (saved && plan.registrationChanged) {
        if (plan.registrationIsNew) await tx.registrations.insert(saved);
        else await tx.registrations.update(saved);
      }
      await prepared?.persist(tx);
    });
    steps.push({ title: 'Saved', success: true, detail: created ? `User ${user.id} created and linked.` : plan.decision.kind === 'linked' ? `User ${user.id} updated.` : `User ${user.id} linked.` });
    const registrations = [...plan.otherRegistrations, ...(saved ? [saved] : [])].sort((a, b) => a.insertInstant - b.insertInstant);
    const view: UserView = { ...user, registrations: registrations.map(({ tenantId: _t, ...r }) => r) };
    return { kind: 'loggedIn', user: view, registration: publicRegistration, tokens: prepared?.tokens, created, steps, logs };
  }

  /** Holds the verified claims for a pending link or onboarding. */
  private async hold(subject: Subject, pending: { pending: 'link' } | { pending: 'onboarding'; reason: string; missing: string[] }): Promise<string> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const id = newId();
    const identity: PendingIdentity | PendingOnboarding = {
      ...subject.identity,
      applicationId: subject.application?.id ?? '',
      options: { noJWT: subject.options.noJWT },
      ...(pending.pending === 'onboarding' ? { reason: pending.reason, missing: pending.missing } : {}),
    };
    await store.pendingActions.insert({ id, kind: pending.pending, tenantId: subject.tenant.id, identity, insertInstant: now, expiresAt: now + PENDING_TTL_MS });
    return id;
  }

  private async writeLambdaLogs(lambda: Lambda, logs: LambdaLog[]): Promise<void> {
    const type = { info: 'Information', error: 'Error', debug: 'Debug' } as const;
    for (const log of logs) await this.deps.eventLog.write(type[log.level], `Lambda ${lambda.name} (${lambda.id}): ${log.message}`);
  }

  /** With the provider's `debug` on, each reconcile writes its step trace (no token, no claim values). */
  private async trace(provider: ExternalJwtIdentityProvider, steps: VerificationStep[]): Promise<void> {
    if (!provider.debug) return;
    const lines = steps.map((s) => `${s.success ? 'ok  ' : 'FAIL'} ${s.title}: ${s.detail}`);
    await this.deps.eventLog.write('Debug', `Reconcile trace for identity provider ${provider.name} (${provider.id}):\n${lines.join('\n')}`);
  }
}

function describeDecision(decision: LinkDecision): string {
  switch (decision.kind) {
    case 'linked':
      return `Existing link to user ${decision.user.id}.`;
    case 'match':
      return `No link yet; user ${decision.user.id} matched by ${decision.by}.`;
    case 'create':
      return decision.anonymous ? 'No link yet; an anonymous user will be created (LinkAnonymously).' : 'No link yet and no matching user; a user will be created.';
    case 'pendingLink':
      return 'No link yet; a pending link is created (CreatePendingLink).';
  }
}

function newUserIdentifiers(provider: ExternalJwtIdentityProvider, identity: PendingIdentity): Partial<User> {
  const byUsername = provider.linkingStrategy === 'LinkByUsername' || provider.linkingStrategy === 'LinkByUsernameForExistingUser';
  return { ...(identity.email ? { email: identity.email } : {}), ...(byUsername && identity.username ? { username: identity.username } : {}) };
}

/** The user as the lambda sees it: FusionAuth's user object without registrations (copied by postMessage). */
const lambdaView = (user: User): JsonObject => user as unknown as JsonObject;
const lambdaRegistrationView = ({ tenantId: _t, ...registration }: TenantRegistration): JsonObject => registration as unknown as JsonObject;

/**
 * Takes what a lambda may change: profile fields, `preferredLanguages`, `data`, and — only for a
 * user not linked or matched yet — `email` and `username`. Identifiers and state stay as they were.
 */
function mergeLambdaUser(user: User, changed: JsonObject, immutableIdentifiers: boolean): User {
  const merged: User = { ...user };
  for (const field of PROFILE_FIELDS) {
    const value = changed[field];
    if (typeof value === 'string' && value !== '') merged[field] = value;
    else delete merged[field];
  }
  if (Array.isArray(changed.preferredLanguages)) merged.preferredLanguages = changed.preferredLanguages.filter((l): l is string => typeof l === 'string');
  merged.data = isPlainObject(changed.data) ? changed.data : {};
  if (!immutableIdentifiers) {
    for (const field of ['email', 'username'] as const) {
      const value = changed[field];
      if (typeof value === 'string' && value.trim() !== '') merged[field] = value.trim();
      else delete merged[field];
    }
  }
  return merged;
}

function mergeLambdaRegistration(registration: TenantRegistration, changed: JsonObject, application: Application): TenantRegistration {
  const merged: TenantRegistration = { ...registration, data: isPlainObject(changed.data) ? changed.data : {} };
  if (Array.isArray(changed.roles)) {
    const roles = [...new Set(changed.roles.filter((r): r is string => typeof r === 'string'))];
    const known = new Set(application.roles.map((r) => r.name));
    const unknown = roles.filter((r) => !known.has(r));
    if (unknown.length > 0) throw new ReconcileError('InvalidUser', `The reconcile lambda gave roles the application does not have: ${unknown.join(', ')}.`, { field: 'registration.roles' });
    merged.roles = roles;
  }
  if (typeof changed.username === 'string' && changed.username !== '') merged.username = changed.username;
  return merged;
}
