import type { Kysely, Selectable } from 'kysely';
import { PreparedQuery } from '../prepared-query.js';
import type { IdentityProviderLink } from '../records.js';
import type { Database, IdentityProviderLinkRow } from '../schema.js';

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
const TOUCH = new PreparedQuery((db, p) =>
  db
    .updateTable('identity_provider_links')
    .set({ last_login_instant: p('lastLogin') as unknown as number, display_name: p('displayName') })
    .where('tenant_id', '=', p('tenantId'))
    .where('identity_provider_id', '=', p('providerId'))
    .where('identity_provider_user_id', '=', p('externalId')),
);

/** Links between external identities and users; the key is (tenant, provider, external id). */
export class LinkRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Fails with a unique violation when the external identity is linked already. */
  async insert(link: IdentityProviderLink): Promise<void> {
    await this.db
      .insertInto('identity_provider_links')
      .values({
        tenant_id: link.tenantId,
        identity_provider_id: link.identityProviderId,
        identity_provider_user_id: link.identityProviderUserId,
        user_id: link.userId,
        display_name: link.displayName ?? null,
        token: link.token ?? null,
        insert_instant: link.insertInstant,
        last_login_instant: link.lastLoginInstant,
      })
      .execute();
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
