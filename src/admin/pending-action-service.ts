import type { Clock } from '../lib/clock.js';
import { FieldErrors } from '../lib/api-error.js';
import type { PendingIdentity, PendingOnboarding } from '../store/records.js';
import type { Store } from '../store/store.js';
import { pageOf } from './input-values.js';

const KINDS = ['link', 'onboarding'] as const;

/** One pending link or onboarding as the API shows it: who and why, never the verified claims. */
export interface PendingActionView {
  id: string;
  kind: (typeof KINDS)[number];
  identityProviderId: string;
  identityProviderUserId: string;
  applicationId: string;
  displayName?: string;
  email?: string;
  username?: string;
  /** Onboarding: the lambda's reason and the fields it asked for. */
  reason?: string;
  missing?: PendingOnboarding['missing'];
  insertInstant: number;
  expiresAt: number;
}

/**
 * The tenant's pending links (a CreatePendingLink login, answered 232) and pending onboardings (a
 * lambda's `requireOnboarding`), unexpired, newest first — so an operator can see what waits to
 * be completed. FusionAuth only looks one pending link up by its id; listing them is Gatehouse's.
 */
export class PendingActionService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async list(tenantId: string, criteria: { kind?: string; startRow?: number | string; numberOfResults?: number | string }): Promise<{ pending: PendingActionView[]; total: number }> {
    const errors = new FieldErrors();
    const { startRow, numberOfResults } = pageOf(criteria, errors, { defaultResults: 25, maxResults: 500 });
    const kind = criteria.kind || undefined;
    if (kind !== undefined && !(KINDS as readonly string[]).includes(kind)) errors.add('kind', 'invalid', `One of ${KINDS.join(', ')}.`);
    errors.throwIfAny();
    const { actions, total } = await this.store.pendingActions.list(tenantId, { kind: kind as PendingActionView['kind'] | undefined, now: this.clock.now(), startRow, numberOfResults });
    const pending = actions.map((action): PendingActionView => {
      const identity = action.identity as PendingIdentity & Partial<PendingOnboarding>;
      return {
        id: action.id,
        kind: action.kind,
        identityProviderId: identity.identityProviderId,
        identityProviderUserId: identity.identityProviderUserId,
        applicationId: identity.applicationId,
        ...(identity.displayName !== undefined ? { displayName: identity.displayName } : {}),
        ...(identity.email !== undefined ? { email: identity.email } : {}),
        ...(identity.username !== undefined ? { username: identity.username } : {}),
        ...(action.kind === 'onboarding' ? { reason: identity.reason ?? '', missing: identity.missing ?? [] } : {}),
        insertInstant: action.insertInstant,
        expiresAt: action.expiresAt,
      };
    });
    return { pending, total };
  }
}
