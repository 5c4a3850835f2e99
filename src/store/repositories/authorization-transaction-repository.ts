import type { Kysely } from 'kysely';
import type { JsonObject } from '../records.js';
import type { AuthorizationTransactionRow, Database } from '../schema.js';
import { deleteInBatches, expiredBy } from './batched-delete.js';

export interface AuthorizationTransaction {
  handleHash: string;
  kind: AuthorizationTransactionRow['kind'];
  status: AuthorizationTransactionRow['status'];
  tenantId: string;
  data: JsonObject;
  insertInstant: number;
  expiresAt: number;
}

const toRecord = (row: AuthorizationTransactionRow): AuthorizationTransaction => ({
  handleHash: row.handle_hash,
  kind: row.kind,
  status: row.status,
  tenantId: row.tenant_id,
  data: JSON.parse(row.data) as JsonObject,
  insertInstant: Number(row.insert_instant),
  expiresAt: Number(row.expires_at),
});

/**
 * Authorization requests waiting for the upstream login and the authorization codes they end
 * in, by the hash of their handle. Each is taken at most once (RFC 6749 §4.1.2: a code is
 * single-use); a taken code stays until it expires so that a second use can be recognised.
 */
export class AuthorizationTransactionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(transaction: Omit<AuthorizationTransaction, 'status'>): Promise<void> {
    await this.db
      .insertInto('authorization_transactions')
      .values({
        handle_hash: transaction.handleHash,
        kind: transaction.kind,
        status: 'open',
        tenant_id: transaction.tenantId,
        data: JSON.stringify(transaction.data),
        insert_instant: transaction.insertInstant,
        expires_at: transaction.expiresAt,
      })
      .execute();
  }

  /**
   * Takes an open, unexpired transaction of this kind and tenant. The conditional update is the
   * arbiter: of several concurrent takers exactly one gets it.
   */
  async take(handleHash: string, kind: AuthorizationTransaction['kind'], tenantId: string, now: number): Promise<AuthorizationTransaction | undefined> {
    const result = await this.db
      .updateTable('authorization_transactions')
      .set({ status: 'taken' })
      .where('handle_hash', '=', handleHash)
      .where('kind', '=', kind)
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'open')
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    return this.find(handleHash);
  }

  /** Whatever its status or age. */
  async find(handleHash: string): Promise<AuthorizationTransaction | undefined> {
    const row = await this.db.selectFrom('authorization_transactions').selectAll().where('handle_hash', '=', handleHash).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Replaces the data (a taken code records what was issued for it). */
  async updateData(handleHash: string, data: JsonObject): Promise<void> {
    await this.db.updateTable('authorization_transactions').set({ data: JSON.stringify(data) }).where('handle_hash', '=', handleHash).execute();
  }

  /** Deletes the rows expired by `now`, in batches (batched-delete.ts). */
  purge(now: number, batchRows?: number): Promise<number> {
    return deleteInBatches(this.db, 'authorization_transactions', 'handle_hash', expiredBy(now), batchRows);
  }
}
