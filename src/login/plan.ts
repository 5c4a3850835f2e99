import type { LambdaLog } from '../lambda/lambda-types.js';
import type { Clock } from '../lib/clock.js';
import type { Store } from '../store/store.js';
import type { LambdaStageDeps } from './lambda.js';
import { runReconcileLambda } from './lambda.js';
import { decideLoginLink } from './link.js';
import type { LoginPlan, LoginSubject, PendingDecision, TraceStep } from './login-types.js';
import { draftLogin } from './map.js';
import { checkLoginUser } from './user-checks.js';

export interface PlanDeps extends LambdaStageDeps {
  store: Store;
  clock: Clock;
}

/**
 * link → map → lambda → checks: decides and computes what the login writes, or that it is held
 * (pending link, onboarding). Reads only: nothing is written before the lambda has finished.
 */
export async function planLogin(deps: PlanDeps, subject: LoginSubject, steps: TraceStep[], logs: LambdaLog[]): Promise<LoginPlan | PendingDecision> {
  const decision = await decideLoginLink(deps.store, subject, steps);
  if (decision.kind === 'pendingLink') return { pending: 'link' };
  const draft = await draftLogin(deps.store, deps.clock.now(), subject, decision);
  const verdict = await runReconcileLambda(deps, subject, draft, decision.anonymous, steps, logs);
  if (verdict.kind === 'onboarding') return { pending: 'onboarding', reason: verdict.reason, missing: verdict.missing };
  await checkLoginUser(deps.store, subject.provider, decision, verdict.user, draft.existing);
  const changed = JSON.stringify({ user: verdict.user, registration: verdict.registration }) !== draft.before;
  return {
    decision,
    user: verdict.user,
    registration: verdict.registration,
    registrationIsNew: draft.registrationIsNew,
    otherRegistrations: draft.otherRegistrations,
    registrationChanged: draft.registrationIsNew || (changed && verdict.registration !== undefined),
    userChanged: changed || draft.existing === undefined,
  };
}
