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
 * A login's reads as one statement: the link of the external identity with its user and the
 * user's registrations (a returning login) and — only when there is no link and an email is
 * given — the tenant's user with that email (LinkByEmail). On PostgreSQL one round trip and one
 * snapshot; on SQLite one read transaction and one pass through Kysely. The one-row source makes
 * the statement answer a row either way (`user_id` is NULL without a link, as a link's never is);
 * CASE runs the email lookup only then. The registrations come as a JSON array of their documents.
 */
const lookUpSql = (aggregate: string, p: (name: 'tenant' | 'provider' | 'external' | 'email') => string) =>
  `select l.*, u.data as user_data, (select ${aggregate}(r.data) from registrations r where r.user_id = l.user_id) as registrations, ` +
  `case when l.user_id is null and ${p('email')} is not null then (select e.data from users e where e.tenant_id = ${p('tenant')} and e.email = ${p('email')}) end as email_user_data ` +
  `from (select 1) one left join identity_provider_links l on l.tenant_id = ${p('tenant')} and l.identity_provider_id = ${p('provider')} and l.identity_provider_user_id = ${p('external')} ` +
  'left join users u on u.id = l.user_id';
const POSTGRES_PARAMETERS = { tenant: '$1', provider: '$2', external: '$3', email: '$4::text' } as const;
const LOOK_UP_POSTGRES = namedStatement(lookUpSql('json_agg', (name) => POSTGRES_PARAMETERS[name]));
/** SQLite's `?` are positional: the names in the order they appear, to bind each occurrence. */
const SQLITE_ORDER: ('tenant' | 'provider' | 'external' | 'email')[] = [];
// json_group_array gives '[]' for a user without registrations (never NULL).
const LOOK_UP_SQLITE = lookUpSql('json_group_array', (name) => {
  SQLITE_ORDER.push(name);
  return '?';
});

/** A link with its user (undefined when the user is gone) and the user's registrations, oldest first. */
export interface LinkWithUser {
  link: IdentityProviderLink;
  user: User | undefined;
  registrations: TenantRegistration[];
}

/** What `lookUp` found: the link, or without one (and asked for) the user with the email. */
export interface LinkLookup {
  linked: LinkWithUser | undefined;
  /** Present when an email was given and there is no link: that user, or undefined for none. */
  byEmail?: User | undefined;
}

/** Links between external identities and users; the key is (tenant, provider, external id). */
export class LinkRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect = 'sqlite',
  ) {}

  /** The link of an external identity with its user and the user's registrations, in one statement. */
  async findWithUser(tenantId: string, identityProviderId: string, identityProviderUserId: string): Promise<LinkWithUser | undefined> {
    return (await this.lookUp(tenantId, identityProviderId, identityProviderUserId)).linked;
  }

  /**
   * `findWithUser`, and when the identity is not linked and `email` is given, the tenant's user
   * with that email (compared lower-cased, as `users.findByEmail`) from the same statement.
   */
  async lookUp(tenantId: string, identityProviderId: string, identityProviderUserId: string, email?: string): Promise<LinkLookup> {
    const values = { tenant: tenantId, provider: identityProviderId, external: identityProviderUserId, email: email === undefined ? null : email.toLowerCase() };
    const { rows } = await this.db.executeQuery<Selectable<IdentityProviderLinkRow> & { user_data: string | null; registrations: string[] | string | null; email_user_data: string | null }>(
      this.dialect === 'postgres'
        ? CompiledQuery.raw(LOOK_UP_POSTGRES, [values.tenant, values.provider, values.external, values.email])
        : CompiledQuery.raw(LOOK_UP_SQLITE, SQLITE_ORDER.map((name) => values[name])),
    );
    const row = rows[0];
    if (!row || row.user_id === null) {
      const byEmail = row?.email_user_data ? (JSON.parse(row.email_user_data) as User) : undefined;
      return { linked: undefined, ...(email !== undefined ? { byEmail } : {}) };
    }
    // PostgreSQL's json_agg arrives parsed (NULL without rows); SQLite's json_group_array as its text.
    const documents = typeof row.registrations === 'string' ? (JSON.parse(row.registrations) as string[]) : (row.registrations ?? []);
    const user = row.user_data !== null ? (JSON.parse(row.user_data) as User) : undefined;
    return {
      linked: { link: toLink(row), user, registrations: user ? sortRegistrations(documents.map((data) => JSON.parse(data) as TenantRegistration)) : [] },
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
