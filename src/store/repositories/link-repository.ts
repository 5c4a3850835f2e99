import { CompiledQuery } from 'kysely';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Dialect } from '../database.js';
import { namedStatement } from '../named-statements.js';
import { PreparedQuery } from '../prepared-query.js';
import type { IdentityProviderLink, User } from '../records.js';
import type { Database, IdentityProviderLinkRow } from '../schema.js';
import { sortRegistrations } from './registration-repository.js';
import type { TenantRegistration } from './registration-repository.js';

const toLink = (row: Selectable<IdentityProviderLinkRow>): IdentityProviderLink => ({
  tenantId: row.tenant_id,
  identityProviderId: row.identity_provider_id,
  identityProviderUserId: row.identity_provider_user_id,
  userId: row.user_id,
  ...(row.display_name !== null ? { displayName: row.display_name } : {}),
  ...(row.token !== null ? { token: row.token } : {}),
  insertInstant: Number(row.insert_instant),
  lastLoginInstant: Number(row.last_login_instant),
});

const FIND = new PreparedQuery((db, p) =>
  db
    .selectFrom('identity_provider_links')
    .selectAll()
    .where('tenant_id', '=', p('tenantId'))
    .where('identity_provider_id', '=', p('providerId'))
    .where('identity_provider_user_id', '=', p('externalId')),
);
const INSERT_COLUMNS = ['tenant_id', 'identity_provider_id', 'identity_provider_user_id', 'user_id', 'display_name', 'token', 'insert_instant', 'last_login_instant'] as const;
/** Every new user's login inserts a link: prepared like the returning login's statements. */
const INSERT = new PreparedQuery((db, p) =>
  db.insertInto('identity_provider_links').values(Object.fromEntries(INSERT_COLUMNS.map((c) => [c, p(c)])) as unknown as Insertable<IdentityProviderLinkRow>),
);
const TOUCH = new PreparedQuery((db, p) =>
  db
    .updateTable('identity_provider_links')
    .set({ last_login_instant: p('lastLogin') as unknown as number, display_name: p('displayName') })
    .where('tenant_id', '=', p('tenantId'))
    .where('identity_provider_id', '=', p('providerId'))
    .where('identity_provider_user_id', '=', p('externalId')),
);

/**
 * A returning login's three reads (link, user, the user's registrations) as one statement: on
 * PostgreSQL one round trip and one snapshot; on SQLite one read transaction and one step through
 * Kysely instead of three. The registrations come as a JSON array of their documents (each a string).
 */
const findWithUserSql = (aggregate: string, p: (n: number) => string) =>
  `select l.*, u.data as user_data, (select ${aggregate}(r.data) from registrations r where r.user_id = l.user_id) as registrations ` +
  'from identity_provider_links l left join users u on u.id = l.user_id ' +
  `where l.tenant_id = ${p(1)} and l.identity_provider_id = ${p(2)} and l.identity_provider_user_id = ${p(3)}`;
const FIND_WITH_USER_SQL = {
  postgres: namedStatement(findWithUserSql('json_agg', (n) => `$${n}`)),
  // json_group_array gives '[]' for a user without registrations, and NULL never (its rows are texts).
  sqlite: findWithUserSql('json_group_array', () => '?'),
};

/** A link with its user (undefined when the user is gone) and the user's registrations, oldest first. */
export interface LinkWithUser {
  link: IdentityProviderLink;
  user: User | undefined;
  registrations: TenantRegistration[];
}


/** Links between external identities and users; the key is (tenant, provider, external id). */
export class LinkRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect = 'sqlite',
  ) {}

  /** The link of an external identity with its user and the user's registrations, in one statement. */
  async findWithUser(tenantId: string, identityProviderId: string, identityProviderUserId: string): Promise<LinkWithUser | undefined> {
    const { rows } = await this.db.executeQuery<Selectable<IdentityProviderLinkRow> & { user_data: string | null; registrations: string[] | string | null }>(
      CompiledQuery.raw(FIND_WITH_USER_SQL[this.dialect], [tenantId, identityProviderId, identityProviderUserId]),
    );
    const row = rows[0];
    if (!row) return undefined;
    // PostgreSQL's json_agg arrives parsed (NULL without rows); SQLite's json_group_array as its text.
    const documents = typeof row.registrations === 'string' ? (JSON.parse(row.registrations) as string[]) : (row.registrations ?? []);
    const user = row.user_data !== null ? (JSON.parse(row.user_data) as User) : undefined;
    return {
      link: toLink(row),
      user,
      registrations: user ? sortRegistrations(documents.map((data) => JSON.parse(data) as TenantRegistration)) : [],
    };
  }

  /** Fails with a unique violation when the external identity is linked already. */
  async insert(link: IdentityProviderLink): Promise<void> {
    await INSERT.execute(this.db, {
      tenant_id: link.tenantId,
      identity_provider_id: link.identityProviderId,
      identity_provider_user_id: link.identityProviderUserId,
      user_id: link.userId,
      display_name: link.displayName ?? null,
      token: link.token ?? null,
      insert_instant: link.insertInstant,
      last_login_instant: link.lastLoginInstant,
    });
  }

  async find(tenantId: string, identityProviderId: string, identityProviderUserId: string): Promise<IdentityProviderLink | undefined> {
    const { rows } = await FIND.execute<Selectable<IdentityProviderLinkRow>>(this.db, { tenantId, providerId: identityProviderId, externalId: identityProviderUserId });
    return rows[0] ? toLink(rows[0]) : undefined;
  }

  async listByUser(userId: string, identityProviderId?: string): Promise<IdentityProviderLink[]> {
    let query = this.db.selectFrom('identity_provider_links').selectAll().where('user_id', '=', userId);
    if (identityProviderId) query = query.where('identity_provider_id', '=', identityProviderId);
    return (await query.orderBy('insert_instant').execute()).map(toLink);
  }

  async touch(link: IdentityProviderLink, lastLoginInstant: number, displayName: string | undefined): Promise<void> {
    await TOUCH.execute(this.db, {
      lastLogin: lastLoginInstant,
      displayName: displayName ?? null,
      tenantId: link.tenantId,
      providerId: link.identityProviderId,
      externalId: link.identityProviderUserId,
    });
  }

  async delete(tenantId: string, identityProviderId: string, identityProviderUserId: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('identity_provider_links')
      .where('tenant_id', '=', tenantId)
      .where('identity_provider_id', '=', identityProviderId)
      .where('identity_provider_user_id', '=', identityProviderUserId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}
