import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

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

  async purge(now: number): Promise<number> {
    const result = await this.db.deleteFrom('revoked_tokens').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
