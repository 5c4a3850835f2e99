import { sql } from 'kysely';
import type { Insertable, Kysely, RawBuilder } from 'kysely';
import type { Dialect } from '../database.js';
import type { User } from '../records.js';
import type { Database, UserRow } from '../schema.js';
import { PreparedQuery } from '../prepared-query.js';
import { DocumentRepository } from './document-repository.js';

const FIND_BY_ID = new PreparedQuery((db, p) => db.selectFrom('users').select('data').where('id', '=', p('id')));
const UPDATE_AFTER_LOGIN = new PreparedQuery((db, p) =>
  db
    .updateTable('users')
    .set({ data: p('data'), last_login_instant: p('lastLogin') as unknown as number, last_update_instant: p('lastUpdate') as unknown as number })
    .where('id', '=', p('id')),
);

const INSERT_COLUMNS = ['id', 'tenant_id', 'email', 'username', 'last_login_instant', 'data', 'insert_instant', 'last_update_instant'] as const;
/** Every new user's login inserts one: prepared like the returning login's statements. */
const INSERT = new PreparedQuery((db, p) => db.insertInto('users').values(Object.fromEntries(INSERT_COLUMNS.map((c) => [c, p(c)])) as unknown as Insertable<UserRow>));

/** What users can be sorted by (FusionAuth's sort field names). */
export const USER_SORT_FIELDS = ['email', 'username', 'login', 'firstName', 'lastName', 'fullName', 'insertInstant', 'lastLoginInstant', 'lastUpdateInstant', 'id'] as const;
export type UserSortField = (typeof USER_SORT_FIELDS)[number];

/** A user search: every condition given must hold. */
export interface UserSearchQuery {
  tenantId: string;
  ids?: readonly string[];
  /**
   * Literal pieces that must appear, in this order, in the email, username, first, last or full
   * name (ASCII letters compared case-insensitively, on both databases alike).
   */
  pieces?: readonly string[];
  sort: readonly { field: UserSortField; descending: boolean }[];
  offset: number;
  limit: number;
}

/** `%`, `_` and the escape character itself are literal in a search: escaped with `!`. */
const likeLiteral = (text: string): string => text.replace(/[!%_]/g, (c) => `!${c}`);
/** Lower-case A–Z only: what SQLite's lower() does, and PostgreSQL's under the "C" collation. */
const asciiLower = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

export class UserRepository extends DocumentRepository<User, 'users'> {
  constructor(
    db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {
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
  override async insert(user: User & { insertInstant: number; lastUpdateInstant: number }): Promise<void> {
    await INSERT.execute(this.db, { id: user.id, ...this.columns(user), data: JSON.stringify(user), insert_instant: user.insertInstant, last_update_instant: user.lastUpdateInstant });
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

  /** Users of a tenant matching `query`, in its order, and how many match in all. */
  async search(query: UserSearchQuery): Promise<{ users: User[]; total: number }> {
    const filtered = () => {
      let select = this.db.selectFrom('users').where('tenant_id', '=', query.tenantId);
      if (query.ids) select = select.where('id', 'in', [...query.ids]);
      if (query.pieces && query.pieces.length > 0) {
        const pattern = `%${query.pieces.map((p) => likeLiteral(asciiLower(p))).join('%')}%`;
        const fields = [sql.ref('email'), sql.ref('username'), this.profile('firstName'), this.profile('lastName'), this.profile('fullName')];
        select = select.where((eb) => eb.or(fields.map((field) => sql<boolean>`${this.folded(field)} like ${pattern} escape '!'`)));
      }
      return select;
    };
    if (query.ids && query.ids.length === 0) return { users: [], total: 0 };
    const counted = await filtered().select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const total = Number(counted.n);
    if (query.limit === 0 || query.offset >= total) return { users: [], total };
    let select = filtered().select('data');
    for (const { field, descending } of query.sort) {
      const key = this.sortKey(field);
      // Users without the field come last in either direction, on both databases.
      select = select.orderBy(sql`case when ${key} is null then 1 else 0 end`).orderBy(key, descending ? 'desc' : 'asc');
    }
    const rows = await select.orderBy('id').limit(query.limit).offset(query.offset).execute();
    return { users: rows.map((row) => this.toObject(row)), total };
  }

  /** A profile field of the stored user object. */
  private profile(field: 'firstName' | 'lastName' | 'fullName'): RawBuilder<string | null> {
    return this.dialect === 'sqlite' ? sql`json_extract(data, ${sql.lit(`$.${field}`)})` : sql`(cast(data as json) ->> ${sql.lit(field)})`;
  }

  /** Text with A–Z folded, compared and ordered by code point on both databases. */
  private folded(expression: RawBuilder<unknown>): RawBuilder<string | null> {
    return this.dialect === 'sqlite' ? sql`lower(${expression})` : sql`lower(${expression} collate "C")`;
  }

  private sortKey(field: UserSortField): RawBuilder<unknown> {
    switch (field) {
      case 'email':
      case 'username':
        return this.folded(sql.ref(field));
      case 'login':
        return this.folded(sql`coalesce(email, username)`);
      case 'firstName':
      case 'lastName':
      case 'fullName':
        return this.folded(this.profile(field));
      case 'insertInstant':
        return sql.ref('insert_instant');
      case 'lastLoginInstant':
        return sql.ref('last_login_instant');
      case 'lastUpdateInstant':
        return sql.ref('last_update_instant');
      case 'id':
        return sql.ref('id');
    }
  }
}
