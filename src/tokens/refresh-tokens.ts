import type { WebhookOutbox } from '../events/webhook-outbox.js';
import type { Clock } from '../lib/clock.js';
import { sha256 } from '../lib/hash.js';
import { newId, randomSecret } from '../lib/ids.js';
import type { RefreshTokenRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

export type RefreshErrorCode = 'SCOPE_NOT_GRANTED' | 'NOT_FOUND' | 'EXPIRED' | 'REUSED' | 'REVOKED' | 'WRONG_CLIENT' | 'USER_INACTIVE' | 'NOT_REGISTERED';

export class RefreshTokenError extends Error {
  constructor(
    readonly code: RefreshErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RefreshTokenError';
  }
}

/** What a successor keeps of its family: the family, its start, its fixed expiry and its SSO session. */
export type RefreshFamily = Pick<RefreshTokenRecord, 'familyId' | 'startInstant' | 'expiresAt' | 'sessionId'>;

/** A refresh token drawn but not yet stored: the secret for the client, the record for the store. */
export interface DrawnRefreshToken {
  token: string;
  record: RefreshTokenRecord;
}

/**
 * Who presents or revokes a token. The token endpoint and RFC 7009 revocation name the
 * authenticated client (RFC 6749 §10.4: a token is bound to its client); the `/api` endpoints
 * name the tenant of the API key.
 */
export interface RefreshTokenHolder {
  tenantId?: string;
  applicationId?: string;
}

/** A presented token that passed every check: its hash (the store key) and record. */
export interface PresentedRefreshToken {
  hash: string;
  record: RefreshTokenRecord;
}

/**
 * Refresh tokens, the one place of their rules: opaque secrets stored by hash, rotated on every
 * use within a family whose expiry is fixed at the first login; presenting a rotated token again
 * is reuse and revokes the whole family (OAuth 2.0 Security BCP, RFC 9700 §4.14.2), including a
 * successor a racing rotation stores at the same moment (see the repository's family lock).
 */
export class RefreshTokens {
  /** `webhooks`: the outbox that gets `jwt.refresh-token.revoke` in the revoking transaction. */
  constructor(private readonly deps: { store: Store; clock: Clock; webhooks?: WebhookOutbox }) {}

  /** A new token: of `family` when rotating, else the root of a new family living `lifetimeMinutes`. */
  draw(
    owner: Pick<RefreshTokenRecord, 'tenantId' | 'userId' | 'applicationId' | 'authTime' | 'scope' | 'sessionId'>,
    lifetimeMinutes: number,
    family?: RefreshFamily,
  ): DrawnRefreshToken {
    const now = this.deps.clock.now();
    const id = newId();
    // A successor stays in its family's session.
    const sessionId = family ? family.sessionId : owner.sessionId;
    const record: RefreshTokenRecord = {
      id,
      familyId: family?.familyId ?? id,
      tenantId: owner.tenantId,
      userId: owner.userId,
      applicationId: owner.applicationId,
      status: 'active',
      startInstant: family?.startInstant ?? now,
      authTime: owner.authTime,
      ...(owner.scope ? { scope: owner.scope } : {}),
      ...(sessionId ? { sessionId } : {}),
      insertInstant: now,
      expiresAt: family?.expiresAt ?? now + lifetimeMinutes * 60_000,
    };
    return { token: randomSecret(32), record };
  }

  /** Stores a new family's root token through `store` (a caller's transaction, or the root store). */
  insert(store: Store, drawn: DrawnRefreshToken): Promise<void> {
    return store.refreshTokens.insert(sha256(drawn.token), drawn.record);
  }

  /**
   * The checks before a rotation (RFC 6749 §6): known, the holder's, unexpired, not revoked, the
   * same scope (narrowing is not supported). A token used before is reuse: its family is revoked.
   */
  async present(token: string, holder: RefreshTokenHolder, scope?: string): Promise<PresentedRefreshToken> {
    const hash = sha256(token);
    const record = await this.deps.store.refreshTokens.findByHash(hash);
    if (!record || (holder.tenantId !== undefined && record.tenantId !== holder.tenantId)) throw new RefreshTokenError('NOT_FOUND', 'The refresh token is not valid.');
    if (holder.applicationId !== undefined && record.applicationId !== holder.applicationId) throw new RefreshTokenError('WRONG_CLIENT', 'The refresh token was issued to another client.');
    if (record.expiresAt <= this.deps.clock.now()) throw new RefreshTokenError('EXPIRED', 'The refresh token has expired.');
    if (record.status === 'rotated') throw await this.reused(record);
    if (record.status === 'revoked' || record.familyRevoked) throw new RefreshTokenError('REVOKED', 'The refresh token has been revoked.');
    if (scope !== undefined && scope !== (record.scope ?? '')) throw new RefreshTokenError('SCOPE_NOT_GRANTED', 'A refresh keeps the scope of the original grant.');
    return { hash, record };
  }

  /**
   * Rotates: in one transaction the presented token is taken (a conditional update: exactly one
   * of racing uses wins), the family's root is locked and checked live, and the successor is
   * stored. A loser finds the token taken: that is reuse, and it revokes the family once the
   * winner's transaction (and so its successor) is committed.
   */
  async rotate(presented: PresentedRefreshToken, successor: DrawnRefreshToken): Promise<void> {
    const { record } = presented;
    // Root first, then the token: the order every revocation takes its locks in, so a rotation
    // and a revocation of the same family wait for each other instead of deadlocking.
    const outcome = await this.deps.store.transaction(async (tx): Promise<'ROTATED' | 'NOT_TAKEN'> => {
      if (!(await tx.refreshTokens.lockLiveFamily(record.userId, record.familyId))) return 'NOT_TAKEN';
      if (!(await tx.refreshTokens.markRotated(presented.hash))) return 'NOT_TAKEN';
      await tx.refreshTokens.insert(sha256(successor.token), successor.record);
      return 'ROTATED';
    });
    if (outcome === 'ROTATED') return;
    // Not taken: a rotated token presented again is reuse (whether or not its family was revoked
    // for it already); anything else was revoked.
    const now = await this.deps.store.refreshTokens.findByHash(presented.hash);
    if (now?.status === 'rotated') throw await this.reused(record);
    throw new RefreshTokenError('REVOKED', 'The refresh token has been revoked.');
  }

  /**
   * Revokes the family of `token` (RFC 7009 §2.1: "and other tokens based on the same
   * authorization grant"). Tells the caller what it found, so each endpoint answers its own way.
   */
  async revoke(token: string, holder: RefreshTokenHolder): Promise<'REVOKED' | 'NOT_FOUND' | 'WRONG_CLIENT'> {
    const record = await this.deps.store.refreshTokens.findByHash(sha256(token));
    if (!record || (holder.tenantId !== undefined && record.tenantId !== holder.tenantId)) return 'NOT_FOUND';
    if (holder.applicationId !== undefined && record.applicationId !== holder.applicationId) return 'WRONG_CLIENT';
    await this.revoked(record.userId, record.applicationId, (store) => store.refreshTokens.revokeFamily(record.userId, record.familyId));
    return 'REVOKED';
  }

  /** Revokes one family (e.g. RFC 6749 §4.1.2: the tokens of an authorization code used twice). */
  revokeFamily(userId: string, familyId: string): Promise<number> {
    return this.revoked(userId, undefined, (store) => store.refreshTokens.revokeFamily(userId, familyId));
  }

  /** Revokes every family of a user, optionally of one application (FusionAuth: log out everywhere). */
  revokeByUser(userId: string, applicationId?: string): Promise<number> {
    return this.revoked(userId, applicationId, (store) => store.refreshTokens.revokeByUser(userId, applicationId));
  }

  /** Runs a revocation; with an outbox, in one transaction with its `jwt.refresh-token.revoke` event (when it revoked anything). */
  private revoked(userId: string, applicationId: string | undefined, revoke: (store: Store) => Promise<number>): Promise<number> {
    const { webhooks } = this.deps;
    if (!webhooks) return revoke(this.deps.store);
    return this.deps.store.transaction(async (tx) => {
      const count = await revoke(tx);
      const user = count > 0 ? await tx.users.findById(userId) : undefined;
      if (user) await webhooks.emit(tx, [webhooks.event('jwt.refresh-token.revoke', user.tenantId, { userId, user, ...(applicationId ? { applicationId } : {}) })]);
      return count;
    });
  }

  /** Revokes the families issued under an SSO session (OpenID Connect RP-Initiated Logout: the session ends). */
  revokeBySession(userId: string, sessionId: string): Promise<number> {
    return this.deps.store.refreshTokens.revokeBySession(userId, sessionId);
  }

  /** A user's usable tokens (FusionAuth `GET /api/jwt/refresh?userId=`): records only, never a token value. */
  listByUser(userId: string): Promise<RefreshTokenRecord[]> {
    return this.deps.store.refreshTokens.listLiveByUser(userId, this.deps.clock.now());
  }

  private async reused(record: RefreshTokenRecord): Promise<RefreshTokenError> {
    await this.revoked(record.userId, record.applicationId, (store) => store.refreshTokens.revokeFamily(record.userId, record.familyId));
    return new RefreshTokenError('REUSED', 'The refresh token was used before; its family is revoked.');
  }
}

