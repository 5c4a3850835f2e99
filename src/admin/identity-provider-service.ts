import { ApiError, FieldErrors } from '../lib/api-error.js';
import { isPlainObject } from '../lib/base64url.js';
import type { AddressPolicy } from '../lib/address-policy.js';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import { ASYMMETRIC_ALGORITHMS } from '../jwt/algorithms.js';
import { applyPreset } from '../idp/presets.js';
import { issuersOfDiscoveryUrl } from '../idp/upstream-discovery.js';
import type { FetchPolicy } from '../lib/bounded-fetch.js';
import { previewDiscovery } from './identity-provider-import.js';
import type { ImportConfigInput } from './identity-provider-import.js';
import type { ClaimMapTarget, ExternalJwtIdentityProvider, JsonObject, LinkingStrategy } from '../store/records.js';
import { validateIdentityProvider } from './identity-provider-validation.js';
import { viewIdentityProvider } from './identity-provider-input.js';
import type { IdentityProviderInput } from './identity-provider-input.js';

export { viewIdentityProvider } from './identity-provider-input.js';
export type { IdentityProviderInput } from './identity-provider-input.js';
import type { Store } from '../store/store.js';

/**
 * External JWT identity providers (FusionAuth `/api/identity-provider`, type `ExternalJWT`), with
 * Gatehouse's additions for verification: a JWKS URL, required issuer and audiences, allowed
 * algorithms, clock skew and maximum token age. Only keys a provider lists ever verify its tokens.
 */
export class IdentityProviderService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: { allowHttpJwksUri: boolean; addresses: AddressPolicy; encryptSecret: (plaintext: string) => string; fetchPolicy: FetchPolicy },
    /** Called after every write (clears the login path's configuration cache). */
    private readonly onChange: () => void = () => undefined,
  ) {}

  async list(): Promise<ExternalJwtIdentityProvider[]> {
    return (await this.store.identityProviders.list()).map(viewIdentityProvider);
  }

  async get(id: string): Promise<ExternalJwtIdentityProvider> {
    const provider = await this.store.identityProviders.findById(id);
    if (!provider) throw ApiError.notFound();
    return viewIdentityProvider(provider);
  }

  /** `GET|POST /api/identity-provider/search`: by name (substring), type and application. */
  async search(criteria: JsonObject): Promise<{ identityProviders: ExternalJwtIdentityProvider[]; total: number }> {
    const name = typeof criteria.name === 'string' ? criteria.name.toLowerCase() : '';
    const found = (await this.list()).filter(
      (p) =>
        (!name || p.name.toLowerCase().includes(name)) &&
        (typeof criteria.type !== 'string' || criteria.type === p.type) &&
        (typeof criteria.applicationId !== 'string' || p.applicationConfiguration[criteria.applicationId]?.enabled === true),
    );
    return { identityProviders: found, total: found.length };
  }

  /**
   * `GET /api/identity-provider/lookup?domain=` (FusionAuth Lookup API): the provider managing an
   * email domain (`acme.com` or `jenny@acme.com`), optionally among one tenant's providers.
   */
  async lookup(domainOrEmail: string | undefined, tenantId: string | undefined): Promise<JsonObject> {
    if (typeof domainOrEmail !== 'string' || domainOrEmail.trim() === '') throw ApiError.field(400, 'domain', 'blank', 'Give a domain or an email address.');
    const domain = domainOrEmail.trim().toLowerCase().split('@').pop()!;
    const candidates = (await this.store.identityProviders.list()).filter(
      (p) => p.enabled && p.domains.includes(domain) && (typeof tenantId !== 'string' || tenantId === '' || !p.tenantId || p.tenantId === tenantId),
    );
    const provider = candidates.find((p) => !p.tenantId) ?? candidates[0];
    if (!provider) throw ApiError.notFound();
    return {
      identityProvider: {
        applicationIds: Object.entries(provider.applicationConfiguration).filter(([, c]) => c.enabled).map(([id]) => id),
        id: provider.id,
        insertInstant: provider.insertInstant,
        lastUpdateInstant: provider.lastUpdateInstant,
        name: provider.name,
        oauth2: {
          ...(provider.oauth2.authorization_endpoint ? { authorization_endpoint: provider.oauth2.authorization_endpoint } : {}),
          ...(provider.oauth2.token_endpoint ? { token_endpoint: provider.oauth2.token_endpoint } : {}),
        },
        ...(provider.tenantId ? { tenantId: provider.tenantId } : {}),
        type: provider.type,
      },
    };
  }

  /** `POST /api/identity-provider/import-config`: what a discovery document would configure (nothing saved). */
  importConfig(input: ImportConfigInput): Promise<JsonObject> {
    return previewDiscovery(input, this.options.fetchPolicy);
  }

  async create(providerInput: IdentityProviderInput, id?: string): Promise<ExternalJwtIdentityProvider> {
    const input = applyPreset(providerInput as JsonObject);
    const provider = this.build(input, id ?? (typeof input.id === 'string' ? input.id : newId()));
    await validateIdentityProvider(this.store, this.options, provider, input);
    if (await this.store.identityProviders.findById(provider.id)) {
      throw ApiError.field(400, 'identityProvider.id', 'duplicate', 'An identity provider with this id exists.');
    }
    await this.store.identityProviders.insert(provider);
    this.onChange();
    return viewIdentityProvider(provider);
  }

  /**
   * The stored provider as the base of a PATCH merge: the upstream client secret as its stored
   * ciphertext (kept when sent back unchanged) and no derived `defaultKeyId`.
   */
  async current(id: string): Promise<IdentityProviderInput> {
    const existing = await this.store.identityProviders.findById(id);
    if (!existing) throw ApiError.notFound();
    return existing as unknown as IdentityProviderInput;
  }

  /** Replaces the provider (PUT; a PATCH arrives here merged); tenant and type never change. */
  async update(id: string, providerInput: IdentityProviderInput): Promise<ExternalJwtIdentityProvider> {
    const existing = await this.store.identityProviders.findById(id);
    if (!existing) throw ApiError.notFound();
    const input = applyPreset(providerInput as JsonObject);
    const errors = new FieldErrors();
    if (input.tenantId !== undefined && input.tenantId !== existing.tenantId) errors.add('identityProvider.tenantId', 'notAllowed', 'The tenant of an identity provider cannot change.');
    if (input.type !== undefined && input.type !== existing.type) errors.add('identityProvider.type', 'notAllowed', 'The type of an identity provider cannot change.');
    // FusionAuth 1.65: the linking strategy changes only while the provider is disabled.
    if (input.linkingStrategy !== undefined && input.linkingStrategy !== existing.linkingStrategy && existing.enabled) {
      errors.add('identityProvider.linkingStrategy', 'notAllowed', 'Disable the identity provider before changing its linking strategy.');
    }
    errors.throwIfAny();
    const merged = { ...input, tenantId: existing.tenantId, source: existing.source };
    const provider = this.build(merged, id, existing);
    await validateIdentityProvider(this.store, this.options, provider, input);
    await this.store.identityProviders.update(provider);
    this.onChange();
    return viewIdentityProvider(provider);
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.store.identityProviders.delete(id);
    this.onChange();
  }

  private build(input: JsonObject, id: string, existing?: ExternalJwtIdentityProvider): ExternalJwtIdentityProvider {
    const now = this.clock.now();
    const object = (value: unknown): JsonObject => (isPlainObject(value) ? value : {});
    const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
    const oauth2 = object(input.oauth2);
    const verificationKeyIds = strings(input.verificationKeyIds);
    if (verificationKeyIds.length === 0 && typeof input.defaultKeyId === 'string') verificationKeyIds.push(input.defaultKeyId);
    const applicationConfiguration: ExternalJwtIdentityProvider['applicationConfiguration'] = {};
    for (const [appId, config] of Object.entries(object(input.applicationConfiguration))) {
      const c = object(config);
      applicationConfiguration[appId] = { enabled: c.enabled === true, createRegistration: c.createRegistration !== false, ...(c.allowPublicClients === true ? { allowPublicClients: true } : {}) };
    }
    const tenantConfiguration: ExternalJwtIdentityProvider['tenantConfiguration'] = {};
    for (const [tenantId, config] of Object.entries(object(input.tenantConfiguration))) {
      const limit = object(object(config).limitUserLinkCount);
      tenantConfiguration[tenantId] = {
        limitUserLinkCount: { enabled: limit.enabled === true, maximumLinks: typeof limit.maximumLinks === 'number' ? limit.maximumLinks : 42 },
      };
    }
    const keys: Record<string, string> = {};
    for (const [kid, pem] of Object.entries(object(input.keys))) if (typeof pem === 'string' && pem.trim()) keys[kid] = pem.trim().replace(/\r\n/g, '\n');
    const optionalString = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    const lambda = object(input.lambdaConfiguration);
    // A new secret is encrypted; an unchanged (or omitted) one keeps the stored ciphertext.
    const givenSecret = optionalString(oauth2.client_secret);
    const storedSecret = existing?.oauth2.client_secret;
    const method = optionalString(oauth2.clientAuthenticationMethod) as ExternalJwtIdentityProvider['oauth2']['clientAuthenticationMethod'] | undefined;
    const secret = method === 'none' ? undefined : givenSecret && givenSecret !== storedSecret ? this.options.encryptSecret(givenSecret) : storedSecret;
    return {
      id,
      type: 'ExternalJWT',
      name: typeof input.name === 'string' ? input.name.trim() : '',
      enabled: input.enabled === true,
      debug: input.debug === true,
      applicationConfiguration,
      claimMap: Object.fromEntries(Object.entries(object(input.claimMap)).filter(([, v]) => typeof v === 'string')) as Record<string, ClaimMapTarget>,
      attributeMappings: Object.fromEntries(Object.entries(object(input.attributeMappings)).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
      lambdaConfiguration: optionalString(lambda.reconcileId) ? { reconcileId: lambda.reconcileId as string } : {},
      linkingStrategy: (input.linkingStrategy as LinkingStrategy | undefined) ?? 'LinkByEmail',
      headerKeyParameter: typeof input.headerKeyParameter === 'string' ? input.headerKeyParameter : '',
      verificationKeyIds,
      keys,
      domains: strings(input.domains).map((d) => d.trim().toLowerCase()),
      oauth2: {
        ...(optionalString(oauth2.authorization_endpoint) ? { authorization_endpoint: oauth2.authorization_endpoint as string } : {}),
        ...(optionalString(oauth2.token_endpoint) ? { token_endpoint: oauth2.token_endpoint as string } : {}),
        ...(optionalString(oauth2.client_id) ? { client_id: oauth2.client_id as string } : {}),
        ...(secret ? { client_secret: secret } : {}),
        ...(method ? { clientAuthenticationMethod: method } : {}),
        ...(optionalString(oauth2.scope) ? { scope: oauth2.scope as string } : {}),
        ...upstreamFields(oauth2),
        uniqueIdClaim: optionalString(oauth2.uniqueIdClaim) ?? 'sub',
        emailClaim: optionalString(oauth2.emailClaim) ?? 'email',
        emailVerifiedClaim: optionalString(oauth2.emailVerifiedClaim) ?? 'email_verified',
        usernameClaim: optionalString(oauth2.usernameClaim) ?? 'preferred_username',
      },
      ...(optionalString(input.uniqueIdentityClaim) ? { uniqueIdentityClaim: input.uniqueIdentityClaim as string } : {}),
      tenantConfiguration,
      ...(optionalString(input.tenantId) ? { tenantId: input.tenantId as string } : {}),
      source: existing?.source ?? optionalString(input.source) ?? 'System',
      data: object(input.data),
      ...(optionalString(input.jwksUri) ? { jwksUri: input.jwksUri as string } : {}),
      ...(optionalString(input.issuer) ? { issuer: input.issuer as string } : impliedIssuer(oauth2.discoveryUrl)),
      audiences: strings(input.audiences),
      allowedAlgorithms: input.allowedAlgorithms === undefined ? [...ASYMMETRIC_ALGORITHMS] : strings(input.allowedAlgorithms),
      clockSkewSeconds: typeof input.clockSkewSeconds === 'number' ? input.clockSkewSeconds : 30,
      ...(typeof input.maximumTokenAgeSeconds === 'number' ? { maximumTokenAgeSeconds: input.maximumTokenAgeSeconds } : {}),
      insertInstant: existing?.insertInstant ?? now,
      lastUpdateInstant: now,
    };
  }
}

/** The upstream OpenID fields of `oauth2` (discovery, userinfo, logout, forwarded parameters), as given. */
function upstreamFields(oauth2: JsonObject): Partial<ExternalJwtIdentityProvider['oauth2']> {
  const text = (name: string) => (typeof oauth2[name] === 'string' && oauth2[name] !== '' ? { [name]: oauth2[name] as string } : {});
  return {
    ...text('discoveryUrl'),
    ...text('userinfo_endpoint'),
    ...text('end_session_endpoint'),
    ...(text('userinfo') as { userinfo?: 'always' | 'never' | 'whenMissing' }),
    ...(Array.isArray(oauth2.forwardParameters) ? { forwardParameters: oauth2.forwardParameters.filter((p): p is string => typeof p === 'string') } : {}),
  };
}

/**
 * Without an `issuer`, a discovery URL `{prefix}/.well-known/openid-configuration` names the
 * issuer `{prefix}` (OpenID Connect Discovery 1.0 §4.1, the usual spelling, without a terminating
 * `/`); import-config shows the issuer a document really names.
 */
function impliedIssuer(discoveryUrl: unknown): { issuer?: string } {
  const issuers = typeof discoveryUrl === 'string' ? issuersOfDiscoveryUrl(discoveryUrl) : [];
  return issuers[0] ? { issuer: issuers[0] } : {};
}
