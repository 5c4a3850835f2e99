import { ApiError, FieldErrors } from '../lib/api-error.js';
import type { Clock } from '../lib/clock.js';
import { sha256 } from '../lib/hash.js';
import { isUuid, newId, randomSecret } from '../lib/ids.js';
import type { ApiKey, JsonObject } from '../store/records.js';
import type { Store } from '../store/store.js';
import { fieldsOf, optionalObject, optionalString } from './input-values.js';

/** What an API key is created or replaced from (FusionAuth's API key object). */
export interface ApiKeyInput {
  id?: string;
  /** Only on create: the key itself (at least 32 characters); generated when absent. */
  key?: string;
  tenantId?: string;
  keyManager?: boolean;
  metaData?: { attributes?: Record<string, string> };
  permissions?: { endpoints?: Record<string, string[]> };
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const MIN_KEY_LENGTH = 32;
/** The id of the superuser key generated at first start (when no key is configured). */
export const GENERATED_API_KEY_ID = '00000000-0000-4000-8000-000000000002';
/** The description of the key ensured from `GATEHOUSE_BOOTSTRAP_API_KEY`. */
export const BOOTSTRAP_KEY_DESCRIPTION = 'Bootstrap key (GATEHOUSE_BOOTSTRAP_API_KEY)';

/** API keys (FusionAuth `/api/api-key`), stored as SHA-256 hashes; the key is shown once. */
export class ApiKeyService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Resolves the `Authorization` header value to a key, or undefined. */
  authenticate(presented: string): Promise<ApiKey | undefined> {
    if (presented.length < 8 || presented.length > 512) return Promise.resolve(undefined);
    return this.store.apiKeys.findByHash(sha256(presented));
  }

  list(): Promise<ApiKey[]> {
    return this.store.apiKeys.list();
  }

  async get(id: string): Promise<ApiKey> {
    const key = await this.store.apiKeys.findById(id);
    if (!key) throw ApiError.notFound();
    return key;
  }

  async create(apiKeyInput: ApiKeyInput, id?: string): Promise<{ apiKey: ApiKey; key: string }> {
    const input = fieldsOf(apiKeyInput);
    const errors = new FieldErrors();
    const key = optionalString(input.key) ?? randomSecret(32);
    if (key.length < MIN_KEY_LENGTH) errors.add('apiKey.key', 'invalid', `An API key has at least ${MIN_KEY_LENGTH} characters.`);
    const apiKey = this.build(input, id ?? optionalString(input.id) ?? newId());
    await this.validate(apiKey, errors);
    if (await this.store.apiKeys.findById(apiKey.id)) errors.add('apiKey.id', 'duplicate', 'An API key with this id exists.');
    if (await this.store.apiKeys.findByHash(sha256(key))) errors.add('apiKey.key', 'duplicate', 'This key exists.');
    errors.throwIfAny();
    await this.store.apiKeys.insertWithHash(apiKey, sha256(key));
    return { apiKey, key };
  }

  /** Replaces the key's settings (PUT; a PATCH arrives here merged); the key itself never changes. */
  async update(id: string, apiKeyInput: ApiKeyInput): Promise<ApiKey> {
    const existing = await this.get(id);
    const input = fieldsOf(apiKeyInput);
    if ('key' in input) throw ApiError.field(400, 'apiKey.key', 'notAllowed', 'The key itself cannot be changed; create a new key.');
    const apiKey = this.build(input, id, existing);
    await this.validate(apiKey, new FieldErrors());
    await this.store.transaction(async (store) => {
      await this.refuseLosingLastSuperuser(store, id, apiKey);
      await store.apiKeys.update(apiKey);
    });
    return apiKey;
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.store.transaction(async (store) => {
      await this.refuseLosingLastSuperuser(store, id, undefined);
      await store.apiKeys.delete(id);
    });
  }

  /**
   * No admin lockout: the change of key `id` to `after` (undefined: deleted) must leave at least
   * one superuser key, since only a superuser key manages API keys. Call it with the transaction
   * that writes the change; on PostgreSQL it locks the tenantless keys, so two concurrent changes
   * to the last two superuser keys run one after the other and the second sees the first.
   */
  /** A key deleting itself: the last superuser key is told so first, any other key that it may not. */
  async refuseSelfDelete(id: string): Promise<never> {
    await this.refuseLosingLastSuperuser(this.store, id, undefined);
    throw ApiError.general(400, '[CannotDeleteSelf]', 'An API key cannot delete itself.');
  }

  async refuseLosingLastSuperuser(store: Store, id: string, after: ApiKey | undefined): Promise<void> {
    if (after && isSuperuserKey(after)) return;
    const tenantless = await store.apiKeys.listTenantless(store.dialect === 'postgres');
    if (!tenantless.some((key) => key.id === id && isSuperuserKey(key))) return;
    if (tenantless.some((key) => key.id !== id && isSuperuserKey(key))) return;
    throw ApiError.general(400, '[lastSuperuserKey]apiKey', 'This is the last superuser API key (no tenantId, no permissions): it cannot be deleted or restricted. Create another superuser key first.');
  }

  /**
   * Start-up: with `GATEHOUSE_BOOTSTRAP_API_KEY`, make sure that key exists as a superuser key.
   * Without it and with no key at all, create one and return it so the CLI prints it once.
   */
  async bootstrap(configured: string | undefined): Promise<string | undefined> {
    if (configured) {
      if (configured.length < MIN_KEY_LENGTH) throw new Error(`GATEHOUSE_BOOTSTRAP_API_KEY has fewer than ${MIN_KEY_LENGTH} characters`);
      const apiKey = this.build({ metaData: { attributes: { description: BOOTSTRAP_KEY_DESCRIPTION } } }, newId());
      // Idempotent when nodes start at once: the key's hash is unique.
      if (await this.store.apiKeys.insertWithHashIfAbsent(apiKey, sha256(configured))) return undefined;
      const existing = await this.store.apiKeys.findByHash(sha256(configured));
      if (existing && !isSuperuserKey(existing)) {
        const { tenantId: _tenantId, ...rest } = existing;
        await this.store.apiKeys.update({ ...rest, permissions: { endpoints: {} }, lastUpdateInstant: this.clock.now() });
      }
      return undefined;
    }
    if ((await this.store.apiKeys.count()) > 0) return undefined;
    // A fixed id: of nodes that start at once on an empty database, one generates the key.
    const key = randomSecret(32);
    const apiKey = this.build({ metaData: { attributes: { description: 'Generated at first start' } } }, GENERATED_API_KEY_ID);
    return (await this.store.apiKeys.insertWithHashIfAbsent(apiKey, sha256(key))) ? key : undefined;
  }

  private build(input: JsonObject, id: string, existing?: ApiKey): ApiKey {
    const now = this.clock.now();
    const permissions = optionalObject(input.permissions);
    const attributes = optionalObject(optionalObject(input.metaData).attributes);
    return {
      id,
      ...(optionalString(input.tenantId) ? { tenantId: input.tenantId as string } : {}),
      keyManager: input.keyManager === true,
      metaData: { attributes: Object.fromEntries(Object.entries(attributes).filter(([, v]) => typeof v === 'string')) as Record<string, string> },
      permissions: { endpoints: optionalObject(permissions.endpoints) as Record<string, string[]> },
      insertInstant: existing?.insertInstant ?? now,
      lastUpdateInstant: now,
    };
  }

  private async validate(apiKey: ApiKey, errors: FieldErrors): Promise<void> {
    if (!isUuid(apiKey.id)) errors.add('apiKey.id', 'invalid', 'The API key id must be a UUID.');
    for (const [endpoint, methods] of Object.entries(apiKey.permissions.endpoints)) {
      if (!endpoint.startsWith('/api/') || !Array.isArray(methods) || !methods.every((m) => METHODS.includes(m))) {
        errors.add('apiKey.permissions.endpoints', 'invalid', `Endpoint ${endpoint}: an /api path with methods from ${METHODS.join(', ')}.`);
      }
    }
    if (apiKey.tenantId && !(await this.store.tenants.findById(apiKey.tenantId))) errors.add('apiKey.tenantId', 'invalid', 'No tenant has this id.');
    errors.throwIfAny();
  }
}

/** Whether `key` may call `method` on `path` (FusionAuth: no endpoints listed = every endpoint). */
export function apiKeyAllows(key: ApiKey, method: string, path: string): boolean {
  const endpoints = Object.entries(key.permissions.endpoints);
  if (endpoints.length === 0) return true;
  return endpoints.some(([endpoint, methods]) => (path === endpoint || path.startsWith(`${endpoint}/`)) && methods.includes(method));
}

/** Superuser: every endpoint, every tenant. Only such keys manage API keys. */
export const isSuperuserKey = (key: ApiKey): boolean => !key.tenantId && Object.keys(key.permissions.endpoints).length === 0;
