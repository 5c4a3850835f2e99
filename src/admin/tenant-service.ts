import { ApiError, FieldErrors } from '../lib/api-error.js';
import { DEFAULT_CACHE_LIFETIMES } from '../config/cache-lifetimes.js';
import type { Clock } from '../lib/clock.js';
import { TtlCache } from '../lib/ttl-cache.js';
import { isPlainObject } from '../lib/base64url.js';
import { isUuid, newId } from '../lib/ids.js';
import { isSigningAlgorithm } from '../jwt/algorithms.js';
import type { KeyService } from '../keys/key-service.js';
import { ACCESS_TOKEN_TYPES } from '../tokens/access-token.js';
import type { AccessTokenType } from '../tokens/access-token.js';
import type { JsonObject, LoginTheme, Tenant } from '../store/records.js';
import type { Store } from '../store/store.js';
import { checkConsoleApplication } from './console-application-check.js';
import { fieldsOf, optionalObject, optionalString } from './input-values.js';
import { loginThemeProblems } from './login-theme-rules.js';

const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62})$/;

/** What a tenant is created or replaced from (FusionAuth's tenant object; unknown fields are ignored). */
export interface TenantInput {
  id?: string;
  name?: string;
  slug?: string;
  jwtConfiguration?: { timeToLiveInSeconds?: number; refreshTokenTimeToLiveInMinutes?: number; signingAlgorithm?: string; accessTokenType?: string };
  smartConfiguration?: { enabled?: boolean; fhirBaseUrl?: string; accessTokenAudience?: string };
  loginTheme?: JsonObject;
  adminConsoleApplicationId?: string;
  data?: JsonObject;
}

export const DEFAULT_TENANT_ID = '00000000-0000-4000-8000-000000000001';

/** Tenants (FusionAuth `/api/tenant`), each with a URL-safe slug and its own signing key. */
export class TenantService {
  private readonly bySlugCache: TtlCache<Tenant | undefined>;

  constructor(
    private readonly store: Store,
    private readonly keys: KeyService,
    private readonly clock: Clock,
    /** Called after every write (clears the login path's configuration cache). */
    private readonly onChange: () => void = () => undefined,
    /** The public URL, for the console application's redirect URL check. */
    private readonly publicUrl?: string,
  ) {
    this.bySlugCache = new TtlCache(clock, DEFAULT_CACHE_LIFETIMES.tenantMs);
  }

  list(): Promise<Tenant[]> {
    return this.store.tenants.list();
  }

  async get(id: string): Promise<Tenant> {
    const tenant = await this.store.tenants.findById(id);
    if (!tenant) throw ApiError.notFound();
    return tenant;
  }

  /** The hot-path lookup for `/t/{slug}/…`; cached for a few seconds. */
  findBySlug(slug: string): Promise<Tenant | undefined> {
    return this.bySlugCache.getOrLoad(slug, async () => (SLUG_PATTERN.test(slug) ? this.store.tenants.findBySlug(slug) : undefined));
  }

  async create(input: TenantInput, id?: string): Promise<Tenant> {
    const tenant = this.build(fieldsOf(input), id ?? optionalString(input.id) ?? newId());
    await this.validate(tenant, true);
    await this.store.transaction(async (store) => {
      await store.tenants.insert(tenant);
      const key = await this.keys.createTenantSigningKey(store, tenant.id, tenant.name, tenant.jwtConfiguration.signingAlgorithm);
      tenant.jwtConfiguration.accessTokenKeyId = key.id;
      await store.tenants.update(tenant);
    });
    this.bySlugCache.clear();
    return tenant;
  }

  /** Replaces the tenant's settings (PUT; a PATCH arrives here merged). */
  async update(id: string, input: TenantInput): Promise<Tenant> {
    const existing = await this.get(id);
    const tenant = this.build(fieldsOf(input), id, existing);
    await this.validate(tenant, false);
    tenant.jwtConfiguration.accessTokenKeyId = existing.jwtConfiguration.accessTokenKeyId;
    await this.store.tenants.update(tenant);
    this.onChange();
    this.bySlugCache.clear();
    if (tenant.jwtConfiguration.signingAlgorithm !== existing.jwtConfiguration.signingAlgorithm) return this.rotateSigningKey(id);
    return tenant;
  }

  /** `gatehouse keys rotate`: new active key; the old stays published until its tokens expire. */
  async rotateSigningKey(id: string): Promise<Tenant> {
    const tenant = await this.get(id);
    const applications = await this.store.applications.listByTenant(id);
    const maxLifetime = Math.max(tenant.jwtConfiguration.timeToLiveInSeconds, ...applications.map((a) => a.jwtConfiguration.timeToLiveInSeconds ?? 0));
    const key = await this.keys.rotate(tenant.id, tenant.name, tenant.jwtConfiguration.signingAlgorithm, maxLifetime, 60);
    tenant.jwtConfiguration.accessTokenKeyId = key.id;
    tenant.lastUpdateInstant = this.clock.now();
    await this.store.tenants.update(tenant);
    this.onChange();
    return tenant;
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.store.transaction(async (store) => {
      await store.db.deleteFrom('registrations').where('tenant_id', '=', id).execute();
      await store.db.deleteFrom('users').where('tenant_id', '=', id).execute();
      await store.db.deleteFrom('applications').where('tenant_id', '=', id).execute();
      await store.db.deleteFrom('api_keys').where('tenant_id', '=', id).execute();
      await store.db.deleteFrom('tenant_signing_keys').where('tenant_id', '=', id).execute();
      await store.tenants.delete(id);
    });
    this.bySlugCache.clear();
    this.onChange();
  }

  /**
   * Creates the `default` tenant, with its signing key, on first start. Idempotent when nodes
   * start at once: the insert does nothing if another node's is there, and only the node whose
   * insert took creates the key, in the same transaction.
   */
  async ensureDefaultTenant(): Promise<void> {
    if ((await this.store.tenants.count()) > 0) return;
    const tenant = this.build({ name: 'Default', slug: 'default' }, DEFAULT_TENANT_ID);
    await this.store.transaction(async (store) => {
      if (!(await store.tenants.insertIfAbsent(tenant))) return;
      const key = await this.keys.createTenantSigningKey(store, tenant.id, tenant.name, tenant.jwtConfiguration.signingAlgorithm);
      tenant.jwtConfiguration.accessTokenKeyId = key.id;
      await store.tenants.update(tenant);
    });
    this.bySlugCache.clear();
  }

  private build(input: JsonObject, id: string, existing?: Tenant): Tenant {
    const jwt = optionalObject(input.jwtConfiguration);
    const now = this.clock.now();
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    return {
      id,
      name,
      slug: optionalString(input.slug) ?? slugify(name),
      jwtConfiguration: {
        timeToLiveInSeconds: (jwt.timeToLiveInSeconds as number | undefined) ?? 3600,
        refreshTokenTimeToLiveInMinutes: (jwt.refreshTokenTimeToLiveInMinutes as number | undefined) ?? 43200,
        signingAlgorithm: (jwt.signingAlgorithm as Tenant['jwtConfiguration']['signingAlgorithm'] | undefined) ?? existing?.jwtConfiguration.signingAlgorithm ?? 'ES256',
        accessTokenType: (jwt.accessTokenType as AccessTokenType | undefined) ?? 'JWT',
      },
      ...(isPlainObject(input.smartConfiguration) ? { smartConfiguration: buildSmartConfiguration(input.smartConfiguration) } : {}),
      ...(isPlainObject(input.loginTheme) ? { loginTheme: input.loginTheme as LoginTheme } : {}),
      ...(optionalString(input.adminConsoleApplicationId) ? { adminConsoleApplicationId: optionalString(input.adminConsoleApplicationId) } : {}),
      data: optionalObject(input.data),
      insertInstant: existing?.insertInstant ?? now,
      lastUpdateInstant: now,
    };
  }

  private async validate(tenant: Tenant, creating: boolean): Promise<void> {
    const errors = new FieldErrors();
    if (!isUuid(tenant.id)) errors.add('tenant.id', 'invalid', 'The tenant id must be a UUID.');
    if (!tenant.name) errors.add('tenant.name', 'blank', 'You must specify the [tenant.name] property.');
    if (!SLUG_PATTERN.test(tenant.slug)) errors.add('tenant.slug', 'invalid', 'The slug is 1 to 63 characters of a-z, 0-9 and -, starting with a letter or digit.');
    const { timeToLiveInSeconds, refreshTokenTimeToLiveInMinutes, signingAlgorithm } = tenant.jwtConfiguration;
    if (!Number.isInteger(timeToLiveInSeconds) || timeToLiveInSeconds < 1 || timeToLiveInSeconds > 86400) {
      errors.add('tenant.jwtConfiguration.timeToLiveInSeconds', 'invalid', 'Between 1 and 86400 seconds.');
    }
    if (!Number.isInteger(refreshTokenTimeToLiveInMinutes) || refreshTokenTimeToLiveInMinutes < 1) {
      errors.add('tenant.jwtConfiguration.refreshTokenTimeToLiveInMinutes', 'invalid', 'A positive number of minutes.');
    }
    if (!isSigningAlgorithm(signingAlgorithm)) errors.add('tenant.jwtConfiguration.signingAlgorithm', 'invalid', 'Not a supported signing algorithm.');
    if (!ACCESS_TOKEN_TYPES.includes(tenant.jwtConfiguration.accessTokenType!)) {
      errors.add('tenant.jwtConfiguration.accessTokenType', 'invalid', 'JWT (default) or at+jwt (RFC 9068 §2.1).');
    }
    const smart = tenant.smartConfiguration;
    if (smart?.fhirBaseUrl !== undefined && !/^https?:\/\/[^\s?#]+[^/\s?#]$/.test(smart.fhirBaseUrl)) {
      errors.add('tenant.smartConfiguration.fhirBaseUrl', 'invalid', 'An absolute http(s) URL without query, fragment or trailing slash.');
    }
    if (smart?.accessTokenAudience !== undefined && (typeof smart.accessTokenAudience !== 'string' || smart.accessTokenAudience.trim() === '')) {
      errors.add('tenant.smartConfiguration.accessTokenAudience', 'invalid', 'A non-empty string.');
    }
    for (const [field, message] of loginThemeProblems(tenant.loginTheme)) errors.add(`tenant.loginTheme.${field}`, 'invalid', message);
    await checkConsoleApplication(this.store, this.publicUrl, tenant, errors);
    errors.throwIfAny();
    if (creating && (await this.store.tenants.findById(tenant.id))) errors.add('tenant.id', 'duplicate', 'A tenant with this id exists.');
    const sameName = await this.store.tenants.findByName(tenant.name);
    if (sameName && sameName.id !== tenant.id) errors.add('tenant.name', 'duplicate', 'A tenant with this name exists.');
    const sameSlug = await this.store.tenants.findBySlug(tenant.slug);
    if (sameSlug && sameSlug.id !== tenant.id) errors.add('tenant.slug', 'duplicate', 'A tenant with this slug exists.');
    errors.throwIfAny();
  }
}

function buildSmartConfiguration(input: JsonObject): NonNullable<Tenant['smartConfiguration']> {
  return {
    enabled: input.enabled === true,
    ...(input.fhirBaseUrl !== undefined ? { fhirBaseUrl: input.fhirBaseUrl as string } : {}),
    ...(input.accessTokenAudience !== undefined ? { accessTokenAudience: input.accessTokenAudience as string } : {}),
  };
}

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}
