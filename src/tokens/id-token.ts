import type { Application, User } from '../store/records.js';
import { issueAccessToken } from './access-token.js';
import type { IssuedToken, TokenSigner } from './access-token.js';
import { userIdentityClaims } from './user-tokens.js';

/**
 * An OpenID Connect ID token (OIDC Core §2) for a user, audience the client: returned by token
 * exchange when `openid` is requested, as the mobile examples expect from Keycloak, and by the
 * authorization code grant. It lives as long as the access token issued with it. `auth_time` is
 * always present (required when `max_age` was asked, OIDC Core §2): the login's authentication
 * time. A brokered login passes on what the upstream ID token said of the authentication: `acr`
 * and `amr` (OIDC Core §2); `sid` names the SSO session.
 */
export function issueIdToken(
  signer: TokenSigner,
  application: Application,
  user: User,
  authTime: number,
  lifetimeSeconds: number,
  nonce?: string,
  authentication: { acr?: string; amr?: string[]; sid?: string } = {},
): IssuedToken {
  return issueAccessToken(
    signer,
    {
      sub: user.id,
      aud: application.oauthConfiguration.clientId,
      azp: application.oauthConfiguration.clientId,
      auth_time: authTime,
      // OIDC Core §3.1.3.6: the nonce of the authorization request, when it had one.
      ...(nonce ? { nonce } : {}),
      ...(authentication.acr ? { acr: authentication.acr } : {}),
      ...(authentication.amr && authentication.amr.length > 0 ? { amr: authentication.amr } : {}),
      // OpenID Connect Front-/Back-Channel Logout 1.0 §1 / §2.4: the OP's session id, when the login has one.
      ...(authentication.sid ? { sid: authentication.sid } : {}),
      ...userIdentityClaims(user),
      ...(user.firstName ? { given_name: user.firstName } : {}),
      ...(user.lastName ? { family_name: user.lastName } : {}),
      ...(user.fullName ? { name: user.fullName } : {}),
      ...(user.birthDate ? { birthdate: user.birthDate } : {}),
    },
    lifetimeSeconds,
  );
}
