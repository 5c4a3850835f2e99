import type { Kysely, Selectable } from 'kysely';
import type { Database, SsoSessionRow } from '../schema.js';
import { deleteInBatches, expiredBy } from './batched-delete.js';

/** A browser's SSO session at a tenant (OIDC Core §3.1.2.3: the OP's own authentication of the user). */
export interface SsoSession {
  /** The public session id: `sid` in ID tokens, the link of refresh tokens; never the cookie's secret. */
  id: string;
  tenantId: string;
  userId: string;
  /** The upstream provider the user logged in at. */
  identityProviderId: string;
  /** Seconds since the epoch of that login (OIDC Core §2 `auth_time`). */
  authTime: number;
  /** The upstream ID token's `acr` and `amr`, when it had them. */
  acr?: string;
  amr?: string[];
  insertInstant: number;
  expiresAt: number;
}

const toRecord = (row: Selectable<SsoSessionRow>): SsoSession => ({
  ...(JSON.parse(row.data) as Pick<SsoSession, 'acr' | 'amr'>),
  id: row.id,
  tenantId: row.tenant_id,
  userId: row.user_id,
  identityProviderId: row.identity_provider_id,
  authTime: Number(row.auth_time),
  insertInstant: Number(row.insert_instant),
  expiresAt: Number(row.expires_at),
});

/**
 * SSO sessions, by the SHA-256 of the cookie secret (the secret itself is never stored) or by
 * their public id. Ending one deletes its row: a later request with its cookie finds nothing.
 */
export class SsoSessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(secretHash: string, session: SsoSession): Promise<void> {
    await this.db
      .insertInto('sso_sessions')
      .values({
        secret_hash: secretHash,
        id: session.id,
        tenant_id: session.tenantId,
        user_id: session.userId,
        identity_provider_id: session.identityProviderId,
        auth_time: session.authTime,
        data: JSON.stringify({ ...(session.acr !== undefined ? { acr: session.acr } : {}), ...(session.amr !== undefined ? { amr: session.amr } : {}) }),
        insert_instant: session.insertInstant,
        expires_at: session.expiresAt,
      })
      .execute();
  }

  /** The unexpired session of this tenant whose secret hashes to `secretHash`. */
  async findLive(secretHash: string, tenantId: string, now: number): Promise<SsoSession | undefined> {
    const row = await this.db
      .selectFrom('sso_sessions')
      .selectAll()
      .where('secret_hash', '=', secretHash)
      .where('tenant_id', '=', tenantId)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** By public id, whatever its age. */
  async findById(id: string): Promise<SsoSession | undefined> {
    const row = await this.db.selectFrom('sso_sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Deletes a session by public id; false when it was gone already (of two racing logouts, one wins). */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('sso_sessions').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Deletes the rows expired by `now`, in batches (batched-delete.ts). */
  purge(now: number, batchRows?: number): Promise<number> {
    return deleteInBatches(this.db, 'sso_sessions', 'secret_hash', expiredBy(now), batchRows);
  }
}
