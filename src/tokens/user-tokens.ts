import { sha256 } from '../lib/hash.js';
import { newId, randomSecret } from '../lib/ids.js';
import type { Application, RefreshTokenRecord, Registration, Tenant, User } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../lib/clock.js';
import { accessTokenLifetime, issueAccessToken, signerOf } from './access-token.js';
import type { SignerSource } from './access-token.js';

/** A user's email and username as OIDC Core §5.1 claims, in the access token and the ID token alike. */
export const userIdentityClaims = (user: User): Record<string, unknown> => ({
  ...(user.email ? { email: user.email, email_verified: user.verified } : {}),
  ...(user.username ? { preferred_username: user.username } : {}),
});

/** FusionAuth `authenticationType` values Gatehouse issues. */
export type AuthenticationType = 'FEDERATED_JWT' | 'OPENID_CONNECT' | 'REFRESH_TOKEN' | 'TOKEN_EXCHANGE' | 'JWT_BEARER';

export interface UserTokenRequest {
  tenant: Tenant;
  application: Application;
  user: User;
  /** The user's registration for the application, if any (then `applicationId` and `roles`). */
  registration: Registration | undefined;
  authenticationType: AuthenticationType;
  /** Seconds since the epoch of the original authentication. */
  authTime: number;
  scope?: string;
  /** Issue a refresh token (only for registered users of applications that generate them). */
  withRefreshToken: boolean;
}

export interface UserTokens {
  token: string;
  claims: Record<string, unknown>;
  expiresIn: number;
  tokenExpirationInstant: number;
  refreshToken?: string;
  refreshTokenId?: string;
}

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

/** Whether a login for this application gets a refresh token (FusionAuth `generateRefreshTokens`). */
export const refreshTokensEnabled = (application: Application, registration: Registration | undefined): boolean =>
  application.loginConfiguration.generateRefreshTokens && registration !== undefined;

/** What issuing user tokens takes: the store, the clock, the public URL (issuer) and the tenants' signing keys. */
export interface UserTokenDependencies extends SignerSource {
  store: Store;
  clock: Clock;
}

/**
 * Tokens for a user: a JWT access token with FusionAuth's claim set and, when enabled, an opaque
 * refresh token stored by hash. Refresh tokens rotate on every use within a family whose
 * expiry is fixed at the first login; presenting a rotated token again revokes the family
 * (OAuth 2.0 Security BCP, RFC 9700 §4.14.2).
 */
export class UserTokenService {
  constructor(private readonly ctx: UserTokenDependencies) {}

  /** Signs the tokens and stores the refresh token (if any) through `store`. */
  async issue(request: UserTokenRequest, store: Store = this.ctx.store, family?: Pick<RefreshTokenRecord, 'familyId' | 'startInstant' | 'expiresAt'>): Promise<UserTokens> {
    const prepared = await this.prepare(request, family);
    await prepared.persist(store);
    return prepared.tokens;
  }

  /**
   * Signs the access token and draws the refresh token without writing anything; `persist`
   * stores the refresh token, so a caller can do that inside its own transaction (the signing
   * key is read outside it: on SQLite's one connection a read inside would wait forever).
   */
  async prepare(request: UserTokenRequest, family?: Pick<RefreshTokenRecord, 'familyId' | 'startInstant' | 'expiresAt'>): Promise<{ tokens: UserTokens; persist(store: Store): Promise<void> }> {
    const { tenant, application, user, registration } = request;
    const claims: Record<string, unknown> = {
      aud: application.oauthConfiguration.accessTokenAudience ?? application.oauthConfiguration.clientId,
      sub: user.id,
      authenticationType: request.authenticationType,
      ...userIdentityClaims(user),
      ...(registration ? { applicationId: application.id, roles: registration.roles } : {}),
      auth_time: request.authTime,
      tid: tenant.id,
      ...(request.scope ? { scope: request.scope } : {}),
    };
    const issued = issueAccessToken(await signerOf(this.ctx, tenant), claims, accessTokenLifetime(tenant, application));
    const tokens: UserTokens = {
      token: issued.token,
      claims: issued.claims,
      expiresIn: issued.expiresIn,
      tokenExpirationInstant: (issued.claims.exp as number) * 1000,
    };
    if (!request.withRefreshToken) return { tokens, persist: async () => undefined };
    const now = this.ctx.clock.now();
    const minutes = application.jwtConfiguration.refreshTokenTimeToLiveInMinutes ?? tenant.jwtConfiguration.refreshTokenTimeToLiveInMinutes;
    const refreshToken = randomSecret(32);
    const id = newId();
    const record: RefreshTokenRecord = {
      id,
      familyId: family?.familyId ?? id,
      tenantId: tenant.id,
      userId: user.id,
      applicationId: application.id,
      status: 'active',
      startInstant: family?.startInstant ?? now,
      authTime: request.authTime,
      ...(request.scope ? { scope: request.scope } : {}),
      insertInstant: now,
      expiresAt: family?.expiresAt ?? now + minutes * 60_000,
    };
    tokens.refreshToken = refreshToken;
    tokens.refreshTokenId = id;
    return { tokens, persist: (store) => store.refreshTokens.insert(sha256(refreshToken), record) };
  }

  /**
   * Rotates a refresh token: the presented one becomes `rotated`, a new one of the same family is
   * issued with a fresh access token built from the user's current state. `applicationId`, when
   * given (token endpoint), must be the application the token was issued to; `scope`, when
   * given, must be the original grant's (RFC 6749 §6: narrowing is not supported).
   */
  async refresh(refreshToken: string, applicationId?: string, scope?: string): Promise<{ tokens: UserTokens; user: User; application: Application; record: RefreshTokenRecord }> {
    const { store, clock } = this.ctx;
    const hash = sha256(refreshToken);
    const record = await store.refreshTokens.findByHash(hash);
    if (!record) throw new RefreshTokenError('NOT_FOUND', 'The refresh token is not valid.');
    if (applicationId !== undefined && record.applicationId !== applicationId) throw new RefreshTokenError('WRONG_CLIENT', 'The refresh token was issued to another client.');
    if (record.expiresAt <= clock.now()) throw new RefreshTokenError('EXPIRED', 'The refresh token has expired.');
    if (record.status === 'revoked') throw new RefreshTokenError('REVOKED', 'The refresh token has been revoked.');
    if (scope !== undefined && scope !== (record.scope ?? '')) throw new RefreshTokenError('SCOPE_NOT_GRANTED', 'A refresh keeps the scope of the original grant.');
    // The conditional update is the arbiter between racing uses: exactly one rotates the token.
    if (record.status === 'rotated' || !(await store.refreshTokens.markRotated(hash))) {
      await store.refreshTokens.revokeFamily(record.userId, record.familyId);
      throw new RefreshTokenError('REUSED', 'The refresh token was used before; its family is revoked.');
    }
    const user = await store.users.findById(record.userId);
    const application = await store.applications.findById(record.applicationId);
    const tenant = await store.tenants.findById(record.tenantId);
    if (!user || !user.active || !application || !application.active || !tenant) throw new RefreshTokenError('USER_INACTIVE', 'The user or application is no longer active.');
    const registration = await store.registrations.find(user.id, application.id);
    if (!registration) throw new RefreshTokenError('NOT_REGISTERED', 'The user is no longer registered for the application.');
    const tokens = await this.issue(
      { tenant, application, user, registration, authenticationType: 'REFRESH_TOKEN', authTime: record.authTime, ...(record.scope ? { scope: record.scope } : {}), withRefreshToken: true },
      store,
      record,
    );
    return { tokens, user, application, record };
  }
}
