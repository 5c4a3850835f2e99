import { ReconcileError } from '../../login/reconcile-error.js';
import type { ReconcileOutcome, ReconcileRequest, ReconcileService } from '../../login/reconcile-service.js';
import { OAuthError } from '../errors.js';
import type { OAuthErrorCode } from '../errors.js';

/**
 * A refused reconcile at the token endpoint. RFC 8693 §2.2.2 answers `invalid_request` for a
 * subject token that is invalid or unacceptable by policy; RFC 7523 §3.1 answers `invalid_grant`
 * for an assertion. A provider the client may not use is `unauthorized_client`. The Gatehouse /
 * FusionAuth code (a lambda's reject code verbatim) travels in `code`.
 */
export function reconcileOAuthError(error: ReconcileError, refused: 'invalid_request' | 'invalid_grant'): OAuthError {
  const code: OAuthErrorCode = error.code === 'InvalidIdentityProviderId' || error.code === 'InvalidApplication' ? 'unauthorized_client' : refused;
  return new OAuthError(code, error.message, `${error.publicCode} ${JSON.stringify(error.data ?? {})}`, { code: error.publicCode, ...(error.data?.reason ? { reason: error.data.reason } : {}) });
}

/** A pending link or onboarding at the token endpoint: refused, with the id the app completes it with. */
export function pendingOAuthError(outcome: Exclude<ReconcileOutcome, { kind: 'loggedIn' }>, refused: 'invalid_request' | 'invalid_grant'): OAuthError {
  if (outcome.kind === 'pendingLink') {
    return new OAuthError(refused, 'The external identity is not linked yet; complete the pending link.', undefined, { code: 'PendingLink', pending_idp_link_id: outcome.pendingIdPLinkId });
  }
  return new OAuthError(refused, `Onboarding is required: ${outcome.reason}.`, undefined, {
    code: 'OnboardingRequired',
    pending_onboarding_id: outcome.pendingOnboardingId,
    onboarding_reason: outcome.reason,
    missing: outcome.missing,
  });
}

/**
 * A login through the reconcile pipeline at the token endpoint: the logged-in outcome, or the
 * OAuth error for a refusal, a pending link or an onboarding.
 */
export async function reconcileAtTokenEndpoint(
  reconcile: ReconcileService,
  request: ReconcileRequest,
  refused: 'invalid_request' | 'invalid_grant',
): Promise<Extract<ReconcileOutcome, { kind: 'loggedIn' }>> {
  let outcome: ReconcileOutcome;
  try {
    outcome = await reconcile.login(request);
  } catch (error) {
    if (error instanceof ReconcileError) throw reconcileOAuthError(error, refused);
    throw error;
  }
  if (outcome.kind !== 'loggedIn') throw pendingOAuthError(outcome, refused);
  return outcome;
}
