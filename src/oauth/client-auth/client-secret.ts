import { safeEqual, sha256 } from '../../lib/hash.js';
import type { ClientAuthenticationMethod } from '../../store/records.js';
import { registeredClient } from '../clients.js';
import type { EndpointRequest, OAuthContext } from '../context.js';
import { invalidClient, invalidRequest } from '../errors.js';
import type { AuthenticatedClient } from './authenticated-client.js';

/**
 * RFC 6749 §2.3.1: `client_secret_basic` (HTTP Basic, each part form-urlencoded first) and
 * `client_secret_post` (`client_id` + `client_secret` in the body).
 */
export function parseBasicCredentials(authorization: string): { clientId: string; secret: string } {
  const encoded = authorization.slice(6).trim();
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (!/^[A-Za-z0-9+/]+=*$/.test(encoded) || colon < 1) throw invalidClient('Malformed HTTP Basic credentials.');
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    throw invalidClient('Malformed HTTP Basic credentials.');
  }
}

export async function authenticateWithSecret(ctx: OAuthContext, request: EndpointRequest, method: ClientAuthenticationMethod): Promise<AuthenticatedClient> {
  let clientId: string;
  let secret: string;
  if (method === 'client_secret_basic') {
    ({ clientId, secret } = parseBasicCredentials(request.authorization!));
    const bodyClientId = request.params.get('client_id');
    if (bodyClientId !== undefined && bodyClientId !== clientId) throw invalidRequest('client_id in the body differs from the HTTP Basic user.');
  } else {
    clientId = request.params.get('client_id') ?? '';
    secret = request.params.get('client_secret') ?? '';
    if (!clientId) throw invalidClient('client_secret_post needs client_id.');
  }
  const record = await registeredClient(ctx, request.tenant.id, clientId, method);
  if (!record.clientSecretHash || !safeEqual(sha256(secret), record.clientSecretHash)) {
    throw invalidClient('Client authentication failed.', `wrong secret for client ${clientId}`);
  }
  return { application: record.application, method };
}
