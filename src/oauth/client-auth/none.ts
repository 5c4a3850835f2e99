import { registeredClient } from '../clients.js';
import type { EndpointRequest, OAuthContext } from '../context.js';
import { invalidClient } from '../errors.js';
import type { AuthenticatedClient } from './authenticated-client.js';

/** RFC 6749 §2.1 public clients: identified by `client_id` only, and only if registered so. */
export async function authenticatePublicClient(ctx: OAuthContext, request: EndpointRequest): Promise<AuthenticatedClient> {
  const clientId = request.params.get('client_id');
  if (!clientId) throw invalidClient('Client authentication is required.');
  const record = await registeredClient(ctx, request.tenant.id, clientId, 'none');
  return { application: record.application, method: 'none' };
}
