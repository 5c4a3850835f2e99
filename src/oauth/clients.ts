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

const SECRET_METHODS: readonly ClientAuthenticationMethod[] = ['client_secret_basic', 'client_secret_post'];

/**
 * Whether a client registered for `registered` may authenticate with `used`. A client secret
 * may be presented either way RFC 6749 §2.3.1 defines (HTTP Basic or the body), as Keycloak and
 * FusionAuth accept, so a library's default (openid-client: `client_secret_post`) works with a
 * default (`client_secret_basic`) application; `private_key_jwt` and `none` stay exact.
 */
export const acceptsMethod = (registered: ClientAuthenticationMethod, used: ClientAuthenticationMethod): boolean =>
  registered === used || (SECRET_METHODS.includes(registered) && SECRET_METHODS.includes(used));

/**
 * The client a token, introspection or revocation request authenticates as: active and
 * registered for the `method` it used (RFC 6749 §2.3; either secret method for a secret, see
 * {@link acceptsMethod}), else `invalid_client` whose detail (for the log only) says why.
 */
export async function registeredClient(ctx: OAuthContext, tenantId: string, clientId: string, method: ClientAuthenticationMethod): Promise<ApplicationWithSecret> {
  const client = await findActiveClient(ctx, tenantId, clientId);
  if (!client) throw invalidClient('Client authentication failed.', `unknown or inactive client ${clientId.slice(0, 100)}`);
  const registered = client.application.oauthConfiguration.clientAuthenticationMethod;
  if (!acceptsMethod(registered, method)) throw invalidClient('Client authentication failed.', `client ${clientId} is registered for ${registered}, used ${method}`);
  return client;
}
