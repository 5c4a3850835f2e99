import type { Kysely, Selectable } from 'kysely';
import type { RefreshTokenRecord } from '../records.js';
import type { Database, RefreshTokenRow } from '../schema.js';
import { PreparedQuery } from '../prepared-query.js';

const COLUMNS = ['token_hash', 'id', 'family_id', 'tenant_id', 'user_id', 'application_id', 'status', 'data', 'insert_instant', 'expires_at'] as const;
const INSERT = new PreparedQuery((db, p) =>
  db.insertInto('refresh_tokens').values(Object.fromEntries(COLUMNS.map((c) => [c, p(c)])) as unknown as RefreshTokenRow),
);

const toRecord = (row: Selectable<RefreshTokenRow>): RefreshTokenRecord => ({
  ...(JSON.parse(row.data) as Pick<RefreshTokenRecord, 'startInstant' | 'authTime' | 'scope'>),
  id: row.id,
  familyId: row.family_id,
  tenantId: row.tenant_id,
  userId: row.user_id,
  applicationId: row.application_id,
  status: row.status,
  insertInstant: Number(row.insert_instant),
  expiresAt: Number(row.expires_at),
});

/** Refresh tokens by hash. Rotation is a conditional update, so only one of two racing uses wins. */
export class RefreshTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(tokenHash: string, record: RefreshTokenRecord): Promise<void> {
    const data = JSON.stringify({ startInstant: record.startInstant, authTime: record.authTime, ...(record.scope ? { scope: record.scope } : {}) });
    await INSERT.execute(this.db, {
      token_hash: tokenHash,
      id: record.id,
      family_id: record.familyId,
      tenant_id: record.tenantId,
      user_id: record.userId,
      application_id: record.applicationId,
      status: record.status,
      data,
      insert_instant: record.insertInstant,
      expires_at: record.expiresAt,
    });
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Marks an active token rotated; false when it was not active (already used or revoked). */
  async markRotated(tokenHash: string): Promise<boolean> {
    const result = await this.db.updateTable('refresh_tokens').set({ status: 'rotated' }).where('token_hash', '=', tokenHash).where('status', '=', 'active').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** A family belongs to one user: found through the user index (a family index would cost every login a page). */
  async revokeFamily(userId: string, familyId: string): Promise<number> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ status: 'revoked' })
      .where('user_id', '=', userId)
      .where('family_id', '=', familyId)
      .where('status', '!=', 'revoked')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Revokes every refresh token of a user (optionally of one application); returns how many. */
  async revokeByUser(userId: string, applicationId?: string): Promise<number> {
    let query = this.db.updateTable('refresh_tokens').set({ status: 'revoked' }).where('user_id', '=', userId).where('status', '!=', 'revoked');
    if (applicationId) query = query.where('application_id', '=', applicationId);
    return Number((await query.executeTakeFirst()).numUpdatedRows);
  }

  async purge(now: number): Promise<number> {
    const result = await this.db.deleteFrom('refresh_tokens').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
