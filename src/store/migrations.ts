import { sql, Migrator, SqliteAdapter } from 'kysely';
import type { CreateTableBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import { ssoSessions } from './migrations/0009-sso-sessions.js';
import { webhooks } from './migrations/0010-webhooks.js';

/**
 * Versioned migrations, written once for both dialects. Kysely's Migrator runs them in a
 * transaction under a lock (an advisory lock on PostgreSQL), so several nodes starting at once
 * apply each migration exactly once. Never edit a released migration; add a new one.
 */
const migrations: Record<string, Migration> = {
  '0001-foundation': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tenants')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('slug', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('name', 'varchar(191)', (c) => c.notNull().unique())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('last_update_instant', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('applications')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'varchar(191)', (c) => c.notNull())
        .addColumn('client_id', 'varchar(191)', (c) => c.notNull())
        .addColumn('client_secret_hash', 'varchar(128)')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('last_update_instant', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('applications_tenant_client_id', ['tenant_id', 'client_id'])
        .execute();
      await db.schema
        .createTable('users')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull().references('tenants.id'))
        .addColumn('email', 'varchar(191)')
        .addColumn('username', 'varchar(191)')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('last_update_instant', 'bigint', (c) => c.notNull())
        .addColumn('last_login_instant', 'bigint')
        .addUniqueConstraint('users_tenant_email', ['tenant_id', 'email'])
        .addUniqueConstraint('users_tenant_username', ['tenant_id', 'username'])
        .execute();
      await db.schema
        .createTable('registrations')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull().references('tenants.id'))
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('application_id', 'varchar(64)', (c) => c.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('last_update_instant', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('registrations_user_application', ['user_id', 'application_id'])
        .execute();
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('key_hash', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('tenant_id', 'varchar(64)', (c) => c.references('tenants.id').onDelete('cascade'))
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('last_update_instant', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('keys')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(191)', (c) => c.notNull().unique())
        .addColumn('kid', 'varchar(191)', (c) => c.notNull().unique())
        .addColumn('algorithm', 'varchar(16)')
        .addColumn('type', 'varchar(16)', (c) => c.notNull())
        .addColumn('public_key', 'text')
        .addColumn('private_key', 'text')
        .addColumn('certificate', 'text')
        .addColumn('secret', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('last_update_instant', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('tenant_signing_keys')
        .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('key_id', 'varchar(64)', (c) => c.notNull().references('keys.id'))
        .addColumn('activated_instant', 'bigint', (c) => c.notNull())
        .addColumn('retired_instant', 'bigint')
        .addColumn('publish_until', 'bigint')
        .addPrimaryKeyConstraint('tenant_signing_keys_pk', ['tenant_id', 'key_id'])
        .execute();
      // The replay store is written on every client assertion: a short hashed key in a
      // clustered table (SQLite: WITHOUT ROWID) keeps each insert to one small B-tree entry.
      const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
      await db.schema
        .createTable('used_jtis')
        .addColumn('jti_key', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .$call((builder) => (sqlite ? builder.modifyEnd(sql`without rowid`) : builder))
        .execute();
      await db.schema.createIndex('used_jtis_expires_at').on('used_jtis').column('expires_at').execute();
      await db.schema
        .createTable('revoked_tokens')
        .addColumn('jti', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('revoked_tokens_expires_at').on('revoked_tokens').column('expires_at').execute();
      await db.schema
        .createTable('meta')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0002-smart-roles': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('smart_roles')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('name', 'varchar(191)', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('last_update_instant', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('smart_roles_tenant_name', ['tenant_id', 'name'])
        .execute();
    },
  },
  '0003-event-log': {
    async up(db: Kysely<unknown>) {
      const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
      await db.schema
        .createTable('event_log')
        .$call((builder) =>
          sqlite
            ? builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
            : builder.addColumn('id', 'bigserial', (c) => c.primaryKey()),
        )
        .addColumn('type', 'varchar(16)', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('event_log_insert_instant').on('event_log').column('insert_instant').execute();
    },
  },
  '0004-lambdas': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('lambdas')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(191)', (c) => c.notNull())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('last_update_instant', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0005-identity-providers': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('identity_providers')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('tenant_id', 'varchar(64)')
        .addColumn('name', 'varchar(191)', (c) => c.notNull().unique())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('last_update_instant', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0006-reconcile': {
    async up(db: Kysely<unknown>) {
      // Every login writes a link and a refresh token: on SQLite both are clustered on their
      // primary key (WITHOUT ROWID), so a write touches one B-tree instead of a table and an index.
      const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
      const clustered = (builder: CreateTableBuilder<string, never>) => (sqlite ? builder.modifyEnd(sql`without rowid`) : builder);
      // One row per (tenant, provider, external id): the primary key is what makes concurrent
      // first logins of the same identity create exactly one link, on both databases.
      await db.schema
        .createTable('identity_provider_links')
        .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('identity_provider_id', 'varchar(64)', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
        .addColumn('identity_provider_user_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('display_name', 'varchar(191)')
        .addColumn('token', 'text')
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('last_login_instant', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('identity_provider_links_pk', ['tenant_id', 'identity_provider_id', 'identity_provider_user_id'])
        .$call(clustered)
        .execute();
      await db.schema.createIndex('identity_provider_links_user').on('identity_provider_links').columns(['user_id', 'identity_provider_id']).execute();
      // Pending links (CreatePendingLink) and pending onboardings: verified claims held briefly.
      await db.schema
        .createTable('pending_actions')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pending_actions_expires_at').on('pending_actions').column('expires_at').execute();
      // Refresh tokens are stored by SHA-256 only; a family shares the first token's id. Every
      // login inserts one, so the table carries only the indexes a query or a cascade needs:
      // hash, user (deleting a user cascades here; a family is found through its user) and expiry.
      await db.schema
        .createTable('refresh_tokens')
        .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('id', 'varchar(64)', (c) => c.notNull())
        .addColumn('family_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('application_id', 'varchar(64)', (c) => c.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .$call(clustered)
        .execute();
      await db.schema.createIndex('refresh_tokens_user').on('refresh_tokens').column('user_id').execute();
      await db.schema.createIndex('refresh_tokens_expires_at').on('refresh_tokens').column('expires_at').execute();
    },
  },
  '0007-authorization-code': {
    async up(db: Kysely<unknown>) {
      // The authorization-code flow (RFC 6749 §4.1) brokered to an upstream OpenID provider:
      // the request waits here for the upstream login (keyed by its state), then the code waits
      // for the token request (keyed by the code). Only hashes of both handles are stored.
      await db.schema
        .createTable('authorization_transactions')
        .addColumn('handle_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('insert_instant', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('authorization_transactions_expires_at').on('authorization_transactions').column('expires_at').execute();
    },
  },
  '0008-refresh-token-family-revocation': {
    async up(db: Kysely<unknown>) {
      // A family's revocation is kept apart from each token's status: a rotated token stays
      // `rotated` (presenting it again is reuse, RFC 9700 §4.14.2), and the family's root row
      // carries the flag that a rotation checks under lock before it stores a successor.
      await db.schema.alterTable('refresh_tokens').addColumn('family_revoked', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await sql`update refresh_tokens set family_revoked = 1 where status = 'revoked'`.execute(db);
    },
  },
  '0009-sso-sessions': ssoSessions,
  '0010-webhooks': webhooks,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<string[]> {
  // Kysely looks for its tables across all schemas; pin them to the schema we write to, so a
  // Gatehouse in another schema of the same database is never mistaken for this one.
  const schema =
    dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'gatehouse_migrations',
    migrationLockTableName: 'gatehouse_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Cheap liveness probe used by `/ready`. */
export async function ping(db: Kysely<unknown>): Promise<void> {
  await sql`select 1`.execute(db);
}
