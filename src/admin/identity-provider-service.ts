import { createPublicKey, X509Certificate } from 'node:crypto';
import { ApiError, FieldErrors } from '../lib/api-error.js';
import { isPlainObject } from '../lib/base64url.js';
import { outboundUrlProblem } from '../lib/bounded-fetch.js';
import { ANY_ADDRESS } from '../lib/address-policy.js';
import type { AddressPolicy } from '../lib/address-policy.js';
import type { Clock } from '../lib/clock.js';
import { isUuid, newId } from '../lib/ids.js';
import { ASYMMETRIC_ALGORITHMS } from '../jwt/algorithms.js';
import { applyPreset } from '../idp/presets.js';
import type { ClaimMapTarget, ExternalJwtIdentityProvider, JsonObject, LinkingStrategy } from '../store/records.js';
import type { Store } from '../store/store.js';

const LINKING_STRATEGIES: readonly LinkingStrategy[] = [
  'CreatePendingLink',
  'Disabled',
  'LinkAnonymously',
  'LinkByEmail',
  'LinkByEmailForExistingUser',
  'LinkByUsername',
  'LinkByUsernameForExistingUser',
];
const CLAIM_TARGETS: readonly ClaimMapTarget[] = ['birthDate', 'firstName', 'lastName', 'fullName', 'middleName', 'mobilePhone', 'imageUrl', 'timezone', 'UserData', 'RegistrationData'];

/** The FusionAuth response shape: `defaultKeyId` (deprecated) reads as the first verification key. */
/** The provider as the API shows it: with FusionAuth's `defaultKeyId`, never the upstream client secret. */
export const viewIdentityProvider = (provider: ExternalJwtIdentityProvider): ExternalJwtIdentityProvider => {
  const { client_secret: _secret, ...oauth2 } = provider.oauth2;
  return {
    ...provider,
    oauth2,
    ...(provider.verificationKeyIds[0] ? { defaultKeyId: provider.verificationKeyIds[0] } : {}),
  };
};

/**
 * What a provider is created or replaced from: FusionAuth's External JWT provider object with
 * Gatehouse's additions, or a `preset` and the fields that override it. Fields are read
 * defensively (kickstart documents arrive unchecked); unknown ones are ignored.
 */
export interface IdentityProviderInput {
  id?: string;
  type?: string;
  preset?: string;
  name?: string;
  enabled?: boolean;
  debug?: boolean;
  applicationConfiguration?: Record<string, { enabled?: boolean; createRegistration?: boolean; allowPublicClients?: boolean }>;
  claimMap?: Record<string, string>;
  attributeMappings?: Record<string, string>;
  lambdaConfiguration?: { reconcileId?: string };
  linkingStrategy?: string;
  headerKeyParameter?: string;
  verificationKeyIds?: string[];
  defaultKeyId?: string;
  keys?: Record<string, string>;
  domains?: string[];
  oauth2?: Record<string, string | undefined>;
  uniqueIdentityClaim?: string;
  tenantConfiguration?: Record<string, { limitUserLinkCount?: { enabled?: boolean; maximumLinks?: number } }>;
  tenantId?: string;
  source?: string;
  data?: JsonObject;
  jwksUri?: string;
  issuer?: string;
  audiences?: string[];
  allowedAlgorithms?: string[];
  clockSkewSeconds?: number;
  maximumTokenAgeSeconds?: number;
}

const UPSTREAM_AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'] as const;

/**
 * External JWT identity providers (FusionAuth `/api/identity-provider`, type `ExternalJWT`), with
 * Gatehouse's additions for verification: a JWKS URL, required issuer and audiences, allowed
 * algorithms, clock skew and maximum token age. Only keys a provider lists ever verify its tokens.
 */
export class IdentityProviderService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: { allowHttpJwksUri: boolean; addresses: AddressPolicy; encryptSecret: (plaintext: string) => string },
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

  async create(providerInput: IdentityProviderInput, id?: string): Promise<ExternalJwtIdentityProvider> {
    const input = applyPreset(providerInput as JsonObject);
    const provider = this.build(input, id ?? (typeof input.id === 'string' ? input.id : newId()));
    await this.validate(provider, input);
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
    await this.validate(provider, input);
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
      ...(optionalString(input.issuer) ? { issuer: input.issuer as string } : {}),
      audiences: strings(input.audiences),
      allowedAlgorithms: input.allowedAlgorithms === undefined ? [...ASYMMETRIC_ALGORITHMS] : strings(input.allowedAlgorithms),
      clockSkewSeconds: typeof input.clockSkewSeconds === 'number' ? input.clockSkewSeconds : 30,
      ...(typeof input.maximumTokenAgeSeconds === 'number' ? { maximumTokenAgeSeconds: input.maximumTokenAgeSeconds } : {}),
      insertInstant: existing?.insertInstant ?? now,
      lastUpdateInstant: now,
    };
  }

  private async validate(provider: ExternalJwtIdentityProvider, input: JsonObject): Promise<void> {
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
    if (provider.verificationKeyIds.length === 0 && Object.keys(provider.keys).length === 0 && !provider.jwksUri) {
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
      const problem = outboundUrlProblem(provider.jwksUri, { allowHttp: this.options.allowHttpJwksUri, addresses: this.options.addresses });
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
        if (!url) errors.add(at(`oauth2.${field}`), 'blank', `A provider with an oauth2.client_id needs oauth2.${field}.`);
        else {
          // Gatehouse fetches the token endpoint; only the browser follows the authorization endpoint.
          const addresses = field === 'token_endpoint' ? this.options.addresses : ANY_ADDRESS;
          const problem = outboundUrlProblem(url, { allowHttp: this.options.allowHttpJwksUri, addresses });
          if (problem) errors.add(at(`oauth2.${field}`), problem.code, `Not an allowed URL: ${problem.message}.`);
        }
      }
      // OIDC Core §3.1.3.7 step 2: the ID token's issuer must be the provider's, so it must be known.
      if (!provider.issuer) errors.add(at('issuer'), 'blank', 'A provider with an oauth2.client_id needs the issuer its ID tokens carry.');
      if (oauth2.clientAuthenticationMethod?.startsWith('client_secret') && !oauth2.client_secret) {
        errors.add(at('oauth2.client_secret'), 'blank', `${oauth2.clientAuthenticationMethod} needs oauth2.client_secret.`);
      }
    }
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
      const key = isUuid(keyId) ? await this.store.keys.findById(keyId) : undefined;
      if (!key) errors.add(at('verificationKeyIds'), 'notFound', `No key ${keyId} in the Key Master.`);
      // A key Gatehouse holds the private part of could sign as Gatehouse (FusionAuth #2585).
      else if (key.hasPrivateKey) errors.add(at('verificationKeyIds'), 'notAllowed', `Key ${keyId} is a key Gatehouse signs with; list only the provider's public keys.`);
    }
    if (provider.lambdaConfiguration.reconcileId) {
      const lambda = isUuid(provider.lambdaConfiguration.reconcileId) ? await this.store.lambdas.findById(provider.lambdaConfiguration.reconcileId) : undefined;
      if (!lambda || lambda.type !== 'ExternalJWTReconcile') errors.add(at('lambdaConfiguration.reconcileId'), 'notFound', 'No ExternalJWTReconcile lambda has this id.');
    }
    for (const appId of Object.keys(provider.applicationConfiguration)) {
      const application = isUuid(appId) ? await this.store.applications.findById(appId) : undefined;
      if (!application || (provider.tenantId && application.tenantId !== provider.tenantId)) errors.add(at(`applicationConfiguration.${appId}`), 'notFound', 'No such application.');
    }
    for (const tenantId of [...Object.keys(provider.tenantConfiguration), ...(provider.tenantId ? [provider.tenantId] : [])]) {
      if (!isUuid(tenantId) || !(await this.store.tenants.findById(tenantId))) errors.add(at('tenantConfiguration'), 'notFound', `No tenant ${tenantId}.`);
    }
    const sameName = await this.store.identityProviders.findByName(provider.name);
    if (sameName && sameName.id !== provider.id) errors.add(at('name'), 'duplicate', 'An identity provider with this name exists.');
    errors.throwIfAny();
  }
}
