import type { ReconcileService } from '../../login/reconcile-service.js';
import { accessTokenLifetime } from '../../tokens/access-token.js';
import { issueIdToken } from '../../tokens/id-token.js';
import { tokenSignerOf } from '../context.js';
import { OAuthError } from '../errors.js';
import { grantUserScopes } from '../scope.js';
import type { Grant } from './grant.js';
import { reconcileAtTokenEndpoint } from './reconcile-oauth-error.js';
import { selectSubjectProvider } from './subject-provider.js';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const TYPE = 'urn:ietf:params:oauth:token-type:';
const SUBJECT_TYPES = new Set([`${TYPE}jwt`, `${TYPE}id_token`]);
const REQUESTED_TYPES = new Set([`${TYPE}access_token`, `${TYPE}refresh_token`, `${TYPE}id_token`]);
/**
 * RFC 8693 token exchange, external → Gatehouse (Keycloak's legacy V1 mobile flow, with its gaps
 * closed): the subject token is an external JWT or ID token of a provider enabled for the
 * client's application, verified by that provider's keys, issuer and audiences, then reconciled
 * like a login. Public clients (mobile apps) only where the provider's application configuration
 * says `allowPublicClients`. No delegation (`actor_token`), no `resource`.
 */
export function tokenExchangeGrant(reconcile: ReconcileService): Grant {
  return {
    grantType: TOKEN_EXCHANGE,
    parameters: ['subject_token', 'subject_token_type'],
    async handle(ctx, request, client) {
      const { params, tenant } = request;
      const { application } = client;
      const subjectType = params.get('subject_token_type')!;
      if (!SUBJECT_TYPES.has(subjectType)) throw new OAuthError('invalid_request', 'subject_token_type must be urn:ietf:params:oauth:token-type:jwt or :id_token.');
      if (params.has('actor_token') || params.has('actor_token_type')) throw new OAuthError('invalid_request', 'Delegation (actor_token) is not supported.');
      if (params.has('resource')) throw new OAuthError('invalid_target', 'resource is not supported; use audience.');
      const requestedType = params.get('requested_token_type') ?? `${TYPE}access_token`;
      if (!REQUESTED_TYPES.has(requestedType)) throw new OAuthError('invalid_request', 'requested_token_type must be an access, refresh or ID token type.');
      const audience = params.get('audience');
      const ownAudiences = [application.oauthConfiguration.clientId, application.oauthConfiguration.accessTokenAudience].filter(Boolean);
      if (audience !== undefined && !ownAudiences.includes(audience)) throw new OAuthError('invalid_target', 'audience must name this client.');
      const scopes = grantUserScopes(application, params.get('scope'));

      const subjectToken = params.get('subject_token')!;
      const provider = selectSubjectProvider(await reconcile.providersFor(application), subjectToken, params.get('subject_issuer'), 'invalid_request');
      if (client.method === 'none' && provider.applicationConfiguration[application.id]?.allowPublicClients !== true) {
        throw new OAuthError('unauthorized_client', 'Public clients may not exchange tokens of this identity provider.');
      }
      const outcome = await reconcileAtTokenEndpoint(
        reconcile,
        {
          identityProviderId: provider.id,
          applicationId: application.id,
          encodedJWT: subjectToken,
          tenantId: tenant.id,
          authenticationType: 'TOKEN_EXCHANGE',
          ...(scopes ? { scope: scopes.join(' ') } : {}),
        },
        'invalid_request',
      );
      const tokens = outcome.tokens!;
      const scope = scopes ? { scope: scopes.join(' ') } : {};
      if (requestedType === `${TYPE}refresh_token`) {
        if (!tokens.refreshToken) throw new OAuthError('invalid_request', 'This application issues no refresh tokens for this user.');
        return { access_token: tokens.refreshToken, issued_token_type: requestedType, token_type: 'N_A', ...scope };
      }
      const idToken = async () => issueIdToken(await tokenSignerOf(ctx, tenant), application, outcome.user, tokens.claims.auth_time as number, accessTokenLifetime(tenant, application));
      if (requestedType === `${TYPE}id_token`) {
        const issued = await idToken();
        return { access_token: issued.token, issued_token_type: requestedType, token_type: 'N_A', expires_in: issued.expiresIn, ...scope };
      }
      return {
        access_token: tokens.token,
        issued_token_type: requestedType,
        token_type: 'Bearer',
        expires_in: tokens.expiresIn,
        ...scope,
        ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
        ...(scopes?.includes('openid') ? { id_token: (await idToken()).token } : {}),
      };
    },
  };
}
