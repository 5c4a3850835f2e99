import type { EndpointRequest, OAuthContext } from '../context.js';
import { invalidClient } from '../errors.js';
import type { AuthenticatedClient } from './authenticated-client.js';

/** RFC 6749 §2.1 public clients: identified by `client_id` only, and only if registered so. */
export async function authenticatePublicClient(ctx: OAuthContext, request: EndpointRequest): Promise<AuthenticatedClient> {
  const clientId = request.params.get('client_id');
  if (!clientId) throw invalidClient('Client authentication is required.');
  const record = await ctx.applications.findClient(request.tenant.id, clientId);
  if (!record || !record.application.active) throw invalidClient('Client authentication failed.', `unknown or inactive client ${clientId}`);
  if (record.application.oauthConfiguration.clientAuthenticationMethod !== 'none') {
    throw invalidClient('Client authentication failed.', `client ${clientId} must authenticate with ${record.application.oauthConfiguration.clientAuthenticationMethod}`);
  }
  return { application: record.application, method: 'none' };
}
