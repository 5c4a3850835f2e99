import type { Kysely } from 'kysely';
import type { ApiKey } from '../records.js';
import type { Database } from '../schema.js';
import { DocumentRepository } from './document-repository.js';

export class ApiKeyRepository extends DocumentRepository<ApiKey, 'api_keys'> {
  constructor(db: Kysely<Database>) {
    super(db, 'api_keys');
  }
  protected columns(key: ApiKey) {
    return { tenant_id: key.tenantId ?? null };
  }
  async insertWithHash(key: ApiKey, keyHash: string): Promise<void> {
    await this.db.insertInto('api_keys').values(this.row(key, keyHash)).execute();
  }
  /** Inserts unless a key with this id or hash exists; returns whether this call inserted it. */
  async insertWithHashIfAbsent(key: ApiKey, keyHash: string): Promise<boolean> {
    const result = await this.db.insertInto('api_keys').values(this.row(key, keyHash)).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  /**
   * Keys of no tenant, in id order; with `lockRows` (PostgreSQL) `FOR UPDATE`, so two
   * transactions that both read them run one after the other.
   */
  async listTenantless(lockRows: boolean): Promise<ApiKey[]> {
    const query = this.db.selectFrom('api_keys').select('data').where('tenant_id', 'is', null).orderBy('id');
    const rows = await (lockRows ? query.forUpdate() : query).execute();
    return rows.map((row) => this.toObject(row));
  }
  private row(key: ApiKey, keyHash: string) {
    return {
      id: key.id,
      key_hash: keyHash,
      tenant_id: key.tenantId ?? null,
      data: JSON.stringify(key),
      insert_instant: key.insertInstant,
      last_update_instant: key.lastUpdateInstant,
    };
  }
  findByHash(keyHash: string): Promise<ApiKey | undefined> {
    return this.findOneBy({ key_hash: keyHash });
  }
  list(): Promise<ApiKey[]> {
    return this.findManyBy({});
  }
}
