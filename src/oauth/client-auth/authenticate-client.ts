import type { EndpointRequest, OAuthContext } from '../context.js';
import { invalidRequest, OAuthError } from '../errors.js';
import type { AuthenticatedClient } from './authenticated-client.js';
import { authenticateWithSecret } from './client-secret.js';
import { authenticatePublicClient } from './none.js';
import { authenticateWithAssertion } from './private-key-jwt.js';

/**
 * Client authentication at the token, introspection and revocation endpoints. The method is
 * read from the request, must be exactly one (RFC 6749 §2.3), and must fit the one the client
 * registered (`clients.ts` `acceptsMethod`: either secret method for a secret, else exact). A
 * failure after HTTP Basic carries a `WWW-Authenticate` challenge (§5.2).
 */
export async function authenticateClient(ctx: OAuthContext, request: EndpointRequest): Promise<AuthenticatedClient> {
  const usesBasic = request.authorization !== undefined && /^basic /i.test(request.authorization);
  const usesPost = request.params.has('client_secret');
  const usesAssertion = request.params.has('client_assertion') || request.params.has('client_assertion_type');
  const used = [usesBasic, usesPost, usesAssertion].filter(Boolean).length;
  try {
    if (used > 1) throw invalidRequest('Use exactly one client authentication method.');
    if (usesBasic) return await authenticateWithSecret(ctx, request, 'client_secret_basic');
    if (usesPost) return await authenticateWithSecret(ctx, request, 'client_secret_post');
    if (usesAssertion) return await authenticateWithAssertion(ctx, request);
    return await authenticatePublicClient(ctx, request);
  } catch (error) {
    if (error instanceof OAuthError && usesBasic) error.basicChallenge = true;
    throw error;
  }
}
