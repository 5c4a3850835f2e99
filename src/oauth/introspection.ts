import { verifyOwnAccessToken } from '../tokens/access-token-verifier.js';
import { authenticateClient } from './client-auth/authenticate-client.js';
import type { EndpointRequest, OAuthContext } from './context.js';
import { invalidRequest } from './errors.js';

/**
 * RFC 7662 token introspection. The caller authenticates as a client (§2.1; Koppeltaal TOP-KT-021
 * with a client assertion). Live Gatehouse access tokens answer `active: true` with their claims;
 * anything else answers 200 `{"active": false}` (§2.2).
 */
export async function handleIntrospection(ctx: OAuthContext, request: EndpointRequest): Promise<Record<string, unknown>> {
  await authenticateClient(ctx, request);
  const token = request.params.get('token');
  if (!token) throw invalidRequest('token is missing.');
  const claims = await verifyOwnAccessToken(ctx, request.tenant, token);
  if (!claims) return { active: false };
  return { active: true, token_type: 'Bearer', ...claims };
}
