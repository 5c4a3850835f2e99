import type { Kysely, Migration } from 'kysely';

/** 0009: SSO sessions (OpenID Connect), and the session a refresh token was issued under. */
export const ssoSessions: Migration = {
  async up(db: Kysely<unknown>) {
    // A browser's SSO session at a tenant (OIDC Core §3.1.2.3: the OP's own authentication
    // state): keyed by the SHA-256 of the cookie's secret; `id` is the public session id (`sid`).
    await db.schema
      .createTable('sso_sessions')
      .addColumn('secret_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('id', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('identity_provider_id', 'varchar(64)', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
      .addColumn('auth_time', 'bigint', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sso_sessions_user').on('sso_sessions').column('user_id').execute();
    await db.schema.createIndex('sso_sessions_expires_at').on('sso_sessions').column('expires_at').execute();
    // The session a refresh token was issued under, so that logging out revokes it; found
    // through the user index, as families are.
    await db.schema.alterTable('refresh_tokens').addColumn('session_id', 'varchar(64)').execute();
  },
};
