/**
 * RFC 6749 §5.2 error codes (plus RFC 7009 §2.2.1 and RFC 8693 §2.2.2), as a literal union so
 * a typo is a compile error. Each error has a public description and a private detail for the
 * log; it is serialized in one place (`http/oauth-error-reply.ts`).
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'access_denied'
  | 'login_required'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_tenant'
  | 'too_many_requests'
  | 'server_error'
  | 'temporarily_unavailable';

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  unsupported_token_type: 400,
  access_denied: 403,
  // OIDC Core §3.1.2.6: only ever sent back to the client's redirect URI.
  login_required: 400,
  // RFC 6750 §3.1.
  invalid_token: 401,
  insufficient_scope: 403,
  invalid_tenant: 404,
  too_many_requests: 429,
  server_error: 500,
  temporarily_unavailable: 503,
};

export class OAuthError extends Error {
  /** Set when the client tried HTTP Basic: RFC 6749 §5.2 then requires WWW-Authenticate. */
  basicChallenge = false;
  /** Set by a resource endpoint (userinfo): RFC 6750 §3 requires `WWW-Authenticate: Bearer`, with the error unless no token was sent at all (§3.1). */
  bearerChallenge: 'with-error' | 'without-error' | undefined;
  readonly status: number;

  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    /** Private: what exactly failed, for the log; never sent to the client. */
    readonly detail?: string,
    /** Extra public members of the error response (e.g. a lambda's code). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
    this.status = STATUS[error];
  }
}

export const invalidRequest = (description: string, detail?: string) => new OAuthError('invalid_request', description, detail);
export const invalidClient = (description: string, detail?: string) => new OAuthError('invalid_client', description, detail);
