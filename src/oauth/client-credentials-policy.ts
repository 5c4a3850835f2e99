import type { Application, Tenant } from '../store/records.js';
import { accessTokenLifetime } from '../tokens/access-token.js';
import type { OAuthContext } from './context.js';
import { OAuthError } from './errors.js';

/**
 * What a client acting for itself gets (RFC 6749 §3.3, §4.4): which scopes, and the audience and
 * lifetime of its access token.
 */
export interface ClientCredentialsPolicy {
  /** Returns the granted scopes, or throws OAuthError('invalid_scope') (RFC 6749 §5.2). */
  grantScopes(tenant: Tenant, application: Application, requested: string[] | undefined): Promise<string[]> | string[];
  token(tenant: Tenant, application: Application): { audience: string; lifetimeSeconds: number };
}

/**
 * The default policy: an application may be granted the scopes listed in
 * `oauthConfiguration.allowedScopes`. No `scope` requested: all of them. A request for anything
 * else is refused whole rather than silently narrowed, so a client learns of its mistake.
 */
export const allowedScopesPolicy: ClientCredentialsPolicy = {
  grantScopes(_tenant, application, requested) {
    const allowed = application.oauthConfiguration.allowedScopes ?? [];
    if (requested === undefined || requested.length === 0) return allowed;
    const refused = requested.filter((s) => !allowed.includes(s));
    if (refused.length > 0) throw new OAuthError('invalid_scope', `Scope not allowed for this client: ${refused.join(' ')}`);
    return requested;
  },
  token(tenant, application) {
    return {
      audience: application.oauthConfiguration.accessTokenAudience ?? application.oauthConfiguration.clientId,
      lifetimeSeconds: accessTokenLifetime(tenant, application),
    };
  },
};

/**
 * SMART Backend Services on a SMART tenant (a Koppeltaal domain): scopes from the application's
 * role (`smart/` rules); a refusal there is `invalid_scope` here.
 */
export const smartPolicy = (ctx: OAuthContext): ClientCredentialsPolicy => ({
  async grantScopes(tenant, application, requested) {
    const grant = await ctx.smart.grantScopes(tenant, application, requested);
    if ('refused' in grant) throw new OAuthError('invalid_scope', grant.description, grant.refused);
    return grant.scopes;
  },
  token(tenant, application) {
    return ctx.smart.token(tenant, accessTokenLifetime(tenant, application));
  },
});

/** The policy of a tenant: SMART's where SMART is enabled, else the application's allowed scopes. */
export const clientCredentialsPolicyOf = (ctx: OAuthContext, tenant: Tenant): ClientCredentialsPolicy =>
  tenant.smartConfiguration?.enabled ? smartPolicy(ctx) : allowedScopesPolicy;
