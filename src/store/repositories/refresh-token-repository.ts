import { sql } from 'kysely';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { RefreshTokenRecord } from '../records.js';
import type { Database, RefreshTokenRow } from '../schema.js';
import { PreparedQuery } from '../prepared-query.js';
import { deleteInBatches, expiredBy } from './batched-delete.js';

const COLUMNS = ['token_hash', 'id', 'family_id', 'tenant_id', 'user_id', 'application_id', 'status', 'session_id', 'data', 'insert_instant', 'expires_at'] as const;
const INSERT = new PreparedQuery((db, p) =>
  db.insertInto('refresh_tokens').values(Object.fromEntries(COLUMNS.map((c) => [c, p(c)])) as unknown as Insertable<RefreshTokenRow>),
);

const toRecord = (row: Selectable<RefreshTokenRow>): RefreshTokenRecord => ({
  ...(JSON.parse(row.data) as Pick<RefreshTokenRecord, 'startInstant' | 'authTime' | 'scope'>),
  id: row.id,
  familyId: row.family_id,
  tenantId: row.tenant_id,
  userId: row.user_id,
  applicationId: row.application_id,
  status: row.status,
  ...(row.session_id ? { sessionId: row.session_id } : {}),
  ...(row.family_revoked ? { familyRevoked: true } : {}),
  insertInstant: Number(row.insert_instant),
  expiresAt: Number(row.expires_at),
});

/** An active token becomes revoked; a rotated one stays rotated, so presenting it again is still recognised as reuse. */
const REVOKED_STATUS = sql<RefreshTokenRow['status']>`case when status = 'active' then 'revoked' else status end`;

/**
 * Refresh tokens by hash. Rotation is a conditional update, so only one of two racing uses wins.
 * A family's first token (its root, `id = family_id`) carries the family's revocation: rotation
 * locks it before storing a successor and revocation writes it first, so on PostgreSQL a
 * revocation either waits for a rotation in flight (and then sees its successor) or makes it fail.
 */
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
      session_id: record.sessionId ?? null,
      data,
      insert_instant: record.insertInstant,
      expires_at: record.expiresAt,
    });
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** A user's usable tokens (active, family not revoked, unexpired at `now`), oldest first. */
  async listLiveByUser(userId: string, now: number): Promise<RefreshTokenRecord[]> {
    const rows = await this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .where('status', '=', 'active')
      .where('family_revoked', '=', 0)
      .where('expires_at', '>', now)
      .orderBy('insert_instant')
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  /** Marks an active token rotated; false when it was not active (already used or revoked). */
  async markRotated(tokenHash: string): Promise<boolean> {
    const result = await this.db.updateTable('refresh_tokens').set({ status: 'rotated' }).where('token_hash', '=', tokenHash).where('status', '=', 'active').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Inside a rotation's transaction: locks the family's root row and tells whether the family
   * is still live (false: revoked, or its root is gone). Lock order is always root, then token,
   * as in every revocation.
   */
  async lockLiveFamily(userId: string, familyId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set((eb) => ({ family_revoked: eb.ref('family_revoked') }))
      .where('user_id', '=', userId)
      .where('id', '=', familyId)
      .where('family_revoked', '=', 0)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Revokes a family: the root first (waiting for a rotation that holds it), then every other
   * token, in a second statement that sees a successor that rotation committed. Not to be called
   * inside a transaction that holds one of the family's rows. A family belongs to one user: found
   * through the user index (a family index would cost every login a page).
   */
  async revokeFamily(userId: string, familyId: string): Promise<number> {
    const revoke = () => this.db.updateTable('refresh_tokens').set({ family_revoked: 1, status: REVOKED_STATUS }).where('user_id', '=', userId);
    const root = await revoke().where('id', '=', familyId).where('family_revoked', '=', 0).executeTakeFirst();
    const rest = await revoke()
      .where('family_id', '=', familyId)
      .where((eb) => eb.or([eb('family_revoked', '=', 0), eb('status', '=', 'active')]))
      .executeTakeFirst();
    return Number(root.numUpdatedRows) + Number(rest.numUpdatedRows);
  }

  /** Revokes every refresh token family of a user (optionally of one application), roots first as `revokeFamily`; returns how many tokens. */
  async revokeByUser(userId: string, applicationId?: string): Promise<number> {
    const revoke = () => {
      const query = this.db.updateTable('refresh_tokens').set({ family_revoked: 1, status: REVOKED_STATUS }).where('user_id', '=', userId);
      return applicationId ? query.where('application_id', '=', applicationId) : query;
    };
    const roots = await revoke().whereRef('id', '=', 'family_id').where('family_revoked', '=', 0).executeTakeFirst();
    const rest = await revoke()
      .where((eb) => eb.or([eb('family_revoked', '=', 0), eb('status', '=', 'active')]))
      .executeTakeFirst();
    return Number(roots.numUpdatedRows) + Number(rest.numUpdatedRows);
  }

  /**
   * Revokes every family issued under an SSO session (its tokens all carry the session), roots
   * first as `revokeFamily`; found through the user index. Returns how many tokens.
   */
  async revokeBySession(userId: string, sessionId: string): Promise<number> {
    const revoke = () => this.db.updateTable('refresh_tokens').set({ family_revoked: 1, status: REVOKED_STATUS }).where('user_id', '=', userId).where('session_id', '=', sessionId);
    const roots = await revoke().whereRef('id', '=', 'family_id').where('family_revoked', '=', 0).executeTakeFirst();
    const rest = await revoke()
      .where((eb) => eb.or([eb('family_revoked', '=', 0), eb('status', '=', 'active')]))
      .executeTakeFirst();
    return Number(roots.numUpdatedRows) + Number(rest.numUpdatedRows);
  }

  /** Deletes the rows expired by `now`, in batches (batched-delete.ts). */
  purge(now: number, batchRows?: number): Promise<number> {
    return deleteInBatches(this.db, 'refresh_tokens', 'token_hash', expiredBy(now), batchRows);
  }
}
