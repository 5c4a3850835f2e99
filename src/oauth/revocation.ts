import { verifyOwnAccessToken } from './access-token-verifier.js';
import { authenticateClient } from './client-auth/authenticate-client.js';
import type { EndpointRequest, OAuthContext } from './context.js';
import { invalidRequest, OAuthError } from './errors.js';

/**
 * RFC 7009 token revocation. The client authenticates (§2.1); a token issued to another client
 * is refused; an unknown, invalid or expired token still answers 200 (§2.2).
 */
export async function handleRevocation(ctx: OAuthContext, request: EndpointRequest): Promise<void> {
  const client = await authenticateClient(ctx, request);
  const token = request.params.get('token');
  if (!token) throw invalidRequest('token is missing.');
  const claims = await verifyOwnAccessToken(ctx, request.tenant, token);
  if (!claims) return;
  if (claims.client_id !== client.application.oauthConfiguration.clientId) {
    throw new OAuthError('unauthorized_client', 'The token was not issued to this client.');
  }
  await ctx.store.revocations.revoke(request.tenant.id, claims.jti as string, (claims.exp as number) * 1000);
}
