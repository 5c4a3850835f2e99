import type { Insertable, Kysely } from 'kysely';
import type { Registration } from '../records.js';
import type { Database, RegistrationRow } from '../schema.js';
import { PreparedQuery } from '../prepared-query.js';
import { DocumentRepository } from './document-repository.js';

const INSERT_COLUMNS = ['id', 'tenant_id', 'user_id', 'application_id', 'data', 'insert_instant', 'last_update_instant'] as const;
/** Every new user's login inserts one: prepared like the returning login's statements. */
const INSERT = new PreparedQuery((db, p) => db.insertInto('registrations').values(Object.fromEntries(INSERT_COLUMNS.map((c) => [c, p(c)])) as unknown as Insertable<RegistrationRow>));
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
  override async insert(registration: TenantRegistration & { insertInstant: number; lastUpdateInstant: number }): Promise<void> {
    await INSERT.execute(this.db, { id: registration.id, ...this.columns(registration), data: JSON.stringify(registration), insert_instant: registration.insertInstant, last_update_instant: registration.lastUpdateInstant });
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
