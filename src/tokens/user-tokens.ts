import type { Clock } from '../lib/clock.js';
import type { Application, RefreshTokenRecord, Registration, Tenant, User } from '../store/records.js';
import type { Store } from '../store/store.js';
import { accessTokenLifetime, accessTokenTypeOf, issueAccessToken, signerOf } from './access-token.js';
import type { SignerSource } from './access-token.js';
import { RefreshTokenError, RefreshTokens } from './refresh-tokens.js';
import type { DrawnRefreshToken, RefreshFamily } from './refresh-tokens.js';

export { RefreshTokenError } from './refresh-tokens.js';
export type { RefreshErrorCode } from './refresh-tokens.js';

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
  /** The SSO session (public id) of the login, linked to the refresh token so logging out revokes it. */
  sessionId?: string;
}

export interface UserTokens {
  token: string;
  claims: Record<string, unknown>;
  expiresIn: number;
  tokenExpirationInstant: number;
  refreshToken?: string;
  refreshTokenId?: string;
}

/** Whether a login for this application gets a refresh token (FusionAuth `generateRefreshTokens`). */
export const refreshTokensEnabled = (application: Application, registration: Registration | undefined): boolean =>
  application.loginConfiguration.generateRefreshTokens && registration !== undefined;

/** What issuing user tokens takes: the store, the clock, the public URL (issuer) and the tenants' signing keys. */
export interface UserTokenDependencies extends SignerSource {
  store: Store;
  clock: Clock;
  refreshTokens?: RefreshTokens;
}

/**
 * Tokens for a user: a JWT access token with FusionAuth's claim set and, when enabled, an opaque
 * refresh token (rules in `refresh-tokens.ts`: stored by hash, rotated within a family, reuse
 * revokes the family).
 */
export class UserTokenService {
  readonly refreshTokens: RefreshTokens;

  constructor(private readonly deps: UserTokenDependencies) {
    this.refreshTokens = deps.refreshTokens ?? new RefreshTokens(deps);
  }

  /** Signs the tokens and stores the refresh token (if any) in the root store. */
  async issue(request: UserTokenRequest): Promise<UserTokens> {
    const prepared = await this.prepare(request);
    await prepared.persist(this.deps.store);
    return prepared.tokens;
  }

  /**
   * Signs the access token and draws the refresh token without writing anything; `persist`
   * stores the refresh token, so a caller can do that inside its own transaction (the signing
   * key is read outside it: on SQLite's one connection a read inside would wait forever).
   */
  async prepare(request: UserTokenRequest): Promise<{ tokens: UserTokens; persist(store: Store): Promise<void> }> {
    const { tokens, refresh } = await this.sign(request);
    return { tokens, persist: async (store) => (refresh ? this.refreshTokens.insert(store, refresh) : undefined) };
  }

  /**
   * Rotates a refresh token: the presented one becomes `rotated`, a new one of the same family is
   * issued with a fresh access token built from the user's current state. `applicationId`, when
   * given (token endpoint), must be the application the token was issued to; `scope`, when
   * given, must be the original grant's (RFC 6749 §6: narrowing is not supported).
   */
  async refresh(refreshToken: string, applicationId?: string, scope?: string): Promise<{ tokens: UserTokens; user: User; application: Application; record: RefreshTokenRecord }> {
    const { store } = this.deps;
    const presented = await this.refreshTokens.present(refreshToken, applicationId !== undefined ? { applicationId } : {}, scope);
    const { record } = presented;
    const user = await store.users.findById(record.userId);
    const application = await store.applications.findById(record.applicationId);
    const tenant = await store.tenants.findById(record.tenantId);
    if (!user || !user.active || !application || !application.active || !tenant) throw new RefreshTokenError('USER_INACTIVE', 'The user or application is no longer active.');
    const registration = await store.registrations.find(user.id, application.id);
    if (!registration) throw new RefreshTokenError('NOT_REGISTERED', 'The user is no longer registered for the application.');
    const { tokens, refresh } = await this.sign(
      { tenant, application, user, registration, authenticationType: 'REFRESH_TOKEN', authTime: record.authTime, ...(record.scope ? { scope: record.scope } : {}), withRefreshToken: true },
      record,
    );
    await this.refreshTokens.rotate(presented, refresh!);
    return { tokens, user, application, record };
  }

  private async sign(request: UserTokenRequest, family?: RefreshFamily): Promise<{ tokens: UserTokens; refresh?: DrawnRefreshToken }> {
    const { tenant, application, user, registration } = request;
    const claims: Record<string, unknown> = {
      aud: application.oauthConfiguration.accessTokenAudience ?? application.oauthConfiguration.clientId,
      sub: user.id,
      // RFC 9068 §2.2: the client the token was issued to.
      client_id: application.oauthConfiguration.clientId,
      authenticationType: request.authenticationType,
      ...userIdentityClaims(user),
      ...(registration ? { applicationId: application.id, roles: registration.roles } : {}),
      auth_time: request.authTime,
      tid: tenant.id,
      ...(request.scope ? { scope: request.scope } : {}),
    };
    const issued = issueAccessToken(await signerOf(this.deps, tenant), claims, accessTokenLifetime(tenant, application), accessTokenTypeOf(tenant));
    const tokens: UserTokens = {
      token: issued.token,
      claims: issued.claims,
      expiresIn: issued.expiresIn,
      tokenExpirationInstant: (issued.claims.exp as number) * 1000,
    };
    if (!request.withRefreshToken) return { tokens };
    const minutes = application.jwtConfiguration.refreshTokenTimeToLiveInMinutes ?? tenant.jwtConfiguration.refreshTokenTimeToLiveInMinutes;
    const refresh = this.refreshTokens.draw(
      { tenantId: tenant.id, userId: user.id, applicationId: application.id, authTime: request.authTime, ...(request.scope ? { scope: request.scope } : {}), ...(request.sessionId ? { sessionId: request.sessionId } : {}) },
      minutes,
      family,
    );
    tokens.refreshToken = refresh.token;
    tokens.refreshTokenId = refresh.record.id;
    return { tokens, refresh };
  }
}
