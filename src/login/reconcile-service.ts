import { NO_METRICS } from '../metrics/metrics.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Application, ExternalJwtIdentityProvider, JsonObject, PendingIdentity } from '../store/records.js';
import { dryRunLogin } from './dry-run.js';
import { countedLogin } from './login-metrics.js';
import { completeOnboarding, loginHeldIdentity, loginWithJwt } from './login-pipeline.js';
import type { DryRunResult, ReconcileDeps, ReconcileOutcome, ReconcileRequest } from './login-types.js';
import { providersFor } from './resolve.js';

export type { DryRunResult, ReconcileDeps, ReconcileOutcome, ReconcileRequest, ReconcileTrace } from './login-types.js';
export { PENDING_TTL_MS } from './onboarding.js';

/**
 * The External JWT login behind `/api/jwt/reconcile`, `/api/identity-provider/login`, token
 * exchange, JWT bearer and the brokered authorization-code flow, as one object over the stage
 * files: resolve → verify → link → map → lambda → commit (plus onboarding, dry run, trace).
 * Nothing is written before the lambda has finished; a reject, an onboarding or a failing
 * lambda leaves no row behind.
 */
export class ReconcileService {
  constructor(
    private readonly deps: ReconcileDeps,
    /** Counts each login's outcome (not dry runs). */
    private readonly metrics: Metrics = NO_METRICS,
  ) {}

  /** A login with an encoded external JWT. */
  login(request: ReconcileRequest): Promise<ReconcileOutcome> {
    return countedLogin(this.metrics, request.authenticationType, loginWithJwt(this.deps, request));
  }

  /** `POST /api/identity-provider/onboarding/{id}/complete`: the held claims, plus what was collected. */
  completeOnboarding(pendingId: string, input: JsonObject): Promise<ReconcileOutcome> {
    return countedLogin(this.metrics, 'FEDERATED_JWT', completeOnboarding(this.deps, pendingId, input));
  }

  /** The held claims of a pending link its user completed (hosted pending-link page): logged in through the new link only (noLink). */
  loginHeld(tenantId: string, identity: PendingIdentity): Promise<ReconcileOutcome> {
    return countedLogin(this.metrics, 'FEDERATED_JWT', loginHeldIdentity(this.deps, tenantId, identity));
  }

  /** `POST /api/identity-provider/{id}/test`: every step of a login, nothing written, no tokens. */
  dryRun(providerId: string, encodedJWT: unknown, applicationId: unknown, tenantId: string | undefined): Promise<DryRunResult> {
    return dryRunLogin(this.deps, providerId, encodedJWT, applicationId, tenantId);
  }

  /** The enabled providers an application may log in with (from the configuration cache; do not modify). */
  providersFor(application: Application): Promise<ExternalJwtIdentityProvider[]> {
    return providersFor(this.deps.configuration, application);
  }
}
