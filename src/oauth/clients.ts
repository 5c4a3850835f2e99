import type { ClientAuthenticationMethod } from '../store/records.js';
import type { ApplicationWithSecret } from '../store/repositories/application-repository.js';
import type { OAuthContext } from './context.js';
import { invalidClient } from './errors.js';

/** The `client_id` column's width: a longer id names no client and is not looked up. */
const MAX_CLIENT_ID_LENGTH = 191;

/**
 * The one client lookup of the OAuth endpoints (RFC 6749 §2.2): a tenant's active application
 * by `client_id`, from the configuration cache (other nodes' changes show within its lifetime).
 * Undefined for an unknown, overlong or inactive client.
 */
export async function findActiveClient(ctx: OAuthContext, tenantId: string, clientId: string): Promise<ApplicationWithSecret | undefined> {
  if (clientId.length > MAX_CLIENT_ID_LENGTH) return undefined;
  const client = await ctx.configuration.client(tenantId, clientId);
  return client && client.application.active ? client : undefined;
}

/**
 * The client a token, introspection or revocation request authenticates as: active and
 * registered for the `method` it used (RFC 6749 §2.3), else `invalid_client` whose detail (for
 * the log only) says why.
 */
export async function registeredClient(ctx: OAuthContext, tenantId: string, clientId: string, method: ClientAuthenticationMethod): Promise<ApplicationWithSecret> {
  const client = await findActiveClient(ctx, tenantId, clientId);
  if (!client) throw invalidClient('Client authentication failed.', `unknown or inactive client ${clientId.slice(0, 100)}`);
  const registered = client.application.oauthConfiguration.clientAuthenticationMethod;
  if (registered !== method) throw invalidClient('Client authentication failed.', `client ${clientId} is registered for ${registered}, used ${method}`);
  return client;
}
