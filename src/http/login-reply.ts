import type { FastifyReply } from 'fastify';
import { ReconcileError } from '../login/reconcile-error.js';
import type { ReconcileOutcome } from '../login/reconcile-service.js';
import { ApiError } from '../lib/api-error.js';

/** FusionAuth 232: the login created a pending link (CreatePendingLink). */
export const STATUS_PENDING_LINK = 232;
/** Gatehouse 234: the reconcile lambda requires onboarding (a FusionAuth-style 2xx pending state). */
export const STATUS_PENDING_ONBOARDING = 234;

/**
 * The login response of `/api/identity-provider/login`, `/api/jwt/reconcile` and onboarding
 * completion, in FusionAuth's shape: 200 with tokens and the user, 202 when the user is not
 * registered for the application, 232 with `pendingIdPLinkId`, 234 with `pendingOnboardingId`.
 */
export function sendLoginOutcome(reply: FastifyReply, outcome: ReconcileOutcome): FastifyReply {
  reply.header('cache-control', 'no-store');
  switch (outcome.kind) {
    case 'pendingLink':
      return reply.status(STATUS_PENDING_LINK).send({ pendingIdPLinkId: outcome.pendingIdPLinkId });
    case 'onboarding':
      return reply.status(STATUS_PENDING_ONBOARDING).send({ pendingOnboardingId: outcome.pendingOnboardingId, reason: outcome.reason, missing: outcome.missing });
    case 'loggedIn': {
      const { tokens } = outcome;
      return reply.status(outcome.registration ? 200 : 202).send({
        ...(tokens
          ? {
              token: tokens.token,
              tokenExpirationInstant: tokens.tokenExpirationInstant,
              ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken, refreshTokenId: tokens.refreshTokenId } : {}),
            }
          : {}),
        user: outcome.user,
      });
    }
  }
}

/** A ReconcileError as FusionAuth's Errors JSON (a lambda's reject code verbatim). */
export function reconcileApiError(error: ReconcileError): ApiError {
  return ApiError.general(error.status, error.publicCode, error.message, error.data);
}

/** Runs a reconcile and answers it, mapping refusals to their FusionAuth errors. */
export async function answerLogin(reply: FastifyReply, run: () => Promise<ReconcileOutcome>): Promise<FastifyReply> {
  try {
    return sendLoginOutcome(reply, await run());
  } catch (error) {
    if (error instanceof ReconcileError) throw reconcileApiError(error);
    throw error;
  }
}
