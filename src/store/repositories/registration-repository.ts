import type { Kysely } from 'kysely';
import type { Registration } from '../records.js';
import type { Database } from '../schema.js';
import { PreparedQuery } from '../prepared-query.js';
import { DocumentRepository } from './document-repository.js';

const LIST_BY_USER = new PreparedQuery((db, p) => db.selectFrom('registrations').select('data').where('user_id', '=', p('userId')));

export type TenantRegistration = Registration & { tenantId: string };

/** A user's registrations oldest first (then by id); sorted here, as a user has few (an ORDER BY cost a temporary B-tree per login). */
export const sortRegistrations = (registrations: TenantRegistration[]): TenantRegistration[] =>
  registrations.sort((a, b) => a.insertInstant - b.insertInstant || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

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
  /** A user's registrations, oldest first. */
  async listByUser(userId: string): Promise<TenantRegistration[]> {
    const { rows } = await LIST_BY_USER.execute<{ data: string }>(this.db, { userId });
    return sortRegistrations(rows.map((row) => this.toObject(row)));
  }
}
