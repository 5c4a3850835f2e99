import type { LambdaLog } from '../lambda/lambda-types.js';
import { isUuid } from '../lib/ids.js';
import type { Application, JsonObject, Tenant } from '../store/records.js';
import type { DryRunResult, ReconcileDeps, TraceStep } from './login-types.js';
import { planLogin } from './plan.js';
import { ReconcileError } from './reconcile-error.js';
import { resolveLogin, resolveProvider } from './resolve.js';
import { verifyIdentity } from './verify.js';

/**
 * `POST /api/identity-provider/{id}/test`: every step of a login — verify, link, map, lambda,
 * checks — with nothing written and no tokens. Works on a disabled provider, so it can be tried
 * before it is switched on. The login's refusals are the result's `error`, not exceptions.
 */
export async function dryRunLogin(deps: ReconcileDeps, providerId: string, encodedJWT: unknown, applicationId: unknown, tenantId: string | undefined): Promise<DryRunResult> {
  const steps: TraceStep[] = [];
  const logs: LambdaLog[] = [];
  const result: DryRunResult = { success: false, identityProviderId: providerId, steps, logs };
  try {
    const provider = await resolveProvider(deps.configuration, providerId, false);
    let application: Application | undefined;
    let tenant: Tenant | undefined;
    if (applicationId !== undefined && applicationId !== null && applicationId !== '') {
      ({ application, tenant } = await resolveLogin(deps.configuration, providerId, applicationId, tenantId, false));
    } else {
      const id = provider.tenantId ?? tenantId;
      tenant = id && isUuid(id) ? await deps.store.tenants.findById(id) : undefined;
      if (!tenant) throw new ReconcileError('InvalidApplication', 'Give an applicationId (or send X-FusionAuth-TenantId) so the tenant is known.');
    }
    const identity = await verifyIdentity(deps.verifier, provider, encodedJWT, undefined, steps);
    Object.assign(result, {
      identityProviderUserId: identity.identityProviderUserId,
      ...(identity.email ? { email: identity.email } : {}),
      ...(identity.username ? { username: identity.username } : {}),
    });
    const planned = await planLogin(deps, { tenant, provider, application, identity, options: { noLink: false, noJWT: true, authenticationType: 'FEDERATED_JWT' } }, steps, logs);
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
