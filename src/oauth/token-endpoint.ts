import { authenticateClient } from './client-auth/authenticate-client.js';
import type { EndpointRequest, OAuthContext } from './context.js';
import { OAuthError } from './errors.js';
import type { GrantRegistry, TokenResponse } from './grants/grant.js';

/**
 * The token endpoint, counted: each request is one issued or one refused grant, by grant type
 * (`unsupported` for an unknown one, `none` when absent) and OAuth error code (RFC 6749 §5.2).
 */
export async function handleTokenRequest(ctx: OAuthContext, grants: GrantRegistry, request: EndpointRequest): Promise<TokenResponse> {
  const grantType = request.params.get('grant_type');
  const label = grantType ? (grants.get(grantType) ? grantType : 'unsupported') : 'none';
  try {
    const response = await tokenRequest(ctx, grants, request);
    ctx.metrics.grantIssued(label);
    return response;
  } catch (error) {
    ctx.metrics.grantRefused(label, error instanceof OAuthError ? error.error : 'server_error');
    throw error;
  }
}

/**
 * The token endpoint pipeline (RFC 6749 §3.2): grant type known → client authenticated by its
 * registered method → grant enabled for the client → required parameters present → grant.
 */
async function tokenRequest(ctx: OAuthContext, grants: GrantRegistry, request: EndpointRequest): Promise<TokenResponse> {
  const grantType = request.params.get('grant_type');
  if (!grantType) throw new OAuthError('invalid_request', 'grant_type is missing.');
  const grant = grants.get(grantType);
  if (!grant) throw new OAuthError('unsupported_grant_type', `Unsupported grant_type ${grantType.slice(0, 100)}.`);
  const client = await authenticateClient(ctx, request);
  if (!client.application.oauthConfiguration.enabledGrants.includes(grantType)) {
    throw new OAuthError('unauthorized_client', `This client may not use ${grantType}.`);
  }
  const missing = grant.parameters.filter((p) => !request.params.get(p));
  if (missing.length > 0) throw new OAuthError('invalid_request', `Missing parameter: ${missing.join(', ')}.`);
  return grant.handle(ctx, request, client);
}
