import { sha256 } from '../../lib/hash.js';
import type { JsonObject } from '../../store/records.js';
import type { CodeGrant } from '../authorization-broker.js';
import { tokenSignerOf } from '../context.js';
import type { OAuthContext } from '../context.js';
import { OAuthError } from '../errors.js';
import { accessTokenLifetime } from '../../tokens/access-token.js';
import { issueIdToken } from '../../tokens/id-token.js';
import { verifierMatches } from '../pkce.js';
import { refreshTokensEnabled } from '../../tokens/user-tokens.js';
import type { UserTokenService } from '../../tokens/user-tokens.js';
import type { Grant } from './grant.js';

/**
 * RFC 6749 §4.1.2: a code used a second time is refused, and the tokens issued for it are
 * revoked — the refresh-token family and the access token (by its jti).
 */
async function revokeIfReused(ctx: OAuthContext, codeHash: string, tenantId: string): Promise<void> {
  const used = await ctx.store.authorizationTransactions.find(codeHash);
  if (!used || used.kind !== 'code' || used.tenantId !== tenantId || used.status !== 'taken') return;
  const grant = used.data as unknown as CodeGrant;
  if (!grant.issued) return;
  await ctx.store.revocations.revoke(tenantId, grant.issued.jti, grant.issued.exp * 1000);
  if (grant.issued.refreshFamilyId) await ctx.refreshTokens.revokeFamily(grant.userId, grant.issued.refreshFamilyId);
}

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.6): the code is taken exactly once, must have been
 * issued to this client for this redirect URI, and the verifier must hash to the challenge. The
 * response carries a FusionAuth-style access token, an ID token for `openid` (with the request's
 * nonce) and a refresh token for `offline_access` where the application generates them.
 */
export function authorizationCodeGrant(userTokens: UserTokenService): Grant {
  return {
    grantType: 'authorization_code',
    parameters: ['code', 'redirect_uri'],
    async handle(ctx, request, client) {
      const { tenant, params } = request;
      const codeHash = sha256(params.get('code')!);
      const taken = await ctx.store.authorizationTransactions.take(codeHash, 'code', tenant.id, ctx.clock.now());
      if (!taken) {
        await revokeIfReused(ctx, codeHash, tenant.id);
        throw new OAuthError('invalid_grant', 'The authorization code is invalid, expired or was used before.');
      }
      const grant = taken.data as unknown as CodeGrant;
      const { application } = client;
      if (grant.applicationId !== application.id) throw new OAuthError('invalid_grant', 'The authorization code was issued to another client.');
      if (params.get('redirect_uri') !== grant.redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri is not the one of the authorization request.');
      const verifier = params.get('code_verifier');
      if (!verifier || !verifierMatches(verifier, grant.codeChallenge)) throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge.');
      const user = await ctx.store.users.findById(grant.userId);
      if (!user || !user.active) throw new OAuthError('invalid_grant', 'The user is no longer active.');
      const registration = await ctx.store.registrations.find(user.id, application.id);
      const scope = grant.scopes?.join(' ');
      const tokens = await userTokens.issue({
        tenant,
        application,
        user,
        registration,
        authenticationType: 'OPENID_CONNECT',
        authTime: grant.authTime,
        ...(scope ? { scope } : {}),
        // OIDC Core §11: a refresh token only when offline access was asked for (as FusionAuth).
        withRefreshToken: grant.scopes?.includes('offline_access') === true && refreshTokensEnabled(application, registration),
        ...(grant.sessionId ? { sessionId: grant.sessionId } : {}),
      });
      await ctx.store.authorizationTransactions.updateData(codeHash, {
        ...grant,
        issued: { jti: tokens.claims.jti as string, exp: tokens.claims.exp as number, ...(tokens.refreshTokenId ? { refreshFamilyId: tokens.refreshTokenId } : {}) },
      } as unknown as JsonObject);
      const authentication = { ...(grant.acr ? { acr: grant.acr } : {}), ...(grant.amr ? { amr: grant.amr } : {}), ...(grant.sessionId ? { sid: grant.sessionId } : {}) };
      const idToken = grant.scopes?.includes('openid') ? issueIdToken(await tokenSignerOf(ctx, tenant), application, user, grant.authTime, accessTokenLifetime(tenant, application), grant.nonce, authentication) : undefined;
      return {
        access_token: tokens.token,
        token_type: 'Bearer',
        expires_in: tokens.expiresIn,
        ...(scope ? { scope } : {}),
        ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
        ...(idToken ? { id_token: idToken.token } : {}),
        userId: user.id,
      };
    },
  };
}
