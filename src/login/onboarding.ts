import type { Clock } from '../lib/clock.js';
import { isUuid, newId } from '../lib/ids.js';
import type { PendingAction, PendingIdentity, PendingOnboarding } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { LoginSubject, PendingDecision } from './login-types.js';
import { ReconcileError } from './reconcile-error.js';

/** How long verified claims wait for a pending link or an onboarding to complete. */
export const PENDING_TTL_MS = 10 * 60_000;

/**
 * Holds the verified claims (never the token) for a pending link or an onboarding, for
 * `PENDING_TTL_MS`; returns the id the client completes it with.
 */
export async function holdPendingLogin(store: Store, clock: Clock, subject: LoginSubject, pending: PendingDecision): Promise<string> {
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

/**
 * Takes a held onboarding: consumed before the login runs again, so it completes at most once,
 * even when raced. Unknown, expired or used: `PendingOnboardingNotFound`.
 */
export async function takePendingOnboarding(store: Store, clock: Clock, pendingId: string): Promise<PendingAction & { identity: PendingOnboarding }> {
  const pending = isUuid(pendingId) ? await store.pendingActions.find(pendingId, 'onboarding', clock.now()) : undefined;
  if (!pending || !(await store.pendingActions.consume(pending.id))) throw new ReconcileError('PendingOnboardingNotFound', 'No pending onboarding with this id, or it has expired or was completed.');
  return pending as PendingAction & { identity: PendingOnboarding };
}
