import type { Kysely } from 'kysely';
import type { Registration } from '../records.js';
import type { Database } from '../schema.js';
import { DocumentRepository } from './document-repository.js';

export type TenantRegistration = Registration & { tenantId: string };

export class RegistrationRepository extends DocumentRepository<TenantRegistration, 'registrations'> {
  constructor(db: Kysely<Database>) {
    super(db, 'registrations');
  }
  protected columns(registration: TenantRegistration) {
    return { tenant_id: registration.tenantId, user_id: registration.userId, application_id: registration.applicationId };
  }
  find(userId: string, applicationId: string): Promise<TenantRegistration | undefined> {
    return this.findOneBy({ user_id: userId, application_id: applicationId });
  }
  listByUser(userId: string): Promise<TenantRegistration[]> {
    return this.findManyBy({ user_id: userId });
  }
}
