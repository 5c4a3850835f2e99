import { LINK_REFUSAL_PUBLIC_CODE } from '../identity/link-refusal.js';
import type { LinkRefusal, LinkRefusalCode } from '../identity/link-refusal.js';

/**
 * Why a reconcile did not log the user in. Each code has one HTTP status and one public code
 * string in FusionAuth's form; codes are never reused for another meaning. The same error maps
 * to an OAuth error at the token endpoint (`oauth/grants/reconcile-oauth-error.ts`).
 */
export type ReconcileErrorCode =
  | LinkRefusalCode
  | 'InvalidIdentityProviderId'
  | 'InvalidApplication'
  | 'InvalidJWT'
  | 'MissingUniqueId'
  | 'DomainNotManaged'
  | 'DuplicateEmail'
  | 'DuplicateUsername'
  | 'InvalidUser'
  | 'LambdaInvocation'
  | 'LambdaRejected'
  | 'PendingOnboardingNotFound';

const STATUS: Record<ReconcileErrorCode, number> = {
  InvalidIdentityProviderId: 401,
  InvalidApplication: 401,
  InvalidJWT: 401,
  MissingUniqueId: 401,
  DomainNotManaged: 401,
  NotLinked: 404,
  LinkingDisabled: 404,
  MissingEmail: 400,
  MissingUsername: 400,
  UserDoesNotExistByEmail: 404,
  UserDoesNotExistByUsername: 404,
  UnverifiedEmail: 401,
  UserAlreadyLinked: 409,
  LinkCountExceeded: 400,
  DuplicateEmail: 409,
  DuplicateUsername: 409,
  InvalidUser: 400,
  LoginPrevented: 409,
  LambdaInvocation: 400,
  LambdaRejected: 403,
  PendingOnboardingNotFound: 404,
};

/** FusionAuth's code strings where FusionAuth has one; Gatehouse's own otherwise. */
const PUBLIC_CODE: Partial<Record<ReconcileErrorCode, string>> = {
  ...LINK_REFUSAL_PUBLIC_CODE,
  InvalidIdentityProviderId: '[ExternalAuthenticationException]InvalidIdentityProviderId',
  InvalidApplication: '[ExternalAuthenticationException]InvalidApplication',
  MissingUniqueId: '[ExternalAuthenticationException]MissingUniqueId',
  LambdaInvocation: '[LambdaInvocationException]',
  PendingOnboardingNotFound: '[PendingOnboardingNotFound]',
};

export class ReconcileError extends Error {
  readonly status: number;
  readonly publicCode: string;

  constructor(
    readonly code: ReconcileErrorCode,
    message: string,
    /** Public structured details (the verifier's reason, the lambda id, ...). */
    readonly data?: Record<string, unknown>,
    /** For LambdaRejected: the lambda's own code, sent verbatim. */
    lambdaCode?: string,
  ) {
    super(message);
    this.name = 'ReconcileError';
    this.status = STATUS[code];
    this.publicCode = lambdaCode ?? PUBLIC_CODE[code] ?? `[ExternalAuthenticationException]${code}`;
  }

  /** A linking rule's refusal as the login's error: same code, same message. */
  static fromLinkRefusal(refusal: LinkRefusal): ReconcileError {
    return new ReconcileError(refusal.code, refusal.message);
  }
}
