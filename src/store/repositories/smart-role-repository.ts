import type { Kysely } from 'kysely';
import type { SmartRole } from '../records.js';
import type { Database } from '../schema.js';
import { DocumentRepository } from './document-repository.js';

export class SmartRoleRepository extends DocumentRepository<SmartRole, 'smart_roles'> {
  constructor(db: Kysely<Database>) {
    super(db, 'smart_roles');
  }
  protected columns(role: SmartRole) {
    return { tenant_id: role.tenantId, name: role.name };
  }
  listByTenant(tenantId: string): Promise<SmartRole[]> {
    return this.findManyBy({ tenant_id: tenantId });
  }
  findByName(tenantId: string, name: string): Promise<SmartRole | undefined> {
    return this.findOneBy({ tenant_id: tenantId, name });
  }
}
