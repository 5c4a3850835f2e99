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
