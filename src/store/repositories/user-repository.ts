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
  findByEmail(tenantId: string, email: string): Promise<User | undefined> {
    return this.findOneBy({ tenant_id: tenantId, email: email.toLowerCase() });
  }
  findByUsername(tenantId: string, username: string): Promise<User | undefined> {
    return this.findOneBy({ tenant_id: tenantId, username });
  }
}
