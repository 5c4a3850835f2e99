import type { LambdaLog } from '../lambda/lambda-types.js';
import type { JsonObject, PendingIdentity } from '../store/records.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import { commitLogin } from './commit.js';
import { lostLinkRace, MAX_ATTEMPTS, retryStep } from './link.js';
import { emitLoginFailure } from './login-events.js';
import type { LoginPlan, LoginSubject, PendingDecision, ReconcileDeps, ReconcileOutcome, ReconcileRequest, TraceStep } from './login-types.js';
import { holdPendingLogin, takePendingOnboarding } from './onboarding.js';
import { planLogin } from './plan.js';
import { resolveLogin } from './resolve.js';
import { traceRefusal, writeTrace } from './trace.js';
import { verifyIdentity } from './verify.js';

/** resolve → verify → (the request's own check of the claims) → the rest of the login. */
export async function loginWithJwt(deps: ReconcileDeps, request: ReconcileRequest): Promise<ReconcileOutcome> {
  const { provider, application, tenant } = await resolveLogin(deps.configuration, request.identityProviderId, request.applicationId, request.tenantId);
  const steps: TraceStep[] = [];
  let identity: PendingIdentity;
  try {
    identity = await verifyIdentity(deps.verifier, provider, request.encodedJWT, request.audiences, steps, { supplement: request.supplementClaims, maxLifetimeSeconds: request.maxLifetimeSeconds });
    await request.afterVerify?.(identity.claims);
  } catch (error) {
    await writeTrace(deps.eventLog, provider, steps);
    await emitLoginFailure(deps.webhooks, deps.store, { tenant, provider, application, authenticationType: request.authenticationType }, error);
    throw error;
  }
  const options = {
    noLink: request.noLink === true,
    noJWT: request.noJWT === true,
    noRefreshToken: request.noRefreshToken === true,
    authenticationType: request.authenticationType,
    ...(request.scope ? { scope: request.scope } : {}),
  };
  return runLogin(deps, { tenant, provider, application, identity, options }, steps);
}

/** A held onboarding taken once, its claims run again with what was collected as `context.input`. */
export async function completeOnboarding(deps: ReconcileDeps, pendingId: string, input: JsonObject): Promise<ReconcileOutcome> {
  const pending = await takePendingOnboarding(deps.store, deps.clock, pendingId);
  const identity = pending.identity;
  const { provider, application, tenant } = await resolveLogin(deps.configuration, identity.identityProviderId, identity.applicationId, pending.tenantId);
  const steps: TraceStep[] = [{ title: 'Onboarding', success: true, detail: `Completing onboarding ${pending.id} (${identity.reason}).` }];
  return runLogin(deps, { tenant, provider, application, identity, input, options: { noLink: false, noJWT: identity.options.noJWT, authenticationType: 'FEDERATED_JWT' } }, steps);
}

/**
 * A held identity logged in again (a pending link completed by its user): the pipeline runs as
 * for a fresh login of the verified claims, so the new link, the lambda and the registration apply.
 */
export async function loginHeldIdentity(deps: ReconcileDeps, tenantId: string, identity: PendingIdentity): Promise<ReconcileOutcome> {
  const { provider, application, tenant } = await resolveLogin(deps.configuration, identity.identityProviderId, identity.applicationId, tenantId);
  const steps: TraceStep[] = [{ title: 'Pending link', success: true, detail: `Logging in ${identity.identityProviderUserId} after the pending link was completed.` }];
  return runLogin(deps, { tenant, provider, application, identity, options: { noLink: true, noJWT: identity.options.noJWT, authenticationType: 'FEDERATED_JWT' } }, steps);
}

/**
 * plan (link → map → lambda → checks, reads only) → hold or commit, retried when a concurrent
 * first login of the same identity won the race (then this one runs as the returning user), so
 * exactly one user is created. The trace is written whatever the outcome.
 */
async function runLogin(deps: ReconcileDeps, subject: LoginSubject, steps: TraceStep[]): Promise<ReconcileOutcome> {
  const logs: LambdaLog[] = [];
  try {
    for (let attempt = 1; ; attempt++) {
      let planned: LoginPlan | PendingDecision;
      try {
        planned = await planLogin(deps, subject, steps, logs);
      } catch (error) {
        if (!(await lostLinkRace(deps.store, subject, error, attempt))) throw error;
        steps.push(retryStep());
        continue;
      }
      if ('pending' in planned) {
        const id = await holdPendingLogin(deps.store, deps.clock, subject, planned);
        return planned.pending === 'link'
          ? { kind: 'pendingLink', pendingIdPLinkId: id, steps, logs }
          : { kind: 'onboarding', pendingOnboardingId: id, reason: planned.reason, missing: planned.missing, steps, logs };
      }
      try {
        return await commitLogin(deps, subject, planned, steps, logs);
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= MAX_ATTEMPTS) throw error;
        steps.push(retryStep());
      }
    }
  } catch (error) {
    traceRefusal(steps, error);
    await emitLoginFailure(deps.webhooks, deps.store, { ...subject, authenticationType: subject.options.authenticationType }, error);
    throw error;
  } finally {
    await writeTrace(deps.eventLog, subject.provider, steps);
  }
}
