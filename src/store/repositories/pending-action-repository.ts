import type { Kysely } from 'kysely';
import type { PendingAction } from '../records.js';
import type { Database, PendingActionRow } from '../schema.js';
import { deleteInBatches, expiredBy } from './batched-delete.js';

/** Pending links and onboardings: short-lived, consumed at most once. */
export class PendingActionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(action: PendingAction): Promise<void> {
    await this.db
      .insertInto('pending_actions')
      .values({
        id: action.id,
        kind: action.kind,
        tenant_id: action.tenantId,
        data: JSON.stringify(action.identity),
        insert_instant: action.insertInstant,
        expires_at: action.expiresAt,
      })
      .execute();
  }

  /** The action if it exists, is of this kind and has not expired. */
  async find(id: string, kind: PendingAction['kind'], now: number): Promise<PendingAction | undefined> {
    const row = await this.db.selectFrom('pending_actions').selectAll().where('id', '=', id).where('kind', '=', kind).where('expires_at', '>', now).executeTakeFirst();
    return row ? toAction(row) : undefined;
  }

  /** A tenant's unexpired actions (optionally of one kind), newest first, one page, and how many there are. */
  async list(tenantId: string, page: { kind?: PendingAction['kind']; now: number; startRow: number; numberOfResults: number }): Promise<{ actions: PendingAction[]; total: number }> {
    const filtered = this.db
      .selectFrom('pending_actions')
      .where('tenant_id', '=', tenantId)
      .where('expires_at', '>', page.now)
      .$call((query) => (page.kind ? query.where('kind', '=', page.kind) : query));
    const [rows, count] = await Promise.all([
      filtered.selectAll().orderBy('insert_instant', 'desc').orderBy('id', 'desc').offset(page.startRow).limit(page.numberOfResults).execute(),
      filtered.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { actions: rows.map(toAction), total: Number(count.n) };
  }

  /** Deletes the action; true for exactly one of several concurrent consumers. */
  async consume(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('pending_actions').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Deletes the rows expired by `now`, in batches (batched-delete.ts). */
  purge(now: number, batchRows?: number): Promise<number> {
    return deleteInBatches(this.db, 'pending_actions', 'id', expiredBy(now), batchRows);
  }
}

function toAction(row: PendingActionRow): PendingAction {
  return {
    id: row.id,
    kind: row.kind,
    tenantId: row.tenant_id,
    identity: JSON.parse(row.data) as PendingAction['identity'],
    insertInstant: Number(row.insert_instant),
    expiresAt: Number(row.expires_at),
  };
}
