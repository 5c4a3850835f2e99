/** Why the linking rules refuse to tie an external identity to a user. */
export type LinkRefusalCode =
  | 'NotLinked'
  | 'LoginPrevented'
  | 'LinkingDisabled'
  | 'MissingEmail'
  | 'MissingUsername'
  | 'UserDoesNotExistByEmail'
  | 'UserDoesNotExistByUsername'
  | 'UnverifiedEmail'
  | 'UserAlreadyLinked'
  | 'LinkCountExceeded';

/** FusionAuth's code strings for these refusals (the login pipeline and the Link API answer with them). */
export const LINK_REFUSAL_PUBLIC_CODE: Record<LinkRefusalCode, string> = {
  NotLinked: '[ExternalAuthenticationException]MissingUser',
  LoginPrevented: '[LoginPreventedException]',
  LinkingDisabled: '[ExternalAuthenticationException]LinkingDisabled',
  MissingEmail: '[ExternalAuthenticationException]MissingEmail',
  MissingUsername: '[ExternalAuthenticationException]MissingUsername',
  UserDoesNotExistByEmail: '[ExternalAuthenticationException]UserDoesNotExistByEmail',
  UserDoesNotExistByUsername: '[ExternalAuthenticationException]UserDoesNotExistByUsername',
  UnverifiedEmail: '[ExternalAuthenticationException]UnverifiedEmail',
  UserAlreadyLinked: '[ExternalAuthenticationException]UserAlreadyLinked',
  LinkCountExceeded: '[LinkCountExceeded]',
};

/**
 * A linking rule said no. A domain error of the identity rules: the login pipeline turns it into
 * its own ReconcileError (same code, same message), the Link API into a general error.
 */
export class LinkRefusal extends Error {
  readonly publicCode: string;

  constructor(
    readonly code: LinkRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'LinkRefusal';
    this.publicCode = LINK_REFUSAL_PUBLIC_CODE[code];
  }
}
