import { ApiError, FieldErrors } from '../lib/api-error.js';
import { isPlainObject } from '../lib/base64url.js';
import { outboundUrlProblem } from '../lib/bounded-fetch.js';
import type { AddressPolicy } from '../lib/address-policy.js';
import type { Clock } from '../lib/clock.js';
import { sha256 } from '../lib/hash.js';
import { isUuid, newId, randomSecret } from '../lib/ids.js';
import { importJwkSet } from '../jwt/jwk-set.js';
import type { Application, ApplicationRole, ClientAuthenticationMethod, JsonObject } from '../store/records.js';
import type { Store } from '../store/store.js';
import { fieldsOf, optionalObject, optionalString } from './input-values.js';
import { originUrlProblem } from './origin-url.js';

/** Grant types an application may enable (RFC 6749 §4.4, §6; RFC 8693; RFC 7523 §2.1). */
export const KNOWN_GRANT_TYPES = [
  'authorization_code',
  'client_credentials',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
] as const;

const AUTH_METHODS: readonly ClientAuthenticationMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
const MIN_CLIENT_SECRET_LENGTH = 32;

export interface ApplicationResult {
  application: Application;
  /** Present once: when the secret was generated or set by this call. */
  clientSecret?: string;
}

/** What an application is created or replaced from (FusionAuth's application object; unknown fields are ignored). */
export interface ApplicationInput {
  id?: string;
  name?: string;
  active?: boolean;
  roles?: { id?: string; name?: string; description?: string; isDefault?: boolean; isSuperRole?: boolean }[];
  /** The stored fields, each optional; the method is checked against the known ones. */
  oauthConfiguration?: Partial<Omit<Application['oauthConfiguration'], 'clientAuthenticationMethod'>> & {
    clientSecret?: string;
    clientAuthenticationMethod?: string;
  };
  jwtConfiguration?: { enabled?: boolean; timeToLiveInSeconds?: number; refreshTokenTimeToLiveInMinutes?: number };
  loginConfiguration?: { generateRefreshTokens?: boolean };
  smartConfiguration?: { roleId?: string; deviceId?: string };
  data?: JsonObject;
}

/** Applications (FusionAuth `/api/application`); each is an OAuth client of its tenant. */
export class ApplicationService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: { allowHttpJwksUri: boolean; addresses: AddressPolicy },
    /** Called after every write (clears the login path's configuration cache). */
    private readonly onChange: () => void = () => undefined,
  ) {}

  list(tenantId: string): Promise<Application[]> {
    return this.store.applications.listByTenant(tenantId);
  }

  async get(tenantId: string, id: string): Promise<Application> {
    const application = await this.store.applications.findById(id);
    if (!application || application.tenantId !== tenantId) throw ApiError.notFound();
    return application;
  }


  async create(tenantId: string, input: ApplicationInput, id?: string): Promise<ApplicationResult> {
    const application = this.build(tenantId, fieldsOf(input), id ?? optionalString(input.id) ?? newId());
    const secret = this.secretFor(application, optionalObject(input.oauthConfiguration).clientSecret, undefined);
    await this.validate(application, secret.error, true);
    await this.store.transaction(async (store) => {
      await store.applications.insert(application);
      await store.applications.setClientSecretHash(application.id, secret.value ? sha256(secret.value) : null);
    });
    this.onChange();
    return { application, ...(secret.value ? { clientSecret: secret.value } : {}) };
  }

  /** Replaces the application's settings (PUT; a PATCH arrives here merged). */
  async update(tenantId: string, id: string, input: ApplicationInput): Promise<ApplicationResult> {
    const existing = await this.get(tenantId, id);
    const application = this.build(tenantId, fieldsOf(input), id, existing);
    const current = await this.store.applications.findByClientId(tenantId, existing.oauthConfiguration.clientId);
    const secret = this.secretFor(application, optionalObject(input.oauthConfiguration).clientSecret, current?.clientSecretHash ?? undefined);
    await this.validate(application, secret.error, false);
    await this.store.transaction(async (store) => {
      await store.applications.update(application);
      if (secret.value !== undefined || secret.clear) await store.applications.setClientSecretHash(id, secret.value ? sha256(secret.value) : null);
    });
    this.onChange();
    return { application, ...(secret.value ? { clientSecret: secret.value } : {}) };
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.get(tenantId, id);
    await this.store.applications.delete(id);
    this.onChange();
  }

  private build(tenantId: string, input: JsonObject, id: string, existing?: Application): Application {
    const oauth = optionalObject(input.oauthConfiguration);
    const jwt = optionalObject(input.jwtConfiguration);
    const login = optionalObject(input.loginConfiguration);
    const now = this.clock.now();
    const roles = Array.isArray(input.roles) ? input.roles.filter(isPlainObject) : [];
    const method = (oauth.clientAuthenticationMethod as ClientAuthenticationMethod | undefined) ?? 'client_secret_basic';
    const application: Application = {
      id,
      tenantId,
      name: typeof input.name === 'string' ? input.name.trim() : '',
      active: input.active !== false,
      roles: roles.map(
        (role): ApplicationRole => ({
          id: optionalString(role.id) ?? newId(),
          name: typeof role.name === 'string' ? role.name : '',
          ...(typeof role.description === 'string' ? { description: role.description } : {}),
          isDefault: role.isDefault === true,
          isSuperRole: role.isSuperRole === true,
        }),
      ),
      oauthConfiguration: {
        clientId: optionalString(oauth.clientId) ?? existing?.oauthConfiguration.clientId ?? id,
        enabledGrants: Array.isArray(oauth.enabledGrants) ? (oauth.enabledGrants as string[]) : [],
        clientAuthenticationMethod: method,
        ...(optionalString(oauth.jwksUri) ? { jwksUri: oauth.jwksUri as string } : {}),
        ...(isPlainObject(oauth.jwks) ? { jwks: oauth.jwks as { keys: JsonObject[] } } : {}),
        ...(Array.isArray(oauth.allowedScopes) ? { allowedScopes: oauth.allowedScopes as string[] } : {}),
        ...(optionalString(oauth.accessTokenAudience) ? { accessTokenAudience: oauth.accessTokenAudience as string } : {}),
        ...(Array.isArray(oauth.authorizedRedirectURLs) ? { authorizedRedirectURLs: oauth.authorizedRedirectURLs as string[] } : {}),
        ...(optionalString(oauth.logoutURL) ? { logoutURL: oauth.logoutURL as string } : {}),
        ...(Array.isArray(oauth.postLogoutRedirectURLs) ? { postLogoutRedirectURLs: oauth.postLogoutRedirectURLs as string[] } : {}),
        ...(Array.isArray(oauth.authorizedOriginURLs) ? { authorizedOriginURLs: oauth.authorizedOriginURLs as string[] } : {}),
      },
      jwtConfiguration: {
        enabled: jwt.enabled === true,
        ...(jwt.timeToLiveInSeconds !== undefined ? { timeToLiveInSeconds: jwt.timeToLiveInSeconds as number } : {}),
        ...(jwt.refreshTokenTimeToLiveInMinutes !== undefined ? { refreshTokenTimeToLiveInMinutes: jwt.refreshTokenTimeToLiveInMinutes as number } : {}),
      },
      loginConfiguration: { generateRefreshTokens: login.generateRefreshTokens === true },
      ...(isPlainObject(input.smartConfiguration)
        ? {
            smartConfiguration: {
              ...(input.smartConfiguration.roleId !== undefined ? { roleId: input.smartConfiguration.roleId as string } : {}),
              ...(input.smartConfiguration.deviceId !== undefined ? { deviceId: input.smartConfiguration.deviceId as string } : {}),
            },
          }
        : {}),
      data: optionalObject(input.data),
      insertInstant: existing?.insertInstant ?? now,
      lastUpdateInstant: now,
    };
    return application;
  }

  /**
   * Secret handling: secret methods get a generated secret on create (shown once); a supplied
   * secret must be long enough to be stored as a plain SHA-256; other methods hold none.
   */
  private secretFor(application: Application, supplied: unknown, currentHash: string | undefined): { value?: string; clear?: boolean; error?: string } {
    const usesSecret = application.oauthConfiguration.clientAuthenticationMethod.startsWith('client_secret');
    if (!usesSecret) return supplied === undefined ? { clear: currentHash !== undefined } : { error: 'Only client_secret_* methods take a client secret.' };
    if (supplied === undefined) return currentHash ? {} : { value: randomSecret(32) };
    if (typeof supplied !== 'string' || supplied.length < MIN_CLIENT_SECRET_LENGTH) {
      return { error: `A client secret has at least ${MIN_CLIENT_SECRET_LENGTH} characters.` };
    }
    return { value: supplied };
  }

  private async validate(application: Application, secretError: string | undefined, creating: boolean): Promise<void> {
    const errors = new FieldErrors();
    const oauth = application.oauthConfiguration;
    if (!isUuid(application.id)) errors.add('application.id', 'invalid', 'The application id must be a UUID.');
    if (!application.name) errors.add('application.name', 'blank', 'You must specify the [application.name] property.');
    if (secretError) errors.add('application.oauthConfiguration.clientSecret', 'invalid', secretError);
    if (!/^[\x21-\x7e]{1,191}$/.test(oauth.clientId)) errors.add('application.oauthConfiguration.clientId', 'invalid', 'Printable ASCII without spaces, at most 191 characters.');
    if (!AUTH_METHODS.includes(oauth.clientAuthenticationMethod)) {
      errors.add('application.oauthConfiguration.clientAuthenticationMethod', 'invalid', `One of ${AUTH_METHODS.join(', ')}.`);
    }
    for (const grant of oauth.enabledGrants) {
      if (!(KNOWN_GRANT_TYPES as readonly string[]).includes(grant)) errors.add('application.oauthConfiguration.enabledGrants', 'invalid', `Unknown grant type ${grant}.`);
    }
    // RFC 6749 §4.4: the client credentials grant MUST only be used by confidential clients.
    if (oauth.clientAuthenticationMethod === 'none' && oauth.enabledGrants.includes('client_credentials')) {
      errors.add('application.oauthConfiguration.enabledGrants', 'notAllowed', 'A public client (method none) cannot use client_credentials.');
    }
    if (oauth.clientAuthenticationMethod === 'private_key_jwt') {
      if (Boolean(oauth.jwksUri) === Boolean(oauth.jwks)) {
        errors.add('application.oauthConfiguration.jwksUri', 'invalid', 'private_key_jwt needs exactly one of [jwksUri] or [jwks].');
      }
    } else if (oauth.jwksUri || oauth.jwks) {
      errors.add('application.oauthConfiguration.jwksUri', 'notAllowed', 'Only private_key_jwt clients register a JWKS.');
    }
    if (oauth.jwksUri) {
      const problem = outboundUrlProblem(oauth.jwksUri, { allowHttp: this.options.allowHttpJwksUri, addresses: this.options.addresses });
      if (problem) errors.add('application.oauthConfiguration.jwksUri', problem.code, `Not an allowed JWKS URL: ${problem.message}.`);
    }
    if (oauth.jwks) {
      const keys = importJwkSet(oauth.jwks);
      if (keys === 'NOT_A_JWKS' || keys.length === 0 || keys.some((k) => !k.kid)) {
        errors.add('application.oauthConfiguration.jwks', 'invalid', 'A JWKS with at least one public signature key, each with a kid.');
      }
    }
    if (oauth.allowedScopes && !oauth.allowedScopes.every((s) => typeof s === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) {
      errors.add('application.oauthConfiguration.allowedScopes', 'invalid', 'Scope tokens as in RFC 6749 §3.3.');
    }
    for (const url of oauth.authorizedRedirectURLs ?? []) {
      const problem = redirectUrlProblem(url);
      if (problem) errors.add('application.oauthConfiguration.authorizedRedirectURLs', 'invalid', `${String(url).slice(0, 200)}: ${problem}`);
    }
    // OpenID Connect RP-Initiated Logout 1.0 §3: the same rules as redirect URLs, exact match.
    if (oauth.logoutURL !== undefined && redirectUrlProblem(oauth.logoutURL)) {
      errors.add('application.oauthConfiguration.logoutURL', 'invalid', `${String(oauth.logoutURL).slice(0, 200)}: ${redirectUrlProblem(oauth.logoutURL)}`);
    }
    for (const url of oauth.postLogoutRedirectURLs ?? []) {
      const problem = redirectUrlProblem(url);
      if (problem) errors.add('application.oauthConfiguration.postLogoutRedirectURLs', 'invalid', `${String(url).slice(0, 200)}: ${problem}`);
    }
    for (const origin of oauth.authorizedOriginURLs ?? []) {
      const problem = originUrlProblem(origin);
      if (problem) errors.add('application.oauthConfiguration.authorizedOriginURLs', 'invalid', `${String(origin).slice(0, 200)}: ${problem}`);
    }
    if (oauth.enabledGrants.includes('authorization_code') && !oauth.authorizedRedirectURLs?.length) {
      errors.add('application.oauthConfiguration.authorizedRedirectURLs', 'blank', 'The authorization_code grant needs at least one authorized redirect URL.');
    }
    const ttl = application.jwtConfiguration.timeToLiveInSeconds;
    if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1 || ttl > 86400)) {
      errors.add('application.jwtConfiguration.timeToLiveInSeconds', 'invalid', 'Between 1 and 86400 seconds.');
    }
    const smart = application.smartConfiguration;
    if (smart?.roleId !== undefined && !isUuid(smart.roleId)) errors.add('application.smartConfiguration.roleId', 'invalid', 'The id of a role of this tenant.');
    // FHIR ids are [A-Za-z0-9-.]{1,64}; the Device reference is Device/<deviceId or client id>.
    const deviceId = smart?.deviceId ?? (smart?.roleId ? oauth.clientId : undefined);
    if (deviceId !== undefined && !/^[A-Za-z0-9\-.]{1,64}$/.test(deviceId)) {
      errors.add('application.smartConfiguration.deviceId', 'invalid', 'A FHIR id ([A-Za-z0-9-.], at most 64); needed when the client id is not one.');
    }
    const roleNames = new Set<string>();
    application.roles.forEach((role, i) => {
      if (!role.name) errors.add(`application.roles[${i}].name`, 'blank', 'A role needs a name.');
      if (roleNames.has(role.name)) errors.add(`application.roles[${i}].name`, 'duplicate', 'Role names are unique within an application.');
      roleNames.add(role.name);
    });
    errors.throwIfAny();
    if (creating && (await this.store.applications.findById(application.id))) errors.add('application.id', 'duplicate', 'An application with this id exists.');
    if (smart?.roleId) {
      const role = await this.store.smartRoles.findById(smart.roleId);
      if (!role || role.tenantId !== application.tenantId) errors.add('application.smartConfiguration.roleId', 'notFound', 'No role of this tenant has this id.');
    }
    const sameClient = await this.store.applications.findByClientId(application.tenantId, oauth.clientId);
    if (sameClient && sameClient.application.id !== application.id) {
      errors.add('application.oauthConfiguration.clientId', 'duplicate', 'Another application of this tenant has this client id.');
    }
    errors.throwIfAny();
  }
}

/**
 * Why a redirect URL cannot be registered, or undefined: RFC 6749 §3.1.2 (absolute, no
 * fragment); https, or http only on a loopback host (RFC 8252 §7.3), or a private-use scheme of
 * a native app (RFC 8252 §7.1, a reverse domain name with a dot).
 */
export function redirectUrlProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > 2000) return 'not a URL';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not an absolute URL';
  }
  if (url.hash || raw.includes('#')) return 'a redirect URL has no fragment (RFC 6749 §3.1.2)';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) ? undefined : 'http only on a loopback host (RFC 8252 §7.3)';
  if (/^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)) return undefined;
  return 'https, loopback http, or a private-use scheme such as com.example.app:/callback';
}
