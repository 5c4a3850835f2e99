import type { LoginOutcome, Metrics } from '../metrics/metrics.js';
import type { ReconcileOutcome } from './login-types.js';
import { ReconcileError } from './reconcile-error.js';

const OUTCOME: Record<ReconcileOutcome['kind'], LoginOutcome> = { loggedIn: 'completed', pendingLink: 'pending_link', onboarding: 'onboarding' };

/**
 * Counts a login once it is decided: completed, held (onboarding, pending link), rejected by the
 * lambda (with the lambda's code, which the recorder bounds) or failed (with the reconcile
 * error code; `error` for anything unexpected). The login's own result passes through unchanged.
 */
export function countedLogin(metrics: Metrics, authenticationType: string, login: Promise<ReconcileOutcome>): Promise<ReconcileOutcome> {
  if (!metrics.enabled) return login;
  return login.then(
    (outcome) => {
      metrics.login(authenticationType, OUTCOME[outcome.kind], 'none');
      return outcome;
    },
    (error: unknown) => {
      if (error instanceof ReconcileError && error.code === 'LambdaRejected') metrics.login(authenticationType, 'rejected', error.publicCode);
      else metrics.login(authenticationType, 'failed', error instanceof ReconcileError ? error.code : 'error');
      throw error;
    },
  );
}
