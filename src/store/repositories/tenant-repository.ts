import type { Kysely } from 'kysely';
import type { Tenant } from '../records.js';
import type { Database } from '../schema.js';
import { DocumentRepository } from './document-repository.js';

export class TenantRepository extends DocumentRepository<Tenant, 'tenants'> {
  constructor(db: Kysely<Database>) {
    super(db, 'tenants');
  }
  protected columns(tenant: Tenant) {
    return { slug: tenant.slug, name: tenant.name };
  }
  /**
   * Inserts `tenant` unless a tenant with its id, slug or name exists (`ON CONFLICT DO NOTHING`;
   * on PostgreSQL a concurrent insert of the same row waits for the other to commit first).
   * Returns whether this call inserted it.
   */
  async insertIfAbsent(tenant: Tenant): Promise<boolean> {
    const result = await this.db
      .insertInto('tenants')
      .values({ id: tenant.id, ...this.columns(tenant), data: JSON.stringify(tenant), insert_instant: tenant.insertInstant, last_update_instant: tenant.lastUpdateInstant })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  findBySlug(slug: string): Promise<Tenant | undefined> {
    return this.findOneBy({ slug });
  }
  findByName(name: string): Promise<Tenant | undefined> {
    return this.findOneBy({ name });
  }
  list(): Promise<Tenant[]> {
    return this.findManyBy({});
  }
}
