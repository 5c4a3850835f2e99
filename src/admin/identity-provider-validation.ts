import { createPublicKey, X509Certificate } from 'node:crypto';
import { ASYMMETRIC_ALGORITHMS } from '../jwt/algorithms.js';
import { FieldErrors } from '../lib/api-error.js';
import { outboundUrlProblem } from '../lib/bounded-fetch.js';
import { ANY_ADDRESS } from '../lib/address-policy.js';
import type { AddressPolicy } from '../lib/address-policy.js';
import { isUuid } from '../lib/ids.js';
import type { ExternalJwtIdentityProvider, JsonObject } from '../store/records.js';
import type { Store } from '../store/store.js';
import { CLAIM_TARGETS, LINKING_STRATEGIES, UPSTREAM_AUTH_METHODS } from './identity-provider-input.js';
import { validateUpstreamDiscovery } from './identity-provider-upstream-validation.js';

export interface IdentityProviderRules {
  allowHttpJwksUri: boolean;
  addresses: AddressPolicy;
}

/**
 * The value checks of an identity provider about to be saved (the schema at the edge checked its
 * shape): every problem is collected and thrown together as field errors.
 */
export async function validateIdentityProvider(store: Store, options: IdentityProviderRules, provider: ExternalJwtIdentityProvider, input: JsonObject): Promise<void> {
  const errors = new FieldErrors();
  const at = (field: string) => `identityProvider.${field}`;
  if (!isUuid(provider.id)) errors.add(at('id'), 'invalid', 'The identity provider id must be a UUID.');
  if (input.type !== undefined && input.type !== 'ExternalJWT') errors.add(at('type'), 'invalid', 'Gatehouse supports identity providers of type ExternalJWT.');
  if (!provider.name) errors.add(at('name'), 'blank', 'You must specify the [identityProvider.name] property.');
  if (provider.name.length > 191) errors.add(at('name'), 'tooLong', 'At most 191 characters.');
  if (!provider.headerKeyParameter) errors.add(at('headerKeyParameter'), 'blank', 'You must specify the [identityProvider.headerKeyParameter] property (usually kid).');
  if (!LINKING_STRATEGIES.includes(provider.linkingStrategy)) errors.add(at('linkingStrategy'), 'invalid', `One of ${LINKING_STRATEGIES.join(', ')}.`);
  if (typeof input.defaultKeyId === 'string' && Array.isArray(input.verificationKeyIds) && input.verificationKeyIds[0] !== input.defaultKeyId) {
    errors.add(at('defaultKeyId'), 'mismatch', 'defaultKeyId is the first of verificationKeyIds.');
  }
  if (provider.verificationKeyIds.length === 0 && Object.keys(provider.keys).length === 0 && !provider.jwksUri && !provider.oauth2.discoveryUrl) {
    errors.add(at('verificationKeyIds'), 'blank', 'Give verificationKeyIds, keys or a jwksUri: the keys that may sign this provider\'s tokens.');
  }
  for (const [field, target] of Object.entries(provider.claimMap)) {
    if (!CLAIM_TARGETS.includes(target)) errors.add(at(`claimMap.${field}`), 'invalid', `One of ${CLAIM_TARGETS.join(', ')}.`);
  }
  if (provider.linkingStrategy === 'LinkAnonymously' && provider.lambdaConfiguration.reconcileId) {
    errors.add(at('lambdaConfiguration.reconcileId'), 'notAllowed', 'LinkAnonymously runs no reconcile lambda.');
  }
  for (const [kid, pem] of Object.entries(provider.keys)) {
    try {
      if (pem.includes('CERTIFICATE')) new X509Certificate(pem);
      else if (createPublicKey(pem).type !== 'public') throw new Error('not public');
    } catch {
      errors.add(at(`keys.${kid}`), 'invalid', 'A PEM public key or X.509 certificate.');
    }
  }
  if (provider.jwksUri) {
    const problem = outboundUrlProblem(provider.jwksUri, { allowHttp: options.allowHttpJwksUri, addresses: options.addresses });
    if (problem) errors.add(at('jwksUri'), problem.code, `Not an allowed JWKS URL: ${problem.message}.`);
  }
  const oauth2 = provider.oauth2;
  if (oauth2.clientAuthenticationMethod && !UPSTREAM_AUTH_METHODS.includes(oauth2.clientAuthenticationMethod)) {
    errors.add(at('oauth2.clientAuthenticationMethod'), 'invalid', `One of ${UPSTREAM_AUTH_METHODS.join(', ')}.`);
  }
  if (oauth2.client_id) {
    // The brokered authorization-code login: Gatehouse redirects to one endpoint and calls the other.
    for (const field of ['authorization_endpoint', 'token_endpoint'] as const) {
      const url = oauth2[field];
      // A discovery document supplies them.
      if (!url && oauth2.discoveryUrl) continue;
      if (!url) errors.add(at(`oauth2.${field}`), 'blank', `A provider with an oauth2.client_id needs oauth2.${field}.`);
      else {
        // Gatehouse fetches the token endpoint; only the browser follows the authorization endpoint.
        const addresses = field === 'token_endpoint' ? options.addresses : ANY_ADDRESS;
        const problem = outboundUrlProblem(url, { allowHttp: options.allowHttpJwksUri, addresses });
        if (problem) errors.add(at(`oauth2.${field}`), problem.code, `Not an allowed URL: ${problem.message}.`);
      }
    }
    // OIDC Core §3.1.3.7 step 2: the ID token's issuer must be the provider's, so it must be known.
    if (!provider.issuer) errors.add(at('issuer'), 'blank', 'A provider with an oauth2.client_id needs the issuer its ID tokens carry.');
    if (oauth2.clientAuthenticationMethod?.startsWith('client_secret') && !oauth2.client_secret) {
      errors.add(at('oauth2.client_secret'), 'blank', `${oauth2.clientAuthenticationMethod} needs oauth2.client_secret.`);
    }
  }
  validateUpstreamDiscovery(errors, options, provider);
  if (!provider.allowedAlgorithms.every((a) => (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a)) || provider.allowedAlgorithms.length === 0) {
    errors.add(at('allowedAlgorithms'), 'invalid', `A non-empty subset of ${ASYMMETRIC_ALGORITHMS.join(', ')}.`);
  }
  if (!Number.isInteger(provider.clockSkewSeconds) || provider.clockSkewSeconds < 0 || provider.clockSkewSeconds > 300) errors.add(at('clockSkewSeconds'), 'invalid', '0 to 300 seconds.');
  if (provider.maximumTokenAgeSeconds !== undefined && (!Number.isInteger(provider.maximumTokenAgeSeconds) || provider.maximumTokenAgeSeconds < 1)) {
    errors.add(at('maximumTokenAgeSeconds'), 'invalid', 'A positive number of seconds.');
  }
  for (const [tenantId, config] of Object.entries(provider.tenantConfiguration)) {
    const max = config.limitUserLinkCount.maximumLinks;
    if (!Number.isInteger(max) || max < 1) errors.add(at(`tenantConfiguration.${tenantId}.limitUserLinkCount.maximumLinks`), 'invalid', 'A positive integer.');
  }
  errors.throwIfAny();

  for (const keyId of provider.verificationKeyIds) {
    const key = isUuid(keyId) ? await store.keys.findById(keyId) : undefined;
    if (!key) errors.add(at('verificationKeyIds'), 'notFound', `No key ${keyId} in the Key Master.`);
    // A key Gatehouse holds the private part of could sign as Gatehouse (FusionAuth #2585).
    else if (key.hasPrivateKey) errors.add(at('verificationKeyIds'), 'notAllowed', `Key ${keyId} is a key Gatehouse signs with; list only the provider's public keys.`);
  }
  if (provider.lambdaConfiguration.reconcileId) {
    const lambda = isUuid(provider.lambdaConfiguration.reconcileId) ? await store.lambdas.findById(provider.lambdaConfiguration.reconcileId) : undefined;
    if (!lambda || lambda.type !== 'ExternalJWTReconcile') errors.add(at('lambdaConfiguration.reconcileId'), 'notFound', 'No ExternalJWTReconcile lambda has this id.');
  }
  for (const appId of Object.keys(provider.applicationConfiguration)) {
    const application = isUuid(appId) ? await store.applications.findById(appId) : undefined;
    if (!application || (provider.tenantId && application.tenantId !== provider.tenantId)) errors.add(at(`applicationConfiguration.${appId}`), 'notFound', 'No such application.');
  }
  for (const tenantId of [...Object.keys(provider.tenantConfiguration), ...(provider.tenantId ? [provider.tenantId] : [])]) {
    if (!isUuid(tenantId) || !(await store.tenants.findById(tenantId))) errors.add(at('tenantConfiguration'), 'notFound', `No tenant ${tenantId}.`);
  }
  const sameName = await store.identityProviders.findByName(provider.name);
  if (sameName && sameName.id !== provider.id) errors.add(at('name'), 'duplicate', 'An identity provider with this name exists.');
  errors.throwIfAny();
}
