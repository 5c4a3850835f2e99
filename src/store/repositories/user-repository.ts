import type { Kysely } from 'kysely';
import type { User } from '../records.js';
import type { Database } from '../schema.js';
import { PreparedQuery } from '../prepared-query.js';
import { DocumentRepository } from './document-repository.js';

const FIND_BY_ID = new PreparedQuery((db, p) => db.selectFrom('users').select('data').where('id', '=', p('id')));
const UPDATE_AFTER_LOGIN = new PreparedQuery((db, p) =>
  db
    .updateTable('users')
    .set({ data: p('data'), last_login_instant: p('lastLogin') as unknown as number, last_update_instant: p('lastUpdate') as unknown as number })
    .where('id', '=', p('id')),
);

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
    await UPDATE_AFTER_LOGIN.execute(this.db, { data: JSON.stringify(user), lastLogin: user.lastLoginInstant ?? null, lastUpdate: user.lastUpdateInstant, id: user.id });
  }

  /** The most read row of all (every login): a prepared lookup. */
  override async findById(id: string): Promise<User | undefined> {
    const { rows } = await FIND_BY_ID.execute<{ data: string }>(this.db, { id });
    return rows[0] ? this.toObject(rows[0]) : undefined;
  }

  findByEmail(tenantId: string, email: string): Promise<User | undefined> {
    return this.findOneBy({ tenant_id: tenantId, email: email.toLowerCase() });
  }
  findByUsername(tenantId: string, username: string): Promise<User | undefined> {
    return this.findOneBy({ tenant_id: tenantId, username });
  }
  /** A tenant's users, oldest first (`gatehouse export --users`). */
  listByTenant(tenantId: string, limit = 1_000_000): Promise<User[]> {
    return this.findManyBy({ tenant_id: tenantId }, limit);
  }
}
