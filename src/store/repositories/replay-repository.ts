import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * One-time identifiers (`jti`) seen per scope (tenant + client). The database is the replay
 * store so the guarantee holds across restarts and across nodes sharing one database.
 */
export class ReplayRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records `jti` until `expiresAt`. Returns false when it was already recorded and has not
   * expired yet (a replay). An expired record is taken over atomically.
   */
  async consume(scope: string, jti: string, expiresAt: number, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto('used_jtis')
      .values({ scope, jti, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .columns(['scope', 'jti'])
          .doUpdateSet({ expires_at: expiresAt })
          .where(sql.ref('used_jtis.expires_at'), '<=', now),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async purge(now: number): Promise<number> {
    const result = await this.db.deleteFrom('used_jtis').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
