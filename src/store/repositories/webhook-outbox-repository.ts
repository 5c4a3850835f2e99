import { sql } from 'kysely';
import type { Insertable, Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { PreparedQuery } from '../prepared-query.js';
import type { Database, WebhookOutboxRow } from '../schema.js';
import { deleteInBatches } from './batched-delete.js';

/** One event to deliver to one webhook. */
export interface OutboxEntry {
  id: string;
  eventId: string;
  eventType: string;
  webhookId: string;
  tenantId?: string;
  body: string;
  status: WebhookOutboxRow['status'];
  /** Attempts started so far (a claim counts as one: a node that dies mid-delivery used it). */
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  insertInstant: number;
  completedInstant?: number;
}

export type NewOutboxEntry = Pick<OutboxEntry, 'id' | 'eventId' | 'eventType' | 'webhookId' | 'tenantId' | 'body' | 'insertInstant'>;

const COLUMNS = ['id', 'event_id', 'event_type', 'webhook_id', 'tenant_id', 'body', 'status', 'attempts', 'next_attempt_at', 'locked_until', 'last_error', 'insert_instant', 'completed_instant'] as const;
/** Rows per emit that get a statement compiled once (a login writes one to four events per webhook). */
const PREPARED_ROWS = 8;
const preparedInserts = Array.from({ length: PREPARED_ROWS + 1 }, (_, n) =>
  new PreparedQuery((db, p) =>
    db.insertInto('webhook_outbox').values(Array.from({ length: n }, (_r, i) => Object.fromEntries(COLUMNS.map((c) => [c, p(`${c}${i}`)])) as unknown as Insertable<WebhookOutboxRow>)),
  ),
);

const rowOf = (e: NewOutboxEntry): WebhookOutboxRow => ({
  id: e.id,
  event_id: e.eventId,
  event_type: e.eventType,
  webhook_id: e.webhookId,
  tenant_id: e.tenantId ?? null,
  body: e.body,
  status: 'pending',
  attempts: 0,
  next_attempt_at: e.insertInstant,
  locked_until: null,
  last_error: null,
  insert_instant: e.insertInstant,
  completed_instant: null,
});

/**
 * The webhook outbox. Rows are inserted in the transaction of the change they report; the
 * deliverer claims due rows with a lease. On PostgreSQL the claim is one UPDATE over a
 * `SELECT … FOR UPDATE SKIP LOCKED`, so nodes sharing the database never claim the same row
 * while its lease runs; SQLite has one writer, and the same UPDATE is atomic there.
 */
export class WebhookOutboxRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Inserts the rows of one change (in its transaction); up to PREPARED_ROWS rows with a statement compiled once. */
  async insert(entries: readonly NewOutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    if (entries.length > PREPARED_ROWS) {
      await this.db.insertInto('webhook_outbox').values(entries.map(rowOf)).execute();
      return;
    }
    const params: Record<string, unknown> = {};
    entries.forEach((entry, i) => {
      const row = rowOf(entry);
      for (const column of COLUMNS) params[`${column}${i}`] = row[column];
    });
    await preparedInserts[entries.length].execute(this.db, params);
  }

  /** Claims up to `limit` due rows until `leaseUntil`, counting the attempt; oldest due first. */
  async claimDue(now: number, leaseUntil: number, limit: number): Promise<OutboxEntry[]> {
    const due = this.db
      .selectFrom('webhook_outbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .$call((query) => (this.dialect === 'postgres' ? query.forUpdate().skipLocked() : query));
    const rows = await this.db
      .updateTable('webhook_outbox')
      .set({ locked_until: leaseUntil, attempts: sql<number>`attempts + 1` })
      .where('id', 'in', due)
      .returningAll()
      .execute();
    return rows.map(toEntry).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
  }

  /** Ends a claimed row: delivered, or failed for good. */
  async complete(id: string, status: 'delivered' | 'failed', now: number, error?: string): Promise<void> {
    await this.db
      .updateTable('webhook_outbox')
      .set({ status, completed_instant: now, locked_until: null, last_error: error ?? null })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  /** Marks claimed rows delivered, in one statement. */
  async completeDelivered(ids: readonly string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('webhook_outbox')
      .set({ status: 'delivered', completed_instant: now, locked_until: null, last_error: null })
      .where('id', 'in', ids)
      .where('status', '=', 'pending')
      .execute();
  }

  /** Releases a claimed row for another attempt at `nextAttemptAt`. */
  async retryAt(id: string, nextAttemptAt: number, error: string): Promise<void> {
    await this.db
      .updateTable('webhook_outbox')
      .set({ next_attempt_at: nextAttemptAt, locked_until: null, last_error: error })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  async findById(id: string): Promise<OutboxEntry | undefined> {
    const row = await this.db.selectFrom('webhook_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toEntry(row) : undefined;
  }

  async listByEventType(eventType: string): Promise<OutboxEntry[]> {
    const rows = await this.db.selectFrom('webhook_outbox').selectAll().where('event_type', '=', eventType).orderBy('insert_instant').orderBy('id').execute();
    return rows.map(toEntry);
  }

  /** One webhook's rows, newest first, with their total: what an operator inspects (`GET /api/webhook/{id}/delivery`). */
  async listByWebhook(webhookId: string, page: { status?: WebhookOutboxRow['status']; startRow: number; numberOfResults: number }): Promise<{ entries: OutboxEntry[]; total: number }> {
    const filtered = this.db
      .selectFrom('webhook_outbox')
      .where('webhook_id', '=', webhookId)
      .$call((query) => (page.status ? query.where('status', '=', page.status) : query));
    const [rows, count] = await Promise.all([
      filtered.selectAll().orderBy('insert_instant', 'desc').orderBy('id', 'desc').offset(page.startRow).limit(page.numberOfResults).execute(),
      filtered.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { entries: rows.map(toEntry), total: Number(count.n) };
  }

  async countByStatus(status: WebhookOutboxRow['status']): Promise<number> {
    const row = await this.db.selectFrom('webhook_outbox').select((eb) => eb.fn.countAll().as('n')).where('status', '=', status).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Removes delivered and failed rows completed before `before`. */
  /** Deletes delivered and failed rows completed before `before`, in batches (batched-delete.ts). */
  purgeCompleted(before: number, batchRows?: number): Promise<number> {
    return deleteInBatches(this.db, 'webhook_outbox', 'id', sql`status <> 'pending' and completed_instant < ${before}`, batchRows);
  }
}

function toEntry(row: WebhookOutboxRow): OutboxEntry {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    webhookId: row.webhook_id,
    ...(row.tenant_id ? { tenantId: row.tenant_id } : {}),
    body: row.body,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    ...(row.last_error ? { lastError: row.last_error } : {}),
    insertInstant: Number(row.insert_instant),
    ...(row.completed_instant !== null ? { completedInstant: Number(row.completed_instant) } : {}),
  };
}
