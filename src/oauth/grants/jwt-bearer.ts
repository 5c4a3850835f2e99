import { ReconcileError } from '../../login/reconcile-error.js';
import type { ReconcileService } from '../../login/reconcile-service.js';
import { decodeJsonObject } from '../../lib/base64url.js';
import { issuerOf, tokenEndpointOf } from '../context.js';
import { OAuthError } from '../errors.js';
import type { Grant } from './grant.js';
import { reconcileAtTokenEndpoint } from './reconcile-oauth-error.js';
import { selectSubjectProvider } from './subject-provider.js';
import { grantUserScopes } from '../scope.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Longest assertion lifetime accepted (`exp` − now), as Keycloak's JWT authorization grant. */
const MAX_ASSERTION_LIFETIME_SECONDS = 300;

/**
 * RFC 7523 §2.1 JWT bearer authorization grant for users already linked: `iss` is a provider
 * enabled for the client's application, `aud` names this tenant's issuer or token endpoint
 * (§3 item 3), `exp` is near (§3 item 4), `jti` is single-use (§3 item 7), and the unique-id
 * claim must already be linked. Confidential clients only; no refresh token.
 */
export function jwtBearerGrant(reconcile: ReconcileService): Grant {
  return {
    grantType: JWT_BEARER,
    parameters: ['assertion'],
    async handle(ctx, request, client) {
      if (client.method === 'none') throw new OAuthError('unauthorized_client', 'Public clients cannot use the JWT bearer grant.');
      const { tenant, params } = request;
      const { application } = client;
      const assertion = params.get('assertion')!;
      const scopes = grantUserScopes(application, params.get('scope'));
      const provider = selectSubjectProvider(await reconcile.providersFor(application), assertion, undefined, 'invalid_grant');

      const payload = decodeJsonObject(assertion.split('.')[1] ?? '') ?? {};
      if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 255) throw new OAuthError('invalid_grant', 'The assertion needs a jti.');

      const outcome = await reconcileAtTokenEndpoint(
        reconcile,
        {
          identityProviderId: provider.id,
          applicationId: application.id,
          encodedJWT: assertion,
          tenantId: tenant.id,
          noLink: true,
          noRefreshToken: true,
          audiences: [issuerOf(ctx.config, tenant), tokenEndpointOf(ctx.config, tenant)],
          maxLifetimeSeconds: MAX_ASSERTION_LIFETIME_SECONDS,
          authenticationType: 'JWT_BEARER',
          ...(scopes ? { scope: scopes.join(' ') } : {}),
          afterVerify: async (claims) => {
            // Verified by now: the jti is consumed only for a genuine assertion, once.
            const fresh = await ctx.store.replay.consume(`jwt-bearer\u0000${provider.id}`, claims.jti as string, (claims.exp as number) * 1000, ctx.clock.now());
            if (!fresh) {
              ctx.metrics.jtiReplayed('jwt_bearer');
              throw new ReconcileError('InvalidJWT', 'The assertion was used before (jti).', { reason: 'REPLAYED' });
            }
          },
        },
        'invalid_grant',
      );
      const tokens = outcome.tokens!;
      return { access_token: tokens.token, token_type: 'Bearer', expires_in: tokens.expiresIn, ...(scopes ? { scope: scopes.join(' ') } : {}) };
    },
  };
}
