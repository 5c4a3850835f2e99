import { nowSeconds } from '../lib/clock.js';
import { sha256 } from '../lib/hash.js';
import { newId, randomSecret } from '../lib/ids.js';
import type { Tenant } from '../store/records.js';
import type { SsoSession } from '../store/repositories/sso-session-repository.js';
import type { OAuthContext } from './context.js';

export type { SsoSession } from '../store/repositories/sso-session-repository.js';

/** What the HTTP layer puts in the browser: the session's secret, for as long as the session lives. */
export interface SessionCookie {
  secret: string;
  maxAgeSeconds: number;
}

/** A finished upstream login, as the session records it. */
export interface SsoLogin {
  userId: string;
  identityProviderId: string;
  /** OIDC Core §2: seconds since the epoch. */
  authTime: number;
  acr?: string;
  amr?: string[];
}

/** SSO sessions are off with `--sso-session-ttl 0`. */
export const ssoSessionsEnabled = (ctx: OAuthContext): boolean => ctx.config.ssoSessionTtlSeconds > 0;

/** The live session of this tenant that the browser's cookie secret stands for, if any. */
export async function findSsoSession(ctx: OAuthContext, tenant: Tenant, secret: string | undefined): Promise<SsoSession | undefined> {
  if (!secret || !ssoSessionsEnabled(ctx)) return undefined;
  return ctx.store.ssoSessions.findLive(sha256(secret), tenant.id, ctx.clock.now());
}

/**
 * Starts the browser's session after an upstream login: a random 256-bit secret for the cookie,
 * stored as its SHA-256, with an absolute lifetime of `--sso-session-ttl` from this login. The
 * secret is new on every login (no session fixation); when the browser already had a session of
 * the same user, it keeps its public id (`sid`, and the refresh tokens linked to it); a session of
 * another user in this browser is ended first.
 */
export async function establishSsoSession(ctx: OAuthContext, tenant: Tenant, login: SsoLogin, currentSecret: string | undefined): Promise<{ session: SsoSession; cookie: SessionCookie } | undefined> {
  if (!ssoSessionsEnabled(ctx)) return undefined;
  const current = await findSsoSession(ctx, tenant, currentSecret);
  if (current && current.userId !== login.userId) await endSsoSession(ctx, current);
  const now = ctx.clock.now();
  const session: SsoSession = {
    id: current?.userId === login.userId ? current.id : newId(),
    tenantId: tenant.id,
    userId: login.userId,
    identityProviderId: login.identityProviderId,
    authTime: login.authTime,
    ...(login.acr !== undefined ? { acr: login.acr } : {}),
    ...(login.amr !== undefined ? { amr: login.amr } : {}),
    insertInstant: now,
    expiresAt: now + ctx.config.ssoSessionTtlSeconds * 1000,
  };
  const secret = randomSecret(32);
  await ctx.store.transaction(async (store) => {
    if (current?.userId === login.userId) await store.ssoSessions.delete(current.id);
    await store.ssoSessions.insert(sha256(secret), session);
  });
  return { session, cookie: { secret, maxAgeSeconds: ctx.config.ssoSessionTtlSeconds } };
}

/**
 * Ends a session (OpenID Connect RP-Initiated Logout 1.0 §2): the row goes, so its cookie finds
 * nothing, and every refresh-token family issued under it is revoked. Of two racing logouts
 * both revoke (idempotent); true when this call deleted the row.
 */
export async function endSsoSession(ctx: OAuthContext, session: Pick<SsoSession, 'id' | 'userId'>): Promise<boolean> {
  const deleted = await ctx.store.ssoSessions.delete(session.id);
  await ctx.refreshTokens.revokeBySession(session.userId, session.id);
  return deleted;
}

/** How long ago the session's login was, in seconds (for `max_age`, OIDC Core §3.1.2.1). */
export const sessionAgeSeconds = (ctx: OAuthContext, session: SsoSession): number => nowSeconds(ctx.clock) - session.authTime;
