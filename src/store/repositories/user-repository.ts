import type { Kysely } from 'kysely';
import type { User } from '../records.js';
import type { Database } from '../schema.js';
import { DocumentRepository } from './document-repository.js';

export class UserRepository extends DocumentRepository<User, 'users'> {
  constructor(db: Kysely<Database>) {
    super(db, 'users');
  }
  protected columns(user: User) {
    return {
      tenant_id: user.tenantId,
      email: user.email ? user.email.toLowerCase() : null,
      username: user.username ?? null,
      last_login_instant: user.lastLoginInstant ?? null,
    };
  }
  /**
   * A login's write: the document and its instants, never email or username. Assigning those
   * columns would rewrite their unique indexes' pages on every login even when unchanged.
   */
  async updateAfterLogin(user: User & { lastUpdateInstant: number }): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ data: JSON.stringify(user), last_login_instant: user.lastLoginInstant ?? null, last_update_instant: user.lastUpdateInstant })
      .where('id', '=', user.id)
      .execute();
  }

  findByEmail(tenantId: string, email: string): Promise<User | undefined> {
    return this.findOneBy({ tenant_id: tenantId, email: email.toLowerCase() });
  }
  findByUsername(tenantId: string, username: string): Promise<User | undefined> {
    return this.findOneBy({ tenant_id: tenantId, username });
  }
}
