import type { Kysely } from 'kysely';
import type { StoredKey } from '../records.js';
import type { Database } from '../schema.js';
import { DocumentRepository } from './document-repository.js';

/** Secret material of a key, encrypted under the master key. */
export interface KeySecrets {
  privateKey: string | null;
  secret: string | null;
}

export class KeyRepository extends DocumentRepository<StoredKey, 'keys'> {
  constructor(db: Kysely<Database>) {
    super(db, 'keys');
  }
  protected columns(key: StoredKey) {
    return {
      name: key.name,
      kid: key.kid,
      algorithm: key.algorithm ?? null,
      type: key.type,
      public_key: key.publicKey ?? null,
      certificate: key.certificate ?? null,
    };
  }
  async insertWithSecrets(key: StoredKey, secrets: KeySecrets): Promise<void> {
    await this.db
      .insertInto('keys')
      .values({
        id: key.id,
        ...this.columns(key),
        private_key: secrets.privateKey,
        secret: secrets.secret,
        data: JSON.stringify(key),
        insert_instant: key.insertInstant,
        last_update_instant: key.lastUpdateInstant,
      })
      .execute();
  }
  async secrets(id: string): Promise<KeySecrets | undefined> {
    const row = await this.db.selectFrom('keys').select(['private_key', 'secret']).where('id', '=', id).executeTakeFirst();
    return row ? { privateKey: row.private_key, secret: row.secret } : undefined;
  }
  findByKid(kid: string): Promise<StoredKey | undefined> {
    return this.findOneBy({ kid });
  }
  findByName(name: string): Promise<StoredKey | undefined> {
    return this.findOneBy({ name });
  }
  list(): Promise<StoredKey[]> {
    return this.findManyBy({});
  }
  async isInUse(id: string): Promise<boolean> {
    const row = await this.db.selectFrom('tenant_signing_keys').select('key_id').where('key_id', '=', id).executeTakeFirst();
    return row !== undefined;
  }
}
