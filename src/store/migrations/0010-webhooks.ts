import type { Kysely, Migration } from 'kysely';

/** 0010: webhooks (FusionAuth) and their transactional outbox. */
export const webhooks: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('webhooks')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('url', 'varchar(2048)', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('last_update_instant', 'bigint', (c) => c.notNull())
      .execute();
    // The transactional outbox: written with the change it reports, claimed by due time.
    await db.schema
      .createTable('webhook_outbox')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('event_type', 'varchar(64)', (c) => c.notNull())
      .addColumn('webhook_id', 'varchar(64)', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
      .addColumn('tenant_id', 'varchar(64)')
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('locked_until', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('insert_instant', 'bigint', (c) => c.notNull())
      .addColumn('completed_instant', 'bigint')
      .addUniqueConstraint('webhook_outbox_event_webhook', ['event_id', 'webhook_id'])
      .execute();
    await db.schema.createIndex('webhook_outbox_due').on('webhook_outbox').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('webhook_outbox_webhook').on('webhook_outbox').column('webhook_id').execute();
  },
};
