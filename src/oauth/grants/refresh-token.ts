import { OAuthError } from '../errors.js';
import { RefreshTokenError } from '../../tokens/user-tokens.js';
import type { UserTokenService } from '../../tokens/user-tokens.js';
import type { Grant } from './grant.js';

/**
 * RFC 6749 §6 refresh: the token must have been issued to the authenticated client (§10.4); it
 * rotates, and a rotated token presented again revokes its family (RFC 9700 §4.14.2). A narrower
 * `scope` than the original grant is not supported: asking for any other scope is refused.
 */
export function refreshTokenGrant(userTokens: UserTokenService): Grant {
  return {
    grantType: 'refresh_token',
    parameters: ['refresh_token'],
    async handle(_ctx, request, client) {
      try {
        const { tokens, record } = await userTokens.refresh(request.params.get('refresh_token')!, client.application.id, request.params.get('scope'));
        return {
          access_token: tokens.token,
          token_type: 'Bearer',
          expires_in: tokens.expiresIn,
          refresh_token: tokens.refreshToken,
          ...(record.scope ? { scope: record.scope } : {}),
        };
      } catch (error) {
        if (error instanceof RefreshTokenError) throw new OAuthError(error.code === 'SCOPE_NOT_GRANTED' ? 'invalid_scope' : 'invalid_grant', error.message, error.code);
        throw error;
      }
    },
  };
}
