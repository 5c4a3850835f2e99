/** The admin resources the console manages through `/api`, described once each. */
import { html } from './html.js';
import type { ResourceSpec } from './resource-spec.js';
import { LambdaDryRun } from './views/lambda-dry-run.js';
import { DiscoveryImport, ProviderTest } from './views/provider-test.js';
import { ScopePreview } from './views/scope-preview.js';
import { SigningKeyPanel } from './views/signing-key-panel.js';

const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'];
const LINKING = ['LinkByEmail', 'LinkByEmailForExistingUser', 'LinkByUsername', 'LinkByUsernameForExistingUser', 'LinkAnonymously', 'CreatePendingLink', 'Disabled'];

export const tenants: ResourceSpec = {
  id: 'tenants',
  title: 'Tenants',
  singular: 'Tenant',
  endpoint: '/api/tenant',
  wrapper: 'tenant',
  listKey: 'tenants',
  columns: [{ label: 'Name', path: 'name' }, { label: 'Slug', path: 'slug' }, { label: 'Signing algorithm', path: 'jwtConfiguration.signingAlgorithm' }],
  fields: [
    { path: 'name', label: 'Name', kind: 'text' },
    { path: 'slug', label: 'Slug', kind: 'text', help: 'The {tenant} of /t/{tenant}; derived from the name when empty.' },
    { path: 'jwtConfiguration.timeToLiveInSeconds', label: 'Access token lifetime (seconds)', kind: 'number' },
    { path: 'jwtConfiguration.refreshTokenTimeToLiveInMinutes', label: 'Refresh token lifetime (minutes)', kind: 'number' },
    { path: 'jwtConfiguration.signingAlgorithm', label: 'Signing algorithm', kind: 'select', options: ALGORITHMS, help: 'Changing it rotates the tenant’s signing key; the old key stays published until its tokens expire.' },
    { path: 'jwtConfiguration.accessTokenType', label: 'Access token type (typ)', kind: 'select', options: ['JWT', 'at+jwt'] },
    { path: 'smartConfiguration.enabled', label: 'SMART domain (Koppeltaal)', kind: 'checkbox' },
    { path: 'smartConfiguration.fhirBaseUrl', label: 'FHIR base URL', kind: 'url' },
    { path: 'smartConfiguration.accessTokenAudience', label: 'SMART access token audience', kind: 'url' },
    { path: 'tenantConfiguration.limitUserLinkCount', label: 'Link count limit (JSON)', kind: 'json', help: '{"enabled": true, "maximumLinks": 1}' },
    {
      path: 'adminConsoleApplicationId',
      label: 'Console application',
      kind: 'reference',
      reference: { endpoint: '/api/application', listKey: 'applications' },
      help: 'Users with the role admin in this application sign in here through the tenant’s login: a public client (authorization_code) of this tenant with the redirect URL of this page.',
    },
  ],
  panels: [(tenant) => html`<${SigningKeyPanel} key=${tenant.id} tenant=${tenant} />`],
};

export const applications: ResourceSpec = {
  id: 'applications',
  title: 'Applications',
  singular: 'Application',
  endpoint: '/api/application',
  wrapper: 'application',
  listKey: 'applications',
  columns: [{ label: 'Name', path: 'name' }, { label: 'Client id', path: 'oauthConfiguration.clientId' }, { label: 'Client authentication', path: 'oauthConfiguration.clientAuthenticationMethod' }],
  shownOnce: [{ label: 'Client secret', path: 'oauthConfiguration.clientSecret' }],
  fields: [
    { path: 'name', label: 'Name', kind: 'text' },
    { path: 'oauthConfiguration.clientId', label: 'Client id', kind: 'text', help: 'Default: the application id.' },
    { path: 'oauthConfiguration.clientAuthenticationMethod', label: 'Client authentication', kind: 'select', options: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] },
    { path: 'oauthConfiguration.enabledGrants', label: 'Enabled grants (one per line)', kind: 'lines' },
    { path: 'oauthConfiguration.authorizedRedirectURLs', label: 'Redirect URLs (one per line)', kind: 'lines' },
    { path: 'oauthConfiguration.authorizedOriginURLs', label: 'Allowed origins (one per line)', kind: 'lines' },
    { path: 'oauthConfiguration.allowedScopes', label: 'Allowed scopes (one per line)', kind: 'lines' },
    { path: 'oauthConfiguration.accessTokenAudience', label: 'Access token audience', kind: 'text' },
    { path: 'oauthConfiguration.jwksUri', label: 'JWKS URL (private_key_jwt)', kind: 'url' },
    { path: 'oauthConfiguration.jwks', label: 'Inline JWKS (JSON)', kind: 'json', help: '{"keys": [ … ]}: instead of a JWKS URL.' },
    { path: 'jwtConfiguration.timeToLiveInSeconds', label: 'Access token lifetime (seconds)', kind: 'number' },
    { path: 'loginConfiguration.generateRefreshTokens', label: 'Issue refresh tokens', kind: 'checkbox' },
    { path: 'roles', label: 'Roles (JSON)', kind: 'json', help: '[{"name": "admin", "isDefault": false}]' },
    { path: 'smartConfiguration.roleId', label: 'SMART role', kind: 'reference', reference: { endpoint: '/api/smart/role', listKey: 'roles' } },
    { path: 'smartConfiguration.deviceId', label: 'SMART device id', kind: 'text', help: 'A FHIR id; default: the client id.' },
  ],
};

export const apiKeys: ResourceSpec = {
  id: 'api-keys',
  title: 'API keys',
  singular: 'API key',
  endpoint: '/api/api-key',
  wrapper: 'apiKey',
  listKey: 'apiKeys',
  columns: [{ label: 'Id', path: 'id' }, { label: 'Description', path: 'metaData.attributes.description' }, { label: 'Tenant', path: 'tenantId' }],
  shownOnce: [{ label: 'API key', path: 'key' }],
  fields: [
    { path: 'metaData.attributes.description', label: 'Description', kind: 'text' },
    { path: 'tenantId', label: 'Tenant (empty: every tenant)', kind: 'reference', reference: { endpoint: '/api/tenant', listKey: 'tenants' }, createOnly: true },
    { path: 'permissions.endpoints', label: 'Endpoint permissions (JSON)', kind: 'json', help: '{"/api/user": ["GET"]}; empty: a superuser key.' },
  ],
};

export const signingKeys: ResourceSpec = {
  id: 'keys',
  title: 'Signing keys',
  singular: 'Key',
  endpoint: '/api/key',
  createEndpoint: '/api/key/generate',
  wrapper: 'key',
  listKey: 'keys',
  createOnly: true,
  intro: 'Generate a key pair here; import public keys, certificates and HMAC secrets under Import key. Private keys never leave the server.',
  columns: [{ label: 'Name', path: 'name' }, { label: 'Algorithm', path: 'algorithm' }, { label: 'Key id', path: 'kid' }, { label: 'Type', path: 'type' }],
  fields: [
    { path: 'name', label: 'Name', kind: 'text' },
    { path: 'algorithm', label: 'Algorithm', kind: 'select', options: ALGORITHMS },
    { path: 'length', label: 'RSA modulus bits', kind: 'number', help: 'At least 2048 (RSA only).' },
    { path: 'issuer', label: 'Issuer', kind: 'url' },
  ],
};

export const importedKeys: ResourceSpec = {
  ...signingKeys,
  id: 'key-import',
  title: 'Import key',
  singular: 'Imported key',
  createEndpoint: '/api/key/import',
  intro: 'A PEM public key, an X.509 certificate, a JWK, a key pair, or an HMAC secret for webhook signatures.',
  fields: [
    { path: 'name', label: 'Name', kind: 'text' },
    { path: 'algorithm', label: 'Algorithm', kind: 'select', options: [...ALGORITHMS, 'HS256', 'HS384', 'HS512'] },
    { path: 'kid', label: 'Key id (kid)', kind: 'text' },
    { path: 'publicKey', label: 'Public key (PEM)', kind: 'textarea' },
    { path: 'certificate', label: 'Certificate (PEM)', kind: 'textarea' },
    { path: 'privateKey', label: 'Private key (PEM)', kind: 'textarea', writeOnly: true },
    { path: 'jwk', label: 'Public JWK (JSON)', kind: 'json' },
    { path: 'secret', label: 'HMAC secret', kind: 'password', writeOnly: true },
  ],
};

export const lambdas: ResourceSpec = {
  id: 'lambdas',
  title: 'Lambdas',
  singular: 'Lambda',
  endpoint: '/api/lambda',
  wrapper: 'lambda',
  listKey: 'lambdas',
  intro: 'Reconcile lambdas run in a sandbox on every login. A body must compile and define reconcile to be saved.',
  initial: { type: 'ExternalJWTReconcile', enabled: true, body: 'function reconcile(user, registration, jwt, context) {\n  user.firstName = jwt.given_name;\n}\n' },
  columns: [{ label: 'Name', path: 'name' }, { label: 'Type', path: 'type' }, { label: 'Enabled', path: 'enabled' }, { label: 'Debug', path: 'debug' }],
  fields: [
    { path: 'name', label: 'Name', kind: 'text' },
    { path: 'type', label: 'Type', kind: 'select', options: ['ExternalJWTReconcile'], createOnly: true },
    { path: 'enabled', label: 'Enabled', kind: 'checkbox' },
    { path: 'debug', label: 'Debug (console.debug to the event log)', kind: 'checkbox' },
    { path: 'body', label: 'Code', kind: 'code', help: 'reconcile(user, registration, jwt, context); context.reject(code, message); context.requireOnboarding(reason, { missing }).' },
  ],
  panels: [(lambda) => html`<${LambdaDryRun} key=${lambda.id} lambda=${lambda} />`],
};

export const identityProviders: ResourceSpec = {
  id: 'identity-providers',
  title: 'Identity providers',
  singular: 'Identity provider',
  endpoint: '/api/identity-provider',
  wrapper: 'identityProvider',
  listKey: 'identityProviders',
  intro: 'External JWT and OpenID Connect issuers whose tokens log users in. Choose the Health-ID preset to fill the mimoto settings.',
  initial: { type: 'ExternalJWT', enabled: true, headerKeyParameter: 'kid' },
  columns: [{ label: 'Name', path: 'name' }, { label: 'Issuer', path: 'issuer' }, { label: 'Linking', path: 'linkingStrategy' }, { label: 'Enabled', path: 'enabled' }],
  tools: (draft, setDraft) => html`<${DiscoveryImport} draft=${draft} setDraft=${setDraft} />`,
  fields: [
    { path: 'name', label: 'Name', kind: 'text' },
    { path: 'type', label: 'Type', kind: 'select', options: ['ExternalJWT'], createOnly: true },
    { path: 'preset', label: 'Preset', kind: 'select', options: ['health-id-mimoto'], createOnly: true },
    { path: 'enabled', label: 'Enabled', kind: 'checkbox' },
    { path: 'debug', label: 'Debug (a step trace in the event log per login)', kind: 'checkbox' },
    { path: 'issuer', label: 'Issuer', kind: 'url' },
    { path: 'jwksUri', label: 'JWKS URL', kind: 'url' },
    { path: 'verificationKeyIds', label: 'Verification key ids (one per line)', kind: 'lines', help: 'Imported keys, instead of a JWKS URL.' },
    { path: 'audiences', label: 'Audiences (one per line)', kind: 'lines' },
    { path: 'allowedAlgorithms', label: 'Allowed algorithms (one per line)', kind: 'lines' },
    { path: 'headerKeyParameter', label: 'Key id header', kind: 'text' },
    { path: 'oauth2.uniqueIdClaim', label: 'Unique id claim', kind: 'text' },
    { path: 'oauth2.emailClaim', label: 'Email claim', kind: 'text' },
    { path: 'oauth2.usernameClaim', label: 'Username claim', kind: 'text' },
    { path: 'claimMap', label: 'Claim map (JSON)', kind: 'json', help: '{"given_name": "firstName"}' },
    { path: 'linkingStrategy', label: 'Linking strategy', kind: 'select', options: LINKING },
    { path: 'lambdaConfiguration.reconcileId', label: 'Reconcile lambda', kind: 'reference', reference: { endpoint: '/api/lambda', listKey: 'lambdas' } },
    { path: 'domains', label: 'Managed domains (one per line)', kind: 'lines' },
    { path: 'applicationConfiguration', label: 'Per-application settings (JSON)', kind: 'json', help: '{"<application id>": {"enabled": true, "createRegistration": true}}' },
    { path: 'oauth2.client_id', label: 'Browser login: client id', kind: 'text' },
    { path: 'oauth2.client_secret', label: 'Browser login: client secret', kind: 'password', writeOnly: true },
    { path: 'oauth2.scope', label: 'Browser login: scope', kind: 'text' },
    { path: 'oauth2.authorization_endpoint', label: 'Authorization endpoint', kind: 'url' },
    { path: 'oauth2.token_endpoint', label: 'Token endpoint', kind: 'url' },
  ],
  panels: [(provider) => html`<${ProviderTest} key=${provider.id} provider=${provider} />`],
};

export const smartRoles: ResourceSpec = {
  id: 'smart-roles',
  title: 'SMART roles',
  singular: 'SMART role',
  endpoint: '/api/smart/role',
  wrapper: 'role',
  listKey: 'roles',
  intro: 'Koppeltaal roles: permissions per FHIR resource type; an application with the role gets the derived scopes.',
  columns: [{ label: 'Name', path: 'name' }, { label: 'Id', path: 'id' }],
  fields: [
    { path: 'name', label: 'Name', kind: 'text' },
    { path: 'permissions', label: 'Permissions (JSON)', kind: 'json', help: '[{"resourceType": "Patient", "operations": ["read"], "origin": "all"}]' },
  ],
  panels: [(role) => html`<${ScopePreview} key=${role.id} role=${role} />`],
};

export const webhooks: ResourceSpec = {
  id: 'webhooks',
  title: 'Webhooks',
  singular: 'Webhook',
  endpoint: '/api/webhook',
  wrapper: 'webhook',
  listKey: 'webhooks',
  columns: [{ label: 'URL', path: 'url' }, { label: 'Description', path: 'description' }, { label: 'Global', path: 'global' }],
  fields: [
    { path: 'url', label: 'URL', kind: 'url' },
    { path: 'description', label: 'Description', kind: 'text' },
    { path: 'global', label: 'All tenants', kind: 'checkbox' },
    { path: 'eventsEnabled', label: 'Events (JSON)', kind: 'json', help: '{"user.create": true}' },
    { path: 'signatureConfiguration.enabled', label: 'Sign deliveries', kind: 'checkbox' },
    { path: 'signatureConfiguration.signingKeyId', label: 'Signing key', kind: 'reference', reference: { endpoint: '/api/key', listKey: 'keys' } },
  ],
};

export const RESOURCES = [tenants, applications, apiKeys, signingKeys, importedKeys, identityProviders, lambdas, smartRoles, webhooks];
