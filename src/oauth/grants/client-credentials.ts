import { OAuthError } from '../errors.js';
import { parseScope } from '../scope.js';
import { accessTokenTypeOf, issueAccessToken } from '../../tokens/access-token.js';
import { clientCredentialsPolicyOf } from '../client-credentials-policy.js';
import { tokenSignerOf } from '../context.js';
import type { Grant } from './grant.js';

/**
 * RFC 6749 §4.4 client credentials: the client acts for itself. Used by SMART Backend Services
 * and Koppeltaal applications with `private_key_jwt`.
 */
export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  parameters: [],
  async handle(ctx, request, client) {
    // §4.4: only confidential clients.
    if (client.method === 'none') throw new OAuthError('unauthorized_client', 'Public clients cannot use client_credentials.');
    const { application } = client;
    const policy = clientCredentialsPolicyOf(ctx, request.tenant);
    const scopes = await policy.grantScopes(request.tenant, application, parseScope(request.params.get('scope')));
    const clientId = application.oauthConfiguration.clientId;
    const { audience, lifetimeSeconds } = policy.token(request.tenant, application);
    const issued = issueAccessToken(
      await tokenSignerOf(ctx, request.tenant),
      {
        sub: clientId,
        aud: audience,
        azp: clientId,
        client_id: clientId,
        ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
      },
      lifetimeSeconds,
      accessTokenTypeOf(request.tenant),
    );
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
    };
  },
};
