import type { ApiKey, Application, ExternalJwtIdentityProvider, JsonObject, Lambda, SmartRole, Tenant, User } from '../store/records.js';
import type { ExportVariables } from './export-values.js';

/**
 * Stored objects as kickstart entries: the fields the admin services create them from, without
 * instants, ids of generated keys, the owning tenant's id (implied by the nesting) or any secret.
 * A secret is a placeholder whose variable the operator fills in.
 */

export function tenantEntry(tenant: Tenant): JsonObject {
  const { timeToLiveInSeconds, refreshTokenTimeToLiveInMinutes, signingAlgorithm, accessTokenType } = tenant.jwtConfiguration;
  return {
    id: tenant.id,
    name: tenant.name,
    slug: tenant.slug,
    jwtConfiguration: { timeToLiveInSeconds, refreshTokenTimeToLiveInMinutes, signingAlgorithm, ...(accessTokenType ? { accessTokenType } : {}) },
    ...(tenant.smartConfiguration ? { smartConfiguration: tenant.smartConfiguration } : {}),
    ...(tenant.loginTheme ? { loginTheme: tenant.loginTheme } : {}),
    ...(tenant.adminConsoleApplicationId ? { adminConsoleApplicationId: tenant.adminConsoleApplicationId } : {}),
    data: tenant.data,
  };
}

export function roleEntry(role: SmartRole): JsonObject {
  return { id: role.id, name: role.name, permissions: role.permissions };
}

/** An application; a `client_secret_*` client's secret becomes the variable `APP_<clientId>_CLIENT_SECRET`. */
export function applicationEntry(application: Application, tenant: Tenant, variables: ExportVariables): JsonObject {
  const { id, name, tenantId: _tenantId, insertInstant: _inserted, lastUpdateInstant: _updated, oauthConfiguration, ...rest } = application;
  const { clientId, ...oauth } = oauthConfiguration;
  const secret = oauth.clientAuthenticationMethod.startsWith('client_secret')
    ? variables.placeholder(`APP_${clientId}_CLIENT_SECRET`, `client secret of application "${application.name}" (tenant ${tenant.slug})`)
    : undefined;
  return { id, name, oauthConfiguration: { clientId, clientSecret: secret, ...oauth }, ...rest };
}

/** A user's profile (`--users`); registrations and identity-provider links are not part of the format. */
export function userEntry(user: User): JsonObject {
  const { tenantId: _tenantId, insertInstant: _inserted, lastUpdateInstant: _updated, lastLoginInstant: _login, ...rest } = user;
  return rest;
}

export function lambdaEntry(lambda: Lambda): JsonObject {
  const { insertInstant: _inserted, lastUpdateInstant: _updated, ...rest } = lambda;
  return rest;
}

/** A provider; an upstream client secret becomes the variable `IDP_<name>_CLIENT_SECRET`. */
export function identityProviderEntry(provider: ExternalJwtIdentityProvider, variables: ExportVariables): JsonObject {
  const { insertInstant: _inserted, lastUpdateInstant: _updated, defaultKeyId: _derived, oauth2, ...rest } = provider;
  const { client_secret: stored, ...upstream } = oauth2;
  const secret = stored ? variables.placeholder(`IDP_${provider.name}_CLIENT_SECRET`, `client secret of identity provider "${provider.name}" at its upstream`) : undefined;
  return { ...rest, oauth2: { ...upstream, client_secret: secret } };
}

/** An API key's settings; the key itself (stored hashed) becomes the variable `API_KEY_<description>`. */
export function apiKeyEntry(apiKey: ApiKey, variables: ExportVariables): JsonObject {
  const description = apiKey.metaData.attributes.description;
  const key = variables.placeholder(`API_KEY_${description ?? apiKey.id.slice(0, 8)}`, `API key ${apiKey.id}${description ? ` ("${description}")` : ''}, at least 32 characters`);
  return {
    id: apiKey.id,
    key,
    ...(apiKey.tenantId ? { tenantId: apiKey.tenantId } : {}),
    keyManager: apiKey.keyManager,
    metaData: apiKey.metaData,
    permissions: apiKey.permissions,
  };
}
