import type { Kysely } from 'kysely';
import type { Application } from '../records.js';
import type { Database } from '../schema.js';
import { DocumentRepository } from './document-repository.js';

export interface ApplicationWithSecret {
  application: Application;
  clientSecretHash: string | null;
}

export class ApplicationRepository extends DocumentRepository<Application, 'applications'> {
  constructor(db: Kysely<Database>) {
    super(db, 'applications');
  }
  protected columns(application: Application) {
    return { tenant_id: application.tenantId, name: application.name, client_id: application.oauthConfiguration.clientId };
  }
  listByTenant(tenantId: string): Promise<Application[]> {
    return this.findManyBy({ tenant_id: tenantId });
  }
  /** The token endpoint's lookup: one indexed read returning the object and its secret hash. */
  async findByClientId(tenantId: string, clientId: string): Promise<ApplicationWithSecret | undefined> {
    const row = await this.db
      .selectFrom('applications')
      .select(['data', 'client_secret_hash'])
      .where('tenant_id', '=', tenantId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return row ? { application: this.toObject(row), clientSecretHash: row.client_secret_hash } : undefined;
  }
  async setClientSecretHash(id: string, hash: string | null): Promise<void> {
    await this.db.updateTable('applications').set({ client_secret_hash: hash }).where('id', '=', id).execute();
  }
}
