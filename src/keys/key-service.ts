import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { DEFAULT_CACHE_LIFETIMES } from '../config/cache-lifetimes.js';
import type { CacheLifetimes } from '../config/cache-lifetimes.js';
import { ApiError, FieldErrors } from '../lib/api-error.js';
import type { Clock } from '../lib/clock.js';
import { isUuid, newId } from '../lib/ids.js';
import { TtlCache } from '../lib/ttl-cache.js';
import type { JsonObject, SigningAlgorithm, StoredKey } from '../store/records.js';
import type { Store } from '../store/store.js';
import { jwkThumbprint } from '../jwt/jwk-thumbprint.js';
import { ALGORITHMS, isSigningAlgorithm, keyFitsAlgorithm, MIN_RSA_BITS } from '../jwt/algorithms.js';
import { hmacKeyFromImport } from './hmac-key.js';
import { generatePair, keyTypeOf, parseKeyMaterial } from './key-material.js';
import type { MasterKey } from './master-key.js';

export interface SigningKey {
  keyId: string;
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
}

export interface GenerateKeyRequest {
  id?: string;
  name?: string;
  algorithm?: string;
  length?: number;
  issuer?: string;
}

export interface ImportKeyRequest {
  id?: string;
  name?: string;
  algorithm?: string;
  kid?: string;
  publicKey?: string;
  privateKey?: string;
  certificate?: string;
  /** Gatehouse: a public JWK. */
  jwk?: JsonObject;
  type?: string;
  /** An HMAC key's shared secret (with `type: HMAC` or an HS algorithm). */
  secret?: string;
}

/** A tenant signing key's name, within the 191 characters of the column however long the tenant's name is. */
const tenantKeyName = (tenantName: string, tenantId: string, now: number): string => {
  const suffix = ` (${tenantId.slice(0, 8)}, ${now})`;
  return `Signing key for ${tenantName}`.slice(0, 191 - suffix.length) + suffix;
};

const MASTER_KEY_CHECK = 'gatehouse-master-key-check';

/**
 * The Key Master: generated and imported keys (FusionAuth `/api/key` shapes), private keys
 * encrypted at rest, each tenant's active signing key, rotation and the published JWKS.
 */
export class KeyService {
  private readonly signingKeyCache: TtlCache<SigningKey>;
  /** A retired key leaves the JWKS at its publish-until instant; verification follows within the lifetime. */
  private readonly publishedCache: TtlCache<StoredKey[]>;
  /** Derived from immutable keys: kept until the key is deleted (or the cache is full). */
  private readonly publicKeyCache: TtlCache<KeyObject>;
  private readonly thumbprintCache: TtlCache<string>;
  private readonly signingKeyMs: number;

  constructor(
    private readonly store: Store,
    private readonly masterKey: MasterKey,
    private readonly clock: Clock,
    lifetimes: Pick<CacheLifetimes, 'signingKeyMs' | 'publishedKeysMs'> = DEFAULT_CACHE_LIFETIMES,
  ) {
    this.signingKeyMs = lifetimes.signingKeyMs;
    this.signingKeyCache = new TtlCache(clock, lifetimes.signingKeyMs);
    this.publishedCache = new TtlCache(clock, lifetimes.publishedKeysMs);
    this.publicKeyCache = new TtlCache(clock, Infinity);
    this.thumbprintCache = new TtlCache(clock, Infinity);
  }

  /** Refuses to start when the database was created under another master key. */
  async checkMasterKey(): Promise<void> {
    const stored = await this.store.meta.setIfAbsent('master_key_check', this.masterKey.encrypt(MASTER_KEY_CHECK));
    let ok = false;
    try {
      ok = this.masterKey.decrypt(stored) === MASTER_KEY_CHECK;
    } catch {
      ok = false;
    }
    if (!ok) throw new Error('the master key does not match the one this database was created with (set GATEHOUSE_MASTER_KEY)');
  }

  list(): Promise<StoredKey[]> {
    return this.store.keys.list();
  }

  async get(id: string): Promise<StoredKey> {
    const key = await this.store.keys.findById(id);
    if (!key) throw ApiError.notFound();
    return key;
  }

  /** `POST /api/key/generate`: a new asymmetric key pair; the private half is encrypted at rest. */
  generate(request: GenerateKeyRequest): Promise<StoredKey> {
    return this.generateIn(this.store, request);
  }

  /** Generates a key inside the caller's transaction (a tenant's signing key with its tenant). */
  private async generateIn(store: Store, request: GenerateKeyRequest): Promise<StoredKey> {
    const errors = new FieldErrors();
    const algorithm = request.algorithm === 'Ed25519' ? 'EdDSA' : request.algorithm;
    if (!request.name) errors.add('key.name', 'blank', 'You must specify the [key.name] property.');
    if (!isSigningAlgorithm(algorithm)) errors.add('key.algorithm', 'invalid', `Algorithm must be one of ${Object.keys(ALGORITHMS).join(', ')}.`);
    const length = request.length ?? 2048;
    if (isSigningAlgorithm(algorithm) && ALGORITHMS[algorithm].kty === 'RSA' && (!Number.isInteger(length) || length < MIN_RSA_BITS || length > 4096)) {
      errors.add('key.length', 'invalid', `RSA keys are ${MIN_RSA_BITS} to 4096 bits.`);
    }
    if (request.id !== undefined && !isUuid(request.id)) errors.add('key.id', 'invalid', 'The key id must be a UUID.');
    errors.throwIfAny();
    const alg = algorithm as SigningAlgorithm;
    const pair = generatePair(alg, length);
    const publicJwk = pair.publicKey.export({ format: 'jwk' }) as JsonObject;
    const now = this.clock.now();
    const key: StoredKey = {
      id: request.id ?? newId(),
      name: request.name!,
      kid: jwkThumbprint(publicJwk),
      algorithm: alg,
      type: ALGORITHMS[alg].kty,
      ...(ALGORITHMS[alg].kty === 'RSA' ? { length } : {}),
      publicKey: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      ...(request.issuer ? { issuer: request.issuer } : {}),
      hasPrivateKey: true,
      insertInstant: now,
      lastUpdateInstant: now,
    };
    const privatePem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await this.insertUnique(store, key, { privateKey: this.masterKey.encrypt(privatePem), secret: null });
    return key;
  }

  /** `POST /api/key/import`: public keys, X.509 certificates, JWKs, or key pairs. */
  async importKey(request: ImportKeyRequest): Promise<StoredKey> {
    const errors = new FieldErrors();
    if (!request.name) errors.add('key.name', 'blank', 'You must specify the [key.name] property.');
    if (request.id !== undefined && !isUuid(request.id)) errors.add('key.id', 'invalid', 'The key id must be a UUID.');
    if (request.type === 'HMAC' || request.secret !== undefined) {
      const hmac = hmacKeyFromImport(request, this.clock.now(), errors);
      errors.throwIfAny();
      await this.insertUnique(this.store, hmac.key, { privateKey: null, secret: this.masterKey.encrypt(hmac.secret) });
      return hmac.key;
    }
    const sources = [request.publicKey, request.certificate, request.jwk].filter((s) => s !== undefined);
    if (sources.length === 0 && !request.privateKey) {
      errors.add('key.publicKey', 'blank', 'Provide a [key.publicKey], [key.certificate], [key.jwk] or [key.privateKey].');
    }
    errors.throwIfAny();

    const now = this.clock.now();
    const { publicKey, certificateInformation, expirationInstant, privatePem } = parseKeyMaterial(request, now, errors);
    errors.throwIfAny();
    if (!publicKey || publicKey.type !== 'public') throw ApiError.field(400, 'key.publicKey', 'invalid', 'Only asymmetric keys can be imported.');

    const type = keyTypeOf(publicKey);
    const algorithm = request.algorithm === 'Ed25519' ? 'EdDSA' : request.algorithm;
    if (algorithm !== undefined && (!isSigningAlgorithm(algorithm) || !keyFitsAlgorithm(publicKey, algorithm))) {
      errors.add('key.algorithm', 'invalid', 'The algorithm does not fit the key.');
    }
    if (type === 'RSA' && (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
      errors.add('key.publicKey', 'invalid', `RSA keys shorter than ${MIN_RSA_BITS} bits are refused.`);
    }
    errors.throwIfAny();
    const publicJwk = publicKey.export({ format: 'jwk' }) as JsonObject;
    const key: StoredKey = {
      id: request.id ?? newId(),
      name: request.name!,
      kid: request.kid ?? (typeof request.jwk?.kid === 'string' ? request.jwk.kid : jwkThumbprint(publicJwk)),
      ...(algorithm ? { algorithm } : {}),
      type,
      ...(type === 'RSA' ? { length: publicKey.asymmetricKeyDetails?.modulusLength } : {}),
      publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      ...(request.certificate ? { certificate: request.certificate, certificateInformation } : {}),
      ...(expirationInstant ? { expirationInstant } : {}),
      hasPrivateKey: privatePem !== null,
      insertInstant: now,
      lastUpdateInstant: now,
    };
    await this.insertUnique(this.store, key, { privateKey: privatePem ? this.masterKey.encrypt(privatePem) : null, secret: null });
    return key;
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    if (await this.store.keys.isInUse(id)) {
      throw ApiError.general(400, '[KeyInUse]', 'The key is, or was recently, a tenant signing key and cannot be deleted.');
    }
    await this.store.keys.delete(id);
    this.publicKeyCache.delete(id);
    this.thumbprintCache.delete(id);
  }

  /** RFC 7515 §4.1.7 `x5t` of a stored key's certificate (cached; keys are immutable). */
  thumbprintOf(key: StoredKey): string | undefined {
    if (!key.certificate) return undefined;
    const certificate = key.certificate;
    return this.thumbprintCache.getOrCompute(key.id, () => createHash('sha1').update(new X509Certificate(certificate).raw).digest('base64url'));
  }

  /**
   * The tenant's published keys for verifying its own tokens (introspection, revocation), cached
   * for a few seconds; a kid not in the cached list reloads it once, so a rotation is seen at once.
   */
  async publishedKey(tenantId: string, kid: string, alg: string): Promise<StoredKey | undefined> {
    const find = (keys: StoredKey[]) => keys.find((k) => k.kid === kid && k.algorithm === alg);
    const cached = this.publishedCache.get(tenantId);
    const hit = cached && find(cached.value);
    if (hit) return hit;
    return find(this.publishedCache.set(tenantId, await this.publishedKeys(tenantId)));
  }

  /** The public half of a stored key as a KeyObject (cached; keys are immutable). */
  publicKeyOf(key: StoredKey): KeyObject {
    return this.publicKeyCache.getOrCompute(key.id, () => createPublicKey(key.publicKey!));
  }

  /** Creates and activates a signing key for a new tenant, inside the caller's transaction. */
  async createTenantSigningKey(store: Store, tenantId: string, tenantName: string, alg: SigningAlgorithm): Promise<StoredKey> {
    const key = await this.generateIn(store, { name: tenantKeyName(tenantName, tenantId, this.clock.now()), algorithm: alg });
    await store.signingKeys.activate(tenantId, key.id, this.clock.now(), this.clock.now());
    return key;
  }

  /**
   * Rotation: a new key signs from now on; the old one stays in the JWKS until every token it
   * signed has expired (`maxTokenLifetimeSeconds`, plus this node's cache time and the skew).
   */
  async rotate(tenantId: string, tenantName: string, alg: SigningAlgorithm, maxTokenLifetimeSeconds: number, skewSeconds: number): Promise<StoredKey> {
    const key = await this.store.transaction(async (store) => {
      const created = await this.generateIn(store, { name: tenantKeyName(tenantName, tenantId, this.clock.now()), algorithm: alg });
      const now = this.clock.now();
      await store.signingKeys.activate(tenantId, created.id, now, now + (maxTokenLifetimeSeconds + skewSeconds) * 1000 + this.signingKeyMs);
      return created;
    });
    this.signingKeyCache.delete(tenantId);
    return key;
  }

  /** The tenant's active signing key; cached briefly so every token does not read the store. */
  async signingKey(tenantId: string): Promise<SigningKey> {
    const cached = this.signingKeyCache.get(tenantId);
    if (cached) return cached.value;
    const active = await this.store.signingKeys.active(tenantId);
    if (!active) throw new Error(`tenant ${tenantId} has no active signing key`);
    const stored = await this.get(active.key_id);
    const secrets = await this.store.keys.secrets(active.key_id);
    if (!secrets?.privateKey) throw new Error(`signing key ${active.key_id} has no private key`);
    const key: SigningKey = {
      keyId: stored.id,
      kid: stored.kid,
      alg: stored.algorithm as SigningAlgorithm,
      privateKey: createPrivateKey(this.masterKey.decrypt(secrets.privateKey)),
    };
    return this.signingKeyCache.set(tenantId, key);
  }

  /** Keys the tenant's JWKS publishes: the active one and retired ones inside their window. */
  async publishedKeys(tenantId: string): Promise<StoredKey[]> {
    const rows = await this.store.signingKeys.published(tenantId, this.clock.now());
    const keys = await Promise.all(rows.map((row) => this.store.keys.findById(row.key_id)));
    return keys.filter((k): k is StoredKey => k !== undefined);
  }

  /** RFC 7517 §5 JWK Set of the tenant's published keys. */
  async jwks(tenantId: string): Promise<{ keys: JsonObject[] }> {
    const keys = await this.publishedKeys(tenantId);
    return {
      keys: keys.map((key) => ({
        ...(this.publicKeyOf(key).export({ format: 'jwk' }) as JsonObject),
        kid: key.kid,
        use: 'sig',
        alg: key.algorithm,
      })),
    };
  }

  private async insertUnique(store: Store, key: StoredKey, secrets: { privateKey: string | null; secret: string | null }): Promise<void> {
    const errors = new FieldErrors();
    if (await store.keys.findById(key.id)) errors.add('key.id', 'duplicate', 'A key with this id exists.');
    if (await store.keys.findByName(key.name)) errors.add('key.name', 'duplicate', 'A key with this name exists.');
    if (await store.keys.findByKid(key.kid)) errors.add('key.kid', 'duplicate', 'A key with this kid exists.');
    errors.throwIfAny();
    await store.keys.insertWithSecrets(key, secrets);
  }
}
