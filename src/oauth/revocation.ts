import { verifyOwnAccessToken } from '../tokens/access-token-verifier.js';
import { authenticateClient } from './client-auth/authenticate-client.js';
import type { EndpointRequest, OAuthContext } from './context.js';
import { invalidRequest, OAuthError } from './errors.js';

/**
 * RFC 7009 token revocation of access and refresh tokens. The client authenticates (§2.1); a
 * token issued to another client is refused; an unknown, invalid or expired token still answers
 * 200 (§2.2). Revoking a refresh token revokes its whole family (§2.1: "and other tokens based
 * on the same authorization grant").
 */
export async function handleRevocation(ctx: OAuthContext, request: EndpointRequest): Promise<void> {
  const client = await authenticateClient(ctx, request);
  const token = request.params.get('token');
  if (!token) throw invalidRequest('token is missing.');
  const { application } = client;
  if (!token.includes('.')) {
    // §2.2: an unknown token (or another tenant's) is answered like a revoked one.
    const outcome = await ctx.refreshTokens.revoke(token, { tenantId: request.tenant.id, applicationId: application.id });
    if (outcome === 'WRONG_CLIENT') throw new OAuthError('unauthorized_client', 'The token was not issued to this client.');
    return;
  }
  const claims = await verifyOwnAccessToken(ctx, request.tenant, token);
  if (!claims) return;
  // Client tokens name their client in client_id; user tokens (FusionAuth claim set) in aud.
  const owner = claims.client_id !== undefined ? claims.client_id === application.oauthConfiguration.clientId : claims.aud === (application.oauthConfiguration.accessTokenAudience ?? application.oauthConfiguration.clientId);
  if (!owner) throw new OAuthError('unauthorized_client', 'The token was not issued to this client.');
  await ctx.store.revocations.revoke(request.tenant.id, claims.jti as string, (claims.exp as number) * 1000);
}
