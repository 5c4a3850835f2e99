import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { deleteInBatches, expiredBy } from './batched-delete.js';

/** Revoked access tokens by `jti`, kept until they would have expired anyway (RFC 7009). */
export class RevocationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async revoke(tenantId: string, jti: string, expiresAt: number): Promise<void> {
    await this.db
      .insertInto('revoked_tokens')
      .values({ jti, tenant_id: tenantId, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
  }

  async isRevoked(jti: string): Promise<boolean> {
    const row = await this.db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst();
    return row !== undefined;
  }

  /** Deletes the rows expired by `now`, in batches (batched-delete.ts). */
  purge(now: number, batchRows?: number): Promise<number> {
    return deleteInBatches(this.db, 'revoked_tokens', 'jti', expiredBy(now), batchRows);
  }
}
